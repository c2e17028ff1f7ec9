"""Recomputing the clocks when the holiday table changes (core.services calendar_day_set,
calendar_day_delete and calendar_year_load call it in their transaction; the sweep
core.provisional_clocks catches a year recorded another way).

A running clock is affected by a change of the days from A to B when it started before B and
is due on or after A (its counted days lie between its start and its date). Each is computed
again with core.clocks over the table as it is now, from the same start, days and closed
pauses (a pure function: clocks with the same inputs share one computation). Paused clocks get
their date when they resume, stopped clocks keep theirs.

The clocks whose date or provisional flag changed are written a batch at a time (a batch
staged in a temporary table, core.bulk): their new dates, a ClockHistory row each, and for a
main clock its object's deadline columns, in set-based statements. A clock that a transition
stopped meanwhile is left alone (PostgreSQL; on SQLite the transaction holds the write lock
from its start). One `audited` transaction with one audit row for the run (nested in the
holiday edit's own when a calendar service calls it). The lock order is the kernel's: clocks,
then their objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import F
from django.db.models.functions import Cast

from regulus.core import bulk
from regulus.core import clock as timekeeper
from regulus.core.audit import audited
from regulus.core.calendar import HolidayTable, holiday_table, last_loaded_year
from regulus.core.clocks import Span, trace_due_date
from regulus.core.models import AuditLog, Clock, ClockHistory, ClockPause

RUNNING = Clock.Status.RUNNING
BATCH = 10_000


@dataclass(frozen=True)
class Recomputed:
    checked: int
    changed: int


def clocks_recompute(
    *, changed_from: dt.date, changed_to: dt.date, actor: Any, reason: str
) -> Recomputed:
    """Compute again every running clock whose count meets the days from `changed_from` to
    `changed_to`. Call inside the transaction that changed the table."""
    running = Clock.objects.filter(
        status=RUNNING, due_date__gte=changed_from, start_date__lt=changed_to
    )
    return _recompute(running, actor=actor, reason=reason)


def provisional_clocks_due() -> models.QuerySet[Clock]:
    """Running clocks marked provisional whose date lies in a year loaded since."""
    last = last_loaded_year()
    if last is None:
        return Clock.objects.none()
    return Clock.objects.filter(
        status=RUNNING, provisional=True, due_date__lte=dt.date(last, 12, 31)
    )


def provisional_clocks_recompute(*, actor: Any) -> Recomputed:
    return _recompute(provisional_clocks_due(), actor=actor, reason="节假日安排载入")


# -- the run -----------------------------------------------------------------------------------


def _rows(running: models.QuerySet[Clock]) -> Iterator[tuple[Any, ...]]:
    """(id, content type, object id, main, start, days, unit, due date, provisional) of each
    clock, the dates as ISO text on both engines: the ORM's query compiled once and run on the
    cursor, since 200,000 rows through the ORM's (or sqlite3's) date converters cost seconds."""
    iso = {f"{name}_iso": Cast(name, models.TextField()) for name in ("start_date", "due_date")}
    columns = ("id", "content_type_id", "object_id", "is_main", "start_date_iso", "total_days",
               "unit", "due_date_iso", "provisional")  # fmt: skip
    query = running.order_by().annotate(**iso, total_days=F("days") + F("extension_days"))
    sql, params = query.values_list(*columns).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while rows := cur.fetchmany(BATCH):
            yield from rows


class _Dates:
    """The computation of each distinct (start, days, unit, pauses), as ISO dates: a pure
    function, so clocks with the same inputs share one."""

    def __init__(self, table: HolidayTable):
        self.table = table
        self.known: dict[tuple[Any, ...], tuple[str, bool]] = {}

    def of(self, start: str, days: int, unit: str, spans: tuple[Span, ...]) -> tuple[str, bool]:
        key = (start, days, unit, spans)
        found = self.known.get(key)
        if found is None:
            begin = dt.date.fromisoformat(start)
            trace = trace_due_date(begin, days, unit=unit, paused=spans, table=self.table)
            deadline = trace.deadline
            found = self.known[key] = (deadline.date.isoformat(), deadline.provisional)
        return found


def _recompute(running: models.QuerySet[Clock], *, actor: Any, reason: str) -> Recomputed:
    spans: dict[int, list[Span]] = {}
    # The closed pauses of running clocks (few; a superset of the run's is harmless).
    closed = ClockPause.objects.filter(clock__status=RUNNING, to_date__isnull=False)
    for clock_id, begin, end in closed.values_list("clock_id", "from_date", "to_date"):
        spans.setdefault(clock_id, []).append((begin, end or begin))
    dates = _Dates(holiday_table())
    notes: dict[tuple[Any, ...], str] = {}
    checked, changed = 0, 0
    batch: list[tuple[Any, ...]] = []
    with audited(actor=actor) as audit, bulk.roomy_cache():
        for clock_id, ct, obj, main, start, days, unit, before, provisional in _rows(running):
            checked += 1
            after, after_provisional = dates.of(start, days, unit, tuple(spans.get(clock_id, ())))
            if (after, after_provisional) == (before, bool(provisional)):
                continue
            key = (before, after, after_provisional)
            note = notes.get(key) or notes.setdefault(key, _note(reason, *key))
            batch.append((clock_id, ct, obj, bool(main), before, after, after_provisional, note))
            if len(batch) == BATCH:
                changed += _write(batch, actor)
                batch = []
        if batch:
            changed += _write(batch, actor)
        if changed:
            audit.record(
                action=AuditLog.Action.UPDATE,
                object_type="core.clock",
                object_repr="办理期限",
                summary=f"{reason}：重算计时 {checked} 个，届满日或暂定标记变化 {changed} 个",
                changes={"checked": checked, "changed": changed},
            )
    return Recomputed(checked, changed)


def _note(reason: str, before: str | None, after: str, provisional: bool) -> str:
    if before == after:
        return f"{reason}：届满日 {before} 不变，" + ("仍为暂定" if provisional else "不再暂定")
    return f"{reason}：届满日由 {before or '—'} 改为 {after}" + ("（暂定）" if provisional else "")


STAGE = "clock_recompute_batch"
STAGE_COLUMNS = (
    ("clock_id", "bigint"),
    ("content_type_id", "integer"),
    ("object_id", "bigint"),
    ("is_main", "boolean"),
    ("due_before", "date"),
    ("due_after", "date"),
    ("provisional", "boolean"),
    ("note", "text"),
)


def _write(batch: list[tuple[Any, ...]], actor: Any) -> int:
    """The batch's clocks, their history rows and their objects' columns; returns how many
    clocks were written."""
    from regulus.core.clock_services import actor_name

    table = bulk.stage(STAGE, STAGE_COLUMNS, batch)
    with connection.cursor() as cur:
        cur.execute(_clock_update(table))
        written = cur.rowcount
        if written != len(batch):  # stopped or changed meanwhile: no history, no mirror
            cur.execute(
                f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM core_clock c "
                f"WHERE c.id = {table}.clock_id AND c.status = 'running' "
                f"AND c.due_date = {table}.due_after AND c.provisional = {table}.provisional)"
            )
        cur.execute(
            "INSERT INTO core_clockhistory (clock_id, kind, at, actor_name, due_before, "
            "due_after, provisional_after, note) SELECT clock_id, %s, %s, %s, due_before, "
            f"due_after, provisional, note FROM {table}",
            [
                ClockHistory.Kind.RECOMPUTE,
                connection.ops.adapt_datetimefield_value(timekeeper.now()),
                actor_name(actor),
            ],
        )
        for ct_id in {row[1] for row in batch if row[3]}:
            _mirror(cur, table, ct_id)
    return written


def _clock_update(stage: str) -> str:
    """The staged dates into the clocks still running with the date they were read with."""
    if connection.vendor == "postgresql":
        return (
            f"UPDATE core_clock c SET due_date = s.due_after, provisional = s.provisional "
            f"FROM {stage} s WHERE c.id = s.clock_id AND c.status = 'running' "
            f"AND c.due_date = s.due_before"
        )
    # By the primary key, the staged values looked up per row: SQLite runs UPDATE … FROM as a
    # scan of the whole clock table.
    staged = f"(SELECT {{}} FROM {stage} s WHERE s.clock_id = core_clock.id)"
    return (
        f"UPDATE core_clock SET due_date = {staged.format('s.due_after')}, "
        f"provisional = {staged.format('s.provisional')} "
        f"WHERE core_clock.id IN (SELECT clock_id FROM {stage}) AND core_clock.status = 'running' "
        f"AND core_clock.due_date = {staged.format('s.due_before')}"
    )


def _mirror(cur: Any, stage: str, content_type_id: int) -> None:
    """The main clocks' new dates into their objects' deadline columns."""
    from regulus.core.clock_services import workflow_of

    model = ContentType.objects.get_for_id(content_type_id).model_class()
    assert model is not None
    flow = workflow_of(model)
    quote = connection.ops.quote_name
    target = quote(model._meta.db_table)
    deadline, provisional, pk = (
        quote(_column(model, name))
        for name in (flow.deadline_field, flow.provisional_field, model._meta.pk.name)  # type: ignore[union-attr]
    )
    cur.execute(
        f"UPDATE {target} SET {deadline} = s.due_after, {provisional} = s.provisional "
        f"FROM {stage} s WHERE s.is_main AND s.content_type_id = %s "
        f"AND {target}.{pk} = s.object_id",
        [content_type_id],
    )


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column
