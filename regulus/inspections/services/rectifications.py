"""Rectification orders (责令整改) and their re-check (复查): the entity's report stops the
rectification clock and starts the recheck clock; an inspector assigned to the target re-checks,
closing the order or escalating it to enforcement by the CLUE hand-over of services.results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.core.workflow import transition_fire
from regulus.inspections.models import (
    PROBLEM_CODES,
    RECTIFIABLE_CODES,
    ItemResult,
    Rectification,
    ResultCode,
    Target,
)
from regulus.inspections.services.results import clue_send


def _assigned(actor: Any, order: Rectification) -> None:
    if not order.target.assignments.filter(inspector__user=actor, active=True).exists():
        raise ValidationError("只有抽中检查该对象的检查人员才能办理整改复查")


def _day(value: dt.date | None, order: Rectification, field: str, label: str) -> dt.date:
    if value is None:
        raise ValidationError({field: f"请填写{label}"})
    if not order.ordered_on <= value <= clock.today():
        raise ValidationError(
            {field: f"{label}须在责令日期（{order.ordered_on:%Y-%m-%d}）之后且不晚于今天"}
        )
    return value


def rectification_report(
    *, actor: Any, order: Rectification, reported_on: dt.date | None, note: str = ""
) -> Rectification:
    """Record the entity's rectification report (整改报告): the recheck clock starts."""
    permissions.require(actor, "inspections.result_enter")
    _assigned(actor, order)
    day = _day(reported_on, order, "reported_on", "整改报告日期")
    transition_fire(
        obj=order,
        name="report",
        actor=actor,
        note=note.strip() or f"{day:%Y-%m-%d}收到整改报告",
        updates={"reported_on": day},
    )
    return order


def rectification_recheck(
    *,
    actor: Any,
    order: Rectification,
    passed: bool,
    notes: str,
    rechecked_on: dt.date | None,
) -> Rectification:
    """The re-check (复查): rectified closes the order, and the target's problem results
    become "发现问题经责令已改正" (code E, what the public page shows); not rectified escalates
    it, handing the problems over to enforcement with the order's history."""
    permissions.require(actor, "inspections.result_enter")
    _assigned(actor, order)
    day = _day(rechecked_on, order, "rechecked_on", "复查日期")
    if not notes.strip():
        raise ValidationError({"notes": "请填写复查情况"})
    with audited(actor=actor) as audit:
        deadline = order.deadline
        transition_fire(
            obj=order,
            name="pass" if passed else "fail",
            actor=actor,
            note=notes.strip(),
            updates={"rechecked_on": day, "recheck_notes": notes.strip(), "rechecked_by": actor},
        )
        if passed:
            _results_corrected(audit, order)
        else:
            _escalate(audit, order, deadline)
    return order


def _problem_results(
    target: Target, codes: tuple[str, ...] = PROBLEM_CODES
) -> QuerySet[ItemResult]:
    return ItemResult.objects.filter(target=target, code__in=codes).select_related("item")


def _results_corrected(audit: Any, order: Rectification) -> None:
    """Each problem result the order cured now reads 发现问题经责令已改正, one audit row an
    item (published or not: the public page shows the result as it stands)."""
    target = order.target
    for result in _problem_results(target, RECTIFIABLE_CODES):
        ItemResult.objects.filter(pk=result.pk).update(code=ResultCode.CORRECTED)
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=result,
            summary=f"复查合格，检查结果改为“{ResultCode.CORRECTED.label}”："
            f"{target.entity.name}（{result.item.name}）",
            changes={"code": [result.code, ResultCode.CORRECTED.value]},
        )


def _escalate(audit: Any, order: Rectification, deadline: dt.date | None) -> None:
    target = order.target
    results = _problem_results(target)
    clue_send(
        audit,
        target,
        [(r.item, r.code, r.notes) for r in results],
        extra={
            "rectification": {
                "ordered_on": f"{order.ordered_on:%Y-%m-%d}",
                "requirement": order.requirement,
                "deadline": f"{deadline:%Y-%m-%d}" if deadline else "",
                "reported_on": f"{order.reported_on:%Y-%m-%d}" if order.reported_on else "",
                "rechecked_on": f"{order.rechecked_on:%Y-%m-%d}",
                "recheck_notes": order.recheck_notes,
            }
        },
    )
