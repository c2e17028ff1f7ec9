"""Writes of 学校食堂: keyword-only functions, one audited transaction each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from regulus.canteens.models import AccompaniedMeal, Canteen, SelfCheck
from regulus.core import clock, permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog
from regulus.core.text import clean_name, clean_text
from regulus.registry.models import Entity

EDIT = "canteens.canteen_edit"
# The standardisation's stages in order, with the date field each one fills.
STAGES = (
    (Canteen.Standard.CREATING, "creating_on"),
    (Canteen.Standard.ACCEPTED, "accepted_on"),
    (Canteen.Standard.COMPLIANT, "compliant_on"),
)


def _not_future(day: dt.date, field: str, label: str) -> None:
    if day > clock.today():
        raise ValidationError({field: f"{label}不能晚于今天（{clock.today():%Y-%m-%d}）"})


def canteen_register(
    *, actor: Any, entity: Entity, school_name: str, school_kind: str, pupils: int
) -> Canteen:
    """Enter a school canteen: its operator is a registry entity, supervised by that
    entity's unit."""
    permissions.require(actor, EDIT)
    name = clean_name(school_name, label="学校名称", field="school_name")
    errors: dict[str, str] = {}
    if not name:
        errors["school_name"] = "请填写学校名称"
    elif len(name) > 100:
        errors["school_name"] = "学校名称不能超过100个字"
    if school_kind not in Canteen.SchoolKind.values:
        errors["school_kind"] = f"学校类型“{school_kind}”无效"
    if isinstance(pupils, bool) or not isinstance(pupils, int) or not 1 <= pupils <= 20000:
        errors["pupils"] = "就餐学生数应为1至20000的整数"
    if Canteen.objects.filter(entity=entity).exists():
        errors["entity"] = f"{entity.name}已登记为学校食堂"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        canteen = Canteen.objects.create(
            entity=entity,
            school_name=name,
            school_kind=school_kind,
            pupils=pupils,
            district_code=entity.district_code,
            unit=entity.unit,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=canteen,
            summary=f"登记学校食堂：{canteen}（{entity.name}）",
            changes={"school_kind": school_kind, "pupils": pupils},
        )
    return canteen


def canteen_standard_set(*, actor: Any, canteen: Canteen, stage: str, on: dt.date) -> Canteen:
    """Move the standardisation to a stage (创建 → 验收 → 达标), dated; each stage follows
    the one before and is dated no earlier than it."""
    permissions.require(actor, EDIT)
    order: list[str] = [str(s) for s, _f in STAGES]
    if stage not in order:
        raise ValidationError({"stage": f"标准化阶段“{stage}”无效"})
    _not_future(on, "on", "日期")
    index = order.index(stage)
    current = order.index(canteen.standard) if canteen.standard in order else -1
    if index != current + 1:
        expected = Canteen.Standard(order[current + 1]).label if current + 1 < len(order) else "无"
        raise ValidationError(
            {"stage": f"标准化食堂须依次创建、验收、达标；下一阶段应为“{expected}”"}
        )
    if index > 0:
        before = getattr(canteen, STAGES[index - 1][1])
        if before and on < before:
            raise ValidationError({"on": f"日期 {on:%Y-%m-%d} 早于上一阶段日期 {before:%Y-%m-%d}"})
    field = STAGES[index][1]
    with audited(actor=actor) as audit:
        old = canteen.standard
        Canteen.objects.filter(pk=canteen.pk).update(standard=stage, **{field: on})
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=canteen,
            summary=f"标准化食堂：{canteen}{Canteen.Standard(stage).label}（{on:%Y-%m-%d}）",
            changes={"standard": [old, stage], field: on},
        )
    canteen.refresh_from_db()
    return canteen


def canteen_kitchen_view_set(*, actor: Any, canteen: Canteen, kind: str, on: dt.date) -> Canteen:
    """Record the 明厨亮灶 form the kitchen is open to view by, from a date."""
    permissions.require(actor, EDIT)
    if kind not in Canteen.KitchenView.values:
        raise ValidationError({"kitchen_view": f"明厨亮灶方式“{kind}”无效"})
    _not_future(on, "on", "实施日期")
    with audited(actor=actor) as audit:
        old = canteen.kitchen_view
        Canteen.objects.filter(pk=canteen.pk).update(kitchen_view=kind, kitchen_view_on=on)
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=canteen,
            summary=f"明厨亮灶：{canteen}{Canteen.KitchenView(kind).label}",
            changes={"kitchen_view": [old, kind], "kitchen_view_on": on},
        )
    canteen.refresh_from_db()
    return canteen


def meal_record(
    *,
    actor: Any,
    canteen: Canteen,
    on: dt.date,
    meal: str,
    leader_role: str,
    opinion: str = "",
    problem_found: bool = False,
) -> AccompaniedMeal:
    """Record a 陪餐: the leader's role (not the person), the meal, what they found."""
    permissions.require(actor, EDIT)
    if meal not in AccompaniedMeal.Meal.values:
        raise ValidationError({"meal": f"餐次“{meal}”无效"})
    _not_future(on, "on", "陪餐日期")
    role = clean_text(leader_role, label="陪餐人职务", field="leader_role")
    if not role or len(role) > 30:
        raise ValidationError({"leader_role": "请填写陪餐人职务（30字以内）"})
    opinion = clean_text(opinion or "", label="陪餐意见", field="opinion")[:300]
    if AccompaniedMeal.objects.filter(canteen=canteen, on=on, meal=meal).exists():
        raise ValidationError(
            {"meal": f"{on:%Y-%m-%d}的{AccompaniedMeal.Meal(meal).label}陪餐已记录"}
        )
    with audited(actor=actor) as audit:
        record = AccompaniedMeal.objects.create(
            canteen=canteen,
            unit=canteen.unit,
            on=on,
            meal=meal,
            leader_role=role,
            opinion=opinion,
            problem_found=problem_found,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=record,
            summary=f"录入陪餐记录：{canteen}，{on:%Y-%m-%d}{record.get_meal_display()}",
            changes={"problem_found": problem_found},
        )
    return record


def self_check_record(
    *,
    actor: Any,
    canteen: Canteen,
    on: dt.date,
    items_checked: int,
    items_failed: int = 0,
    problems: str = "",
) -> SelfCheck:
    """Record the day's self-check (one a day)."""
    permissions.require(actor, EDIT)
    _not_future(on, "on", "自查日期")
    if not 1 <= items_checked <= 200:
        raise ValidationError({"items_checked": "检查项数应为1至200"})
    if not 0 <= items_failed <= items_checked:
        raise ValidationError({"items_failed": "不符合项数应在0和检查项数之间"})
    problems = clean_text(problems or "", label="问题及整改", field="problems")[:300]
    if items_failed and not problems:
        raise ValidationError({"problems": "有不符合项时请填写问题及整改情况"})
    if SelfCheck.objects.filter(canteen=canteen, on=on).exists():
        raise ValidationError({"on": f"{on:%Y-%m-%d}的自查已记录"})
    with audited(actor=actor) as audit:
        record = SelfCheck.objects.create(
            canteen=canteen,
            unit=canteen.unit,
            on=on,
            items_checked=items_checked,
            items_failed=items_failed,
            problems=problems,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=record,
            summary=f"录入每日自查：{canteen}，{on:%Y-%m-%d}，不符合{items_failed}项",
            changes={"items_checked": items_checked, "items_failed": items_failed},
        )
    return record
