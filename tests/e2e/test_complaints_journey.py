"""A report from the portal to its reply: a citizen reports counterfeit detergent on the
portal, the dispatcher routes it, the district handler verifies it and hands a clue to
enforcement, and the citizen reads the reply on the progress page with number and query code."""

from __future__ import annotations

import pytest

from regulus.complaints.rules import rules_ensure
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import Handover
from tests.conftest import make_staff
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_report_goes_from_the_portal_to_a_clue_and_the_citizen_sees_the_reply(
    browser, live_server, bureau, handler
):
    rules_ensure()
    make_staff("fenpai_e2e", bureau["dept"], "分派员", full_name="孙雅婷")
    errors: list[str] = []

    public = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    citizen = public.new_page()
    citizen.set_default_timeout(15_000)
    citizen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    citizen.goto(f"{live_server.url}/portal/complaints/")
    citizen.select_option("#f-kind", "report")
    citizen.select_option("#f-category", "product_quality")
    citizen.fill("#f-respondent", "芙蓉区某日化批发部")
    citizen.select_option("#f-district", "430102")
    citizen.fill("#f-facts", "销售疑似假冒的“立白”“好爸爸”洗衣液，包装粗糙，价格只有正品一半。")
    citizen.fill("#f-name", "欧阳秀英")
    citizen.fill("#f-phone", "139 1234 5678")
    citizen.click("[data-testid=submit]")
    number = citizen.inner_text("[data-testid=number]").strip()
    code = citizen.inner_text("[data-testid=query-code]").strip()
    assert number.startswith("TS") and len(code) == 6

    staff = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    login(desk, live_server, "fenpai_e2e", DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/complaints/dispatch/")
    desk.click(f"[data-testid=dispatch-{number}]")
    desk.wait_for_url("**/complaints/dispatch/")
    staff.clear_cookies()

    login(desk, live_server, handler.username, DEMO_PASSWORD)
    desk.goto(f"{live_server.url}/complaints/items/{number}/")
    assert "欧阳秀英" not in desk.content()
    desk.click("[data-testid=act-accept]")
    desk.wait_for_selector("text=核查中")
    desk.fill(
        "form[action$='/act/verify/'] textarea[name=note]",
        "现场查获假冒洗衣液120箱，移交执法稽查。",
    )
    desk.click("[data-testid=act-verify]")
    desk.wait_for_selector("text=移交立案线索")
    assert Handover.objects.filter(
        topic="complaints.report_verified", source_number=number
    ).exists()

    citizen.goto(f"{live_server.url}/portal/complaints/progress/")
    public.clear_cookies()
    citizen.goto(f"{live_server.url}/portal/complaints/progress/")
    citizen.fill("[name=number]", number)
    citizen.fill("[name=code]", code)
    citizen.click("[data-testid=lookup]")
    citizen.wait_for_url(f"**/portal/complaints/items/{number}/")
    assert "移交立案线索" in citizen.inner_text("[data-testid=state]")
    assert "现场查获假冒洗衣液120箱" in citizen.inner_text("[data-testid=reply]")
    assert handler.full_name not in citizen.content()
    staff.close()
    public.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
