"""core.tabular: the tabular reader any app's import uses (declared columns, encodings,
header aliases, row errors with line/field/rule, the error report, the upload checks) and
import_rows, the whole path of a small import (all-or-nothing, good rows, preview)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from regulus.core.models import AuditLog, CalendarDay
from regulus.core.tabular import (
    Column,
    TableError,
    check_header,
    check_upload,
    import_rows,
    read_rows,
    write_error_report,
)

KINDS = {"休息": CalendarDay.Kind.HOLIDAY, "上班": CalendarDay.Kind.MAKEUP_WORKDAY}


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        raise ValueError("应为日期（YYYY-MM-DD）") from None


def parse_kind(text: str) -> str:
    if text not in KINDS:
        raise ValueError("应为“休息”或“上班”")
    return KINDS[text]


COLUMNS = (
    Column("date", "日期", headers=("日期", "调整日期"), required=True, parse=parse_date),
    Column("kind", "类型", headers=("类型",), required=True, parse=parse_kind),
    Column("name", "节日", headers=("节日", "节日名称")),
)


def write(tmp_path, text: str, *, name="days.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(path, columns=COLUMNS):
    return list(read_rows(path, check_upload(path.name, path, path.stat().st_size), columns))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_reads_alike(tmp_path, encoding):
    path = write(tmp_path, "调整日期,类型,节日名称\n2027-10-01,休息,国庆节\n", encoding=encoding)
    assert rows(path) == [
        (2, {"date": dt.date(2027, 10, 1), "kind": "holiday", "name": "国庆节"}, [])
    ]


def test_xlsx_reads_with_header_in_any_order(tmp_path):
    book = Workbook()
    book.active.append(["节日", "其他列", "类型", "日期"])
    book.active.append(["元旦", "x", "休息", dt.datetime(2027, 1, 1)])
    book.active.append([None, None, None, None])  # blank rows are skipped
    book.active.append(["", "", "上班", "2027-01-04"])
    path = tmp_path / "days.xlsx"
    book.save(path)
    got = rows(path)
    assert [line for line, _v, _e in got] == [2, 4]
    assert got[0][1] == {"date": dt.date(2027, 1, 1), "kind": "holiday", "name": "元旦"}


def test_row_errors_name_line_field_and_rule(tmp_path):
    path = write(tmp_path, "日期,类型\n2027-13-01,休息\n,放假\n")
    errors = [(e.line, e.field_label, e.message) for _l, _v, es in rows(path) for e in es]
    assert errors == [
        (2, "日期", "应为日期（YYYY-MM-DD）"),
        (3, "日期", "必填，不能为空"),
        (3, "类型", "应为“休息”或“上班”"),
    ]


def test_missing_required_columns_are_named(tmp_path):
    path = write(tmp_path, "节日\n国庆节\n")
    with pytest.raises(TableError, match="缺少必需的列：日期、类型"):
        rows(path)
    with pytest.raises(TableError, match="缺少必需的列"):
        check_header(path, "csv", COLUMNS)


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("a.csv", b"", "是空的"),
        ("a.csv", b"\r\n \r\n", "是空的"),
        ("a.csv", b"PK\x03\x04", "内容是Excel工作簿"),
        ("a.xlsx", b"date,kind", "内容不是Excel工作簿"),
        ("a.txt", b"x", "不支持"),
    ],
)
def test_file_checks_name_the_file_and_the_rule(tmp_path, name, content, rule):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=rule) as caught:
        check_upload(name, path, len(content))
    assert f"“{name}”" in str(caught.value)


def test_a_zip_that_is_no_workbook_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/readme.txt", "x")
    with pytest.raises(TableError, match=r"xl/workbook\.xml"):
        check_upload("a.xlsx", io.BytesIO(out.getvalue()), len(out.getvalue()))


def test_decompressed_size_ceiling(tmp_path, settings):
    settings.UPLOAD_UNZIPPED_MAX_MB = 1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<T/>")
        z.writestr("xl/workbook.xml", "<w/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * (2 * 1024 * 1024))
    with pytest.raises(TableError, match="解压后为2 MB，超过上限1 MB"):
        check_upload("a.xlsx", io.BytesIO(out.getvalue()), len(out.getvalue()))


def test_error_report_lists_errors_and_never_a_formula(tmp_path):
    from regulus.core.tabular import RowError

    target = tmp_path / "errors.xlsx"
    errors = [RowError(2, "name", "=1+2 不能以等号开头", "节日"), RowError(3, "", "整行为空")]
    write_error_report(errors, 5, target)
    sheet = load_workbook(target).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == ["行号", "字段", "错误"]
    assert values[1] == [2, "节日", "=1+2 不能以等号开头"]
    assert sheet["C2"].data_type == "s"  # text, not a formula
    assert values[2] == [3, "整行", "整行为空"]
    assert values[3][2] == "共5个错误，本报告列出前2个"


def _save(line, values):
    if CalendarDay.objects.filter(date=values["date"]).exists():
        raise ValidationError({"date": f"{values['date']}已有调整"})
    day = CalendarDay.objects.create(**values)
    return str(day.pk), str(day), f"导入节假日调整：{day}", {"kind": day.kind}


def _import(path, actor, **kw):
    return import_rows(
        actor=actor, path=path, name=path.name, columns=COLUMNS, save=_save,
        object_type="core.calendarday", what="节假日调整", **kw,
    )  # fmt: skip


GOOD_AND_BAD = "日期,类型,节日\n2031-10-01,休息,国庆节\n2031-10-02,放假,国庆节\n2031-10-03,休息,\n"


def test_all_or_nothing_writes_nothing_when_a_row_is_bad(tmp_path, city_admin):
    path = write(tmp_path, GOOD_AND_BAD)
    result = _import(path, city_admin)
    assert (result.rows, result.good_rows, result.bad_rows) == (3, 2, 1)
    assert not result.committed and result.written == 0
    assert [(e.line, e.field_label) for e in result.errors] == [(3, "类型")]
    assert not CalendarDay.objects.filter(date__year=2031).exists()


def test_good_rows_mode_writes_the_good_rows_with_one_audit_row_each(tmp_path, city_admin):
    path = write(tmp_path, GOOD_AND_BAD)
    before = AuditLog.objects.count()
    result = _import(path, city_admin, mode="good-rows")
    assert result.committed and result.written == 2
    assert CalendarDay.objects.filter(date__year=2031).count() == 2
    rows_written = AuditLog.objects.order_by("id")[before:]
    assert [r.action for r in rows_written] == ["create", "create", "import"]
    assert "写入2行，错误1行" in rows_written[2].summary


def test_a_row_the_service_refuses_is_a_row_error(tmp_path, city_admin):
    CalendarDay.objects.create(date=dt.date(2031, 10, 1), kind="holiday", name="国庆节")
    path = write(tmp_path, "日期,类型\n2031-10-01,休息\n2031-10-08,上班\n")
    result = _import(path, city_admin, mode="good-rows")
    assert [(e.line, e.field_label, e.message) for e in result.errors] == [
        (2, "日期", "2031-10-01已有调整")
    ]
    assert result.written == 1 and CalendarDay.objects.filter(date="2031-10-08").exists()


def test_preview_reports_what_the_import_would_do_and_writes_nothing(tmp_path, city_admin):
    path = write(tmp_path, GOOD_AND_BAD)
    before = AuditLog.objects.count()
    result = _import(path, city_admin, mode="good-rows", dry_run=True)
    assert (result.good_rows, result.bad_rows, result.written) == (2, 1, 2)
    assert not result.committed
    assert not CalendarDay.objects.filter(date__year=2031).exists()
    assert AuditLog.objects.count() == before


def test_a_file_error_is_reported_not_raised(tmp_path, city_admin):
    path = write(tmp_path, "")
    result = _import(path, city_admin)
    assert "是空的" in result.file_error and result.rows == 0
