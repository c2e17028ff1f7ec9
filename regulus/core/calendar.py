"""Statutory working days (法定工作日) over the holiday table in the database.

The table holds only the exceptions to a Monday–Friday week: weekday holidays and weekend
make-up working days (调休). "N 个工作日" counts working days after the start day (the start day
is not counted). "N 日" counts calendar days, and a period ending on a rest day runs to the
next working day. A date beyond the last loaded year is computed on the plain week and marked
provisional until that year's schedule is loaded.

Every date a period gives is computed by `regulus.core.clocks` (due_date and its trace); the
helpers below are its short forms. This module reads the table (`holiday_table`) and answers
the questions about single days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from regulus.core import clock
from regulus.core.models import CalendarDay, CalendarYear

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}" + ("（暂定）" if self.provisional else "")


@dataclass(frozen=True)
class HolidayTable:
    """The holiday table as read once: {date: (is_working_day, holiday name)} for the exceptions
    to the Monday–Friday week from `since` on, and the last year whose schedule is loaded."""

    exceptions: Mapping[dt.date, tuple[bool, str]]
    last_loaded_year: int | None
    since: dt.date | None = None

    def is_working(self, day: dt.date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception[0]
        return day.weekday() < 5

    def name(self, day: dt.date) -> str:
        exception = self.exceptions.get(day)
        return exception[1] if exception is not None else ""

    def is_loaded(self, year: int) -> bool:
        return self.last_loaded_year is not None and year <= self.last_loaded_year


def holiday_table(since: dt.date | None = None) -> HolidayTable:
    """Read the exceptions from `since` on (all of them without it): a few dozen rows a year."""
    rows = CalendarDay.objects.all()
    if since is not None:
        rows = rows.filter(date__gte=since)
    exceptions = {
        day: (kind == CalendarDay.Kind.MAKEUP_WORKDAY, name)
        for day, kind, name in rows.values_list("date", "kind", "name")
    }
    return HolidayTable(exceptions, last_loaded_year(), since)


def is_working_day(day: dt.date) -> bool:
    return holiday_table(since=day).is_working(day)


def last_loaded_year() -> int | None:
    return CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()


def first_loaded_year() -> int | None:
    return CalendarYear.objects.order_by("year").values_list("year", flat=True).first()


def answerable_dates() -> tuple[dt.date, dt.date]:
    """The dates a period may be asked about: from the first loaded year to the end of the year
    after the last one (provisional there: its holidays are not announced yet). Before the
    first loaded year the table knows nothing, and no such year will be loaded."""
    today = clock.today()
    first = first_loaded_year() or today.year
    last = last_loaded_year() or today.year
    return dt.date(first, 1, 1), dt.date(last + 1, 12, 31)


def is_provisional(day: dt.date) -> bool:
    last = last_loaded_year()
    return last is None or day.year > last


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after start (start not counted). n = 0 is start itself."""
    return working_deadline(start, n).date


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after start up to and including end (0 when end <= start)."""
    if end <= start:
        return 0
    table = holiday_table(since=start)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if table.is_working(day):
            count += 1
    return count


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """n calendar days after start; a period ending on a rest day runs to the next working day
    (民事诉讼法 Art 85 as domain.md reads it)."""
    return calendar_deadline(start, n).date


def working_deadline(start: dt.date, n: int) -> Deadline:
    from regulus.core.clocks import due_date

    return due_date(start, n, unit="working")


def calendar_deadline(start: dt.date, n: int) -> Deadline:
    from regulus.core.clocks import due_date

    return due_date(start, n, unit="calendar")


def load_year_from_package(year: int) -> int:
    """Load a year's exceptions from the chinesecalendar package; returns rows written.

    Raises ValueError when the package does not know the year yet (it is updated each
    November, after the State Council's announcement)."""
    import chinese_calendar

    day = dt.date(year, 1, 1)
    rows: list[CalendarDay] = []
    while day.year == year:
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError as exc:
            raise ValueError(f"chinesecalendar 尚未收录{year}年的节假日安排") from exc
        if working != (day.weekday() < 5):
            _, holiday = chinese_calendar.get_holiday_detail(day)
            name = _holiday_name(holiday)
            kind = CalendarDay.Kind.MAKEUP_WORKDAY if working else CalendarDay.Kind.HOLIDAY
            rows.append(CalendarDay(date=day, kind=kind, name=name))
        day += ONE_DAY
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(rows)
    CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinesecalendar"})
    return len(rows)


HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(holiday: object) -> str:
    if holiday is None:
        return ""
    value = getattr(holiday, "value", str(holiday))
    return HOLIDAY_NAMES.get(str(value), str(value))
