"""The page of an object's clocks: each clock's date and how it was computed, its pauses,
extensions and history, and the forms to pause, resume and extend it where its workflow allows
it (core.workflow.ClockSpec) and the user holds the permission (core.clock_pause,
core.clock_extend). Thin: parse, call a clock service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regulus.core import clock, clock_selectors, clock_services
from regulus.core.errors import flash_errors
from regulus.core.models import (
    Clock,
    ClockExtension,
    ClockPause,
    ClockRule,
    ClockUnit,
    PauseReason,
    User,
)
from regulus.core.permissions import allows, page, require
from regulus.core.text import LINE, clean_fields

RESUME_NOTE_MAX = ClockPause._meta.get_field("resume_note").max_length

# The fields of each form, by the keys its service names them with in its errors.
FIELD_LABELS = {
    "pause": {"reason": "中止事由", "note": "说明", "since": "中止日"},
    "resume": {"note": "说明", "on": "恢复日"},
    "extend": {
        "days": "延长天数",
        "approver": "批准人",
        "document": "批准文书",
        "reason": "延长理由",
    },
}
FIELD_LABELS["extend_further"] = {**FIELD_LABELS["extend"], "document": "集体讨论记录"}


@page("core.clock_view")
def object_clocks(request: HttpRequest, object_type: str, object_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    obj = clock_selectors.clocked_object(user, object_type, object_id)
    flow = type(obj).workflow  # type: ignore[attr-defined]
    if request.method == "POST":
        _act(request, user, obj)
        return redirect(request.path)
    views = clock_selectors.object_clocks(obj)
    for cv in views:
        spec = flow.clocks.get(cv.clock.name)
        if spec is not None:
            cv.actions = _actions(user, cv, spec)
    back = getattr(obj, "get_absolute_url", None)
    return render(
        request,
        "core/object_clocks.html",
        {"obj": obj, "clocks": views, "today": clock.today(), "back_url": back() if back else ""},
    )


def _actions(user: User, cv: clock_selectors.ClockView, spec: Any) -> dict[str, Any]:
    """The forms the user may use on the clock: the services' own permission checks, and only
    what its rule allows in its state (the services check the rules again)."""
    c = cv.clock
    may_pause = clock_services.may_pause(user, spec)
    actions: dict[str, Any] = {}
    if may_pause and c.status == Clock.Status.RUNNING and c.rule.pause_reasons:
        labels = dict(PauseReason.choices)
        actions["pause"] = True
        actions["pause_reasons"] = [(r, labels.get(r, r)) for r in c.rule.pause_reasons]
    if may_pause and c.status == Clock.Status.PAUSED:
        actions["resume"] = True
    further = clock_services.may_extend_further(user, spec, c)
    if not cv.is_overdue and c.status != Clock.Status.STOPPED and further:
        actions["extend_further"] = spec.further_extension
    may_extend = clock_services.may_extend(user, spec) and cv.can_extend_more
    if not cv.is_overdue and (may_extend or "extend_further" in actions):
        actions["extend"] = may_extend
        actions["approvers"] = list(
            User.objects.visible_to(user)
            .filter(roles__code__in=clock_services.approver_roles(), is_active=True)
            .select_related("unit")
            .distinct()
            .order_by("unit__path", "username")[:200]
        )
    return actions


def _act(request: HttpRequest, user: User, obj: models.Model) -> None:
    post = request.POST
    clock_id = _int(post.get("clock"))
    target = Clock.objects.filter(
        pk=clock_id or 0,
        object_id=obj.pk,
        content_type__model=obj._meta.model_name,
        content_type__app_label=obj._meta.app_label,
    ).first()
    if target is None:
        raise Http404
    action = post.get("action", "")
    try:
        if action == "pause":
            text = clean_fields(post, {"note": ("说明", LINE)}, model=ClockPause)
            clock_services.clock_pause(
                clock=target,
                actor=user,
                reason=post.get("reason", ""),
                note=text["note"],
                since=_date(post.get("since"), "since"),
            )
            messages.success(request, f"已中止“{target.label}”")
        elif action == "resume":
            text = clean_fields(post, {"note": ("说明", LINE, RESUME_NOTE_MAX)})
            clock_services.clock_resume(
                clock=target, actor=user, note=text["note"], on=_date(post.get("on"), "on")
            )
            messages.success(request, f"已恢复“{target.label}”")
        elif action in ("extend", "extend_further"):
            text = clean_fields(
                post,
                {"document": ("批准文书", LINE), "reason": ("延长理由", LINE)},
                model=ClockExtension,
            )
            days = _int(post.get("days"))
            if days is None:
                raise ValidationError({"days": "请填写延长天数（正整数）"})
            approver_id = _int(post.get("approver"))
            approver = User.objects.visible_to(user).filter(pk=approver_id or 0).first()
            clock_services.clock_extend(
                clock=target,
                actor=user,
                days=days,
                approver=approver,
                document=text["document"],
                reason=text["reason"],
                collective=action == "extend_further",
            )
            messages.success(request, f"已登记“{target.label}”的延长")
        else:
            raise ValidationError("未知操作")
    except ValidationError as exc:
        flash_errors(request, exc, FIELD_LABELS.get(action, {}))


def _int(raw: str | None) -> int | None:
    """A whole number a database column can hold (a key, a number of days), else None."""
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if -(2**63) < value < 2**63 else None


def _date(raw: str | None, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: "请按YYYY-MM-DD填写有效日期"}) from None


@page("core.clock_rule_view")
def clock_rules(request: HttpRequest) -> HttpResponse:
    """The rules behind every clock and their versions; an administrator enters a new version
    when a law or local rule changes, or withdraws one not yet in force."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        require(user, "core.clock_rule_manage")
        _rule_act(request, user)
        return redirect(request.path)
    context = {
        "families": clock_selectors.clock_rule_families(user),
        "can_manage": allows(user, "core.clock_rule_manage"),
        "today": clock.today(),
        "units": ClockUnit.choices,
        "pause_reasons": PauseReason.choices,
    }
    return render(request, "core/clock_rules.html", context)


def _rule_act(request: HttpRequest, user: User) -> None:
    post = request.POST
    try:
        if post.get("action") == "withdraw":
            rule = ClockRule.objects.filter(pk=_int(post.get("rule")) or 0).first()
            if rule is None:
                raise Http404
            clock_services.clock_rule_version_withdraw(actor=user, rule=rule)
            messages.success(request, f"已撤回{rule}")
            return
        text = clean_fields(
            post, {"legal_basis": ("法律依据", LINE), "note": ("说明", LINE)}, model=ClockRule
        )
        effective = _date(post.get("effective_from"), "effective_from")
        if effective is None:
            raise ValidationError({"effective_from": "请填写施行日期"})
        rule = clock_services.clock_rule_version_add(
            actor=user,
            code=post.get("code", ""),
            effective_from=effective,
            days=_int(post.get("days")),
            unit=post.get("unit", ""),
            legal_basis=text["legal_basis"],
            max_extension_days=_whole_or(post.get("max_extension_days"), default=0),
            pause_reasons=post.getlist("pause_reasons"),
            note=text["note"],
        )
        messages.success(request, f"已录入{rule}")
    except ValidationError as exc:
        flash_errors(request, exc, clock_services.RULE_FIELDS)


def _whole_or(raw: str | None, *, default: int) -> int:
    """A whole number typed in a field, the default when it is left empty, and -1 (which every
    range check refuses) when it is not a number."""
    if not (raw or "").strip():
        return default
    value = _int(raw)
    return -1 if value is None else value
