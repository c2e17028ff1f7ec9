"""core.workflow: the transition table, state checked in the database, event + audit rows,
the clocks a transition starts and stops, the overdue list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.clock_selectors import OVERDUE, days_left, due, with_overdue_flag
from regulus.core.models import AuditLog, Clock, TransitionEvent
from regulus.core.workflow import ClockSpec, Transition, Workflow, transition_fire
from regulus.licensing.models import Application, Bundle
from tests.licensing.conftest import submit


@pytest.fixture
def supermarket(bureau, settings, tmp_path):
    from regulus.core import calendar
    from regulus.core.models import CalendarYear
    from regulus.licensing.catalogue import catalogue_ensure

    settings.MEDIA_ROOT = tmp_path
    catalogue_ensure()
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    return Bundle.objects.get(code="open-supermarket")


def test_workflow_refuses_unknown_states():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            name="x",
            states={"a": "A"},
            transitions=[Transition("t", "T", ("a",), "b", "core.staff_view")],
        )


def test_workflow_refuses_duplicate_transitions():
    t = Transition("t", "T", ("a",), "a", "core.staff_view")
    with pytest.raises(ValueError, match="duplicate"):
        Workflow(name="x", states={"a": "A"}, transitions=[t, t])


def test_workflow_refuses_unknown_clocks_and_two_main_clocks_at_once():
    clocks = {"a": ClockSpec("x.a"), "b": ClockSpec("x.b")}
    with pytest.raises(ValueError, match="unknown clocks"):
        Workflow(
            name="x",
            states={"s": "S"},
            transitions=[Transition("t", "T", ("s",), "s", "core.staff_view", starts=("c",))],
        )
    with pytest.raises(ValueError, match="two main clocks"):
        Workflow(
            name="x",
            states={"s": "S"},
            clocks=clocks,
            transitions=[Transition("t", "T", ("s",), "s", "core.staff_view", starts=("a", "b"))],
        )
    with pytest.raises(ValueError, match="without a pause reason"):
        Workflow(
            name="x",
            states={"s": "S"},
            clocks=clocks,
            transitions=[Transition("t", "T", ("s",), "s", "core.staff_view", pauses=("a",))],
        )


def test_fire_writes_one_event_and_one_audit_row(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    events, audits = TransitionEvent.objects.count(), AuditLog.objects.count()
    event = transition_fire(obj=app, name="not_accept", actor=window_clerk, note="理由")
    assert TransitionEvent.objects.count() == events + 1
    assert AuditLog.objects.count() == audits + 1
    assert (event.from_state, event.to_state, event.note) == ("submitted", "not_accepted", "理由")
    assert event.actor == window_clerk and event.deadline is None


def test_fire_checks_the_state_in_the_database_not_in_memory(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    stale = Application.objects.get(pk=app.pk)
    transition_fire(obj=app, name="not_accept", actor=window_clerk, note="理由")
    with pytest.raises(ValidationError, match="当前状态为“不予受理”"):
        transition_fire(obj=stale, name="withdraw", actor=window_clerk)
    assert Application.objects.get(pk=app.pk).state == "not_accepted"


def test_fire_checks_the_role(supermarket, window_clerk, outsider):
    app = submit(supermarket, actor=window_clerk)
    with pytest.raises(PermissionDenied):
        transition_fire(obj=app, name="accept", actor=None)


def test_unknown_transition_is_a_clear_error(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    with pytest.raises(ValidationError, match="没有名为“fly”的操作"):
        transition_fire(obj=app, name="fly", actor=window_clerk)


def test_transition_starts_and_stops_clocks_and_a_final_state_stops_all(
    supermarket, window_clerk, handler
):
    with time_machine.travel(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC), tick=False):
        app = submit(supermarket, actor=window_clerk)
        transition_fire(obj=app, name="accept", actor=window_clerk)
        # promised 5 working days after 09-29: 09-30, 10-08, 10-09, 10-10, 10-12.
        assert app.deadline == dt.date(2026, 10, 12)
        clocks = {c.name: c for c in Clock.objects.filter(object_id=app.pk)}
        assert clocks["acceptance"].status == "stopped" and clocks["review"].status == "running"
        app.onsite_check_required = True
        from regulus.licensing.models import JointCheck

        JointCheck.objects.create(application=app, scheduled_on=dt.date(2026, 9, 30))
        event = transition_fire(obj=app, name="schedule_check", actor=handler)
        assert event.deadline == dt.date(2026, 10, 12)  # a transition naming no clock
        transition_fire(obj=app, name="complete_check", actor=handler)
        assert app.deadline == dt.date(2026, 10, 12)
        transition_fire(obj=app, name="refuse", actor=handler, note="不符合条件")
        assert app.deadline is None  # a final state stops every clock
        assert not Clock.objects.filter(object_id=app.pk).exclude(status="stopped").exists()


def test_overdue_list_and_flags(supermarket, window_clerk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        late = submit(supermarket, actor=window_clerk)
    with time_machine.travel(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC), tick=False):
        fresh = submit(supermarket, actor=window_clerk)
        flow = Application.workflow
        flagged = {
            a.pk: a.is_overdue for a in with_overdue_flag(Application.objects.all(), workflow=flow)
        }
        assert flagged == {late.pk: True, fresh.pk: False}
        assert list(due(Application.objects.all(), workflow=flow, when=OVERDUE)) == [late]
        assert days_left(late.deadline) < 0 < days_left(fresh.deadline)
