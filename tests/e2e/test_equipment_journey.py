"""Field supervision in the browser: a district inspector records a check of a lift's using
unit with a hazard and a rectification order, registers the unit's report and the re-check
that closes both; a member of the public scans an overdue lift's tag (opens its URL) and
reads that it is overdue, with no one's name on the page."""

from __future__ import annotations

import datetime as dt

import pytest

from regulus.core import clock
from regulus.core.demo import DEMO_PASSWORD
from regulus.equipment.models import Hazard, Order
from regulus.equipment.rules import rules_ensure
from tests.conftest import make_staff
from tests.e2e.conftest import login
from tests.equipment.conftest import make_lift
from tests.registry.conftest import make_entity

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_inspector_records_a_hazard_and_order_then_the_recheck_closes_them(
    browser, live_server, bureau, handler
):
    rules_ensure()
    inspector = make_staff("inspector_a", bureau["district_a"], "执法检查人员", full_name="张志强")
    owner = make_entity(handler, "长沙市芙蓉区锦绣华庭物业管理有限公司")
    lift = make_lift(handler, owner)
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, inspector.username, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/equipment/checks/new/?uscc={owner.uscc}")
    assert page.inner_text("[data-testid=entity-name]") == owner.name
    page.select_option("#c-kind", "special")
    page.check("[data-testid=item-2-problem]")
    page.check(f"[data-testid=equipment-{lift.pk}]")
    page.fill("#c-findings", "层门门锁电气安全装置失效，维保记录缺两次。")
    page.fill("[data-testid=hazard-0]", "层门门锁电气安全装置失效")
    page.fill("[name=hazard_0_days]", "10")
    page.select_option("[data-testid=order-kind]", "rectify")
    page.fill("[data-testid=order-requirement]", "十日内更换门锁并补全维保记录")
    page.fill("[name=order_days]", "10")
    page.click("[data-testid=save-check]")
    page.wait_for_selector("[data-testid=check-number]")
    assert page.inner_text("[data-testid=hazard-state]") == "待消除"
    page.click("[data-testid=order-link]")
    page.fill("form[action$='/report/'] [name=note]", "已更换门锁")
    page.click("[data-testid=act-report]")
    page.wait_for_selector("text=待复查")
    page.fill("form[action$='/recheck_pass/'] [name=note]", "现场复查合格")
    page.click("[data-testid=act-recheck-pass]")
    page.wait_for_selector("text=已复查合格")
    order = Order.objects.get()
    assert order.state == Order.State.CLOSED and order.recheck_passed
    assert Hazard.objects.get().state == Hazard.State.REMOVED
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()


def test_a_member_of_the_public_scans_a_tag_and_sees_an_overdue_lift(
    browser, live_server, bureau, handler
):
    rules_ensure()
    owner = make_entity(handler, "长沙市芙蓉区金色家园物业服务有限公司")
    lift = make_lift(
        handler,
        owner,
        number="梯11湘A00321(20)",
        last_inspected_on=clock.today() - dt.timedelta(days=420),
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    phone.goto(f"{live_server.url}/portal/equipment/tag/{lift.tag_code}/")
    assert "超期未检验" in phone.inner_text("[data-testid=tag-status]")
    assert phone.inner_text("[data-testid=using-unit]") == owner.name
    assert handler.full_name not in phone.content()
    assert phone.is_visible("[data-testid=report-problem]")
    phone.goto(f"{live_server.url}/portal/equipment/tag/ZZZZZZZZZZ/")
    assert phone.is_visible("[data-testid=tag-unknown]")
    context.close()
