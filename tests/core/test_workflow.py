"""core.workflow: the transition table, state checked in the database, event + audit rows,
working-day deadlines, the overdue list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.models import AuditLog, TransitionEvent
from regulus.core.workflow import (
    Transition,
    Workflow,
    days_left,
    overdue,
    transition_fire,
    with_overdue,
)
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


def test_deadline_started_kept_and_cleared(supermarket, window_clerk, handler):
    with time_machine.travel(dt.datetime(2026, 9, 29, 2, 0, tzinfo=dt.UTC), tick=False):
        app = submit(supermarket, actor=window_clerk)
        transition_fire(obj=app, name="accept", actor=window_clerk)
        # promised 5 working days after 09-29: 09-30, 10-08, 10-09, 10-10, 10-12.
        assert app.deadline == dt.date(2026, 10, 12)
        app.onsite_check_required = True
        from regulus.licensing.models import JointCheck

        JointCheck.objects.create(application=app, scheduled_on=dt.date(2026, 9, 30))
        event = transition_fire(obj=app, name="schedule_check", actor=handler)
        assert event.deadline == dt.date(2026, 10, 12)  # KEEP
        transition_fire(obj=app, name="complete_check", actor=handler)
        assert app.deadline == dt.date(2026, 10, 12)
        transition_fire(obj=app, name="refuse", actor=handler, note="不符合条件")
        assert app.deadline is None  # a final state clears the deadline


def test_overdue_list_and_flags(supermarket, window_clerk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        late = submit(supermarket, actor=window_clerk)
    with time_machine.travel(dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC), tick=False):
        fresh = submit(supermarket, actor=window_clerk)
        open_states = Application.workflow.open_states()
        flagged = {
            a.pk: a.is_overdue
            for a in with_overdue(Application.objects.all(), open_states=open_states)
        }
        assert flagged == {late.pk: True, fresh.pk: False}
        assert list(overdue(Application.objects.all(), open_states=open_states)) == [late]
        assert days_left(late.deadline) < 0 < days_left(fresh.deadline)
