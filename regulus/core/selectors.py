"""Reads of the kernel that views and the API serve, always through the data scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from regulus.core import auditwords, clock, permissions
from regulus.core.models import AuditLog, CalendarYear, DataScope, OrgUnit, Role, User
from regulus.core.plugins import Card, card_groups, modules
from regulus.core.scope import scope_unit_ids


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


def core_cards(user: User) -> list[Card]:
    cards = []
    if permissions.allows(user, "core.staff_view"):
        staff = User.objects.visible_to(user).filter(is_active=True).count()
        cards.append(Card("staff", "在岗工作人员（本范围）", staff, reverse("core:staff_list")))
    if permissions.allows(user, "core.audit_view"):
        today = AuditLog.objects.filter(at__date=clock.today()).count()
        cards.append(Card("audit_today", "今日操作记录", today, reverse("core:audit_list")))
    return cards


def dashboard_cards(user: User) -> list[Card]:
    """The home page's cards: every installed app's, in their declared order."""
    return [card for group in card_groups() for card in group.for_user(user)]


def installed_modules() -> list[dict[str, str]]:
    """The modules the installed apps declare, for the login page: name, one line, and the
    address of the module's public page ("" if it has none)."""
    return [
        {
            "name": m.name,
            "description": m.description,
            "url": reverse(m.public_url_name) if m.public_url_name else "",
        }
        for m in modules()
    ]


# -- the security administrator's pages --------------------------------------------------------


def roles_with_permissions() -> list[dict[str, Any]]:
    """Every role with its holders' count, its units (指定单位) and what its kind may do."""
    roles = Role.objects.annotate(holders=Count("users", distinct=True)).prefetch_related(
        "custom_units"
    )
    return [
        {
            "role": role,
            "units": [u.name for u in role.custom_units.all()],
            "permissions": [p.label for p in permissions.for_role(role.code)],
        }
        for role in roles
    ]


def security_settings() -> list[tuple[str, str, str]]:
    """The security settings in force: (what, value, the environment variable that sets it).
    They are read from the environment at start-up (docs/configuration.md)."""
    validators: list[dict[str, Any]] = list(settings.AUTH_PASSWORD_VALIDATORS)  # type: ignore[arg-type]
    options = {v["NAME"].rsplit(".", 1)[-1]: v.get("OPTIONS", {}) for v in validators}
    length = options.get("MinimumLengthValidator", {}).get("min_length", 8)
    classes = options.get("CharacterClassValidator", {}).get("min_classes", 3)
    cooloff_minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return [
        (
            "密码复杂度",
            f"至少{length}位，包含大写字母、小写字母、数字、符号中的至少{classes}类",
            "（代码配置）",
        ),
        (
            "登录失败锁定",
            f"连续失败{settings.AXES_FAILURE_LIMIT}次锁定{cooloff_minutes}分钟",
            "REGULUS_LOGIN_FAILURE_LIMIT、REGULUS_LOGIN_COOLOFF_MINUTES",
        ),
        (
            "空闲自动退出",
            f"{settings.SESSION_COOKIE_AGE // 60}分钟无操作",
            "REGULUS_SESSION_IDLE_MINUTES",
        ),
        (
            "Cookie 仅经 HTTPS 传送",
            "是" if settings.SESSION_COOKIE_SECURE else "否（演示或调试环境）",
            "REGULUS_SECURE_COOKIES",
        ),
        ("上传文件大小上限", f"{settings.UPLOAD_MAX_MB}MB", "REGULUS_UPLOAD_MAX_MB"),
    ]


def lockouts() -> list[dict[str, Any]]:
    """The accounts locked out now: as many failed logins as the limit, within the cool-off
    time (django-axes' attempts), newest first."""
    from axes.models import AccessAttempt

    since = clock.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    rows = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")
    return [
        {
            "username": row.username or "",
            "ip": row.ip_address or "",
            "failures": row.failures_since_start,
            "at": row.attempt_time,
            "until": row.attempt_time + dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME)),
        }
        for row in rows[:200]
    ]


def last_login_record(user: User) -> dict[str, Any] | None:
    """The time and client address of the user's latest login in the operation log (read at
    login, before the new one is written: the previous login, which 等保 2.0 has shown)."""
    row = (
        AuditLog.objects.filter(
            object_type=User._meta.label_lower, object_id=str(user.pk), action=AuditLog.Action.LOGIN
        )
        .order_by("-id")
        .values("at", "ip")
        .first()
    )
    return dict(row) if row else None
