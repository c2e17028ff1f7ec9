"""Legal clocks: when a period ends, and how that date was computed.

`due_date(start, days, unit=..., paused=...)` is the one way Regulus computes the end of a
period. It reads the holiday table (core.calendar) and hands it to `trace_due_date`, a pure
function that walks the days after `start` one by one and records what it did with each: the
days it counted, the holidays, weekends and paused days it passed over, the make-up working
days it counted, and for calendar days the rest days the end moved across. The date and its
explanation come out of the same walk, so the explanation can never disagree with the date.

Counting (domain.md §9):
- unit "working" (N 个工作日): the days-th working day after start; start is not counted;
  weekends and statutory holidays are not working days, weekend make-up days (调休) are.
- unit "calendar" (N 日): the days-th calendar day after start; a period ending on a rest day
  (a weekend that is not a make-up day, or a holiday) runs to the next working day.
- Days inside a paused span (中止; both ends included) are not counted, in either unit.
- days = 0 is start itself. Negative days, an unknown unit, a span ending before it starts:
  ValueError.
- Provisional (暂定) when the result or any day counted lies past the last loaded year: those
  days were judged on the plain week because the State Council had not announced the year's
  holidays when it was computed.

The clocks themselves (rule versions, pauses, extensions, recomputation after the holiday
table changes) are in core.clock_services; what lists and pages read is in core.clock_selectors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from regulus.core.calendar import ONE_DAY, Deadline, HolidayTable, holiday_table

WORKING = "working"
CALENDAR = "calendar"
UNITS = {WORKING: "工作日", CALENDAR: "自然日"}

Span = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Trace:
    """One computation of a due date, step by step.

    counted: the days counted, in order (days of them for days > 0).
    holidays / makeup_days: the statutory holidays and the weekend make-up working days
        between start and the deadline, with their names (holidays are passed over by working
        days and counted by calendar days; make-up days are counted by both).
    weekend_days: plain weekend days passed over (working days only).
    paused_days: days inside a paused span passed over (not counted).
    rolled_over: calendar days: the rest days after the last day counted that the end moved
        across to reach the next working day (empty when the last day counted is a working day).
    """

    start: dt.date
    days: int
    unit: str
    paused: tuple[Span, ...]
    deadline: Deadline
    counted: tuple[dt.date, ...]
    holidays: tuple[tuple[dt.date, str], ...]
    makeup_days: tuple[tuple[dt.date, str], ...]
    weekend_days: tuple[dt.date, ...]
    paused_days: tuple[dt.date, ...]
    rolled_over: tuple[dt.date, ...]
    last_loaded_year: int | None

    @property
    def not_loaded_years(self) -> tuple[int, ...]:
        """The years of the counted days (and the result) whose holidays were not loaded."""
        years = {d.year for d in (*self.counted, self.deadline.date)}
        last = self.last_loaded_year
        return tuple(sorted(y for y in years if last is None or y > last))


def validate(start: dt.date, days: int, unit: str, paused: Iterable[Span]) -> tuple[Span, ...]:
    """The arguments' rules (ValueError with a Chinese message naming the rule); returns the
    paused spans sorted."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValueError("期限天数应为整数")
    if days < 0:
        raise ValueError("期限天数不能为负数")
    if unit not in UNITS:
        raise ValueError(f"计时单位“{unit}”无效：应为 working（工作日）或 calendar（自然日）")
    spans = []
    for begin, end in paused:
        if end < begin:
            raise ValueError(f"中止期间的结束日 {end:%Y-%m-%d} 早于开始日 {begin:%Y-%m-%d}")
        spans.append((begin, end))
    return tuple(sorted(spans))


def due_date(
    start: dt.date, days: int, *, unit: str = WORKING, paused: Sequence[Span] = ()
) -> Deadline:
    """The date the period of `days` (working or calendar) days after `start` ends, days inside
    the paused spans not counted; provisional past the last loaded year. See the module."""
    return trace_due_date(start, days, unit=unit, paused=paused).deadline


def trace_due_date(
    start: dt.date,
    days: int,
    *,
    unit: str = WORKING,
    paused: Sequence[Span] = (),
    table: HolidayTable | None = None,
) -> Trace:
    """due_date with its trace. `table` is the holiday table read beforehand (from `start` on
    at least), for computing many dates in one go; without it the table is read here."""
    spans = validate(start, days, unit, paused)
    if table is None:
        table = holiday_table(since=start)
    try:
        return _walk(start, days, unit, spans, table)
    except OverflowError:
        raise ValueError("期限超出可计算的日期范围（公元9999年以内）") from None


def _walk(
    start: dt.date, days: int, unit: str, spans: tuple[Span, ...], table: HolidayTable
) -> Trace:
    counted: list[dt.date] = []
    holidays: list[tuple[dt.date, str]] = []
    makeup: list[tuple[dt.date, str]] = []
    weekends: list[dt.date] = []
    paused_days: list[dt.date] = []
    exceptions = table.exceptions
    day = start
    while len(counted) < days:
        day += ONE_DAY
        if spans and _inside(day, spans):
            paused_days.append(day)
            continue
        exception = exceptions.get(day)
        if exception is None:
            working = day.weekday() < 5
            if not working and unit == WORKING:
                weekends.append(day)
                continue
        else:
            working, name = exception
            (makeup if working else holidays).append((day, name))
            if not working and unit == WORKING:
                continue
        counted.append(day)
    end = day
    rolled: list[dt.date] = []
    if unit == CALENDAR and days > 0:
        while not table.is_working(end):
            rolled.append(end)
            end += ONE_DAY
            if end in exceptions:
                working, name = exceptions[end]
                (makeup if working else holidays).append((end, name))
    last = table.last_loaded_year
    deadline = Deadline(end, last is None or end.year > last)
    return Trace(
        start=start,
        days=days,
        unit=unit,
        paused=spans,
        deadline=deadline,
        counted=tuple(counted),
        holidays=tuple(holidays),
        makeup_days=tuple(makeup),
        weekend_days=tuple(weekends),
        paused_days=tuple(paused_days),
        rolled_over=tuple(rolled),
        last_loaded_year=last,
    )


def _inside(day: dt.date, spans: tuple[Span, ...]) -> bool:
    return any(begin <= day <= end for begin, end in spans)


# -- the trace in words ----------------------------------------------------------------------


def _dates(days: Iterable[dt.date]) -> str:
    return "、".join(f"{d:%m-%d}" for d in days)


def _named(days: Iterable[tuple[dt.date, str]]) -> str:
    return "、".join(f"{d:%m-%d}" + (f"（{name}）" if name else "") for d, name in days)


def trace_lines(trace: Trace) -> list[str]:
    """The computation as the sentences a clerk (or the applicant) reads, in order."""
    unit = UNITS[trace.unit]
    lines = [f"起算日 {trace.start:%Y-%m-%d}（当日不计入），计 {trace.days} 个{unit}。"]
    if trace.unit == WORKING:
        lines.append("工作日按法定节假日安排计算：周末和法定节假日不计入，调休上班日计入。")
    else:
        lines.append("按自然日计算；期限最后一日为周末或法定节假日的，顺延至其后第一个工作日。")
    if trace.counted:
        lines.append(f"计入的{unit}（{len(trace.counted)}天）：{_dates(trace.counted)}。")
    if trace.paused_days:
        lines.append(f"中止期间 {len(trace.paused_days)} 天不计入：{_dates(trace.paused_days)}。")
    if trace.unit == WORKING:
        if trace.holidays:
            lines.append(f"跨越法定节假日（不计入）：{_named(trace.holidays)}。")
        if trace.weekend_days:
            lines.append(f"周末 {len(trace.weekend_days)} 天不计入。")
    elif trace.holidays:
        lines.append(f"期间内的法定节假日：{_named(trace.holidays)}。")
    if trace.makeup_days:
        lines.append(f"调休上班日（计入工作日）：{_named(trace.makeup_days)}。")
    if trace.rolled_over:
        lines.append(
            f"第 {trace.days} 日 {trace.rolled_over[0]:%Y-%m-%d} 为休息日，"
            f"顺延至 {trace.deadline.date:%Y-%m-%d}。"
        )
    lines.append(f"届满日：{trace.deadline.date:%Y-%m-%d}。")
    if trace.deadline.provisional:
        years = "、".join(f"{y}年" for y in trace.not_loaded_years)
        lines.append(f"暂定：{years}的节假日安排尚未载入，按周一至周五计算；载入后自动重算。")
    return lines
