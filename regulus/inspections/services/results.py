"""Results (检查结果) by the assigned inspectors, and their publication (一公开).

What a result hands over to other apps (core.handover), sent inside the result's audited write,
one record per topic and target (source: the inspections.target):

- kind CLUE, topic "inspections.problem_found" (抽查发现问题): for enforcement. `data`:
  {"task": task number, "items": [{"item": item code, "name": item name, "code": result code,
  "label": its label, "notes": the inspector's notes}] for every problem item,
  "inspectors": [inspector numbers], "checked_on": "YYYY-MM-DD"}. Problem codes: 3, 4, 5, 8,
  A, B, C, D (PROBLEM_CODES). Sent when the inspector hands the problems over at once
  (disposal "clue"); when they order a rectification instead (disposal "rectify"), sent only
  if the re-check fails, with "rectification": {"ordered_on", "requirement", "deadline",
  "reported_on", "rechecked_on", "recheck_notes"} added (services.rectifications).
- kind CREDIT, topic "inspections.unreachable" (通过登记的住所无法联系): for credit (经营异常名录,
  企业信息公示暂行条例 Art 17). `data`: {"task", "code": "6", "checked_on", "inspectors"}.
- kind CREDIT, topic "inspections.false_publicity" (公示信息隐瞒真实情况弄虚作假, code C): for
  credit. `data`: as for "inspections.unreachable", with "code": "C".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.clock_services import clock_start
from regulus.core.handover import handover_send
from regulus.core.models import AuditLog, Handover
from regulus.core.scope import unit_is_visible
from regulus.core.workflow import event_record, transition_fire
from regulus.inspections.models import (
    PROBLEM_CODES,
    ItemResult,
    Rectification,
    ResultCode,
    Target,
)
from regulus.inspections.selectors import target_items
from regulus.inspections.services.visits import rating_code_new
from regulus.inspections.workflow import RECTIFICATION_FLOW

CREDIT_TOPICS = {
    "6": ("inspections.unreachable", "通过登记的住所（经营场所）无法联系"),
    "C": ("inspections.false_publicity", "公示信息隐瞒真实情况弄虚作假"),
}
# What the inspector does with the problems a check found.
DISPOSALS = {"rectify": "责令整改，期满复查", "clue": "移交执法线索"}


def result_enter(
    *,
    actor: Any,
    target: Target,
    codes: dict[int, str],
    notes: dict[int, str] | None = None,
    checked_on: dt.date | None,
    disposal: str = "clue",
    requirement: str = "",
) -> Target:
    """Enter (or correct, until published) the result of every item checked at the target's
    visit (its task's, and those of tasks merged into it): only an inspector assigned to it
    may. When problems are found, `disposal` says what follows: a rectification order with
    `requirement` ("rectify") or a clue for enforcement at once ("clue")."""
    permissions.require(actor, "inspections.result_enter")
    if not target.assignments.filter(inspector__user=actor, active=True).exists():
        raise ValidationError("只有抽中检查该对象的检查人员才能录入检查结果")
    if target.state == Target.State.PUBLISHED:
        raise ValidationError("检查结果已公示，不能修改")
    task = target.task
    # Its task's items and those of the tasks merged into the visit (综合查一次).
    items = target_items(target)
    notes = notes or {}
    errors: dict[str, str] = {}
    for item in items:
        if codes.get(item.pk, "") not in ResultCode.values:
            errors[f"code_{item.pk}"] = f"“{item.name}”的检查结果须从标准结果代码中选择"
    if checked_on is None:
        errors["checked_on"] = "请填写检查日期"
    elif not task.check_from <= checked_on <= min(task.check_to, clock.today()):
        errors["checked_on"] = (
            f"检查日期须在任务检查期间（{task.check_from:%Y-%m-%d}至{task.check_to:%Y-%m-%d}）"
            "且不晚于今天"
        )
    if set(codes) - {i.pk for i in items}:
        errors["items"] = "只能录入本任务的检查事项"
    found = any(codes.get(i.pk) in PROBLEM_CODES for i in items)
    ordered = Rectification.objects.filter(target=target).exists()
    if found and not ordered:
        if disposal not in DISPOSALS:
            errors["disposal"] = "发现问题的，须选择责令整改或移交执法线索"
        elif disposal == "rectify" and not requirement.strip():
            errors["requirement"] = "责令整改的，须填写整改要求"
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    with audited(actor=actor) as audit:
        for item in items:
            ItemResult.objects.update_or_create(
                target=target,
                item=item,
                defaults={
                    "code": codes[item.pk],
                    "notes": notes.get(item.pk, "").strip(),
                    "entered_by": actor,
                    "entered_at": now,
                },
            )
        labels = "；".join(f"{i.name}：{ResultCode(codes[i.pk]).label}" for i in items)
        if target.state == Target.State.ASSIGNED:
            # The check is over: the entity may now rate the visit with this code (亮码检查).
            transition_fire(
                obj=target,
                name="check",
                actor=actor,
                note=labels,
                updates={"checked_on": checked_on, "rating_code": rating_code_new()},
            )
        else:
            Target.objects.filter(pk=target.pk).update(checked_on=checked_on)
            target.checked_on = checked_on
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=target,
            summary=f"录入检查结果：{target.entity.name}（检查日期{checked_on:%Y年%m月%d日}）",
        )
        problems = [i for i in items if codes[i.pk] in PROBLEM_CODES]
        if problems and not ordered and disposal == "rectify":
            _rectification_order(audit, actor, target, problems, codes, requirement)
        elif problems and not ordered:
            clue_send(audit, target, [(i, codes[i.pk], notes.get(i.pk, "")) for i in problems])
        _hand_over(audit, target, items, codes)
    return target


def _rectification_order(
    audit: Any, actor: Any, target: Target, problems: list, codes: dict, requirement: str
) -> Rectification:
    """The order made at the check (责令整改), its clock running from the check day."""
    order = Rectification.objects.create(
        target=target,
        problems="；".join(f"{i.name}：{ResultCode(codes[i.pk]).label}" for i in problems),
        requirement=requirement.strip(),
        ordered_by=actor,
        ordered_on=target.checked_on or clock.today(),
    )
    event_record(
        obj=order,
        workflow=RECTIFICATION_FLOW,
        state=order.state,
        actor=actor,
        label="责令整改",
        note=f"{order.problems}。整改要求：{order.requirement}",
    )
    clock_start(obj=order, name="rectification", actor=actor, start=order.ordered_on)
    order.refresh_from_db()
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=order,
        summary=f"责令整改：{target.entity.name}，{order.deadline:%Y-%m-%d}前完成",
        changes={"problems": order.problems, "requirement": order.requirement},
    )
    return order


def _common(target: Target) -> dict[str, Any]:
    return {
        "task": target.task.number,
        "checked_on": f"{target.checked_on:%Y-%m-%d}",
        "inspectors": list(
            target.assignments.filter(active=True).values_list("inspector__number", flat=True)
        ),
    }


def _send(audit: Any, target: Target, **what: Any) -> Handover:
    """A hand-over about a checked target: from its task's unit, dated its check day."""
    return handover_send(
        audit=audit,
        source=target,
        unit=target.task.unit,
        occurred_on=target.checked_on or clock.today(),
        entity=target.entity,
        source_number=target.task.number,
        **what,
    )


def clue_send(
    audit: Any,
    target: Target,
    problems: list[tuple[Any, str, str]],
    extra: dict[str, Any] | None = None,
) -> Handover:
    """The CLUE "inspections.problem_found" for enforcement: problems are (item, code, notes)."""
    return _send(
        audit,
        target,
        kind=Handover.Kind.CLUE,
        topic="inspections.problem_found",
        topic_label="双随机抽查发现问题",
        source_url=f"/inspections/targets/{target.pk}/result/",
        title=f"双随机抽查发现问题：{target.entity.name}",
        detail="；".join(f"{i.name}：{ResultCode(code).label}" for i, code, _n in problems),
        data={
            **_common(target),
            "items": [
                {
                    "item": i.code,
                    "name": i.name,
                    "code": code,
                    "label": ResultCode(code).label,
                    "notes": note,
                }
                for i, code, note in problems
            ],
            **(extra or {}),
        },
    )


def _hand_over(audit: Any, target: Target, items: list, codes: dict) -> None:
    common = _common(target)
    for code, (topic, label) in CREDIT_TOPICS.items():
        if any(codes[i.pk] == code for i in items):
            _send(
                audit,
                target,
                kind=Handover.Kind.CREDIT,
                topic=topic,
                topic_label=label,
                title=f"{label}：{target.entity.name}",
                data={**common, "code": code},
            )


def result_publish(*, actor: Any, target: Target) -> Target:
    """Publish a checked target's result on the portal (the entity's public page)."""
    permissions.require(actor, "inspections.publish")
    if not unit_is_visible(actor, target.task.unit):
        raise ValidationError("只能公示本单位任务的检查结果")
    if target.state != Target.State.CHECKED:
        raise ValidationError("只有已检查、待公示的结果才能公示")
    transition_fire(
        obj=target,
        name="publish",
        actor=actor,
        note="公示检查结果",
        updates={
            "published_on": clock.today(),
            "published_on_time": target.deadline is None or clock.today() <= target.deadline,
        },
    )
    return target


STATS_HEADER = (
    "实施单位",
    "任务",
    "联合抽查任务",
    "抽中户数",
    "已检查",
    "发现问题",
    "问题发现率（%）",
    "已公示",
    "按期公示",
    "按期公示率（%）",
    "联合抽查占比（%）",
    "综合查一次户数",
    "综合查一次占比（%）",
    "被检查主体评价数",
    "平均评价（1–5）",
)


def stats_export(*, actor: Any, year: int) -> bytes:
    """The year's counts per unit and in total, as an .xlsx workbook."""
    from regulus.core.documents import xlsx_bytes
    from regulus.inspections.selectors import year_stats

    permissions.require(actor, "inspections.view")
    data = year_stats(actor, year)
    keys = (
        "unit",
        "tasks",
        "joint",
        "drawn",
        "checked",
        "problems",
        "problem_rate",
        "published",
        "on_time",
        "on_time_rate",
        "joint_share",
        "joint_visits",
        "joint_visit_share",
        "rated",
        "rating_avg",
    )
    rows = [[r[k] for k in keys] for r in [*data["rows"], data["total"]]]
    body = xlsx_bytes([(f"{year}年双随机抽查统计", STATS_HEADER, rows)])
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="inspections.stats",
            summary=f"导出{year}年双随机抽查统计",
        )
    return body
