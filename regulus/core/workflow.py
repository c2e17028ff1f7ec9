"""Workflows: explicit transition tables, one event row per state change, legal clocks.

A domain app declares its workflow once::

    APPLICATION_FLOW = Workflow(
        name="licensing.application",
        states={"submitted": "待受理", "review": "审查中", ...},
        clocks={
            "acceptance": ClockSpec("licensing.acceptance", days=lambda app: app.acceptance_days),
            "review": ClockSpec("licensing.review", days=lambda app: app.promised_days,
                                pausable=True, extendable=True),
        },
        transitions=[
            Transition("accept", "受理", sources=("submitted",), target="review",
                       permission="licensing.application_handle", starts=("review",),
                       stops=("acceptance",)),
            ...
        ],
        final_states=("issued", "refused"),
        view_permission="licensing.application_view",
    )

and its model carries `state`, `deadline` and `deadline_provisional` fields (names
configurable). `transition_fire(obj=..., name=..., actor=...)` then checks the permission, the
guard and the current state in the database, moves the state with a conditional UPDATE (`...
WHERE state = old`, so a transition fired twice, or by two people at once, changes nothing the
second time), stops, pauses, resumes and starts the clocks the transition names (a final state
stops every clock), writes one TransitionEvent and one audit row, all in one transaction.

Clocks (core.clock_services): each named clock runs under a dated rule version (period, unit,
legal basis, longest extension, pause grounds); the kernel keeps the object's `deadline`
column equal to the date of its running main clock, so lists sort and filter by an index of the
object's own table (core.clock_selectors.due is the overdue / due-soon query). Who may pause,
extend and approve an extension by hand is the kernel's permissions core.clock_pause,
core.clock_extend and core.clock_approve, on the clocks a ClockSpec declares pausable or
extendable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet

from regulus.core import clock, clock_selectors, clock_services, permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog, PauseReason, TransitionEvent

Guard = Callable[[Any], str | None]


@dataclass(frozen=True)
class ClockSpec:
    """A clock an object of the workflow runs.

    rule: the code of its ClockRule (the version in force on the day it starts applies).
    label: its name on pages (the rule's name when empty).
    days: its period for the object (a function of the object, e.g. the limit the object copied
    from its own dated rules); None: the rule's period.
    main: the object's `deadline` column mirrors it while it runs (one main clock at a time).
    pausable / extendable: staff may pause and resume it (permission core.clock_pause), record
    an approved extension of it (core.clock_extend, approved by a holder of
    core.clock_approve) by hand; neither: only its transitions move it.
    rule_day: the day whose rule version applies, a function of the object (the day a
    complaint was received: it keeps the rules in force then, whenever its later clocks
    start); None: the day the clock starts.
    further_extension: the ground (with its legal basis) on which an extendable clock may be
    extended beyond its rule's max_extension_days, once those are used up, by a recorded
    collective decision (集体讨论决定; the document is the record's number); empty: never
    beyond the cap.
    """

    rule: str
    label: str = ""
    days: Callable[[Any], int] | None = None
    main: bool = True
    pausable: bool = False
    extendable: bool = False
    rule_day: Callable[[Any], dt.date] | None = None
    further_extension: str = ""


@dataclass(frozen=True)
class Transition:
    """One arrow of the state machine.

    permission: the permission (core.permissions, "<app>.<what>") a staff member needs to fire
    it; applicant: the public may fire it too, with actor=None.
    starts / stops / pauses / resumes: the workflow's clocks it starts (a run still open is
    stopped and started again), stops, pauses (on the ground `pause_reason`, the note as
    its explanation) and resumes. A transition into a final state stops every clock.
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
    starts: tuple[str, ...] = ()
    stops: tuple[str, ...] = ()
    pauses: tuple[str, ...] = ()
    resumes: tuple[str, ...] = ()
    pause_reason: str = ""
    guard: Guard | None = None
    requires_note: bool = False
    style: str = "primary"


@dataclass
class Workflow:
    name: str
    states: dict[str, str]
    transitions: list[Transition]
    final_states: tuple[str, ...] = ()
    clocks: Mapping[str, ClockSpec] = field(default_factory=dict)
    # The permission to read the workflow's objects: the kernel's pages of their clocks ask
    # for it too (core.clock_selectors.clocked_object); "" when its objects need none.
    view_permission: str = ""
    state_field: str = "state"
    deadline_field: str = "deadline"
    provisional_field: str = "deadline_provisional"
    _by_name: dict[str, Transition] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"duplicate transition {t.name!r} in {self.name}")
            unknown = [s for s in (*t.sources, t.target) if s not in self.states]
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown states {unknown}")
            named = (*t.starts, *t.stops, *t.pauses, *t.resumes)
            unknown = [c for c in named if c not in self.clocks]
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown clocks {unknown}")
            if t.pauses and t.pause_reason not in PauseReason.values:
                raise ValueError(f"transition {t.name!r} pauses clocks without a pause reason")
            if sum(self.clocks[c].main for c in t.starts) > 1:
                raise ValueError(f"transition {t.name!r} starts two main clocks")
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
        """Transitions the actor may fire on the object now (state, permission and guard
        hold)."""
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
    who = user.display_name if user else actor_name or "申请人"
    with audited(actor=user or (actor_name or "申请人")) as audit:
        # The object's clocks are locked before its row (core.clock_services: lock order).
        open_now = clock_services.open_clocks(obj, lock=True) if flow.clocks else {}
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
        values: dict[str, Any] = {flow.state_field: t.target, **(updates or {})}
        if flow.clocks:
            plan = clock_services.clock_plan(
                obj,
                flow,
                starts=t.starts,
                stops=t.stops,
                pauses=t.pauses,
                resumes=t.resumes,
                pause_reason=t.pause_reason,
                stop_all=t.target in flow.final_states,
                open_now=open_now,
            )
            plan.apply(
                actor=actor, actor_name=who[:150], note=f"{t.label}" + (f"：{note}" if note else "")
            )
            values.update(plan.deadline_values())
        changed = model._default_manager.filter(pk=obj.pk, **{flow.state_field: current}).update(
            **values
        )
        if changed != 1:
            # Someone else moved it between our read and our write.
            raise ValidationError(f"“{t.label}”未执行：该事项刚被他人处理，请刷新后重试")
        for key, value in values.items():
            setattr(obj, key, value)
        deadline_date = getattr(obj, flow.deadline_field, None)
        event = TransitionEvent.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(obj.pk),
            workflow=flow.name,
            transition=t.name,
            label=t.label,
            from_state=current,
            to_state=t.target,
            actor=user,
            actor_name=who[:150],
            unit_name=str(getattr(user, "unit", "") or "")[:100],
            at=clock.now(),
            note=note,
            data=data or {},
            deadline=deadline_date,
            deadline_provisional=bool(getattr(obj, flow.provisional_field, False)),
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
    """The object's event rows and its clocks' pauses, extensions and recomputations, in
    order, as the dicts core/_timeline.html shows."""
    return timelines([obj], workflow)[obj.pk]


def timelines(objs: list[Any], workflow: Workflow) -> dict[Any, list[dict[str, Any]]]:
    """timeline() of many objects of one model in two queries: {pk: rows}."""
    if not objs:
        return {}
    content_type = ContentType.objects.get_for_model(type(objs[0]))
    by_id: dict[str, Any] = {str(obj.pk): obj.pk for obj in objs}
    events = TransitionEvent.objects.filter(
        content_type=content_type, object_id__in=list(by_id)
    ).order_by("at", "id")
    rows: dict[Any, list[dict[str, Any]]] = {obj.pk: [] for obj in objs}
    for ev in events:
        rows[by_id[ev.object_id]].append(event_row(ev, workflow))
    if workflow.clocks:
        for object_id, row in clock_selectors.timeline_rows(content_type, list(rows)):
            rows[object_id].append(row)
        for items in rows.values():
            items.sort(key=lambda row: row["at"])  # stable: events keep their order
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
