"""Reads of the kernel that views and the API serve, always through the data scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from regulus.core import auditwords, clock
from regulus.core.extensions import providers
from regulus.core.models import AuditLog, CalendarYear, DataScope, OrgUnit, Role, User
from regulus.core.scope import scope_unit_ids

# Each domain app contributes cards to the home page: "module.path:function", the function
# taking the user and returning a list of {"key", "label", "value", "url"}.
DASHBOARD_CARD_PROVIDERS = (
    "regulus.core.selectors:core_cards",
    "regulus.registry.selectors:dashboard_cards",
    "regulus.licensing.selectors:dashboard_cards",
)


def units_visible_to(user: User) -> QuerySet[OrgUnit]:
    ids = scope_unit_ids(user)
    units = OrgUnit.objects.filter(is_active=True)
    if ids is not None:
        units = units.filter(id__in=sorted(ids))
    return units.order_by("path")


def units_in_tree_order(units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """Depth-first, siblings by their sort order: how staff read the unit tree."""
    units = list(units)
    present = {u.id for u in units}
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in present else None
        children.setdefault(parent, []).append(unit)
    ordered: list[OrgUnit] = []

    def walk(parent: int | None) -> None:
        for unit in sorted(children.get(parent, []), key=lambda u: (u.sort_order, u.id)):
            ordered.append(unit)
            walk(unit.id)

    walk(None)
    return ordered


def staff_search(*, user: User, unit_id: int | None, q: str, role: str) -> QuerySet[User]:
    staff = User.objects.visible_to(user).select_related("unit").prefetch_related("roles")
    if unit_id:
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        staff = staff.filter(unit__path__startswith=unit.path) if unit else staff.none()
    if q:
        staff = staff.filter(
            Q(full_name__contains=q) | Q(username__icontains=q) | Q(law_enforcement_cert=q)
        )
    if role:
        staff = staff.filter(roles__code=role)
    return staff.order_by("unit__path", "username").distinct()


def scope_description(user: User) -> str:
    if user.is_superuser:
        return "全部数据（超级管理员）"
    labels = {
        DataScope.ALL: "全部数据",
        DataScope.CUSTOM: "指定单位数据",
        DataScope.UNIT_AND_BELOW: f"{user.unit}及下级单位数据",
        DataScope.OWN_UNIT: f"{user.unit}数据",
        DataScope.OWN_RECORDS: "本人经办的数据",
    }
    scopes = sorted({r.data_scope for r in user.roles.all()})
    return "；".join(str(labels[DataScope(s)]) for s in scopes) or "无"


def audit_timeline(obj: Any) -> list[dict[str, Any]]:
    rows = AuditLog.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-id")[:100]
    return [audit_event(row) for row in rows]


def audit_change_lines(row: AuditLog) -> list[tuple[str, str]]:
    """A row's changes as (Chinese name, "old → new" or the value), as users read them
    (core.auditwords)."""
    return auditwords.change_lines([row])[0]


def audit_rows_with_lines(rows: Iterable[AuditLog]) -> list[AuditLog]:
    """The rows of a log page, each with its `change_lines` and `object_type_name`; the
    objects their foreign keys name are fetched once for the page."""
    rows = list(rows)
    for row, lines in zip(rows, auditwords.change_lines(rows), strict=True):
        row.change_lines = lines  # type: ignore[attr-defined]
        row.object_type_name = auditwords.object_type_name(row.object_type)  # type: ignore[attr-defined]
    return rows


def audit_object_types() -> list[tuple[str, str]]:
    """The object types the log holds, as (type, Chinese name) for its filter: one seek of
    the (object_type, object_id) index a type, never a scan of the log."""
    found: list[tuple[str, str]] = []
    rows = AuditLog.objects.exclude(object_type="").order_by("object_type")
    current = rows.values_list("object_type", flat=True).first()
    while current is not None:
        found.append((current, auditwords.object_type_name(current)))
        current = rows.filter(object_type__gt=current).values_list("object_type", flat=True).first()
    return sorted(found, key=lambda pair: pair[1])


def audit_event(row: AuditLog) -> dict[str, Any]:
    changed = (
        "、".join(auditwords.changed_names(row)) if row.action == AuditLog.Action.UPDATE else ""
    )
    return {
        "at": row.at, "actor_name": row.actor_name, "unit_name": row.unit_name,
        "title": row.summary or f"{row.get_action_display()}{row.object_repr}",
        "detail": f"修改：{changed}" if changed else "", "action": row.action,
    }  # fmt: skip


def audit_search(
    *, actor: str = "", action: str = "", date_from: str = "", date_to: str = "",
    object_type: str = "",
) -> QuerySet[AuditLog]:  # fmt: skip
    rows = AuditLog.objects.all()
    if actor:
        rows = rows.filter(actor_name__contains=actor)
    if action:
        rows = rows.filter(action=action)
    if object_type:
        rows = rows.filter(object_type=object_type)
    for raw, lookup in ((date_from, "at__date__gte"), (date_to, "at__date__lte")):
        try:
            rows = rows.filter(**{lookup: dt.date.fromisoformat(raw)}) if raw else rows
        except ValueError:
            continue
    return rows.order_by("-id")


def calendar_year_loaded(year: int) -> bool:
    return CalendarYear.objects.filter(year=year).exists()


def core_cards(user: User) -> list[dict[str, Any]]:
    cards = [
        {
            "key": "staff",
            "label": "在岗工作人员（本范围）",
            "url": "/staff/",
            "value": User.objects.visible_to(user).filter(is_active=True).count(),
        }
    ]
    if user.has_role(Role.Code.ADMIN, Role.Code.AUDITOR):
        today = clock.today()
        cards.append(
            {
                "key": "audit_today",
                "label": "今日操作记录",
                "url": "/audit/",
                "value": AuditLog.objects.filter(at__date=today).count(),
            }
        )
    return cards


def dashboard_cards(user: User) -> list[dict[str, Any]]:
    return [card for provider in providers(DASHBOARD_CARD_PROVIDERS) for card in provider(user)]
