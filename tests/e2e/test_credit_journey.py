"""An annual report from the portal to the abnormal list and back: an enterprise files on the
portal and the staff member sees the live rate move; an enterprise that did not file is listed
by the sweep after the window; it files late, applies for credit repair on the portal, the
handler grants it, and its public page shows the listing with its removal."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from regulus.core import calendar
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import CalendarYear
from regulus.credit.models import AbnormalListing
from regulus.registry.portal_codes import portal_code_issue
from tests.e2e.conftest import login
from tests.registry.conftest import make_entity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def on(day: str) -> time_machine.travel:
    """10:00 in Shanghai on the day, the clock running (the live server reads it too)."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=True)


def file_report(page, url: str, uscc: str, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/portal/annual-report/")
    page.fill("#f-uscc", uscc)
    page.fill("#f-code", code)
    page.fill("#f-address", "长沙市芙蓉区五一大道1号")
    page.fill("#f-phone", "0731-84123456")
    page.select_option("#f-status", "open")
    page.click("[data-testid=file-report]")
    page.wait_for_selector("[data-testid=report-filed]")


def test_an_unfiled_enterprise_is_listed_then_removed_after_filing(
    browser, live_server, handler, settings, tmp_path
):
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    errors: list[str] = []
    filer = make_entity(handler, "长沙市芙蓉区按时年报有限公司")
    silent = make_entity(handler, "长沙市芙蓉区忘记年报有限公司")
    filer_code = portal_code_issue(entity=filer, actor=handler)
    silent_code = portal_code_issue(entity=silent, actor=handler)

    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    firm = public.new_page()
    firm.set_default_timeout(15_000)
    firm.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    desk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    with on("2026-03-02"):
        login(desk, live_server, handler.username, DEMO_PASSWORD)
        desk.goto(f"{live_server.url}/credit/annual-reports/?year=2025")
        assert desk.inner_text("[data-testid=rate-total]").strip() == "0.00%"
        assert "实时统计" in desk.inner_text("[data-testid=rate-window]")
        file_report(firm, live_server.url, filer.uscc, filer_code)
        desk.reload()
        assert desk.inner_text("[data-testid=rate-total]").strip() == "50.00%"

    with on("2026-07-01"):
        call_command("tick", "--only", "credit.abnormal_unfiled", stdout=io.StringIO())
        listing = AbnormalListing.objects.get()
        assert listing.entity == silent
        # Months later: the session of March has ended.
        staff.clear_cookies()
        login(desk, live_server, handler.username, DEMO_PASSWORD)
        desk.goto(f"{live_server.url}/credit/abnormal/")
        assert listing.decision_number in desk.inner_text("[data-testid=listing-table]")

    with on("2026-07-06"):
        file_report(firm, live_server.url, silent.uscc, silent_code)
        assert "逾期报送" in firm.inner_text("[data-testid=report-filed]")
        listing.refresh_from_db()
        assert listing.state == "listed"  # a late report does not end a listing by itself
        firm.goto(f"{live_server.url}/portal/annual-report/repair/")
        firm.fill("#f-uscc", silent.uscc)
        firm.fill("#f-code", silent_code)
        firm.select_option("#f-target", "abnormal")
        firm.fill("#f-number", listing.decision_number)
        firm.fill("#f-applicant", "李经理")
        firm.fill("#f-phone", "139 1234 5678")
        firm.fill("#f-reason", "已于2026年7月6日补报2025年度报告")
        firm.check("#f-pledged")
        firm.click("[data-testid=apply-repair]")
        applied = firm.inner_text("[data-testid=repair-applied]")
        number = applied.split("申请编号")[1].split("；")[0].strip()

        staff.clear_cookies()  # days later: the idle session has ended
        login(desk, live_server, handler.username, DEMO_PASSWORD)
        desk.goto(f"{live_server.url}/credit/repair/")
        desk.click(f"text={number}")
        desk.click("[data-testid=act-approve]")
        desk.wait_for_selector("text=准予修复")
        listing.refresh_from_db()
        assert listing.state == "removed"

        firm.goto(f"{live_server.url}/portal/entities/{silent.uscc}/")
        page = firm.content()
        assert "列入经营异常名录（状态）信息" in page and "2026-07-06" in page
        assert "风险分类" not in page
    staff.close()
    public.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
