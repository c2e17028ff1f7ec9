"""A deadline in a year whose holiday schedule is not loaded yet is provisional (暂定); once the
year is loaded, `regulus tick` computes it again from the same start day and the same number of
working days, and the item's timeline and the operation log say so.

2026 is loaded (tests/licensing/conftest.py), 2027 is not. From Tuesday 2026-12-29, working day 5
on the plain week is Tuesday 2027-01-05; with New Year's Day (Friday 2027-01-01) a holiday it
is Wednesday 2027-01-06.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from regulus.core.models import AuditLog, CalendarDay, CalendarYear, TransitionEvent
from regulus.core.tick import SYSTEM_ACTOR
from regulus.core.workflow import timeline
from regulus.licensing import services
from regulus.licensing.models import Application, VerificationTask
from regulus.licensing.workflow import APPLICATION_FLOW, VERIFICATION_FLOW
from tests.licensing.conftest import submit

D = dt.date


@pytest.fixture(autouse=True)
def tick_lock_file(settings, tmp_path):
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")


@pytest.fixture
def next_year_not_loaded(catalogue):
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()


def at(day: str) -> time_machine.travel:
    """10:00 in Shanghai on the day."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=False)


def load_2027(*, new_years_day_off: bool = True) -> None:
    """As an admin records the State Council's announcement (工作日历)."""
    if new_years_day_off:
        CalendarDay.objects.create(date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知")


def run_tick() -> str:
    out = io.StringIO()
    call_command("tick", "--only", "licensing.provisional_deadlines", stdout=out)
    return out.getvalue()


def test_deadline_records_its_start_and_working_days(supermarket, next_year_not_loaded):
    with at("2026-12-29"):
        app = submit(supermarket)
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 5), True)
    assert (app.deadline_start, app.deadline_days) == (D(2026, 12, 29), app.acceptance_days)


def test_provisional_deadline_is_recomputed_when_the_year_is_loaded(
    supermarket, next_year_not_loaded
):
    with at("2026-12-29"):
        app = submit(supermarket)
    with at("2026-12-30"):
        run_tick()  # 2027 not loaded yet: nothing to do
        app.refresh_from_db()
        assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 5), True)
        load_2027()
        out = run_tick()
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 6), False)
    assert "办件 1 件" in out
    event = TransitionEvent.objects.filter(object_id=str(app.pk)).order_by("id").last()
    assert event.label == "节假日安排载入，重算办理期限" and event.actor_name == SYSTEM_ACTOR
    assert event.deadline == D(2027, 1, 6) and not event.deadline_provisional
    assert event.data["deadline"] == ["2027-01-05", "2027-01-06"]
    assert "由 2027-01-05（暂定）改为 2027-01-06" in timeline(app, APPLICATION_FLOW)[-1]["detail"]
    audit = AuditLog.objects.filter(object_type="licensing.application", object_id=str(app.pk))
    row = audit.order_by("id").last()
    assert row.actor_name == SYSTEM_ACTOR
    assert row.changes["deadline"] == ["2027-01-05", "2027-01-06"]


def test_provisional_deadline_that_does_not_move_only_loses_its_flag(
    supermarket, next_year_not_loaded
):
    with at("2026-12-29"):
        app = submit(supermarket)
        load_2027(new_years_day_off=False)
        run_tick()
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 5), False)
    assert "2027-01-05 不变，不再暂定" in timeline(app, APPLICATION_FLOW)[-1]["detail"]


def test_provisional_deadline_recompute_twice_changes_nothing_the_second_time(
    supermarket, next_year_not_loaded
):
    with at("2026-12-29"):
        submit(supermarket)
        submit(supermarket)
        load_2027()
        first = run_tick()
        audits, events = AuditLog.objects.count(), TransitionEvent.objects.count()
        second = run_tick()
    assert "办件 2 件" in first and "无待处理事项" in second
    assert (AuditLog.objects.count(), TransitionEvent.objects.count()) == (audits, events)


def test_verification_task_provisional_deadline_is_recomputed_too(
    supermarket, window_clerk, handler, next_year_not_loaded
):
    # 30 working days from Thursday 2026-12-10: 15 in December, 15 in January 2027.
    with at("2026-12-10"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        services.application_accept(application=app, actor=window_clerk)
        services.application_transition(application=app, name="approve", actor=handler)
        services.certificate_issue(application=app, actor=window_clerk)
    task = VerificationTask.objects.get(application=app)
    assert (task.deadline, task.deadline_provisional) == (D(2027, 1, 21), True)
    assert (task.deadline_start, task.deadline_days) == (D(2026, 12, 10), 30)
    with at("2026-12-11"):
        load_2027()
        out = run_tick()
    task.refresh_from_db()
    assert (task.deadline, task.deadline_provisional) == (D(2027, 1, 22), False)
    assert "后置核查 1 件" in out
    assert "改为 2027-01-22" in timeline(task, VERIFICATION_FLOW)[-1]["detail"]


def test_transition_deadline_records_its_start_and_days_and_keep_keeps_them(
    supermarket, window_clerk, next_year_not_loaded
):
    with at("2026-12-28"):
        app = submit(supermarket, actor=window_clerk)
    with at("2026-12-30"):
        services.application_accept(application=app, actor=window_clerk)
    app.refresh_from_db()
    assert (app.deadline_start, app.deadline_days) == (D(2026, 12, 30), app.promised_days)
    assert app.deadline_provisional
    with at("2026-12-31"):
        load_2027()
        run_tick()
    app.refresh_from_db()
    assert not app.deadline_provisional
    assert app.deadline == _plain_week_plus_holiday(D(2026, 12, 30), app.promised_days)


def _plain_week_plus_holiday(start: dt.date, days: int) -> dt.date:
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day != D(2027, 1, 1):
            counted += 1
    return day


def test_migration_backfill_recovers_the_start_and_days_of_a_provisional_deadline(
    supermarket, next_year_not_loaded
):
    """Items of the time before the two fields: their start and days come from their events
    and from the deadline as it was computed, even if the year is loaded meanwhile."""
    with at("2026-12-29"):
        app = submit(supermarket)
    Application.objects.filter(pk=app.pk).update(deadline_start=None, deadline_days=None)
    load_2027()
    migration = importlib.import_module("regulus.licensing.migrations.0004_deadline_start_and_days")
    migration.backfill(apps, None)
    app.refresh_from_db()
    assert (app.deadline_start, app.deadline_days) == (D(2026, 12, 29), 5)
    with at("2026-12-30"):
        run_tick()
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 6), False)
