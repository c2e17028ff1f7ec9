"""A deadline in a year whose holiday schedule is not loaded yet is provisional (暂定); once the
year is loaded, its clock is computed again from the same start day and the same number of
working days (by the loading service, or by `regulus tick` for a year recorded another way),
and the item's timeline, its clock's history and the operation log say so.

2026 is loaded (tests/licensing/conftest.py), 2027 is not. From Tuesday 2026-12-29, working day 5
on the plain week is Tuesday 2027-01-05; with New Year's Day (Friday 2027-01-01) a holiday it
is Wednesday 2027-01-06.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from regulus.core import services as core_services
from regulus.core.models import AuditLog, CalendarDay, CalendarYear, Clock, ClockHistory
from regulus.core.tick import SYSTEM_ACTOR
from regulus.core.workflow import timeline
from regulus.licensing import services
from regulus.licensing.models import VerificationTask
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
    call_command("tick", "--only", "core.provisional_clocks", stdout=out)
    return out.getvalue()


def main_clock(obj) -> Clock:
    return Clock.objects.get(object_id=obj.pk, is_main=True, status="running",
                             content_type__model=obj._meta.model_name)  # fmt: skip


def test_deadline_is_its_clock_with_its_start_and_working_days(supermarket, next_year_not_loaded):
    with at("2026-12-29"):
        app = submit(supermarket)
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 5), True)
    clock = main_clock(app)
    assert (clock.name, clock.start_date, clock.days) == (
        "acceptance",
        D(2026, 12, 29),
        app.acceptance_days,
    )
    assert (clock.due_date, clock.provisional) == (app.deadline, True)


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
    assert "变化 1 个" in out
    history = ClockHistory.objects.filter(clock=main_clock(app)).order_by("id").last()
    assert history.kind == "recompute" and history.actor_name == SYSTEM_ACTOR
    assert (history.due_before, history.due_after) == (D(2027, 1, 5), D(2027, 1, 6))
    row = timeline(app, APPLICATION_FLOW)[-1]
    assert row["title"] == "节假日调整重算：受理期限"
    assert "届满日由 2027-01-05 改为 2027-01-06" in row["detail"]
    audit = AuditLog.objects.filter(object_type="core.clock").order_by("id").last()
    assert audit.actor_name == SYSTEM_ACTOR and audit.changes == {"checked": 1, "changed": 1}


def test_provisional_deadline_that_does_not_move_only_loses_its_flag(
    supermarket, next_year_not_loaded
):
    with at("2026-12-29"):
        app = submit(supermarket)
        load_2027(new_years_day_off=False)
        run_tick()
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 5), False)
    assert "届满日 2027-01-05 不变，不再暂定" in timeline(app, APPLICATION_FLOW)[-1]["detail"]


def test_provisional_deadline_recompute_twice_changes_nothing_the_second_time(
    supermarket, next_year_not_loaded
):
    with at("2026-12-29"):
        submit(supermarket)
        submit(supermarket)
        load_2027()
        first = run_tick()
        audits, events = AuditLog.objects.count(), ClockHistory.objects.count()
        second = run_tick()
    assert "变化 2 个" in first and "无待处理事项" in second
    assert (AuditLog.objects.count(), ClockHistory.objects.count()) == (audits, events)


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
    clock = main_clock(task)
    assert (clock.name, clock.start_date, clock.days) == ("verification", D(2026, 12, 10), 30)
    with at("2026-12-11"):
        load_2027()
        out = run_tick()
    task.refresh_from_db()
    assert (task.deadline, task.deadline_provisional) == (D(2027, 1, 22), False)
    assert "变化 1 个" in out
    assert "改为 2027-01-22" in timeline(task, VERIFICATION_FLOW)[-1]["detail"]


def test_transition_clock_records_its_start_and_days_and_is_recomputed(
    supermarket, window_clerk, next_year_not_loaded
):
    with at("2026-12-28"):
        app = submit(supermarket, actor=window_clerk)
    with at("2026-12-30"):
        services.application_accept(application=app, actor=window_clerk)
    app.refresh_from_db()
    clock = main_clock(app)
    assert (clock.name, clock.start_date, clock.days) == (
        "review",
        D(2026, 12, 30),
        app.promised_days,
    )
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


def test_loading_the_year_through_the_staff_service_recomputes_at_once(
    supermarket, city_admin, next_year_not_loaded, monkeypatch
):
    """The calendar page's 载入 button: the clocks move in the same transaction, no tick
    needed (the package is asked for 2027 as it will answer once it knows the year)."""
    import chinese_calendar

    monkeypatch.setattr(
        chinese_calendar, "is_workday", lambda d: d.weekday() < 5 and d != D(2027, 1, 1)
    )
    monkeypatch.setattr(chinese_calendar, "get_holiday_detail", lambda d: (True, None))
    with at("2026-12-29"):
        app = submit(supermarket)
        core_services.calendar_year_load(actor=city_admin, year=2027)
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 6), False)
    assert "无待处理事项" in run_tick()


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_migration_creates_the_clock_of_an_open_item_from_its_stored_start_and_days(
    supermarket, window_clerk, next_year_not_loaded
):
    """licensing 0006, backward then forward: an open item of the time before the clocks gets
    the clock of its step from its stored start and days, and its deadline becomes the
    clock's date over the holiday table as it is now."""
    with at("2026-12-29"):
        app = submit(supermarket, actor=window_clerk)
    load_2027()
    migrate_to("0005_bundle_industry")  # puts deadline_start / deadline_days back
    with connection.cursor() as cur:
        cur.execute(
            "SELECT deadline_start, deadline_days FROM licensing_application WHERE id = %s",
            [app.pk],
        )
        assert cur.fetchone() == (D(2026, 12, 29), 5)
    assert not Clock.objects.filter(object_id=app.pk).exists()
    migrate_to("0006_clocks")
    clock = main_clock(app)
    assert (clock.name, clock.start_date, clock.days) == ("acceptance", D(2026, 12, 29), 5)
    app.refresh_from_db()
    assert (app.deadline, app.deadline_provisional) == (D(2027, 1, 6), False)
    history = ClockHistory.objects.get(clock=clock)
    assert history.due_before == D(2027, 1, 5) and "原期限 2027-01-05" in history.note
    migrate_to_latest()  # the later migrations' tables back, so the database empties


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("licensing", name)])
