"""Importing the inspector directory from .xlsx (core.tabular): all-or-nothing with every bad
row named by line and field; the template the page offers imports as it is filled."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from regulus.inspections.models import Inspector
from regulus.inspections.services.lists import INSPECTOR_COLUMNS, inspectors_import
from tests.conftest import make_staff

HEADER = [c.all_headers[0] for c in INSPECTOR_COLUMNS]


def _xlsx(tmp_path, rows, name="inspectors.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _staff(bureau):
    unit = bureau["station_a"]
    return (
        make_staff("imp_zhang", unit, "执法检查人员", full_name="张伟"),
        make_staff("imp_wang", unit, "执法检查人员", full_name="王芳"),
        unit,
    )


def test_a_good_file_enrols_every_row(handler, bureau, tmp_path):
    zhang, _wang, unit = _staff(bureau)
    path = _xlsx(
        tmp_path,
        [
            ["imp_zhang", "张伟", "43010201001", "2028-12-31", unit.name, "食品、广告", "是"],
            ["imp_wang", "王芳", "43010201002", "2027-06-30", unit.name, "价格", ""],
        ],
    )
    result = inspectors_import(actor=handler, path=path, name="inspectors.xlsx")
    assert result.committed and result.written == 2 and not result.errors
    entry = Inspector.objects.get(user=zhang)
    assert entry.number == "43010201001" and entry.domains == ["advertising", "food"]
    assert entry.unit == unit and str(entry.certificate_expires) == "2028-12-31"


def test_one_bad_row_writes_nothing_and_every_error_names_its_line_and_field(
    handler, bureau, tmp_path
):
    _zhang, _wang, unit = _staff(bureau)
    path = _xlsx(
        tmp_path,
        [
            ["imp_zhang", "张伟", "43010201001", "2028-12-31", unit.name, "食品", "是"],
            ["imp_wang", "王芳", "43010201001", "2027-06-30", unit.name, "价格", "是"],
            ["nobody", "李四", "43010201003", "31/12/2028", "别的单位", "烹饪", "也许"],
        ],
    )
    result = inspectors_import(actor=handler, path=path, name="inspectors.xlsx")
    assert not result.committed and not Inspector.objects.exists()
    found = {(e.line, e.field) for e in result.errors}
    assert (3, "number") in found  # the same certificate number as line 2
    assert {(4, "expires"), (4, "domains"), (4, "available")} <= found
    assert "执法证号已登记给其他人员" in str([e.message for e in result.errors])


def test_the_template_downloads_and_the_page_imports_it(client, handler, bureau, tmp_path):
    zhang, _wang, unit = _staff(bureau)
    client.force_login(handler)
    template = client.get(reverse("inspections:inspector_template"))
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.active
    assert [c.value for c in sheet[1]] == HEADER
    sheet.delete_rows(2)
    sheet.append(["imp_zhang", "张伟", "43010201009", "2029-01-31", unit.name, "特种设备", "是"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("filled.xlsx", out.getvalue())
    page = client.post(
        reverse("inspections:inspector_import"), {"file": upload, "mode": "all-or-nothing"}
    )
    assert page.status_code == 200 and "已写入1行" in page.text
    assert Inspector.objects.get(user=zhang).domains == ["equipment"]


def test_a_file_that_is_not_a_table_is_refused_with_its_rule(client, handler):
    client.force_login(handler)
    upload = SimpleUploadedFile("inspectors.xlsx", b"not a workbook")
    page = client.post(reverse("inspections:inspector_import"), {"file": upload})
    assert page.status_code == 200 and 'data-testid="import-error"' in page.text
    assert not Inspector.objects.exists()


def test_an_inspector_cannot_import(client, bureau):
    inspector = make_staff("imp_only", bureau["station_a"], "执法检查人员")
    client.force_login(inspector)
    assert client.get(reverse("inspections:inspector_import")).status_code == 403
