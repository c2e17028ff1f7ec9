"""The draw from freezing to verification: every step's rule and its refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from regulus.inspections import services
from regulus.inspections.models import Assignment, Draw, Target, Task
from tests.inspections.conftest import LATER


def test_draw_takes_each_stratum_by_its_ratio_rounded_up(drawn):
    counts = {s.stratum: (s.population, s.drawn) for s in drawn.strata.all()}
    # 120 entities over "AABBCD-" (i % 7): A 18 + 17, B 17 + 17, C, D, unclassified 17 each.
    assert counts["A"] == (35, 2)  # ceil(35 × 5 %) = ceil(1.75)
    assert counts["B"] == (34, 7)  # ceil(6.8)
    assert counts["C"] == (17, 6)  # ceil(5.1)
    assert counts["D"] == (17, 17)
    assert Target.objects.filter(task=drawn).count() == sum(n for _, n in counts.values())


def test_every_drawn_target_has_two_inspectors_and_the_draw_verifies(drawn):
    for target in Target.objects.filter(task=drawn):
        assert target.assignments.filter(active=True).count() == 2
    assert services.verify(drawn).ok


def test_a_second_draw_of_the_same_task_is_refused(drawn, handler):
    with pytest.raises(ValidationError, match="已经抽取过"):
        services.draw_run(actor=handler, task=drawn)
    assert Draw.objects.filter(task=drawn).count() == 1


def test_source_entered_once_does_not_draw(handler, frozen, frozen_clock):
    frozen_clock.move_to(LATER)
    services.source_enter(actor=handler, task=frozen, value="381")
    with pytest.raises(ValidationError, match="仅录入一次"):
        services.draw_run(actor=handler, task=frozen)
    assert not Target.objects.filter(task=frozen).exists()


def test_source_entered_twice_differently_is_refused_and_keeps_the_first(
    handler, colleague, frozen, frozen_clock
):
    frozen_clock.move_to(LATER)
    services.source_enter(actor=handler, task=frozen, value="381")
    with pytest.raises(ValidationError, match="不一致"):
        services.source_enter(actor=colleague, task=frozen, value="318")
    assert list(frozen.source_entries.values_list("value", flat=True)) == ["381"]


def test_the_same_person_cannot_confirm_their_own_source_entry(handler, frozen, frozen_clock):
    frozen_clock.move_to(LATER)
    services.source_enter(actor=handler, task=frozen, value="381")
    with pytest.raises(ValidationError, match="另一名工作人员"):
        services.source_enter(actor=handler, task=frozen, value="381")


def test_the_source_cannot_be_entered_before_it_exists(handler, frozen):
    with pytest.raises(ValidationError, match="尚未产生"):
        services.source_enter(actor=handler, task=frozen, value="381")
    assert not frozen.source_entries.exists()


def test_an_empty_target_list_cannot_be_frozen(handler, plan, items, inspectors, population):
    from tests.inspections.conftest import make_task

    task = make_task(handler, plan, items, filters={"district_code": "430103"})
    with pytest.raises(ValidationError, match="名录为空"):
        services.task_freeze(actor=handler, task=task)
    task.refresh_from_db()
    assert task.state == Task.State.DRAFT and not task.snapshots.exists()


@pytest.mark.parametrize("ratio", ["-1", "101", "abc", "nan", "30"])
def test_ratios_outside_0_to_100_percent_or_the_rule_range_are_refused(handler, plan, items, ratio):
    from tests.inspections.conftest import make_task

    with pytest.raises(ValidationError) as raised:
        make_task(handler, plan, items, ratios={"A": ratio})
    assert "A类（低风险）抽查比例" in str(raised.value.message_dict["ratio_A"])
    assert not Task.objects.exists()


def test_too_few_eligible_inspectors_says_how_many_are_missing_and_why(
    handler, colleague, frozen_clock, plan, items, bureau, population
):
    import datetime as dt

    from tests.inspections.conftest import enrol, make_task

    enrol(bureau["station_a"], "赵强", "430102101")
    enrol(bureau["station_a"], "孙丽", "430102102", expires=dt.date(2026, 1, 31))
    task = make_task(handler, plan, items)
    services.task_freeze(actor=handler, task=task)
    frozen_clock.move_to(LATER)
    services.source_enter(actor=handler, task=task, value="7")
    services.source_enter(actor=colleague, task=task, value="7")
    with pytest.raises(ValidationError) as raised:
        services.draw_run(actor=handler, task=task)
    message = raised.value.messages[0]
    assert "还差1名" in message and "已过期1名" in message
    assert not Target.objects.filter(task=task).exists()


def test_a_withdrawal_replaces_the_inspector_by_a_draw_that_verifies(drawn, handler):
    assignment = Assignment.objects.filter(target__task=drawn, active=True).first()
    draw = services.withdrawal_draw(
        actor=handler, assignment=assignment, reason="系该企业股东的近亲属"
    )
    assignment.refresh_from_db()
    assert not assignment.active
    replacement = draw.assignments.get()
    assert replacement.inspector != assignment.inspector
    others = assignment.target.assignments.filter(active=True)
    assert others.count() == 2
    assert services.verify(drawn).ok


def test_verification_fails_on_a_changed_snapshot_source_or_result(drawn):
    snap = drawn.snapshots.get(name="targets")
    snap.content = snap.content.replace("\tA\t", "\tB\t", 1)
    snap.save()
    verdict = services.verify(drawn)
    assert not verdict.ok and "检查对象名录" in verdict.problem
    snap.content = snap.content.replace("\tB\t", "\tA\t", 1)
    snap.save()
    assert services.verify(drawn).ok
    entry = drawn.source_entries.first()
    entry.value = "999"
    entry.save()
    assert "随机源" in services.verify(drawn).problem
    entry.value = "3 8 1"
    entry.save()
    a = Assignment.objects.filter(target__task=drawn).order_by("id").first()
    other = Assignment.objects.filter(target__task=drawn).exclude(inspector=a.inspector).first()
    Assignment.objects.filter(pk=a.pk).update(inspector=other.inspector)
    assert "第1户起" in services.verify(drawn).problem or "不符" in services.verify(drawn).problem
