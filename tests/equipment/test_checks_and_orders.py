"""Field checks: hazards to removal on their clocks, rectification orders with the 10-working-
day re-check, stop orders lifted only after a passed re-check, the post-licence rule, the
escalation to enforcement as a clue, campaigns' progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import calendar, clock
from regulus.core.handover import handovers_waiting
from regulus.core.models import Clock, Handover
from regulus.equipment import selectors, services
from regulus.equipment.models import Equipment, FieldCheck, Hazard, Order
from tests.equipment.conftest import make_lift

pytestmark = pytest.mark.django_db


def _check(actor, lift, *, order_kind="rectify", kind="routine", **extra):
    return services.check_record(
        actor=actor,
        entity=lift.using_entity,
        kind=kind,
        checked_on=clock.today(),
        inspectors="张志强、刘思远",
        items=[{"name": "维护保养记录", "ok": False, "note": "缺少两次维保记录"}],
        findings="层门门锁失效。",
        equipment=[lift],
        hazards=[
            {
                "description": "层门门锁电气安全装置失效",
                "level": "major",
                "removal_days": 10,
                "equipment": lift,
            }
        ],
        order={"kind": order_kind, "requirement": "立即整改并报告", "rectify_days": 15}
        if order_kind
        else None,
        **extra,
    )


def test_a_hazard_runs_its_removal_clock_until_removed(handler, lift):
    check = _check(handler, lift, order_kind="")
    hazard = check.hazards.get()
    run = Clock.objects.get(name="removal", object_id=hazard.pk)
    assert run.days == 10 and hazard.deadline == run.due_date
    services.hazard_remove(actor=handler, hazard=hazard, note="已更换门锁")
    hazard.refresh_from_db()
    run.refresh_from_db()
    assert hazard.state == Hazard.State.REMOVED and hazard.removed_on == clock.today()
    assert run.status == Clock.Status.STOPPED


def test_the_recheck_is_due_10_working_days_after_the_units_report(handler, lift):
    order = _check(handler, lift).orders.get()
    assert order.deadline == Clock.objects.get(name="rectification", object_id=order.pk).due_date
    services.order_report(actor=handler, order=order, note="已整改")
    order.refresh_from_db()
    assert order.state == Order.State.REPORTED
    assert order.deadline == calendar.add_working_days(clock.today(), 10)


def test_a_passed_recheck_closes_the_order_and_removes_its_hazards(handler, lift):
    check = _check(handler, lift)
    order = check.orders.get()
    services.order_report(actor=handler, order=order)
    services.order_recheck(actor=handler, order=order, passed=True, note="复查合格")
    order.refresh_from_db()
    assert order.state == Order.State.CLOSED and order.recheck_passed
    assert not Clock.objects.filter(
        object_id=order.pk, status="running", name__in=["recheck", "rectification"]
    ).exists()
    assert check.hazards.get().state == Hazard.State.REMOVED


def test_a_failed_recheck_sends_the_order_back_to_rectification(handler, lift):
    order = _check(handler, lift).orders.get()
    services.order_report(actor=handler, order=order)
    with pytest.raises(ValidationError):
        services.order_recheck(actor=handler, order=order, passed=False, note="")
    services.order_recheck(actor=handler, order=order, passed=False, note="门锁仍失效")
    order.refresh_from_db()
    assert order.state == Order.State.ISSUED


def test_a_stop_order_stops_the_lift_and_is_lifted_only_after_a_passed_recheck(handler, lift):
    order = _check(handler, lift, order_kind="stop").orders.get()
    lift.refresh_from_db()
    assert lift.status == Equipment.Status.STOPPED
    with pytest.raises(ValidationError) as refused:
        services.order_lift(actor=handler, order=order)
    assert "须经复查合格后方可解除" in refused.value.messages[0]
    services.order_report(actor=handler, order=order)
    with pytest.raises(ValidationError):
        services.order_lift(actor=handler, order=order)
    services.order_recheck(actor=handler, order=order, passed=True)
    lift.refresh_from_db()
    assert lift.status == Equipment.Status.STOPPED  # passed, not yet lifted
    services.order_lift(actor=handler, order=order, note="解除")
    order.refresh_from_db()
    lift.refresh_from_db()
    assert order.state == Order.State.LIFTED and lift.status == Equipment.Status.IN_USE


def test_no_routine_check_in_a_year_with_a_post_licence_check(handler, lift):
    _check(handler, lift, order_kind="", kind="post_licence")
    with pytest.raises(ValidationError) as refused:
        _check(handler, lift, order_kind="", kind="routine")
    assert "证后监督检查" in refused.value.message_dict["kind"][0]
    assert FieldCheck.objects.count() == 1
    _check(handler, lift, order_kind="", kind="special")  # special checks are not barred


def test_a_hazard_escalates_to_enforcement_as_a_clue_once(handler, lift):
    hazard = _check(handler, lift).hazards.get()
    record = services.hazard_escalate(actor=handler, hazard=hazard, note="拒不整改")
    again = services.hazard_escalate(actor=handler, hazard=hazard, note="拒不整改")
    assert record.pk == again.pk and record.kind == Handover.Kind.CLUE
    assert record.topic == "equipment.hazard_escalated"
    assert record.data["level"] == "major" and record.uscc == lift.using_entity.uscc
    assert list(
        handovers_waiting(kind=Handover.Kind.CLUE, topics=("equipment.hazard_escalated",))
    ) == [record]


def test_a_check_refuses_equipment_of_another_unit(handler, lift, maintainer):
    other = make_lift(handler, maintainer, number="梯11湘A00077(23)")
    with pytest.raises(ValidationError) as refused:
        services.check_record(
            actor=handler,
            entity=lift.using_entity,
            kind="special",
            checked_on=clock.today(),
            inspectors="张志强",
            equipment=[other],
        )
    assert "不属于被检查单位" in refused.value.message_dict["equipment"][0]


def test_the_auditor_and_the_outsider_may_not_record_or_read_checks(
    auditor, outsider, handler, lift, client
):
    with pytest.raises(PermissionDenied):
        _check(auditor, lift)
    check = _check(handler, lift)
    client.force_login(outsider)
    assert client.get(check.get_absolute_url()).status_code == 404
    assert client.get(f"/equipment/items/{lift.pk}/").status_code == 404
    client.force_login(auditor)
    assert client.get("/equipment/checks/").status_code == 403


def test_campaign_progress_counts_compounds_lifts_and_hazards(handler, lift):
    second = make_lift(handler, lift.using_entity, number="梯11湘A00078(23)")
    campaign = services.campaign_create(
        actor=handler,
        name="中心城区电梯专项整治",
        scope="芙蓉区住宅小区",
        category="3000",
        starts_on=clock.today(),
        ends_on=clock.today() + dt.timedelta(days=60),
        compounds=[lift.compound],
    )
    progress = selectors.campaign_progress(campaign)
    assert progress["totals"] == {
        "compounds": 1,
        "done": 0,
        "lifts": 2,
        "checked": 0,
        "hazards": 0,
        "removed": 0,
        "stopped": 0,
    }
    _check(
        handler, lift, order_kind="stop", kind="special", campaign=campaign, compound=lift.compound
    )
    services.check_record(
        actor=handler,
        entity=lift.using_entity,
        kind="special",
        checked_on=clock.today(),
        inspectors="张志强",
        equipment=[second],
        campaign=campaign,
        compound=lift.compound,
    )
    totals = selectors.campaign_progress(campaign)["totals"]
    assert totals == {
        "compounds": 1,
        "done": 1,
        "lifts": 2,
        "checked": 2,
        "hazards": 1,
        "removed": 0,
        "stopped": 1,
    }


def test_key_units_carry_their_reasons_for_the_draws(handler, using_unit, maintainer):
    services.key_unit_set(actor=handler, entity=using_unit, reasons=["school", "accident"])
    services.key_unit_set(actor=handler, entity=maintainer, reasons=["mall"])
    assert selectors.key_unit_entity_ids() == {using_unit.pk, maintainer.pk}
    assert selectors.key_unit_entity_ids(reasons=("accident",)) == {using_unit.pk}
    services.key_unit_set(actor=handler, entity=maintainer, reasons=[])
    assert selectors.key_unit_entity_ids() == {using_unit.pk}
    with pytest.raises(ValidationError):
        services.key_unit_set(actor=handler, entity=maintainer, reasons=["famous"])
