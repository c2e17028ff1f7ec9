"""Writes of the kernel: org units and staff. Each one transaction, each audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from regulus.core.audit import audit_record, diff, snapshot
from regulus.core.models import AuditLog, CalendarDay, OrgUnit, Role, User
from regulus.core.scope import unit_is_visible
from regulus.core.tokens import tokens_revoke_all

STAFF_AUDITED_FIELDS = ("username", "full_name", "unit_id", "phone", "is_active",
                        "law_enforcement_cert")  # fmt: skip


def orgunit_create(
    *, actor: User | None, name: str, kind: str, parent: OrgUnit | None = None,
    division_code: str = "", short_name: str = "", sort_order: int = 0,
) -> OrgUnit:  # fmt: skip
    if kind not in OrgUnit.Kind.values:
        raise ValidationError({"kind": f"单位类型“{kind}”不存在"})
    with transaction.atomic():
        unit = OrgUnit.objects.create(
            name=name, kind=kind, parent=parent, division_code=division_code,
            short_name=short_name, sort_order=sort_order,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action=AuditLog.Action.CREATE,
            obj=unit,
            changes=snapshot(unit, ["name", "kind", "parent_id", "division_code"]),
        )
    return unit


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.Code.ADMIN):
        raise PermissionDenied("只有系统管理员可以管理工作人员账号")


def staff_create(
    *, actor: User, username: str, full_name: str, unit: OrgUnit, password: str,
    roles: Iterable[Role] = (), phone: str = "",
) -> User:  # fmt: skip
    _require_admin(actor)
    if not unit_is_visible(actor, unit):
        raise ValidationError({"unit": "所选单位不在您的管理范围内"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用"})
    roles = list(roles)
    user = User(username=username, full_name=full_name, unit=unit, phone=phone)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        user.roles.set(roles)
        changes = snapshot(user, STAFF_AUDITED_FIELDS) | {"roles": sorted(r.name for r in roles)}
        audit_record(actor=actor, action=AuditLog.Action.CREATE, obj=user, changes=changes)
    return user


def staff_update(
    *, actor: User, staff: User, full_name: str, unit: OrgUnit, roles: Iterable[Role],
    phone: str = "", is_active: bool = True,
) -> User:  # fmt: skip
    _require_admin(actor)
    if not unit_is_visible(actor, unit):
        raise ValidationError({"unit": "所选单位不在您的管理范围内"})
    roles = list(roles)
    if staff.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": "不能停用自己的账号"})
    before = snapshot(staff, STAFF_AUDITED_FIELDS) | {
        "roles": sorted(staff.roles.values_list("name", flat=True))
    }
    with transaction.atomic():
        staff.full_name, staff.unit, staff.phone, staff.is_active = (
            full_name, unit, phone, is_active,
        )  # fmt: skip
        staff.save()
        staff.roles.set(roles)
        # The roles changed: forget what this object cached of its grants and scope.
        for cached in ("_role_grants", "_scope_unit_ids"):
            staff.__dict__.pop(cached, None)
        after = snapshot(staff, STAFF_AUDITED_FIELDS) | {"roles": sorted(r.name for r in roles)}
        changes = diff(before, after)
        if changes:
            audit_record(actor=actor, action=AuditLog.Action.UPDATE, obj=staff, changes=changes)
        if before["is_active"] and not is_active:
            tokens_revoke_all(user=staff, actor=actor, reason="账号停用")
    return staff


def calendar_day_set(*, actor: User, date: object, kind: str, name: str = "") -> CalendarDay:
    """Admins record next year's 节假日安排 when the State Council announces it."""
    _require_admin(actor)
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": "类型应为“法定节假日”或“调休上班”"})
    with transaction.atomic():
        day, created = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name}
        )
        audit_record(
            actor=actor, action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
            obj=day, changes={"kind": kind, "name": name},
        )  # fmt: skip
    return day


def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    _require_admin(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditLog.Action.DELETE,
            obj=day,
            changes={"kind": day.kind, "name": day.name},
        )
        day.delete()


def calendar_year_load(*, actor: User, year: int) -> int:
    """Load a year's schedule from the chinesecalendar package (after its November update)."""
    from regulus.core.calendar import load_year_from_package

    _require_admin(actor)
    with transaction.atomic():
        try:
            count = load_year_from_package(year)
        except ValueError as exc:
            raise ValidationError(
                f"{exc}：请升级 chinesecalendar 包，或按国务院办公厅通知逐日录入"
            ) from exc
        audit_record(
            actor=actor,
            action=AuditLog.Action.IMPORT,
            object_type="core.calendaryear",
            object_id=str(year),
            object_repr=f"{year}年节假日安排",
            summary=f"从 chinesecalendar 载入{year}年节假日安排，{count}天调整",
        )
    return count
