"""Statutory working days: holidays, 调休 make-up days, start day not counted."""

import datetime as dt

import pytest

from regulus.core import calendar
from regulus.core.models import CalendarDay, CalendarYear

D = dt.date
pytestmark = pytest.mark.django_db


def test_calendar_is_seeded_from_chinesecalendar_for_2026():
    assert CalendarYear.objects.filter(year=2026).exists()
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).kind == CalendarDay.Kind.HOLIDAY
    assert CalendarDay.objects.get(date=D(2026, 10, 10)).kind == CalendarDay.Kind.MAKEUP_WORKDAY


def test_add_working_days_skips_national_day_2026():
    # 9-30 (Wed) + 1 working day: 10-01…10-07 are rest days, so 10-08.
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_national_day_makeup_saturday_counts_as_working_day():
    # 2026-10-10 is a Saturday worked in lieu (调休): 10-09 (Fri) + 1 working day = 10-10.
    assert calendar.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_makeup_sunday_before_national_day_counts():
    # 2026-09-20 is a Sunday worked in lieu.
    assert calendar.add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


def test_spring_festival_2026_rest_days_and_makeup_saturdays():
    # 02-14 (Sat) is worked; 02-15…02-23 rest; 02-28 (Sat) worked.
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert calendar.add_working_days(D(2026, 2, 27), 1) == D(2026, 2, 28)


def test_start_day_is_not_counted():
    # Monday 2026-03-02 + 5 working days = the next Monday.
    assert calendar.add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)
    assert calendar.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_working_days_between_is_inverse_of_add():
    start = D(2026, 9, 25)
    for n in range(0, 40):
        assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n


def test_working_days_between_counts_seven_day_national_day_as_zero():
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0


def test_calendar_days_period_ending_on_holiday_runs_to_next_working_day():
    # 15 calendar days from 2026-09-16 end on 10-01, a holiday: the period runs to 10-08.
    assert calendar.add_calendar_days(D(2026, 9, 16), 15) == D(2026, 10, 8)
    assert calendar.add_calendar_days(D(2026, 3, 2), 3) == D(2026, 3, 5)


def test_deadline_past_last_loaded_year_is_provisional():
    last = calendar.last_loaded_year()
    assert last is not None
    inside = calendar.working_deadline(D(last, 3, 2), 5)
    beyond = calendar.working_deadline(D(last, 12, 20), 20)
    assert not inside.provisional
    assert beyond.provisional and beyond.date.year == last + 1
    assert "暂定" in str(beyond)


def test_admin_edit_of_holiday_table_changes_deadlines():
    # Next year's schedule announced: 2027-01-01 (Fri) declared a holiday.
    CalendarDay.objects.update_or_create(
        date=D(2027, 1, 1), defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "元旦"}
    )
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
