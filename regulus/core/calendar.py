"""Statutory working days (法定工作日) over the holiday table in the database.

The table holds only the exceptions to a Monday–Friday week: weekday holidays and weekend
make-up working days (调休). "N 个工作日" counts working days after the start day (the start day
is not counted). "N 日" counts calendar days, and a period ending on a rest day runs to the
next working day. A date beyond the last loaded year is computed on the plain week and marked
provisional until that year's schedule is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from regulus.core.models import CalendarDay, CalendarYear

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}" + ("（暂定）" if self.provisional else "")


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """{date: is_working_day} for the exceptional days between start and end inclusive."""
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    return {d: kind == CalendarDay.Kind.MAKEUP_WORKDAY for d, kind in rows}


def _is_working(day: dt.date, exceptions: dict[dt.date, bool]) -> bool:
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _is_working(day, _exceptions(day, day))


def last_loaded_year() -> int | None:
    return CalendarYear.objects.order_by("-year").values_list("year", flat=True).first()


def is_provisional(day: dt.date) -> bool:
    last = last_loaded_year()
    return last is None or day.year > last


def _span_for(n: int) -> dt.timedelta:
    # Generous window: the longest run of rest days is 9 (Spring Festival), so 2n + 30 days
    # always holds n working days.
    return dt.timedelta(days=2 * abs(n) + 30)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after start (start not counted). n = 0 is start itself."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    exceptions = _exceptions(start, start + _span_for(n))
    day, counted = start, 0
    while counted < n:
        day += ONE_DAY
        if _is_working(day, exceptions):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after start up to and including end (0 when end <= start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if _is_working(day, exceptions):
            count += 1
    return count


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """n calendar days after start; a period ending on a rest day runs to the next working day
    (民事诉讼法 Art 85 as domain.md reads it)."""
    day = start + dt.timedelta(days=n)
    exceptions = _exceptions(day, day + dt.timedelta(days=30))
    while not _is_working(day, exceptions):
        day += ONE_DAY
    return day


def working_deadline(start: dt.date, n: int) -> Deadline:
    day = add_working_days(start, n)
    return Deadline(day, is_provisional(day))


def calendar_deadline(start: dt.date, n: int) -> Deadline:
    day = add_calendar_days(start, n)
    return Deadline(day, is_provisional(day))


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
