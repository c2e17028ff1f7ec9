"""Annual reports (年度报告): the window as a rule version, portal filing by USCC and the
registry's portal code, paper reports of 个体户, corrections as versions, the live filing rate."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.models import AuditLog
from regulus.credit import rules, selectors, services
from regulus.credit.models import AnnualReport, ReportWindowRule
from regulus.registry.models import PortalCode
from regulus.registry.portal_codes import portal_code_issue
from tests.registry.conftest import make_entity

D = dt.date

REPORT = {
    "address": "长沙市芙蓉区五一大道1号",
    "phone": "13800138000",
    "email": "boss@example.com",
    "operating_status": "open",
    "employees": "12",
    "total_assets": "350.5",
    "publish_employees": True,
    "publish_financials": False,
}


def at(day: str) -> time_machine.travel:
    """10:00 in Shanghai on the day."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=False)


@pytest.fixture
def code(entity_a, handler):
    return portal_code_issue(entity=entity_a, actor=handler)


def file_portal(entity, code, year=2025, **changes):
    return services.annual_report_file_portal(
        uscc=entity.uscc, code=code, year=year, **{**REPORT, **changes}
    )


def test_the_window_is_a_rule_version_and_the_2024_revision_kept_it(db):
    old, new = rules.window_for(2023), rules.window_for(2024)
    assert (old.opens, old.closes) == (D(2024, 1, 1), D(2024, 6, 30))
    assert "2014年" in old.rule.legal_basis and "777" in new.rule.legal_basis
    assert ReportWindowRule.objects.get(valid_to=D(2024, 4, 30)) == old.rule


@pytest.mark.parametrize(
    "day, late",
    [
        ("2026-01-01", False),  # 元旦, a holiday: the portal is open from the first day
        ("2026-06-30", False),  # the last day
        ("2026-07-01", True),  # the day after: accepted, marked late
    ],
)
def test_window_edges_around_new_year_and_30_june(entity_a, code, day, late):
    with at(day):
        report = file_portal(entity_a, code)
    assert report.late is late and report.version == 1


def test_a_report_for_a_year_not_yet_due_is_refused(entity_a, code):
    with at("2025-12-31"), pytest.raises(ValidationError, match="尚未到报送期"):
        file_portal(entity_a, code, year=2025)
    assert not AnnualReport.objects.exists()


def test_an_entity_set_up_this_year_starts_next_year(handler, code):
    young = make_entity(handler, "长沙市芙蓉区新开张有限公司", established_on=D(2026, 1, 15))
    young_code = portal_code_issue(entity=young, actor=handler)
    with at("2026-03-01"), pytest.raises(ValidationError, match="自下一年度起报送"):
        file_portal(young, young_code, year=2025)


def test_a_second_report_is_a_correction_and_the_first_stays_as_history(entity_a, code):
    with at("2026-03-01"):
        first = file_portal(entity_a, code)
    with at("2026-05-01"):
        second = file_portal(entity_a, code, address="长沙市芙蓉区八一路2号")
    first.refresh_from_db()
    assert (first.version, first.is_current) == (1, False)
    assert (second.version, second.is_current) == (2, True)
    assert first.address == REPORT["address"]
    row = selectors.report_public_section(entity_a).rows[0]
    assert "八一路2号" in row[3] and "第1版" in row[-1] and "第2版" in row[-1]


def test_no_correction_after_the_correction_deadline(entity_a, code):
    with at("2026-03-01"):
        file_portal(entity_a, code)
    with at("2026-07-01"), pytest.raises(ValidationError, match="不能再更正"):
        file_portal(entity_a, code, address="别处")
    assert AnnualReport.objects.count() == 1


def test_the_portal_code_guards_the_filing_and_success_clears_the_count(entity_a, code):
    # The code's mechanics are the registry's (tests/registry/test_portal_codes.py); here:
    # the filing goes through them, naming what the public was doing.
    with at("2026-03-01"):
        with pytest.raises(ValidationError, match="还可再试4次"):
            file_portal(entity_a, "WRONG000")
        assert not AnnualReport.objects.exists()
        assert PortalCode.objects.get().failures == 1
        wrong = AuditLog.objects.get(summary="企业填报码输入错误（第1次）")
        assert wrong.actor_name == f"公众（年报填报）{entity_a.name}"
        assert file_portal(entity_a, code).version == 1
    assert PortalCode.objects.get().failures == 0


def test_an_unknown_uscc_and_a_wrong_code_get_the_same_answer(entity_a, code):
    with at("2026-03-01"), pytest.raises(ValidationError, match="不正确") as unknown:
        services.annual_report_file_portal(uscc="91110000600037341L", code=code, year=2025)
    assert "还可再试" not in str(unknown.value)


def test_bad_items_are_named_each_and_nothing_is_stored(entity_a, code):
    with at("2026-03-01"), pytest.raises(ValidationError) as caught:
        file_portal(
            entity_a,
            code,
            address="",
            operating_status="bankrupt",
            employees="-3",
            revenue="lots",
            email="a\u202eb",
        )
    fields = caught.value.message_dict
    assert set(fields) == {"address", "operating_status", "employees", "revenue", "email"}
    assert "经营状态" in fields["operating_status"][0] and "营业总收入" in fields["revenue"][0]
    assert not AnnualReport.objects.exists()


def test_paper_reports_are_for_individuals_and_need_the_permission(
    handler, window_clerk, entity_a, outsider
):
    shop = make_entity(handler, "长沙市芙蓉区张记粉店", kind="individual")
    with at("2026-03-01"):
        with pytest.raises(ValidationError, match="仅限个体工商户"):
            services.annual_report_file_paper(
                entity=entity_a, year=2025, actor=window_clerk, **REPORT
            )
        report = services.annual_report_file_paper(
            entity=shop, year=2025, actor=window_clerk, **REPORT
        )
    assert report.channel == "paper" and report.filed_by == "窗口小张"
    with pytest.raises(PermissionDenied):
        services.annual_report_file_paper(entity=shop, year=2025, actor=None, **REPORT)


def test_the_rate_moves_live_and_the_outsider_counts_only_its_own(
    handler, outsider, entity_a, entity_b, code
):
    make_entity(handler, "长沙市芙蓉区未报送有限公司")
    with at("2026-03-01"):
        before = selectors.rate_total(selectors.filing_rate(handler, 2025))
        file_portal(entity_a, code)
        after = selectors.rate_total(selectors.filing_rate(handler, 2025))
    assert (before.due, before.filed, after.filed) == (2, 0, 1)
    assert after.rate == 50.0
    theirs = selectors.filing_rate(outsider, 2025)
    assert [(r.district_code, r.due, r.filed) for r in theirs] == [("430103", 1, 0)]
    assert [e.name for e in selectors.still_to_file(handler, 2025)] == [
        "长沙市芙蓉区未报送有限公司"
    ]
    assert not selectors.still_to_file(outsider, 2025).filter(pk=entity_a.pk).exists()


def test_public_section_shows_only_what_the_entity_chose_to_publish(handler):
    shop = make_entity(handler, "长沙市芙蓉区李记小吃店", kind="individual")
    with at("2026-03-01"):
        services.annual_report_file_paper(
            entity=shop,
            year=2025,
            actor=handler,
            **{**REPORT, "publish_employees": False, "revenue": "88.00"},
        )
    (row,) = selectors.report_public_section(shop).rows
    text = str(row)
    assert "13800138000" not in text and "boss@example.com" not in text
    assert "88.00" not in text and "350.5" not in text and row[7] == "不公示"


def test_staff_rate_page_export_and_paper_form(client, handler, entity_a, code):
    client.force_login(handler)
    with at("2026-03-01"):
        page = client.get("/credit/annual-reports/?year=2025").content.decode()
        assert "年报率 = 已报送户数 ÷ 应报送户数" in page
        export = client.get("/credit/annual-reports/to-file.xlsx?year=2025")
        assert export.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(export.content))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[1][0] == entity_a.uscc
        bad = client.get("/credit/annual-reports/?year=abc")
        assert bad.status_code == 200 and "报告年度" in bad.content.decode()


def test_an_enterprise_files_on_the_portal_page(client, entity_a, code):
    form = {**REPORT, "uscc": entity_a.uscc, "code": code}
    with at("2026-03-01"):
        page = client.get("/portal/annual-report/")
        assert page.status_code == 200 and "2025年度报告报送" in page.content.decode()
        wrong = client.post("/portal/annual-report/", {**form, "code": "XXXX"})
        assert wrong.status_code == 400 and "还可再试4次" in wrong.content.decode()
        done = client.post("/portal/annual-report/", form)
    assert done.status_code == 200 and 'data-testid="report-filed"' in done.content.decode()
    assert AnnualReport.objects.get().channel == "portal"


def test_the_api_files_paper_and_portal_reports_and_shows_the_rate(
    client, handler, outsider, code, entity_a
):
    shop = make_entity(handler, "长沙市芙蓉区王记杂货店", kind="individual")
    body = {**REPORT, "employees": 3, "uscc": shop.uscc, "year": 2025}
    with at("2026-03-01"):
        portal = client.post(
            "/api/v1/credit/annual-reports/portal",
            {**body, "uscc": entity_a.uscc, "code": code},
            content_type="application/json",
        )
        assert portal.status_code == 200 and portal.json()["channel"] == "portal"
        client.force_login(outsider)
        hidden = client.post(
            "/api/v1/credit/annual-reports/paper", body, content_type="application/json"
        )
        assert hidden.status_code == 404
        client.force_login(handler)
        paper = client.post(
            "/api/v1/credit/annual-reports/paper", body, content_type="application/json"
        )
        assert paper.status_code == 200 and paper.json()["version"] == 1
        rate = client.get("/api/v1/credit/annual-reports/rate?year=2025").json()
        assert rate["total"]["filed"] == 2 and "年报率 =" in rate["formula"]
        future = client.get("/api/v1/credit/annual-reports/rate?year=2026")
        assert future.status_code == 422 and "year" in future.json()["fields"]
