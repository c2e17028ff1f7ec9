"""Workflows: explicit transition tables, one event row per state change, working-day deadlines.

A domain app declares its workflow once::

    APPLICATION_FLOW = Workflow(
        name="licensing.application",
        states={"submitted": "待受理", "review": "审查中", ...},
        transitions=[
            Transition("accept", "受理", sources=("submitted",), target="review",
                       permission="licensing.application_handle",
                       deadline_days=lambda app: app.days),
            ...
        ],
        final_states=("issued", "refused"),
    )

and its model carries `state`, `deadline`, `deadline_provisional`, `deadline_start` and
`deadline_days` fields (names configurable). `transition_fire(obj=..., name=..., actor=...)`
then checks the permission, the guard and the current state in the database, moves the state with a
conditional UPDATE (`... WHERE state = old`, so a transition fired twice, or by two people at
once, changes nothing the second time), writes one TransitionEvent and one audit row, all in
one transaction.

Deadlines are statutory working days (core.calendar): each transition may start a new deadline
(`deadline_days` an int or a function of the object), keep the running one (KEEP) or clear it
(None). The start day and the number of working days are stored beside the deadline, so that
a deadline that was provisional (its year's holiday schedule not yet loaded) is computed again
from them once the schedule is loaded (`provisional_deadlines_recompute`, run by
`regulus tick`). `with_overdue(queryset)` annotates the overdue flag that handler lists show,
and `overdue(queryset)` is the overdue list itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import BooleanField, Case, ExpressionWrapper, Q, QuerySet, Value, When

from regulus.core import calendar, clock, permissions
from regulus.core.audit import audit_record, audited
from regulus.core.models import AuditLog, TransitionEvent

KEEP = "keep"

DeadlineSpec = int | str | Callable[[Any], int | None] | None
Guard = Callable[[Any], str | None]


@dataclass(frozen=True)
class Transition:
    """One arrow of the state machine.

    permission: the permission (core.permissions, "<app>.<what>") a staff member needs to fire
    it; applicant: the public may fire it too, with actor=None.
    deadline_days: working days of the deadline the target state starts (int or function of the
    object), KEEP to keep the running deadline, None to clear it.
    guard: a function of the object returning a Chinese error message when the transition may
    not be fired now (beyond the state check), or None.
    requires_note: the note is the reason and must be given (refusals, corrections).
    """

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str
    applicant: bool = False
    deadline_days: DeadlineSpec = None
    guard: Guard | None = None
    requires_note: bool = False
    style: str = "primary"


@dataclass
class Workflow:
    name: str
    states: dict[str, str]
    transitions: list[Transition]
    final_states: tuple[str, ...] = ()
    state_field: str = "state"
    deadline_field: str = "deadline"
    provisional_field: str = "deadline_provisional"
    # The deadline's start day and its number of working days ("" when the model keeps none).
    start_field: str = "deadline_start"
    days_field: str = "deadline_days"
    _by_name: dict[str, Transition] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"duplicate transition {t.name!r} in {self.name}")
            unknown = [s for s in (*t.sources, t.target) if s not in self.states]
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown states {unknown}")
            self._by_name[t.name] = t

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValidationError(f"没有名为“{name}”的操作") from None

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def open_states(self) -> list[str]:
        return [s for s in self.states if s not in self.final_states]

    def available(self, obj: Any, actor: Any) -> list[Transition]:
        """Transitions the actor may fire on the object now (state, role and guard hold)."""
        state = getattr(obj, self.state_field)
        result = []
        for t in self.transitions:
            if state not in t.sources or not _may_fire(t, actor):
                continue
            if t.guard is not None and t.guard(obj):
                continue
            result.append(t)
        return result

    def require(self, name: str, actor: Any) -> Transition:
        """The transition, if the actor may fire it (PermissionDenied otherwise): services call
        it first, so that a refused actor gets 403 before any check of the input."""
        t = self.get(name)
        if not _may_fire(t, actor):
            if actor is None or not getattr(actor, "is_authenticated", False):
                raise PermissionDenied(f"“{t.label}”须由工作人员办理")
            raise PermissionDenied(permissions.get(t.permission).refusal())
        return t


def _may_fire(t: Transition, actor: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return t.applicant
    return permissions.allows(actor, t.permission)


def _deadline_for(t: Transition, obj: Any) -> int | str | None:
    """The working days of the deadline the transition starts, None to clear it, or KEEP."""
    spec = t.deadline_days
    if spec == KEEP:
        return KEEP
    days = spec(obj) if callable(spec) else spec
    return None if days is None else int(days)


def deadline_values(
    workflow: Workflow, *, start: dt.date, days: int | None
) -> tuple[calendar.Deadline | None, dict[str, Any]]:
    """The deadline `days` working days after `start` (None: no deadline), and the values of
    the object's deadline fields that record it."""
    deadline = None if days is None else calendar.working_deadline(start, days)
    values: dict[str, Any] = {workflow.deadline_field: deadline.date if deadline else None}
    if workflow.provisional_field:
        values[workflow.provisional_field] = bool(deadline and deadline.provisional)
    if workflow.start_field:
        values[workflow.start_field] = start if deadline else None
    if workflow.days_field:
        values[workflow.days_field] = days
    return deadline, values


def transition_fire(
    *,
    obj: models.Model,
    name: str,
    actor: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    workflow: Workflow | None = None,
    actor_name: str = "",
) -> TransitionEvent:
    """Fire the named transition on obj; raise ValidationError / PermissionDenied and change
    nothing when it may not be fired.

    updates: other fields of obj set in the same UPDATE (e.g. accepted_at). The in-memory
    object is refreshed with the new state, deadline and updates.
    """
    flow = workflow or type(obj).workflow  # type: ignore[attr-defined]
    t = flow.require(name, actor)
    if t.requires_note and not note.strip():
        raise ValidationError({"note": f"“{t.label}”须填写理由或说明"})
    model = type(obj)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with audited(actor=user or (actor_name or "申请人")) as audit:
        current = (
            model._default_manager.filter(pk=obj.pk)
            .values_list(flow.state_field, flat=True)
            .first()
        )
        if current is None:
            raise ValidationError("办理对象不存在")
        setattr(obj, flow.state_field, current)
        if current not in t.sources:
            raise ValidationError(
                f"当前状态为“{flow.state_label(current)}”，不能执行“{t.label}”"
                f"（该操作仅适用于：{'、'.join(flow.state_label(s) for s in t.sources)}）"
            )
        if t.guard is not None:
            problem = t.guard(obj)
            if problem:
                raise ValidationError(problem)
        today = clock.today()
        values: dict[str, Any] = {flow.state_field: t.target, **(updates or {})}
        days = _deadline_for(t, obj)
        if isinstance(days, str):  # KEEP
            deadline_date = getattr(obj, flow.deadline_field)
            provisional = bool(getattr(obj, flow.provisional_field, False))
        else:
            deadline, deadline_fields = deadline_values(flow, start=today, days=days)
            deadline_date = deadline.date if deadline else None
            provisional = bool(deadline and deadline.provisional)
            values.update(deadline_fields)
        changed = model._default_manager.filter(pk=obj.pk, **{flow.state_field: current}).update(
            **values
        )
        if changed != 1:
            # Someone else moved it between our read and our write.
            raise ValidationError(f"“{t.label}”未执行：该事项刚被他人处理，请刷新后重试")
        for key, value in values.items():
            setattr(obj, key, value)
        event = TransitionEvent.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(obj.pk),
            workflow=flow.name,
            transition=t.name,
            label=t.label,
            from_state=current,
            to_state=t.target,
            actor=user,
            actor_name=(user.display_name if user else actor_name or "申请人")[:150],
            unit_name=str(getattr(user, "unit", "") or "")[:100],
            at=clock.now(),
            note=note,
            data=data or {},
            deadline=deadline_date,
            deadline_provisional=provisional,
        )
        audit.record(
            action=AuditLog.Action.TRANSITION,
            obj=obj,
            summary=f"{t.label}：{flow.state_label(current)} → {flow.state_label(t.target)}",
            changes={"state": [current, t.target], **({"note": note} if note else {})},
        )
    return event


def event_record(
    *,
    obj: models.Model,
    workflow: Workflow,
    state: str,
    actor: Any,
    label: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    actor_name: str = "",
) -> TransitionEvent:
    """An event that starts a timeline or notes a step without a state change (creation,
    an upload). Call inside the caller's transaction; the caller writes its own audit row."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return TransitionEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        workflow=workflow.name,
        transition="",
        label=label,
        from_state=state,
        to_state=state,
        actor=user,
        actor_name=(user.display_name if user else actor_name or "申请人")[:150],
        unit_name=str(getattr(user, "unit", "") or "")[:100],
        at=clock.now(),
        note=note,
        data=data or {},
        deadline=getattr(obj, workflow.deadline_field, None),
        deadline_provisional=bool(getattr(obj, workflow.provisional_field, False)),
    )


def events_for(obj: models.Model) -> QuerySet[TransitionEvent]:
    return TransitionEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).order_by("at", "id")


def timeline(obj: models.Model, workflow: Workflow) -> list[dict[str, Any]]:
    """Event rows as the dicts core/_timeline.html shows."""
    return [event_row(ev, workflow) for ev in events_for(obj)]


def timelines(objs: list[Any], workflow: Workflow) -> dict[Any, list[dict[str, Any]]]:
    """timeline() of many objects of one model in one query: {pk: rows}."""
    if not objs:
        return {}
    by_id: dict[str, Any] = {str(obj.pk): obj.pk for obj in objs}
    events = TransitionEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(objs[0])), object_id__in=list(by_id)
    ).order_by("at", "id")
    rows: dict[Any, list[dict[str, Any]]] = {obj.pk: [] for obj in objs}
    for ev in events:
        rows[by_id[ev.object_id]].append(event_row(ev, workflow))
    return rows


def event_row(ev: TransitionEvent, workflow: Workflow) -> dict[str, Any]:
    title = ev.label
    if ev.from_state != ev.to_state:
        title += f"（{workflow.state_label(ev.from_state)} → {workflow.state_label(ev.to_state)}）"
    detail = ev.note
    if ev.deadline and ev.from_state != ev.to_state:
        detail = (detail + "；" if detail else "") + f"办理期限 {ev.deadline:%Y-%m-%d}"
    return {
        "at": ev.at,
        "actor_name": ev.actor_name,
        "unit_name": ev.unit_name,
        "title": title,
        "detail": detail,
    }


# -- deadlines on lists -----------------------------------------------------------------------


def with_overdue(
    queryset: QuerySet[Any],
    *,
    open_states: Iterable[str],
    today: dt.date | None = None,
    deadline_field: str = "deadline",
    state_field: str = "state",
) -> QuerySet[Any]:
    """Annotate `is_overdue` (open and past its deadline) on every row."""
    today = today or clock.today()
    condition = Q(**{f"{deadline_field}__lt": today, f"{state_field}__in": list(open_states)})
    return queryset.annotate(
        is_overdue=ExpressionWrapper(
            Case(When(condition, then=Value(True)), default=Value(False)),
            output_field=BooleanField(),
        )
    )


def overdue(
    queryset: QuerySet[Any],
    *,
    open_states: Iterable[str],
    today: dt.date | None = None,
    deadline_field: str = "deadline",
    state_field: str = "state",
) -> QuerySet[Any]:
    """The overdue list: open rows past their deadline, the oldest deadline first."""
    today = today or clock.today()
    return queryset.filter(
        **{f"{deadline_field}__lt": today, f"{state_field}__in": list(open_states)}
    ).order_by(deadline_field, "pk")


def days_left(deadline: dt.date | None, today: dt.date | None = None) -> int | None:
    """Working days from today to the deadline (negative: working days overdue)."""
    if deadline is None:
        return None
    today = today or clock.today()
    if deadline >= today:
        return calendar.working_days_between(today, deadline)
    return -calendar.working_days_between(deadline, today)


# -- provisional deadlines ---------------------------------------------------------------------


def provisional_deadlines_due(queryset: QuerySet[Any], *, workflow: Workflow) -> QuerySet[Any]:
    """Open objects whose deadline is provisional although its year's holiday schedule is now
    loaded. Objects without a recorded start and number of days cannot be recomputed and are
    left out (migration licensing 0004 recorded them for the objects of its time)."""
    last = calendar.last_loaded_year()
    if last is None or not (workflow.provisional_field and workflow.start_field):
        return queryset.none()
    return queryset.filter(
        **{
            workflow.provisional_field: True,
            f"{workflow.state_field}__in": workflow.open_states(),
            f"{workflow.deadline_field}__lte": dt.date(last, 12, 31),
            f"{workflow.start_field}__isnull": False,
            f"{workflow.days_field}__isnull": False,
        }
    )


def provisional_deadlines_recompute(
    queryset: QuerySet[Any], *, workflow: Workflow, actor_name: str
) -> int:
    """Compute each due provisional deadline again, from the same start day and the same number
    of working days, over the holiday schedule loaded since; clear the provisional flag (it
    stays set when the new date falls in a year not loaded yet either). Each changed object
    gets an event row on its timeline and an audit row. Call inside a transaction; returns
    the number of objects changed. A second call finds nothing due and changes nothing."""
    w = workflow
    model = queryset.model
    changed = 0
    for obj in provisional_deadlines_due(queryset, workflow=w).order_by("pk"):
        old = getattr(obj, w.deadline_field)
        start, days = getattr(obj, w.start_field), getattr(obj, w.days_field)
        new = calendar.working_deadline(start, days)
        # Conditional, so that a transition fired meanwhile (a new deadline) is left alone.
        updated = model._default_manager.filter(
            pk=obj.pk,
            **{
                w.deadline_field: old,
                w.provisional_field: True,
                w.start_field: start,
                w.days_field: days,
            },
        ).update(**{w.deadline_field: new.date, w.provisional_field: new.provisional})
        if not updated:
            continue
        setattr(obj, w.deadline_field, new.date)
        setattr(obj, w.provisional_field, new.provisional)
        basis = f"自 {start:%Y-%m-%d} 起 {days} 个工作日，按已载入的{old.year}年节假日安排重算"
        if new.date == old:
            outcome = f"办理期限 {old:%Y-%m-%d} 不变，不再暂定"
        else:
            outcome = f"办理期限由 {old:%Y-%m-%d}（暂定）改为 {new}"
        event_record(
            obj=obj,
            workflow=w,
            state=getattr(obj, w.state_field),
            actor=None,
            actor_name=actor_name,
            label="节假日安排载入，重算办理期限",
            note=f"{outcome}（{basis}）",
            data={
                "deadline": [old.isoformat(), new.date.isoformat()],
                "provisional": [True, new.provisional],
                "start": start.isoformat(),
                "days": days,
            },
        )
        audit_record(
            actor=actor_name,
            action=AuditLog.Action.UPDATE,
            obj=obj,
            summary=f"{outcome}（{basis}）",
            changes={
                w.deadline_field: [old, new.date],
                w.provisional_field: [True, new.provisional],
            },
        )
        changed += 1
    return changed


class DeferredRows:
    """A big ordered list paged in two steps (a "deferred join"): the page's ids first, from
    the index alone (filter + order + limit on indexed columns), then the page's 30 full rows
    by primary key. Reading a page no longer fetches every matching row from the table to sort
    it. Works with Django's Paginator (count + slicing) and keeps the queryset's order."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.order_by().values("pk").count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        ids = list(self.queryset.values_list("pk", flat=True)[key])
        rows = {row.pk: row for row in self.queryset.order_by().filter(pk__in=ids)}
        return [rows[i] for i in ids if i in rows]
