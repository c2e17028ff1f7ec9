"""Results by the assigned inspectors only, their hand-overs to enforcement and credit, and
their publication within 20 working days of the check, counted over the holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.models import Handover
from regulus.inspections import services
from regulus.inspections.models import ItemResult, Target
from regulus.registry.selectors import public_sections


def _assigned(drawn):
    target = Target.objects.filter(task=drawn).order_by("position").first()
    return target, target.assignments.filter(active=True).first().inspector.user


def _codes(target, code="1"):
    return {item.pk: code for item in target.task.items.all()}


def test_only_an_assigned_inspector_enters_a_result(drawn, bureau, handler, frozen_clock):
    from tests.inspections.conftest import enrol

    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    other = enrol(bureau["station_a"], "周敏", "430102199").user
    with pytest.raises(ValidationError, match="只有抽中检查该对象的检查人员"):
        services.result_enter(
            actor=other, target=target, codes=_codes(target), checked_on=dt.date(2026, 3, 16)
        )
    assert not ItemResult.objects.exists()
    services.result_enter(
        actor=inspector, target=target, codes=_codes(target), checked_on=dt.date(2026, 3, 16)
    )
    target.refresh_from_db()
    assert target.state == Target.State.CHECKED and ItemResult.objects.count() == 2


def test_a_result_code_outside_the_standard_list_is_refused(drawn, frozen_clock):
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as raised:
        services.result_enter(
            actor=inspector,
            target=target,
            codes=_codes(target, "2"),
            checked_on=dt.date(2026, 3, 16),
        )
    assert "标准结果代码" in str(raised.value)
    assert not ItemResult.objects.exists()


def test_publication_is_due_20_working_days_after_the_check_across_qingming(
    drawn, handler, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC))
    services.result_enter(
        actor=inspector, target=target, codes=_codes(target), checked_on=dt.date(2026, 3, 30)
    )
    target.refresh_from_db()
    # From Monday 30 March: 20 working days, 6 April (清明) not counted → 28 April.
    assert target.deadline == dt.date(2026, 4, 28)
    services.result_publish(actor=handler, target=target)
    target.refresh_from_db()
    assert target.state == Target.State.PUBLISHED
    section = next(s for s in public_sections(target.entity) if s.title == "抽查检查结果信息")
    assert "未发现问题" in section.rows[0][1]


def test_a_result_cannot_change_after_publication(drawn, handler, holidays, frozen_clock):
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    services.result_enter(
        actor=inspector, target=target, codes=_codes(target), checked_on=dt.date(2026, 3, 16)
    )
    services.result_publish(actor=handler, target=target)
    with pytest.raises(ValidationError, match="已公示"):
        services.result_enter(
            actor=inspector,
            target=target,
            codes=_codes(target, "A"),
            checked_on=dt.date(2026, 3, 16),
        )
    assert set(ItemResult.objects.values_list("code", flat=True)) == {"1"}


def test_problems_go_to_enforcement_and_unreachable_to_credit(drawn, holidays, frozen_clock):
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    items = list(target.task.items.all())
    services.result_enter(
        actor=inspector,
        target=target,
        codes={items[0].pk: "A", items[1].pk: "6"},
        checked_on=dt.date(2026, 3, 16),
    )
    clue = Handover.objects.get(kind=Handover.Kind.CLUE)
    assert clue.topic == "inspections.problem_found" and clue.entity_id == target.entity_id
    assert clue.data["items"][0]["code"] == "A"
    credit = Handover.objects.get(kind=Handover.Kind.CREDIT)
    assert credit.topic == "inspections.unreachable" and credit.data["code"] == "6"


def test_an_outsider_cannot_publish(drawn, outsider, frozen_clock, holidays):
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    services.result_enter(
        actor=inspector, target=target, codes=_codes(target), checked_on=dt.date(2026, 3, 16)
    )
    with pytest.raises((ValidationError, PermissionDenied)):
        services.result_publish(actor=outsider, target=target)
    target.refresh_from_db()
    assert target.state == Target.State.CHECKED
