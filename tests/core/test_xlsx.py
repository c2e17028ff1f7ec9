"""core.xlsx writes what openpyxl (the users' Excel, for the tests) reads back as written."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from regulus.core.documents import xlsx_bytes
from regulus.core.xlsx import column_letters, write_xlsx


def _book(sheets):
    out = io.BytesIO()
    write_xlsx(out, sheets)
    out.seek(0)
    return out


def test_values_of_every_kind_read_back_as_written():
    rows = [
        ["湖南立白日化有限公司", 12, Decimal("123.45"), dt.date(2020, 5, 18), None, True],
        ["<a & b>", -3.5, Decimal("0"), dt.datetime(2024, 1, 2, 3, 4, 5), "  padded ", False],
    ]
    book = load_workbook(_book([("市场主体", ["名称", "n", "资本", "日期", "空", "是"], rows)]))
    sheet = book["市场主体"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["名称", "n", "资本", "日期", "空", "是"]
    assert values[1] == ["湖南立白日化有限公司", 12, 123.45, dt.datetime(2020, 5, 18), None, True]
    assert values[2] == ["<a & b>", -3.5, 0, dt.datetime(2024, 1, 2, 3, 4, 5), "  padded ", False]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["D2"].number_format == "yyyy-mm-dd"


def test_control_characters_are_dropped_not_fatal():
    book = load_workbook(_book([("s", ["h"], [["a\x00b\x1fc\td"]])]))
    assert book.active["A2"].value == "abc\td"


def test_sheet_names_follow_excels_rules():
    sheets = [("a/b:c" + "长" * 40, ["h"], []), ("x", ["h"], [["1"]]), ("x", ["h"], [])]
    names = load_workbook(_book(sheets)).sheetnames
    assert names[0] == ("a_b_c" + "长" * 40)[:31] and names[1] == "x" and names[2] == "x(3)"


def test_rows_are_streamed_not_collected():
    consumed = []

    def rows():
        for i in range(3000):
            consumed.append(i)
            yield [i, f"第{i}行"]

    out = _book([("s", ["n", "t"], rows())])
    assert len(consumed) == 3000
    sheet = load_workbook(out, read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 3001


def test_package_starts_with_its_content_types_and_names_columns_like_excel():
    names = zipfile.ZipFile(_book([("s", ["h"], [])])).namelist()
    assert names[0] == "[Content_Types].xml" and "xl/worksheets/sheet1.xml" in names
    assert [column_letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_xlsx_bytes_is_a_workbook():
    book = load_workbook(io.BytesIO(xlsx_bytes([("统计", ["区县", "件数"], [["芙蓉区", 3]])])))
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == [
        ["区县", "件数"],
        ["芙蓉区", 3],
    ]
