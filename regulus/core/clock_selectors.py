"""Reads of the legal clocks: the overdue / due-soon query that lists and dashboards use, an
object's clocks with their traces (pages and the API), and their changes on a timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404

from regulus.core import calendar, clock, permissions
from regulus.core.calendar import Deadline
from regulus.core.clock_services import clock_trace
from regulus.core.clocks import Trace, due_date, trace_lines
from regulus.core.models import Clock, ClockExtension, ClockHistory, ClockPause

if TYPE_CHECKING:
    from regulus.core.workflow import Workflow

# "Due soon" on lists and dashboards: due within this many working days from today. A choice
# of presentation, not a legal period.
DUE_SOON_WORKING_DAYS = 3

OVERDUE, DUE_SOON = "overdue", "due_soon"


def due_soon_until(today: dt.date) -> dt.date:
    return due_date(today, DUE_SOON_WORKING_DAYS).date


def _due_condition(when: str, field: str, today: dt.date) -> Q:
    if when == OVERDUE:
        return Q(**{f"{field}__lt": today})
    if when == DUE_SOON:
        return Q(**{f"{field}__gte": today, f"{field}__lte": due_soon_until(today)})
    raise ValueError(f"unknown due filter {when!r}")


def due(
    queryset: QuerySet[Any],
    *,
    workflow: Workflow,
    when: str = OVERDUE,
    clock_name: str = "",
    today: dt.date | None = None,
) -> QuerySet[Any]:
    """The objects of the queryset (already in the user's scope) whose running clock is overdue
    (past its date) or due soon (today or within DUE_SOON_WORKING_DAYS working days).

    Without `clock_name`: the main clock, through the object's own deadline column (its
    lists' indexes serve it, nearest first). With it: that named clock, through the clock
    table's index (content type, name, status, due date). A paused clock is neither."""
    today = today or clock.today()
    if not clock_name:
        condition = _due_condition(when, workflow.deadline_field, today)
        return queryset.filter(
            condition, **{f"{workflow.state_field}__in": workflow.open_states()}
        ).order_by(workflow.deadline_field, "pk")
    clocks = Clock.objects.filter(
        _due_condition(when, "due_date", today),
        content_type=ContentType.objects.get_for_model(queryset.model),
        name=clock_name,
        status=Clock.Status.RUNNING,
    )
    return queryset.filter(pk__in=clocks.values("object_id"))


def with_overdue_flag(
    queryset: QuerySet[Any], *, workflow: Workflow, today: dt.date | None = None
) -> QuerySet[Any]:
    """Annotate `is_overdue` (the main clock past its date) on every row, for the lists."""
    today = today or clock.today()
    condition = Q(**{f"{workflow.state_field}__in": workflow.open_states()}) & _due_condition(
        OVERDUE, workflow.deadline_field, today
    )
    return queryset.annotate(
        is_overdue=Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def days_left(deadline: dt.date | None, today: dt.date | None = None) -> int | None:
    """Working days from today to the deadline (negative: working days overdue)."""
    if deadline is None:
        return None
    today = today or clock.today()
    if deadline >= today:
        return calendar.working_days_between(today, deadline)
    return -calendar.working_days_between(deadline, today)


# -- an object's clocks ------------------------------------------------------------------------


@dataclass
class ClockView:
    """A clock as pages and the API show it: its date, where the date comes from, its pauses,
    extensions and history."""

    clock: Clock
    trace: Trace
    lines: list[str]
    pauses: list[ClockPause]
    extensions: list[ClockExtension]
    history: list[ClockHistory]
    days_left: int | None
    # What the viewing user may do with it (set by the clocks page): pause / resume / extend.
    actions: dict[str, Any] = field(default_factory=dict)

    @property
    def deadline(self) -> Deadline | None:
        c = self.clock
        return None if c.due_date is None else Deadline(c.due_date, c.provisional)

    @property
    def open_pause(self) -> ClockPause | None:
        return next((p for p in self.pauses if p.to_date is None), None)

    @property
    def status_text(self) -> str:
        c = self.clock
        pause = self.open_pause
        if c.status == Clock.Status.PAUSED and pause is not None:
            return f"中止中（自 {pause.from_date:%Y-%m-%d} 起，{pause.get_reason_display()}）"
        if c.status == Clock.Status.STOPPED:
            late = c.due_date is not None and c.stopped_on is not None and c.stopped_on > c.due_date
            return f"{c.stopped_on:%Y-%m-%d} 结束（{'超期' if late else '按期'}）"
        return c.get_status_display()

    @property
    def is_overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def recomputed_since_stop(self) -> bool:
        """A stopped clock keeps its date; the holiday table changed after it stopped."""
        c = self.clock
        return c.status == Clock.Status.STOPPED and c.due_date != self.trace.deadline.date

    @property
    def can_extend_more(self) -> int:
        return max(self.clock.rule.max_extension_days - self.clock.extension_days, 0)


def clocked_object(user: Any, object_type: str, object_id: int) -> models.Model:
    """The object ("app_label.model", pk) whose clocks a page or the API shows, through the
    user's data scope: 404 outside it, and for a model that runs no clocks; 403 for a user
    who may not read the workflow's objects (its view_permission)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        raise Http404 from None
    flow = getattr(model, "workflow", None)
    manager = model._default_manager
    if not 0 < object_id < 2**63:  # beyond any key (and any database integer)
        raise Http404
    if flow is None or not getattr(flow, "clocks", None) or not hasattr(manager, "visible_to"):
        raise Http404
    if flow.view_permission:
        permissions.require(user, flow.view_permission)
    found: models.Model | None = manager.visible_to(user).filter(pk=object_id).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404
    return found


def object_clocks(obj: models.Model) -> list[ClockView]:
    """Every run of the object's clocks, open ones first, then the rest newest first, each with
    its trace (over the holiday table as it is now)."""
    rows = list(
        Clock.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).select_related("rule")
    )
    return clock_views(rows)


def clock_views(rows: list[Clock]) -> list[ClockView]:
    ids = [c.pk for c in rows]
    pauses = _grouped(ClockPause.objects.filter(clock_id__in=ids).order_by("from_date", "id"))
    extensions = _grouped(ClockExtension.objects.filter(clock_id__in=ids).order_by("id"))
    history = _grouped(ClockHistory.objects.filter(clock_id__in=ids).order_by("at", "id"))
    table = calendar.holiday_table(since=min((c.start_date for c in rows), default=None))
    today = clock.today()
    views = []
    for c in rows:
        trace = clock_trace(c, pauses.get(c.pk, []), table=table)
        running = c.status == Clock.Status.RUNNING
        views.append(
            ClockView(
                clock=c,
                trace=trace,
                lines=trace_lines(trace),
                pauses=pauses.get(c.pk, []),
                extensions=extensions.get(c.pk, []),
                history=history.get(c.pk, []),
                days_left=days_left(c.due_date, today) if running else None,
            )
        )
    open_first = sorted(
        views,
        key=lambda v: (v.clock.status == Clock.Status.STOPPED, -v.clock.started_at.timestamp()),
    )
    return open_first


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.clock_id, []).append(row)
    return grouped


def main_clock(views: list[ClockView]) -> ClockView | None:
    """The open main clock of the object (the one its deadline column mirrors), if any."""
    return next(
        (v for v in views if v.clock.is_main and v.clock.status != Clock.Status.STOPPED), None
    )


def clock_get(pk: int) -> Clock | None:
    return Clock.objects.select_related("rule", "content_type").filter(pk=pk).first()


# -- on the object's timeline ------------------------------------------------------------------

TIMELINE_KINDS = (
    ClockHistory.Kind.PAUSE,
    ClockHistory.Kind.RESUME,
    ClockHistory.Kind.EXTEND,
    ClockHistory.Kind.RECOMPUTE,
)


def timeline_rows(
    content_type: ContentType, object_ids: list[Any]
) -> list[tuple[Any, dict[str, Any]]]:
    """(object id, timeline row) for the pauses, resumptions, extensions and recomputations of
    the objects' clocks (starts and stops are their transitions' events already). A row's
    `public_detail` leaves out staff names and documents, for the applicant's own page."""
    rows = (
        ClockHistory.objects.filter(
            clock__content_type=content_type,
            clock__object_id__in=object_ids,
            kind__in=TIMELINE_KINDS,
        )
        .select_related("clock")
        .order_by("at", "id")
    )
    return [
        (
            h.clock.object_id,
            {
                "at": h.at,
                "actor_name": h.actor_name,
                "unit_name": "",
                "title": f"{h.get_kind_display()}：{h.clock.label}",
                "detail": h.note,
                "public_detail": _public_detail(h),
                "clock": True,
            },
        )
        for h in rows
    ]


def _public_detail(h: ClockHistory) -> str:
    after = Deadline(h.due_after, h.provisional_after) if h.due_after else None
    if h.kind == ClockHistory.Kind.PAUSE:
        return "期限中止计算，恢复后继续"
    if h.kind == ClockHistory.Kind.EXTEND:
        return f"经批准延长期限，届满日 {after}" if after else "经批准延长期限"
    return f"届满日 {after}" if after else ""


@dataclass
class RuleFamily:
    """One rule (a code) with its versions, newest first: the one in force today, those
    announced for later, and the past ones; and how many clocks run on it now."""

    code: str
    name: str
    versions: list[Any]
    current: Any
    open_clocks: int

    @property
    def upcoming(self) -> list[Any]:
        return [
            v
            for v in self.versions
            if self.current is None or v.effective_from > self.current.effective_from
        ]


def clock_rule_families(user: Any) -> list[RuleFamily]:
    """Every clock rule with its versions, for the rules page and the API (two queries)."""
    from regulus.core.models import ClockRule

    permissions.require(user, "core.clock_rule_view")
    today = clock.today()
    running = dict(
        Clock.objects.filter(status__in=(Clock.Status.RUNNING, Clock.Status.PAUSED))
        .values_list("rule__code")
        .annotate(n=models.Count("id"))
        .values_list("rule__code", "n")
    )
    families: dict[str, list[Any]] = {}
    for rule in ClockRule.objects.order_by("code", "-effective_from"):
        families.setdefault(rule.code, []).append(rule)
    return [
        RuleFamily(
            code=code,
            name=versions[0].name,
            versions=versions,
            current=next((v for v in versions if v.effective_from <= today), None),
            open_clocks=running.get(code, 0),
        )
        for code, versions in families.items()
    ]
