"""The catalogue: matters, their dated time-limit rules, and bundles (一件事套餐)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from regulus.core import permissions
from regulus.core.audit import audited, diff, snapshot
from regulus.core.models import AuditLog
from regulus.licensing.models import (
    Bundle,
    BundleMatter,
    EntityKindChoice,
    Matter,
    MatterRule,
)
from regulus.registry.rules import industry_code_error

# -- catalogue administration ----------------------------------------------------------------------

MATTER_FIELDS = [
    "name",
    "department",
    "treatment",
    "legal_basis",
    "permit_item",
    "commitment_allowed",
    "commitment_conditions",
    "onsite_check_required",
    "validity_years",
    "entity_kinds",
    "is_active",
    "sort_order",
]


MANAGE = "licensing.catalogue_manage"


def matter_update(*, actor: Any, matter: Matter, **changes: Any) -> Matter:
    permissions.require(actor, MANAGE)
    unknown = set(changes) - set(MATTER_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    bad_kinds = set(changes.get("entity_kinds", [])) - set(EntityKindChoice.values)
    if bad_kinds:
        raise ValidationError({"entity_kinds": "主体类型不正确"})
    with audited(actor=actor) as audit:
        before = snapshot(matter, MATTER_FIELDS)
        for key, value in changes.items():
            setattr(matter, key, value)
        matter.save()
        after = snapshot(matter, MATTER_FIELDS)
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=matter,
            summary=f"修改事项：{matter.name}",
            changes=diff(before, after),
        )
    return matter


# The largest value a rule's day count may hold (a small integer column).
RULE_DAYS_MAX = 32767


def matter_rule_add(
    *,
    actor: Any,
    matter: Matter,
    effective_from: dt.date,
    statutory_days: int,
    promised_days: int,
    verification_days: int | None = None,
    acceptance_days: int | None = None,
    issue_days: int | None = None,
    delivery_days: int | None = None,
    rectification_days: int | None = None,
    note: str = "",
) -> MatterRule:
    """A new version of a matter's limits from a date on; applications already submitted keep
    the limits they copied. A limit other than the statutory and promised days left out (None)
    carries over from the rule in force before `effective_from`, or takes the field's default
    for a matter's first rule."""
    permissions.require(actor, MANAGE)
    given = {
        "verification_days": verification_days,
        "acceptance_days": acceptance_days,
        "issue_days": issue_days,
        "delivery_days": delivery_days,
        "rectification_days": rectification_days,
    }
    # The rule in force the day before (or a blank rule, holding the fields' defaults).
    previous = (
        matter.rules.filter(effective_from__lt=effective_from).order_by("-effective_from").first()
        or MatterRule()
    )
    steps = {
        field: int(getattr(previous, field) if value is None else value)
        for field, value in given.items()
    }
    days = {"statutory_days": statutory_days, "promised_days": promised_days, **steps}
    errors: dict[str, str] = {}
    for field, value in days.items():
        label = MatterRule.day_field(field).verbose_name
        if value < 0:
            errors[field] = f"{label}不能为负数"
        elif value > RULE_DAYS_MAX:
            errors[field] = f"{label}不能超过{RULE_DAYS_MAX}"
    if promised_days > statutory_days and "promised_days" not in errors:
        errors["promised_days"] = "承诺时限不能超过法定时限"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        if MatterRule.objects.filter(matter=matter, effective_from=effective_from).exists():
            raise ValidationError({"effective_from": f"{effective_from}已有一条时限规则"})
        rule = MatterRule.objects.create(
            matter=matter, effective_from=effective_from, note=note, **days
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=rule,
            summary=f"新增时限规则：{matter.name} 自{effective_from}",
            changes=snapshot(rule),
        )
    return rule


# -- bundles (一件事套餐) ------------------------------------------------------------------------

# The icons a bundle may show on the portal (Bootstrap Icons, vendored; rendered as
# `bi bi-<icon>`): those of the catalogue's bundles first, then a few for other kinds of shop.
BUNDLE_ICONS: tuple[tuple[str, str], ...] = (
    ("shop", "店铺"),
    ("cart3", "购物车（超市）"),
    ("capsule", "胶囊（药店）"),
    ("prescription2", "处方（药品）"),
    ("heart-pulse", "心电（医疗器械）"),
    ("cup-hot", "热饮（餐饮）"),
    ("egg-fried", "煎蛋（小餐饮）"),
    ("basket", "菜篮（农贸、生鲜）"),
    ("cake2", "蛋糕（烘焙）"),
    ("scissors", "剪刀（美容美发）"),
    ("eyeglasses", "眼镜（眼镜店）"),
    ("tools", "工具（维修）"),
    ("truck", "货车（物流）"),
    ("building", "楼宇（企业）"),
)
BUNDLE_FIELDS = ["name", "description", "icon", "industry_code", "is_active", "sort_order"]
BUNDLE_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
BUNDLE_CODE_MAX = Bundle._meta.get_field("code").max_length or 40
BUNDLE_NAME_MAX = Bundle._meta.get_field("name").max_length or 100
# The largest sort order every database holds (a PositiveIntegerField).
SORT_ORDER_MAX = 2147483647


def _bundle_code_error(code: str) -> str | None:
    if not code:
        return "请填写编码"
    if len(code) > BUNDLE_CODE_MAX:
        return f"编码不能超过{BUNDLE_CODE_MAX}个字符"
    if not BUNDLE_CODE_RE.match(code):
        return (
            "编码只能使用小写英文字母、数字、连字符（-）和下划线（_），"
            "并以字母或数字开头，如 open-bakery"
        )
    return None


def _bundle_code_taken(code: str) -> str | None:
    other = Bundle.objects.filter(code=code).first()
    if other is None:
        return None
    return f"编码“{code}”已被一件事“{other.name}”使用，编码不能重复"


def _bundle_field_errors(values: Mapping[str, Any], *, old_icon: str = "") -> dict[str, str]:
    """The rules of a bundle's own fields, every broken one by its field."""
    errors: dict[str, str] = {}
    if "name" in values:
        name = values["name"]
        if not name:
            errors["name"] = "请填写名称"
        elif len(name) > BUNDLE_NAME_MAX:
            errors["name"] = f"名称不能超过{BUNDLE_NAME_MAX}个字"
    # A bundle may keep an icon it already has (one set in the Django admin, say).
    icon = values.get("icon")
    if icon is not None and icon not in dict(BUNDLE_ICONS) and not (old_icon and icon == old_icon):
        errors["icon"] = "请从列出的图标中选择一个"
    if "sort_order" in values:
        order = values["sort_order"]
        if not isinstance(order, int) or isinstance(order, bool) or order < 0:
            errors["sort_order"] = "排序应为不小于0的整数"
        elif order > SORT_ORDER_MAX:
            errors["sort_order"] = f"排序不能超过{SORT_ORDER_MAX}"
    if "is_active" in values and not isinstance(values["is_active"], bool):
        errors["is_active"] = "启用应为是或否"
    industry_error = industry_code_error(values.get("industry_code") or "")
    if industry_error:
        errors["industry_code"] = industry_error
    return errors


def _bundle_matters_resolve(
    matter_codes: Iterable[str], *, current: Iterable[int] = ()
) -> tuple[list[Matter], str | None]:
    """The matters named by the codes, in that order, or the message of every rule broken:
    at least one matter, each at most once, each known, and a matter not already in the
    bundle (`current`: its matter ids) must be active."""
    codes = [c.strip() for c in matter_codes if c and c.strip()]
    if not codes:
        return [], "一件事至少要包含一个事项"
    by_code = {m.code: m for m in Matter.objects.filter(code__in=set(codes))}
    problems: list[str] = []
    unknown = [c for c in dict.fromkeys(codes) if c not in by_code]
    if unknown:
        problems.append(f"没有编码为“{'、'.join(unknown)}”的事项")
    repeated = [c for c in dict.fromkeys(codes) if codes.count(c) > 1 and c in by_code]
    if repeated:
        names = "、".join(by_code[c].name for c in repeated)
        problems.append(f"事项“{names}”重复出现，同一事项在一件事中只能出现一次")
    kept = set(current)
    inactive = [
        by_code[c].name
        for c in dict.fromkeys(codes)
        if c in by_code and not by_code[c].is_active and by_code[c].pk not in kept
    ]
    if inactive:
        problems.append(f"事项“{'、'.join(inactive)}”已停用，只能加入启用的事项")
    if problems:
        return [], "；".join(problems)
    return [by_code[c] for c in codes], None


def _bundle_matters_write(bundle: Bundle, matters: list[Matter]) -> None:
    BundleMatter.objects.filter(bundle=bundle).delete()
    BundleMatter.objects.bulk_create(
        [BundleMatter(bundle=bundle, matter=m, sort_order=i) for i, m in enumerate(matters)]
    )


def bundle_create(
    *,
    actor: Any,
    code: str,
    name: str,
    description: str = "",
    icon: str = "shop",
    industry_code: str = "",
    is_active: bool = True,
    sort_order: int = 0,
    matter_codes: Iterable[str],
) -> Bundle:
    """A new 一件事 with its matters, in the order given. The code (the portal's address of
    the bundle) is a unique lowercase slug and does not change afterwards."""
    permissions.require(actor, MANAGE)
    code = (code or "").strip()
    values = {
        "name": (name or "").strip(),
        "description": (description or "").strip(),
        "icon": icon,
        "industry_code": (industry_code or "").strip(),
        "is_active": is_active,
        "sort_order": sort_order,
    }
    errors = _bundle_field_errors(values)
    code_error = _bundle_code_error(code) or _bundle_code_taken(code)
    if code_error:
        errors["code"] = code_error
    matters, matters_error = _bundle_matters_resolve(matter_codes)
    if matters_error:
        errors["matters"] = matters_error
    if errors:
        raise ValidationError(errors)
    try:
        with audited(actor=actor) as audit:
            bundle = Bundle.objects.create(code=code, **values)
            _bundle_matters_write(bundle, matters)
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=bundle,
                summary=f"新增一件事：{bundle.name}（{bundle.code}），含事项"
                f"{'、'.join(m.name for m in matters)}",
                # As [old, new] pairs, like every change row (the old of a new bundle is None).
                changes=diff(
                    {},
                    {
                        **snapshot(bundle, ["code", *BUNDLE_FIELDS]),
                        "matters": [m.code for m in matters],
                    },
                ),
            )
    except IntegrityError:  # the same code saved a moment ago by someone else
        raise ValidationError({"code": _bundle_code_taken(code) or "编码不能重复"}) from None
    return bundle


def bundle_update(*, actor: Any, bundle: Bundle, **changes: Any) -> Bundle:
    """Change a bundle's name, description, icon, active flag or sort order. Deactivating
    takes it off the portal and the window; applications already submitted keep going."""
    permissions.require(actor, MANAGE)
    unknown = set(changes) - set(BUNDLE_FIELDS)
    if unknown:
        raise ValidationError(f"不能修改：{'、'.join(sorted(unknown))}")
    for key in ("name", "description", "industry_code"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    errors = _bundle_field_errors(changes, old_icon=bundle.icon)
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        before = snapshot(locked, BUNDLE_FIELDS)
        for key, value in changes.items():
            setattr(locked, key, value)
        after = snapshot(locked, BUNDLE_FIELDS)
        changed = diff(before, after)
        if not changed:
            return locked
        locked.save(update_fields=sorted(changed))
        if "is_active" in changed:
            state = "启用" if locked.is_active else "停用（已提交的办件照常办理）"
            summary = f"修改一件事：{locked.name}，{state}"
        else:
            summary = f"修改一件事：{locked.name}"
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=locked,
            summary=summary,
            changes=changed,
        )
    for key in changed:
        setattr(bundle, key, getattr(locked, key))
    return locked


def bundle_set_matters(*, actor: Any, bundle: Bundle, matter_codes: Iterable[str]) -> Bundle:
    """Set the bundle's matters to these, in this order: add, remove and reorder at once.

    Applications already submitted keep their own copy of their matters and rules
    (ApplicationItem), so a removed matter stays on them; only new applications follow."""
    permissions.require(actor, MANAGE)
    codes = list(matter_codes)
    with audited(actor=actor) as audit:
        locked = Bundle.objects.select_for_update().get(pk=bundle.pk)
        old = list(
            BundleMatter.objects.filter(bundle=locked)
            .select_related("matter")
            .order_by("sort_order", "id")
        )
        matters, error = _bundle_matters_resolve(codes, current=[bm.matter_id for bm in old])
        if error:
            raise ValidationError({"matters": error})
        old_codes = [bm.matter.code for bm in old]
        new_codes = [m.code for m in matters]
        if old_codes == new_codes:
            return locked
        _bundle_matters_write(locked, matters)
        added = [m.name for m in matters if m.code not in old_codes]
        removed = [bm.matter.name for bm in old if bm.matter.code not in new_codes]
        parts = []
        if added:
            parts.append(f"加入{'、'.join(added)}")
        if removed:
            parts.append(f"移除{'、'.join(removed)}")
        if not parts:
            parts.append("调整顺序")
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=locked,
            summary=f"调整一件事“{locked.name}”的事项：{'；'.join(parts)}",
            changes={"matters": [old_codes, new_codes]},
        )
    return locked
