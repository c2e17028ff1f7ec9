"""A report becomes a published decision: 12315 hands a verified report over as a clue; in the
browser the handler takes it into the clue register and proposes filing, the leader approves,
the case goes through investigation, legal review and the notice; twelve days later (the
hearing window closed) the leader decides, the handler serves it, the leader checks the masked
text beside the raw one and publishes; the portal shows the decision with the person masked."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from regulus.complaints import services as complaints
from regulus.complaints.rules import rules_ensure as complaints_rules
from regulus.core import calendar, clock
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import CalendarYear, Handover
from regulus.enforcement.models import Case
from regulus.enforcement.rules import rules_ensure
from tests.conftest import make_staff
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1366, "height": 768}


def _desk(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=user-name]")
    return page


def _report(handler, dispatcher) -> Handover:  # type: ignore[no-untyped-def]
    """A named report about a stall keeper, accepted and verified by 12315 (its own tests walk
    it in the browser): the CLUE hand-over it leaves."""
    item, _code = complaints.item_register(
        actor=handler, channel="phone", kind="report", category="product_quality",
        respondent_name="张小明（个体摊主）", district_code="430102",
        facts="农贸市场摊位销售假冒洗衣液", person_name="欧阳秀英", person_phone="13912345678",
    )  # fmt: skip
    complaints.item_dispatch(actor=dispatcher, item=item, unit=handler.unit, note="")
    complaints.item_accept(actor=handler, item=item, note="")
    complaints.item_verify(actor=handler, item=item, outcome="to_clue", note="现场查获假冒洗衣液")
    return Handover.objects.get(topic="complaints.report_verified")


def test_a_report_becomes_a_clue_a_case_a_decision_and_a_masked_publication(
    browser, live_server, bureau, handler, colleague, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    complaints_rules()
    rules_ensure()
    for year in (2025, 2026):
        if not CalendarYear.objects.filter(year=year).exists():
            calendar.load_year_from_package(year)
    dispatcher = make_staff("fenpai_e2e", bureau["dept"], "分派员", full_name="孙雅婷")
    make_staff("leader_e2e", bureau["district_a"], "县区局领导", full_name="周建国")
    make_staff("reviewer_e2e", bureau["city"], "法制审核员", full_name="郑法审")
    today = clock.today()
    began = dt.datetime.combine(
        today - dt.timedelta(days=12), dt.time(9), tzinfo=clock.now().tzinfo
    )

    with time_machine.travel(began, tick=True):
        record = _report(handler, dispatcher)
        desk = _desk(browser, live_server, handler.username)
        desk.goto(f"{live_server.url}/enforcement/clues/")
        desk.select_option(f"[data-testid=take-{record.pk}] >> xpath=.. >> select", "consumer")
        desk.click(f"[data-testid=take-{record.pk}]")
        desk.wait_for_selector("[data-testid=act-propose_filing]")
        form = "form[action$='/act/propose_filing/']"
        desk.select_option(f"{form} [name=matter]", label="销售假冒注册商标的商品")
        desk.select_option(f"{form} [name=party_kind]", "individual")
        desk.select_option(f"{form} [name=officers]", [str(handler.pk), str(colleague.pk)])
        desk.fill(f"{form} [name=party_name]", "张小明")
        desk.fill(f"{form} [name=violation_on]", f"{today - dt.timedelta(days=20):%Y-%m-%d}")
        desk.fill(f"{form} [name=case_value]", "1800")
        desk.fill(f"{form} [name=party_address]", "长沙市芙蓉区五一大道100号")
        desk.fill(f"{form} [name=facts]", "当事人张小明在摊位销售假冒“立白”洗衣液60瓶")
        desk.fill(f"{form} [name=note]", "现场核查属实")
        desk.click("[data-testid=act-propose_filing]")
        desk.wait_for_selector("text=拟立案待批")

        boss = _desk(browser, live_server, "leader_e2e")
        boss.goto(desk.url)
        boss.click("[data-testid=act-approve]")
        boss.click("[data-testid=case-link]")
        case = Case.objects.get(clue__handover=record)
        assert case.officers.count() == 2 and case.party_name == "张小明"

        desk.goto(f"{live_server.url}/enforcement/cases/{case.pk}/")
        desk.fill("form[action$='/act/finish_investigation/'] textarea", "证据已固定")
        desk.click("[data-testid=act-finish_investigation]")
        desk.click("[data-testid=act-submit_review]")
        desk.wait_for_selector("[data-testid=state] >> text=法制审核")

        review = _desk(browser, live_server, "reviewer_e2e")
        review.goto(desk.url)
        review.fill("form[action$='/act/review_pass/'] textarea", "事实清楚，适用依据正确")
        review.click("[data-testid=act-review_pass]")
        review.wait_for_selector("[data-testid=state] >> text=审核通过待告知")

        desk.goto(desk.url)
        notify = "form[action$='/act/notify/']"
        desk.check(f"{notify} [name=kinds][value=fine]")
        desk.fill(f"{notify} [name=fine]", "3000")
        desk.click("[data-testid=act-notify]")
        desk.wait_for_selector("[data-testid=state] >> text=已告知")
        for page in (desk, boss, review):
            page.context.close()

    # Twelve days on: the 5-working-day hearing window has closed.
    boss = _desk(browser, live_server, "leader_e2e")
    boss.goto(f"{live_server.url}/enforcement/cases/{case.pk}/")
    boss.fill("form[action$='/act/decide/'] [name=fine]", "3000")
    boss.click("[data-testid=act-decide]")
    boss.wait_for_selector("[data-testid=decision]")
    desk = _desk(browser, live_server, handler.username)
    desk.goto(boss.url)
    desk.fill("form[action$='/act/serve/'] [name=served_on]", f"{today:%Y-%m-%d}")
    desk.click("[data-testid=act-serve]")
    desk.wait_for_selector("[data-testid=state] >> text=已送达执行中")

    boss.goto(f"{live_server.url}/enforcement/cases/{case.pk}/publish/")
    assert "张小明" in boss.inner_text("[data-testid=raw]")
    assert "张小明" not in boss.input_value("[data-testid=masked]")
    boss.click("[data-testid=publish]")
    boss.wait_for_selector("[data-testid=publication]")

    portal = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    portal.goto(f"{live_server.url}/portal/penalties/")
    portal.click("text=芙市监处罚〔2026〕1号")
    text = portal.inner_text("[data-testid=text]")
    assert "张某某" in text and "张小明" not in text and "五一大道100号" not in text
    assert Handover.objects.filter(kind="credit", topic="enforcement.penalty").exists()
