"""core.clocks.due_date: the one computation of a period's end, against a brute-force count over
generated holiday tables, and its trace against the date it gives.

The brute force is written differently on purpose: for each candidate end day it counts again,
from the start, every day that counts, and takes the first candidate whose count is reached.
Real 2026 (domain.md §11): Spring Festival rest 02-15…02-23 with make-up Saturdays 02-14 and
02-28; National Day rest 10-01…10-07 (holidays 10-01, 10-02, 10-05…10-07) with make-up days
09-20 (Sunday) and 10-10 (Saturday).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regulus.core.calendar import HolidayTable
from regulus.core.clocks import CALENDAR, WORKING, due_date, trace_due_date
from regulus.core.models import CalendarDay, CalendarYear

D = dt.date
ONE = dt.timedelta(days=1)
pytestmark = pytest.mark.django_db

# The real exceptions of 2026 around the two long holidays, kept in every generated table.
SPRING_FESTIVAL_2026 = {
    **{D(2026, 2, d): (False, "春节") for d in (16, 17, 18, 19, 20, 23)},
    D(2026, 2, 14): (True, "春节"),
    D(2026, 2, 28): (True, "春节"),
}
NATIONAL_DAY_2026 = {
    **{D(2026, 10, d): (False, "国庆节") for d in (1, 2, 5, 6, 7)},
    D(2026, 9, 20): (True, "国庆节"),
    D(2026, 10, 10): (True, "国庆节"),
}
WINDOW = (D(2025, 11, 1), D(2027, 3, 31))


# -- the brute force -----------------------------------------------------------------------------


def brute_due(start, days, unit, paused, exceptions, last_year):
    def working(d):
        return exceptions[d][0] if d in exceptions else d.weekday() < 5

    def counts(d):
        if any(a <= d <= b for a, b in paused):
            return False
        return unit == CALENDAR or working(d)

    def count_to(end):
        return sum(1 for i in range(1, (end - start).days + 1) if counts(start + i * ONE))

    if days == 0:
        end = start
    else:
        end = start + ONE
        while count_to(end) < days:
            end += ONE
        if unit == CALENDAR:
            while not working(end):
                end += ONE
    counted = [start + i * ONE for i in range(1, (end - start).days + 1)]
    counted = [d for d in counted if counts(d)][:days]
    provisional = last_year is None or any(d.year > last_year for d in (*counted, end))
    return end, provisional


# -- generated tables ----------------------------------------------------------------------------


def days_in(lo, hi):
    return st.integers(0, (hi - lo).days).map(lambda n: lo + n * ONE)


@st.composite
def holiday_tables(draw):
    """Random weekday holidays and weekend make-up days, plus the real Spring Festival and
    National Day of 2026; the last loaded year 2025, 2026 or none."""
    exceptions = dict(SPRING_FESTIVAL_2026) | dict(NATIONAL_DAY_2026)
    for day in draw(st.lists(days_in(*WINDOW), max_size=25)):
        if day not in exceptions:
            weekend = day.weekday() >= 5
            exceptions[day] = (weekend, "调休" if weekend else "节日")
    last = draw(st.sampled_from([2025, 2026, None]))
    if last is not None:
        # Nothing is known of a year not loaded: its days are the plain week.
        exceptions = {d: v for d, v in exceptions.items() if d.year <= last}
    return exceptions, last


def spans_near(start):
    """Up to three pause spans around the start, often across the festivals."""
    lo, hi = start - dt.timedelta(days=10), start + dt.timedelta(days=90)
    span = st.tuples(days_in(lo, hi), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1] * ONE))
    return st.lists(span, max_size=3)


@st.composite
def questions(draw):
    start = draw(
        st.one_of(
            days_in(D(2026, 1, 25), D(2026, 2, 27)),  # into Spring Festival
            days_in(D(2026, 9, 10), D(2026, 10, 12)),  # into National Day
            days_in(D(2026, 11, 20), D(2027, 1, 10)),  # into a year not loaded
            days_in(*WINDOW),
        )
    )
    days = draw(st.integers(0, 45))
    unit = draw(st.sampled_from([WORKING, CALENDAR]))
    return start, days, unit, draw(spans_near(start))


def load_table(exceptions, last):
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=d,
            kind=CalendarDay.Kind.MAKEUP_WORKDAY if w else CalendarDay.Kind.HOLIDAY,
            name=n,
        )
        for d, (w, n) in exceptions.items()
    )
    if last is not None:
        CalendarYear.objects.bulk_create(CalendarYear(year=y) for y in range(2020, last + 1))


class Rollback(Exception):
    pass


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=holiday_tables(), question=questions())
def test_due_date_matches_a_brute_force_count_over_generated_calendars(db, table, question):
    """Through the database's holiday table, as every caller uses it."""
    exceptions, last = table
    start, days, unit, paused = question
    expected = brute_due(start, days, unit, paused, exceptions, last)
    try:
        with transaction.atomic():
            load_table(exceptions, last)
            got = due_date(start, days, unit=unit, paused=paused)
            raise Rollback
    except Rollback:
        pass
    assert (got.date, got.provisional) == expected


@settings(max_examples=400, deadline=None)
@given(table=holiday_tables(), question=questions())
def test_the_trace_equals_the_computation(table, question):
    """Every day between start and the date is accounted for once: counted, or passed over as a
    paused day, a holiday or a weekend (working days), or as a rest day the end moved across
    (calendar days: from the last day counted to the working day after it); the days counted
    are `days` in number, and the date is the last of them or the working day it moved to."""
    exceptions, last = table
    start, days, unit, paused = question
    table = HolidayTable(exceptions, last)
    trace = trace_due_date(start, days, unit=unit, paused=paused, table=table)
    end = trace.deadline.date
    assert (end, trace.deadline.provisional) == brute_due(
        start, days, unit, paused, exceptions, last
    )
    assert len(trace.counted) == days
    between = {start + i * ONE for i in range(1, (end - start).days + 1)}
    if unit == WORKING:
        passed = [*trace.paused_days, *trace.weekend_days, *(d for d, _ in trace.holidays)]
        assert not trace.rolled_over
        assert not trace.counted or trace.counted[-1] == end
    else:
        passed = [*trace.paused_days, *trace.rolled_over[1:], *([end] if trace.rolled_over else [])]
        assert not trace.weekend_days
        if trace.rolled_over:
            assert trace.rolled_over[0] == trace.counted[-1]
            assert not any(table.is_working(d) for d in trace.rolled_over)
        else:
            assert not trace.counted or trace.counted[-1] == end
    assert sorted([*trace.counted, *passed]) == sorted(between)  # each day once
    assert {d for d, _ in trace.makeup_days} <= set(trace.counted) | {end}
    assert trace.not_loaded_years == tuple(
        sorted({d.year for d in (*trace.counted, end) if last is None or d.year > last})
    )


# -- the festivals, by hand ----------------------------------------------------------------------


def test_working_days_skip_spring_festival_and_count_its_makeup_saturdays():
    # From Friday 02-13: 02-14 (make-up Saturday) is day 1, then nothing until 02-24.
    assert due_date(D(2026, 2, 13), 1) == due_date(D(2026, 2, 13), 1, unit="working")
    assert due_date(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert due_date(D(2026, 2, 13), 2).date == D(2026, 2, 24)
    trace = trace_due_date(D(2026, 2, 13), 2)
    assert trace.counted == (D(2026, 2, 14), D(2026, 2, 24))
    assert [d for d, _ in trace.holidays] == [D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    assert trace.makeup_days == ((D(2026, 2, 14), "春节"),)


def test_working_days_cross_national_day_with_its_makeup_days():
    # 5 working days after Tuesday 09-29: 09-30, 10-08, 10-09, 10-10 (make-up), 10-12.
    trace = trace_due_date(D(2026, 9, 29), 5)
    assert trace.deadline.date == D(2026, 10, 12) and not trace.deadline.provisional
    assert trace.counted[-2:] == (D(2026, 10, 10), D(2026, 10, 12))


def test_calendar_days_ending_in_national_day_run_to_the_next_working_day():
    trace = trace_due_date(D(2026, 9, 16), 15, unit="calendar")
    assert trace.counted[-1] == D(2026, 10, 1)
    assert trace.deadline.date == D(2026, 10, 8)
    assert trace.rolled_over == tuple(D(2026, 10, d) for d in range(1, 8))


def test_a_pause_across_national_day_is_not_counted_both_ends_included():
    # Paused 09-30…10-09: 09-30, 10-08 and 10-09 do not count; from 09-29, 5 working days
    # are 10-10 (make-up Saturday), 10-12, 10-13, 10-14, 10-15; 5 calendar days 10-10…10-14.
    span = (D(2026, 9, 30), D(2026, 10, 9))
    trace = trace_due_date(D(2026, 9, 29), 5, paused=[span])
    assert trace.deadline.date == D(2026, 10, 15)
    assert trace.paused_days == tuple(D(2026, 9, 30) + i * ONE for i in range(10))
    calendar = due_date(D(2026, 9, 29), 5, unit="calendar", paused=[span])
    assert calendar.date == D(2026, 10, 14)


def test_days_past_the_last_loaded_year_are_provisional():
    # 2026 loaded, 2027 not: from 2026-12-29, 5 working days on the plain week reach 2027-01-05.
    CalendarYear.objects.filter(year__gte=2027).delete()
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    result = due_date(D(2026, 12, 29), 5)
    assert result.date == D(2027, 1, 5) and result.provisional
    assert str(result) == "2027-01-05（暂定）"
    assert not due_date(D(2026, 12, 21), 5).provisional


def test_zero_days_is_the_start_itself():
    assert due_date(D(2026, 10, 1), 0).date == D(2026, 10, 1)
    assert due_date(D(2026, 10, 1), 0, unit="calendar").date == D(2026, 10, 1)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((D(2026, 3, 2), -1), {}, "不能为负数"),
        ((D(2026, 3, 2), 5), {"unit": "hours"}, "计时单位"),
        ((D(2026, 3, 2), 5), {"paused": [(D(2026, 3, 5), D(2026, 3, 4))]}, "早于开始日"),
        ((dt.date.max - dt.timedelta(days=3), 5), {}, "超出可计算的日期范围"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_rule(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        due_date(*args, **kwargs)
