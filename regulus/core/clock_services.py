"""Writes of the legal clocks: start, stop, pause (中止), resume, extend (延长), and the changes a
transition makes to its object's clocks (clock_plan). Each service is one `audited`
transaction with its audit row, about the clock, its pause or its extension; bad input raises
ValidationError with a Chinese message naming the rule, and changes nothing. The
recomputation after the holiday table changes is core.clock_recompute.

An object's clocks are declared by its workflow (core.workflow.ClockSpec: the rule code, the
main flag, the period of the object, whether staff may pause or extend it by hand), and
started and stopped by its transitions. Pausing and extending by hand need the kernel's
permissions core.clock_pause and core.clock_extend (core.permissions), an extension's approver
core.clock_approve. Every change of a clock writes a ClockHistory row, and the
object's own `deadline` / `deadline_provisional` columns mirror its running main clock (None
while it is paused or when none runs), so that its lists sort and filter by an index of its
own table.

Lock order: a clock's rows are locked before its object's row (transition_fire locks the
object's clocks first too), so a recompute and a transition on the same object wait for each
other instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from regulus.core import clock as timekeeper
from regulus.core import permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.calendar import Deadline, HolidayTable
from regulus.core.clocks import Span, Trace, trace_due_date
from regulus.core.models import (
    AuditLog,
    Clock,
    ClockExtension,
    ClockHistory,
    ClockPause,
    ClockRule,
    ClockUnit,
    PauseReason,
    User,
)

if TYPE_CHECKING:
    from regulus.core.workflow import ClockSpec, Workflow

RUNNING, PAUSED, STOPPED = Clock.Status.RUNNING, Clock.Status.PAUSED, Clock.Status.STOPPED
OPEN = (RUNNING, PAUSED)
# The kernel's permissions of the clocks (core.permissions).
PAUSE, EXTEND, APPROVE = "core.clock_pause", "core.clock_extend", "core.clock_approve"
# The bound of one collective further extension: the ClockExtension.days column's range, not a
# legal period (the decision fixes the period; this only keeps a typo from running for years).
FURTHER_EXTENSION_LIMIT = 3650


# -- rules -----------------------------------------------------------------------------------


def rule_in_force(code: str, day: dt.date) -> ClockRule | None:
    """The version of the rule in force on the day (the latest effective on or before it)."""
    return (
        ClockRule.objects.filter(code=code, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def clock_rules_load(*, ClockRule: Any, rules: Iterable[Mapping[str, Any]]) -> int:
    """Create the rule versions that are missing (by code and effective date); a version that
    exists is left as it is (an admin's edit wins). For data migrations (the historical model)
    and the apps' catalogue loaders. Returns the rows created."""
    created = 0
    for rule in rules:
        values = dict(rule)
        code, effective = values.pop("code"), values.pop("effective_from")
        if isinstance(effective, str):
            effective = dt.date.fromisoformat(effective)
        _, new = ClockRule.objects.get_or_create(
            code=code, effective_from=effective, defaults=values
        )
        created += new
    return created


# The fields of a rule version an administrator enters, by the names its errors use.
RULE_FIELDS = {
    "effective_from": "施行日期",
    "days": "期限",
    "unit": "计算单位",
    "legal_basis": "法律依据",
    "max_extension_days": "最长可延长",
    "pause_reasons": "可中止的事由",
    "note": "说明",
}


def clock_rule_version_add(
    *,
    actor: Any,
    code: str,
    effective_from: dt.date,
    days: int | None,
    unit: str,
    legal_basis: str,
    max_extension_days: int,
    pause_reasons: Sequence[str],
    note: str = "",
) -> ClockRule:
    """A new version of an existing rule, in force from a day after today: a changed law or
    local rule. Clocks keep the version in force on the day they started, so a version never
    moves a running clock; that is also why it cannot take effect today or earlier."""
    permissions.require(actor, "core.clock_rule_manage")
    today = timekeeper.today()
    latest = ClockRule.objects.filter(code=code).order_by("-effective_from").first()
    if latest is None:
        raise ValidationError({"code": f"没有编码为“{code}”的计时规则"})
    errors = _rule_version_errors(
        latest, effective_from, days, unit, legal_basis, max_extension_days, pause_reasons, today
    )
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        rule = ClockRule.objects.create(
            code=code,
            name=latest.name,
            effective_from=effective_from,
            days=days,
            unit=unit,
            legal_basis=legal_basis.strip(),
            max_extension_days=max_extension_days,
            pause_reasons=list(dict.fromkeys(pause_reasons)),
            note=note.strip(),
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=rule,
            summary=f"新增计时规则版本：{rule.name}，{effective_from:%Y-%m-%d} 起施行",
            changes={
                "code": code,
                "effective_from": effective_from,
                "days": days,
                "unit": unit,
                "legal_basis": rule.legal_basis,
                "max_extension_days": max_extension_days,
                "pause_reasons": rule.pause_reason_labels(),
            },
        )
    return rule


def _rule_version_errors(
    latest: ClockRule,
    effective_from: dt.date,
    days: int | None,
    unit: str,
    legal_basis: str,
    max_extension_days: int,
    pause_reasons: Sequence[str],
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if effective_from <= today:
        errors["effective_from"] = (
            f"施行日期应晚于今天（{today:%Y-%m-%d}）：已开始的计时按其起算日施行的版本计算，"
            "新版本只适用于施行后开始的计时"
        )
    elif ClockRule.objects.filter(code=latest.code, effective_from=effective_from).exists():
        errors["effective_from"] = f"{effective_from:%Y-%m-%d} 施行的版本已经存在"
    if latest.days is None and days is not None:
        errors["days"] = "此规则的期限由办件自身的时限规则给出，应留空"
    elif latest.days is not None and (days is None or not 0 < days <= 3650):
        errors["days"] = "期限应为1至3650之间的整数"
    if unit not in ClockUnit.values:
        errors["unit"] = "计算单位应为“工作日”或“自然日”"
    if not legal_basis.strip():
        errors["legal_basis"] = "请填写法律依据（法规名称及条款）"
    if not 0 <= max_extension_days <= 3650:
        errors["max_extension_days"] = "最长可延长应为0至3650之间的整数（0为不得延长）"
    unknown = [r for r in pause_reasons if r not in PauseReason.values]
    if unknown:
        errors["pause_reasons"] = "可中止的事由只能从所列事由中选择"
    return errors


def clock_rule_version_withdraw(*, actor: Any, rule: ClockRule) -> None:
    """Withdraw a version entered by mistake, while it is not yet in force (no clock can have
    started under it)."""
    permissions.require(actor, "core.clock_rule_manage")
    if rule.effective_from <= timekeeper.today():
        raise ValidationError(
            f"{rule.name}自 {rule.effective_from:%Y-%m-%d} 起已经施行，不能撤回；"
            "请录入一个新版本取代它"
        )
    if Clock.objects.filter(rule=rule).exists():
        raise ValidationError(f"已有计时按{rule}计算，不能撤回")
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.DELETE,
            obj=rule,
            summary=f"撤回计时规则版本：{rule}",
            changes={"code": rule.code, "effective_from": rule.effective_from, "days": rule.days},
        )
        rule.delete()


# -- computing a clock -----------------------------------------------------------------------


def clock_trace(
    clock: Clock, pauses: Sequence[ClockPause], *, table: HolidayTable | None = None
) -> Trace:
    """How the clock's date is computed: its start, its days and extensions, its pauses. An
    open pause counts as ending today (the date the clock would get if resumed today)."""
    today = timekeeper.today()
    spans: list[Span] = [(p.from_date, p.to_date or max(p.from_date, today)) for p in pauses]
    return trace_due_date(
        clock.start_date, clock.total_days, unit=clock.unit, paused=spans, table=table
    )


def _computed(clock: Clock) -> Deadline:
    return clock_trace(clock, list(clock.pauses.all())).deadline


# -- the object's clocks -----------------------------------------------------------------------


def _content_type(model: type[models.Model]) -> ContentType:
    return ContentType.objects.get_for_model(model, for_concrete_model=True)


def open_clocks(obj: models.Model, *, lock: bool = False) -> dict[str, Clock]:
    """The object's clocks that are not stopped, by name (locked for update with lock=True)."""
    rows = Clock.objects.filter(
        content_type=_content_type(type(obj)), object_id=obj.pk, status__in=OPEN
    ).select_related("rule")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return {c.name: c for c in rows.order_by("id")}


def workflow_of(model: type[models.Model]) -> Workflow:
    flow = getattr(model, "workflow", None)
    if flow is None or not getattr(flow, "clocks", None):
        raise ValueError(f"{model.__name__} declares no clocks")
    return flow  # type: ignore[no-any-return]


def mirror_values(workflow: Workflow, clocks: Iterable[Clock]) -> dict[str, Any]:
    """The object's deadline columns for its clocks: the running main clock's date."""
    main = next((c for c in clocks if c.is_main and c.status == RUNNING), None)
    values: dict[str, Any] = {workflow.deadline_field: main.due_date if main else None}
    if workflow.provisional_field:
        values[workflow.provisional_field] = bool(main and main.provisional)
    return values


def _mirror(obj: models.Model, workflow: Workflow, clocks: Iterable[Clock]) -> None:
    values = mirror_values(workflow, clocks)
    type(obj)._default_manager.filter(pk=obj.pk).update(**values)
    for key, value in values.items():
        setattr(obj, key, value)


def actor_name(actor: Any, fallback: str = "") -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.display_name)[:150]
    return (str(actor) if isinstance(actor, str) and actor else fallback or "系统")[:150]


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _history(
    clock: Clock, kind: str, *, before: dt.date | None, actor_name: str, note: str = ""
) -> ClockHistory:
    return ClockHistory.objects.create(
        clock=clock,
        kind=kind,
        at=timekeeper.now(),
        actor_name=actor_name,
        due_before=before,
        due_after=clock.due_date,
        provisional_after=clock.provisional,
        note=note[:300],
    )


def _days_for(spec: ClockSpec, rule: ClockRule, obj: models.Model) -> int:
    days = spec.days(obj) if spec.days is not None else rule.days
    if days is None:
        raise ValueError(f"clock rule {rule.code} has no period and the clock gives none")
    return int(days)


def new_clock(obj: models.Model, name: str, spec: ClockSpec, *, start: dt.date) -> Clock:
    """An unsaved run of the named clock from `start`, under the rule version in force that
    day (or on the spec's rule_day of the object), its date computed. Raises ValidationError
    when no version is in force yet."""
    rule_day = spec.rule_day(obj) if spec.rule_day is not None else start
    rule = rule_in_force(spec.rule, rule_day)
    if rule is None:
        first = ClockRule.objects.filter(code=spec.rule).order_by("effective_from").first()
        label = spec.label or (first.name if first else spec.rule)
        since = f"自 {first.effective_from:%Y-%m-%d} 起施行" if first else "尚未设定"
        raise ValidationError(
            f"“{label}”的计时规则{since}，不能从 {rule_day:%Y-%m-%d} 起算（计时不得早于规则施行日）"
        )
    clock = Clock(
        content_type=_content_type(type(obj)),
        object_id=obj.pk,
        name=name,
        label=spec.label or rule.name,
        rule=rule,
        unit=rule.unit,
        is_main=spec.main,
        start_date=start,
        days=_days_for(spec, rule, obj),
        status=RUNNING,
        started_at=timekeeper.now(),
    )
    deadline = trace_due_date(start, clock.days, unit=clock.unit).deadline
    clock.due_date, clock.provisional = deadline.date, deadline.provisional
    return clock


# -- the changes a transition makes ------------------------------------------------------------


@dataclass
class ClockPlan:
    """What a transition does to its object's clocks, checked before anything is written: the
    runs it stops, pauses and resumes, the runs it starts (unsaved)."""

    obj: models.Model
    workflow: Workflow
    today: dt.date
    open: dict[str, Clock]
    stop: list[Clock] = field(default_factory=list)
    pause: list[Clock] = field(default_factory=list)
    resume: list[Clock] = field(default_factory=list)
    start: list[Clock] = field(default_factory=list)
    pause_reason: str = ""

    def after(self) -> list[Clock]:
        """The object's open clocks once the plan is applied (their status as it will be)."""
        gone = {c.pk for c in self.stop}
        kept = [c for c in self.open.values() if c.pk not in gone]
        return kept + self.start

    def deadline_values(self) -> dict[str, Any]:
        """The object's deadline columns once the plan is applied (call after apply)."""
        return mirror_values(self.workflow, self.after())

    def apply(self, *, actor: Any, actor_name: str, note: str) -> None:
        for c in self.stop:
            _stop(c, self.today, actor_name=actor_name, note=note)
        for c in self.pause:
            _pause(c, self.pause_reason, self.today, note or "流转中止", actor, actor_name)
        for c in self.resume:
            _resume(c, self.today, note, actor_name)
        for c in self.start:
            c.save()
            _history(c, ClockHistory.Kind.START, before=None, actor_name=actor_name, note=note)


def clock_plan(
    obj: models.Model,
    workflow: Workflow,
    *,
    starts: Sequence[str] = (),
    stops: Sequence[str] = (),
    pauses: Sequence[str] = (),
    resumes: Sequence[str] = (),
    pause_reason: str = "",
    stop_all: bool = False,
    open_now: dict[str, Clock],
) -> ClockPlan:
    """The plan of a transition, its rules checked (ValidationError): a pause obeys the rules of
    clock_pause (the transition's permission stands for core.clock_pause). A clock named to stop,
    pause or resume that is not in that state is left as it is (the object may have reached
    the state another way)."""
    today = timekeeper.today()
    plan = ClockPlan(obj, workflow, today, open_now, pause_reason=pause_reason)
    for name, c in open_now.items():
        if stop_all or name in stops or name in starts:
            plan.stop.append(c)
        elif name in pauses and c.status == RUNNING:
            errors = _pause_errors(c, pause_reason, "流转中止", today, today, flowing=True)
            if errors:
                raise ValidationError("；".join(errors.values()))
            plan.pause.append(c)
        elif name in resumes and c.status == PAUSED:
            plan.resume.append(c)
    if not stop_all:
        plan.start = [new_clock(obj, n, workflow.clocks[n], start=today) for n in starts]
    return plan


def _stop(clock: Clock, today: dt.date, *, actor_name: str, note: str) -> None:
    if clock.status == PAUSED:
        open_pause = clock.pauses.filter(to_date__isnull=True).first()
        if open_pause is not None:
            ClockPause.objects.filter(pk=open_pause.pk).update(
                to_date=max(today, open_pause.from_date),
                resumed_by_name=actor_name,
                resumed_at=timekeeper.now(),
                resume_note="计时结束",
            )
    in_time = clock.due_date is None or today <= clock.due_date
    clock.status, clock.stopped_on = STOPPED, today
    clock.save(update_fields=["status", "stopped_on"])
    outcome = "按期" if in_time else f"超过届满日 {clock.due_date:%Y-%m-%d}"
    _history(
        clock,
        ClockHistory.Kind.STOP,
        before=clock.due_date,
        actor_name=actor_name,
        note=f"{outcome}；{note}" if note else outcome,
    )


def _pause(
    clock: Clock, reason: str, day: dt.date, note: str, actor: Any, actor_name: str
) -> ClockPause:
    before = clock.due_date
    pause = ClockPause.objects.create(
        clock=clock,
        reason=reason,
        note=note[:300],
        from_date=day,
        paused_by=_user(actor),
        paused_by_name=actor_name,
        paused_at=timekeeper.now(),
    )
    clock.status, clock.due_date, clock.provisional = PAUSED, None, False
    clock.save(update_fields=["status", "due_date", "provisional"])
    label = PauseReason(reason).label if reason in PauseReason.values else reason
    _history(
        clock,
        ClockHistory.Kind.PAUSE,
        before=before,
        actor_name=actor_name,
        note=f"自 {day:%Y-%m-%d} 起中止（{label}）：{note}",
    )
    return pause


def _resume(clock: Clock, day: dt.date, note: str, actor_name: str) -> None:
    open_pause = clock.pauses.filter(to_date__isnull=True).get()
    open_pause.to_date = day
    open_pause.resumed_by_name = actor_name
    open_pause.resumed_at = timekeeper.now()
    open_pause.resume_note = note[:300]
    open_pause.save(update_fields=["to_date", "resumed_by_name", "resumed_at", "resume_note"])
    deadline = _computed(clock)
    clock.status, clock.due_date, clock.provisional = RUNNING, deadline.date, deadline.provisional
    clock.save(update_fields=["status", "due_date", "provisional"])
    _history(
        clock,
        ClockHistory.Kind.RESUME,
        before=None,
        actor_name=actor_name,
        note=f"中止期间 {open_pause.from_date:%Y-%m-%d} 至 {day:%Y-%m-%d} "
        f"共 {open_pause.days} 天不计入" + (f"；{note}" if note else ""),
    )


# -- the services ------------------------------------------------------------------------------


def _object_of(clock: Clock) -> models.Model:
    model = clock.content_type.model_class()
    assert model is not None
    return model._default_manager.get(pk=clock.object_id)


def _locked(clock: Clock) -> tuple[Clock, models.Model, Workflow, ClockSpec]:
    """The clock again, locked, with its object, workflow and declaration."""
    fresh = Clock.objects.select_for_update(of=("self",)).select_related("rule").get(pk=clock.pk)
    obj = _object_of(fresh)
    flow = workflow_of(type(obj))
    return fresh, obj, flow, flow.clocks[fresh.name]


def may_pause(actor: Any, spec: ClockSpec) -> bool:
    """Whether the actor may pause and resume the clock by hand (the clocks page's forms)."""
    return spec.pausable and permissions.allows(actor, PAUSE)


def may_extend(actor: Any, spec: ClockSpec) -> bool:
    return spec.extendable and permissions.allows(actor, EXTEND)


def _by_hand(declared: bool, clock: Clock, what: str) -> None:
    if not declared:
        raise PermissionDenied(f"“{clock.label}”不可由工作人员{what}：由办理环节自动计时")


def _about(clock: Clock, obj: models.Model) -> str:
    """What an audit row about one of the object's clocks names: the object and the clock."""
    return f"{obj}的{clock.label}"[:200]


def clock_start(
    *,
    obj: models.Model,
    name: str,
    actor: Any,
    start: dt.date | None = None,
    note: str = "",
    new_object: bool = False,
) -> Clock:
    """Start the object's named clock (declared by its workflow) from `start` (today), under
    the rule version in force that day. A run of the same name still open is stopped first.
    A step of the object's own services, which checked the actor's permission.

    new_object: the object was created in the caller's transaction, so it has no clocks
    to stop and none are looked up (one query less on every intake)."""
    flow = workflow_of(type(obj))
    if name not in flow.clocks:
        raise ValueError(f"{flow.name} declares no clock {name!r}")
    day = start or timekeeper.today()
    who = actor_name(actor)
    with audited(actor=actor) as audit:
        current = {} if new_object else open_clocks(obj, lock=True)
        clock = new_clock(obj, name, flow.clocks[name], start=day)
        if name in current:
            stopped = current.pop(name)
            status = stopped.status
            _stop(stopped, day, actor_name=who, note="重新起算")
            _audit_stop(audit, stopped, obj, status=status, note="重新起算")
        clock.save()
        _history(clock, ClockHistory.Kind.START, before=None, actor_name=who, note=note)
        _mirror(obj, flow, [*current.values(), clock])
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=clock,
            object_repr=lambda: _about(clock, obj),  # the object's number may come last
            summary=f"开始计时：{clock.label}，自 {day:%Y-%m-%d} 起 {clock.days} 个"
            f"{clock.unit_label()}，届满 {Deadline(clock.due_date, clock.provisional)}",  # type: ignore[arg-type]
            changes={
                "label": clock.label,
                "start_date": day,
                "days": clock.days,
                "unit": clock.unit,
                "due_date": clock.due_date,
                "provisional": clock.provisional,
            },
        )
    return clock


def _audit_stop(
    audit: AuditTrail, clock: Clock, obj: models.Model, *, status: str, note: str
) -> None:
    audit.record(
        action=AuditLog.Action.UPDATE,
        obj=clock,
        object_repr=_about(clock, obj),
        summary=f"结束计时：{clock.label}" + (f"（{note}）" if note else ""),
        changes={"status": [status, STOPPED], "stopped_on": clock.stopped_on},
    )


def clock_stop(*, clock: Clock, actor: Any, note: str = "") -> Clock:
    """Stop a clock whose step is done (transitions do this for the clocks they declare). A
    step of the object's own services, which checked the actor's permission."""
    with audited(actor=actor) as audit:
        clock, obj, flow, _spec = _locked(clock)
        if clock.status == STOPPED:
            raise ValidationError(f"“{clock.label}”已于 {clock.stopped_on:%Y-%m-%d} 结束计时")
        status = clock.status
        _stop(clock, timekeeper.today(), actor_name=actor_name(actor), note=note)
        _mirror(obj, flow, open_clocks(obj).values())
        _audit_stop(audit, clock, obj, status=status, note=note)
    return clock


def clock_pause(
    *,
    clock: Clock,
    actor: Any,
    reason: str,
    note: str,
    since: dt.date | None = None,
) -> Clock:
    """中止: from `since` (today) on, the clock's days are not counted until it is resumed."""
    permissions.require(actor, PAUSE)
    today = timekeeper.today()
    day = since or today
    with audited(actor=actor) as audit:
        clock, obj, flow, spec = _locked(clock)
        _by_hand(spec.pausable, clock, "中止")
        errors = _pause_errors(clock, reason, note, day, today)
        if errors:
            raise ValidationError(errors)
        before = clock.due_date
        pause = _pause(clock, reason, day, note.strip(), actor, actor_name(actor))
        _mirror(obj, flow, open_clocks(obj).values())
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=pause,
            object_repr=_about(clock, obj),
            summary=f"中止计时：{clock.label}，自 {day:%Y-%m-%d} 起（{PauseReason(reason).label}）",
            changes={
                "reason": reason,
                "note": pause.note,
                "from_date": day,
                "due_date": [before, None],
            },
        )
    return clock


def _pause_errors(
    clock: Clock, reason: str, note: str, day: dt.date, today: dt.date, *, flowing: bool = False
) -> dict[str, str]:
    """flowing: the pause is a transition's (the object moved to a step whose days are not
    the clock's, e.g. a complaint sent to the business's ODR on the day it was received);
    it may begin on the start day, which is never counted anyway."""
    rule = clock.rule
    if clock.status == PAUSED:
        since = clock.pauses.filter(to_date__isnull=True).values_list("from_date", flat=True)
        return {
            "since": f"“{clock.label}”已自 {since.first():%Y-%m-%d} 起中止，"
            "中止期间不得重叠：请先恢复计时"
        }
    if clock.status == STOPPED:
        return {"__all__": f"“{clock.label}”已结束计时，不能中止"}
    if reason not in rule.pause_reasons:
        allowed = "、".join(rule.pause_reason_labels()) or "无"
        return {"reason": f"“{clock.label}”依据{rule.legal_basis}，可中止的事由为：{allowed}"}
    if not note.strip():
        return {"note": "请写明中止的具体情况（如检验机构、送检日期）"}
    if day > today:
        return {"since": "中止日不能晚于今天"}
    if day < clock.start_date or (day == clock.start_date and not flowing):
        return {"since": f"中止日应晚于起算日 {clock.start_date:%Y-%m-%d}"}
    assert clock.due_date is not None
    if day > clock.due_date:
        return {"since": f"“{clock.label}”已于 {clock.due_date:%Y-%m-%d} 届满，届满后不能中止"}
    overlap = clock.pauses.filter(to_date__gte=day).order_by("from_date").first()
    if overlap is not None:
        return {
            "since": f"中止期间不得重叠：已有中止期间 {overlap.from_date:%Y-%m-%d} 至 "
            f"{overlap.to_date:%Y-%m-%d}，新的中止日应晚于其恢复日"
        }
    return {}


def clock_resume(*, clock: Clock, actor: Any, note: str = "", on: dt.date | None = None) -> Clock:
    """恢复: the pause ends on `on` (today; the last day not counted), and the clock's date is
    computed again."""
    permissions.require(actor, PAUSE)
    today = timekeeper.today()
    day = on or today
    with audited(actor=actor) as audit:
        clock, obj, flow, spec = _locked(clock)
        _by_hand(spec.pausable, clock, "恢复计时")
        if clock.status != PAUSED:
            raise ValidationError(f"“{clock.label}”未中止，无需恢复计时（恢复须先有中止）")
        open_pause = clock.pauses.get(to_date__isnull=True)
        if day > today:
            raise ValidationError({"on": "恢复日不能晚于今天"})
        if day < open_pause.from_date:
            raise ValidationError({"on": f"恢复日不能早于中止日 {open_pause.from_date:%Y-%m-%d}"})
        _resume(clock, day, note.strip(), actor_name(actor))
        _mirror(obj, flow, open_clocks(obj).values())
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=open_pause,
            object_repr=_about(clock, obj),
            summary=f"恢复计时：{clock.label}，中止 {open_pause.from_date:%Y-%m-%d} 至 "
            f"{day:%Y-%m-%d}，届满 {Deadline(clock.due_date, clock.provisional)}",  # type: ignore[arg-type]
            changes={
                "to_date": [None, day],
                "resume_note": note.strip()[:300],
                "due_date": [None, clock.due_date],
            },
        )
    return clock


def clock_extend(
    *,
    clock: Clock,
    actor: Any,
    days: int,
    approver: User | None,
    document: str,
    reason: str,
    collective: bool = False,
) -> ClockExtension:
    """延长: add the approved days to the clock, within what its rule allows, before it runs out.

    collective: a further extension beyond the rule's cap (its max_extension_days used up) on
    the ground its ClockSpec.further_extension declares, decided by collective discussion; the
    document is the number of the discussion's record, the approver the head who signs it."""
    permissions.require(actor, EXTEND)
    today = timekeeper.today()
    with audited(actor=actor) as audit:
        clock, obj, flow, spec = _locked(clock)
        _by_hand(spec.extendable, clock, "延长")
        errors = _extension_errors(
            clock, days, approver, document, reason, today, further=spec if collective else None
        )
        if errors:
            raise ValidationError(errors)
        assert approver is not None
        how = "集体讨论决定" if collective else "批准"
        before = clock.due_date
        extension = ClockExtension.objects.create(
            clock=clock,
            days=days,
            approver=approver,
            approver_name=approver.display_name[:150],
            document=document.strip()[:100],
            reason=reason.strip()[:300],
            recorded_by_name=actor_name(actor),
            recorded_at=timekeeper.now(),
        )
        clock.extension_days += days
        update = ["extension_days"]
        if clock.status == RUNNING:
            deadline = _computed(clock)
            clock.due_date, clock.provisional = deadline.date, deadline.provisional
            update += ["due_date", "provisional"]
        clock.save(update_fields=update)
        _history(
            clock,
            ClockHistory.Kind.EXTEND,
            before=before,
            actor_name=actor_name(actor),
            note=f"延长 {days} 个{clock.unit_label()}（{approver.display_name}{how}，"
            f"{extension.document}）：{extension.reason}",
        )
        _mirror(obj, flow, open_clocks(obj).values())
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=extension,
            object_repr=_about(clock, obj),
            summary=f"延长期限：{clock.label} 延长 {days} 个{clock.unit_label()}，"
            + ("经负责人集体讨论决定，" if collective else "")
            + f"批准人 {approver.display_name}，文书 {extension.document}",
            changes={
                "days": days,
                **({"collective": True} if collective else {}),
                "approver": approver.pk,
                "document": extension.document,
                "reason": extension.reason,
                "due_date": [before, clock.due_date],
            },
        )
    return extension


def _extension_errors(
    clock: Clock,
    days: int,
    approver: User | None,
    document: str,
    reason: str,
    today: dt.date,
    *,
    further: ClockSpec | None = None,
) -> dict[str, str]:
    """The reasons the extension is refused; `further`: the clock's spec, for a collective
    further extension beyond the rule's cap."""
    rule = clock.rule
    collective = further is not None
    unit = clock.unit_label()
    if clock.status == STOPPED:
        return {"__all__": f"“{clock.label}”已结束计时，不能延长"}
    if clock.status == RUNNING and clock.due_date is not None and clock.due_date < today:
        return {
            "__all__": f"“{clock.label}”已于 {clock.due_date:%Y-%m-%d} 届满，"
            "届满后不能延长（延长须在期限届满前批准）"
        }
    if further is not None and (beyond := _further_extension_errors(clock, further, days)):
        return beyond
    if rule.max_extension_days == 0 and not collective:
        return {"days": f"“{clock.label}”依据{rule.legal_basis}，不得延长"}
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        return {"days": "延长天数应为正整数"}
    room = rule.max_extension_days - clock.extension_days
    if days > room and not collective:
        return {
            "days": f"“{clock.label}”依据{rule.legal_basis}，最多延长 "
            f"{rule.max_extension_days} 个{unit}（已延长 {clock.extension_days} 个，"
            f"还可延长 {max(room, 0)} 个）"
        }
    errors: dict[str, str] = {}
    if approver is None:
        errors["approver"] = "延长须经批准：请选择批准人"
    elif not permissions.allows(approver, APPROVE):
        roles = "、".join(_role_labels(approver_roles())) or "有批准权限的人员"
        errors["approver"] = f"延长须经批准：批准人应为{roles}"
    if not document.strip():
        errors["document"] = (
            "继续延长须经集体讨论决定：请填写集体讨论记录的编号"
            if collective
            else "延长须经批准：请填写批准文书的文号"
        )
    if not reason.strip():
        errors["reason"] = "请填写延长理由"
    return errors


def _further_extension_errors(clock: Clock, spec: ClockSpec, days: int) -> dict[str, str]:
    """A collective further extension: only where the workflow declares its ground, only after
    the approved extensions reached the rule's cap (Order 2 Art 64: "经延期仍不能作出处理决定的"),
    and for a bounded number of days (the collective decision fixes a reasonable period)."""
    rule = clock.rule
    if not spec.further_extension:
        return {"days": f"“{clock.label}”没有集体讨论决定继续延长的依据，不能超过规定延长"}
    if clock.extension_days < rule.max_extension_days:
        room = rule.max_extension_days - clock.extension_days
        return {
            "days": f"“{clock.label}”还可经批准延长 {room} 个{clock.unit_label()}："
            "用足经批准的延长后，方可经集体讨论决定继续延长"
        }
    if not isinstance(days, bool) and isinstance(days, int) and days > FURTHER_EXTENSION_LIMIT:
        return {"days": f"继续延长的天数应为1至{FURTHER_EXTENSION_LIMIT}之间的整数"}
    return {}


def may_extend_further(actor: Any, spec: ClockSpec, clock: Clock) -> bool:
    """The page offers the collective further extension: declared, cap reached, may extend."""
    return (
        bool(spec.further_extension)
        and may_extend(actor, spec)
        and clock.extension_days >= clock.rule.max_extension_days
    )


def approver_roles() -> tuple[str, ...]:
    """The role codes whose holders may approve an extension (the approver list's choice)."""
    return permissions.get(APPROVE).roles


def _role_labels(codes: Sequence[str]) -> list[str]:
    from regulus.core.models import Role

    labels = dict(Role.Code.choices)
    return [labels.get(code, code) for code in codes]
