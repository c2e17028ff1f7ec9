"""Writes of the kernel: org units, staff accounts, roles and grants, the calendar, lockouts.
Each checks its permission first (core.permissions), then writes in one audited transaction.

等保 2.0 keeps three duties apart: the system administrator keeps the units and the staff
accounts (core.staff_manage) but grants nothing; the security administrator defines roles and
grants them (core.roles_manage); the auditor reads the log. Nobody changes their own roles, and
a duty role is held alone: not two duties, and no duty beside a business role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import permissions
from regulus.core.audit import audited, diff, snapshot
from regulus.core.clock_recompute import clocks_recompute
from regulus.core.models import AuditLog, CalendarDay, DataScope, OrgUnit, Role, User
from regulus.core.scope import unit_is_visible
from regulus.core.tokens import tokens_revoke_all

STAFF_AUDITED_FIELDS = ("username", "full_name", "unit_id", "phone", "is_active",
                        "law_enforcement_cert")  # fmt: skip
ROLE_AUDITED_FIELDS = ("name", "code", "data_scope", "description")


def orgunit_create(
    *, actor: Any, name: str, kind: str, parent: OrgUnit | None = None,
    division_code: str = "", short_name: str = "", sort_order: int = 0,
) -> OrgUnit:  # fmt: skip
    permissions.require(actor, "core.unit_manage")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写单位名称"
    if kind not in OrgUnit.Kind.values:
        errors["kind"] = f"单位类型“{kind}”不存在"
    if parent is not None and not unit_is_visible(actor, parent):
        errors["parent"] = "所选上级单位不在您的管理范围内"
    if errors:
        raise ValidationError(errors)
    name = name.strip()
    with audited(actor=actor) as audit:
        unit = OrgUnit.objects.create(
            name=name, kind=kind, parent=parent, division_code=division_code,
            short_name=short_name, sort_order=sort_order,
        )  # fmt: skip
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=unit,
            changes=snapshot(unit, ["name", "kind", "parent_id", "division_code"]),
        )
    return unit


# -- staff accounts (system administrator) ------------------------------------------------------


def staff_create(
    *, actor: User, username: str, full_name: str, unit: OrgUnit, password: str,
    phone: str = "",
) -> User:  # fmt: skip
    """A new account, without roles: the security administrator grants them
    (staff_roles_set)."""
    permissions.require(actor, "core.staff_manage")
    if not unit_is_visible(actor, unit):
        raise ValidationError({"unit": "所选单位不在您的管理范围内"})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用"})
    user = User(username=username, full_name=full_name, unit=unit, phone=phone)
    validate_password(password, user)
    with audited(actor=actor) as audit:
        user.set_password(password)
        user.save()
        audit.record(
            action=AuditLog.Action.CREATE, obj=user, changes=snapshot(user, STAFF_AUDITED_FIELDS)
        )
    return user


def staff_update(
    *, actor: User, staff: User, full_name: str, unit: OrgUnit, phone: str = "",
    is_active: bool = True,
) -> User:  # fmt: skip
    permissions.require(actor, "core.staff_manage")
    if not unit_is_visible(actor, unit):
        raise ValidationError({"unit": "所选单位不在您的管理范围内"})
    if staff.pk == actor.pk and not is_active:
        raise ValidationError({"is_active": "不能停用自己的账号"})
    before = snapshot(staff, STAFF_AUDITED_FIELDS)
    staff.full_name, staff.unit, staff.phone, staff.is_active = full_name, unit, phone, is_active
    changes = diff(before, snapshot(staff, STAFF_AUDITED_FIELDS))
    if not changes:
        return staff
    with audited(actor=actor) as audit:
        staff.save()
        # The unit changed: forget what this object cached of its scope.
        staff.__dict__.pop("_scope_unit_ids", None)
        audit.record(action=AuditLog.Action.UPDATE, obj=staff, changes=changes)
        if before["is_active"] and not is_active:
            tokens_revoke_all(user=staff, actor=actor, reason="账号停用")
    return staff


# -- roles and grants (security administrator) --------------------------------------------------


def roles_problem(roles: Iterable[Role]) -> str | None:
    """Why these roles may not be held together (三员分立), or None."""
    roles = list(roles)
    duties = [r for r in roles if r.code in permissions.DUTIES]
    if len(duties) > 1:
        names = "、".join(r.name for r in duties)
        return f"{names}是相互分离的三员职责，不能由一人兼任"
    if duties and len(roles) > 1:
        return f"{duties[0].name}属三员职责，不能兼任其他角色"
    return None


def staff_roles_set(*, actor: User, staff: User, roles: Iterable[Role]) -> User:
    """Grant and revoke: the staff member's roles become these."""
    permissions.require(actor, "core.roles_manage")
    if staff.pk == actor.pk:
        raise PermissionDenied("不能为自己授予或撤销角色，须由另一名安全管理员办理")
    roles = list(roles)
    problem = roles_problem(roles)
    if problem:
        raise ValidationError({"roles": problem})
    before = sorted(staff.roles.values_list("name", flat=True))
    after = sorted(r.name for r in roles)
    if before == after:
        return staff
    with audited(actor=actor) as audit:
        staff.roles.set(roles)
        # The roles changed: forget what this object cached of its grants and scope.
        for cached in ("_role_grants", "_scope_unit_ids"):
            staff.__dict__.pop(cached, None)
        added = [name for name in after if name not in before]
        removed = [name for name in before if name not in after]
        summary = "；".join(
            part
            for part in (
                f"授予{'、'.join(added)}" if added else "",
                f"撤销{'、'.join(removed)}" if removed else "",
            )
            if part
        )
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=staff,
            summary=f"为{staff.display_name}{summary}",
            changes={"roles": [before, after]},
        )
    return staff


def _role_values_check(
    *, name: str, code: str, data_scope: str, custom_units: list[OrgUnit], role: Role | None
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "请填写角色名称"
    elif Role.objects.filter(name=name.strip()).exclude(pk=role.pk if role else 0).exists():
        errors["name"] = f"角色名称“{name.strip()}”已被使用"
    if code not in Role.Code.values:
        errors["code"] = "请选择权限类别"
    if data_scope not in DataScope.values:
        errors["data_scope"] = "请选择数据范围"
    elif data_scope == DataScope.CUSTOM and not custom_units:
        errors["custom_units"] = "数据范围为“指定单位数据”时，请选择至少一个单位"
    if errors:
        raise ValidationError(errors)


def role_create(
    *, actor: User, name: str, code: str, data_scope: str,
    custom_units: Iterable[OrgUnit] = (), description: str = "",
) -> Role:  # fmt: skip
    permissions.require(actor, "core.roles_manage")
    units = list(custom_units)
    _role_values_check(name=name, code=code, data_scope=data_scope, custom_units=units, role=None)
    with audited(actor=actor) as audit:
        role = Role.objects.create(
            name=name.strip(), code=code, data_scope=data_scope, description=description.strip()
        )
        role.custom_units.set(units if data_scope == DataScope.CUSTOM else [])
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=role,
            summary=f"新增角色：{role.name}（{role.get_code_display()}，"
            f"{role.get_data_scope_display()}）",
            changes=snapshot(role, ROLE_AUDITED_FIELDS)
            | {"custom_units": sorted(u.name for u in units)},
        )
    return role


def role_update(
    *, actor: User, role: Role, name: str, data_scope: str,
    custom_units: Iterable[OrgUnit] = (), description: str = "",
) -> Role:  # fmt: skip
    """A role's name, data scope and description; its permission kind stays (a new kind is a
    new role, so that no holder's permissions change under them)."""
    permissions.require(actor, "core.roles_manage")
    units = list(custom_units) if data_scope == DataScope.CUSTOM else []
    _role_values_check(
        name=name, code=role.code, data_scope=data_scope, custom_units=units, role=role
    )
    before = snapshot(role, ROLE_AUDITED_FIELDS) | {
        "custom_units": sorted(role.custom_units.values_list("name", flat=True))
    }
    role.name, role.data_scope, role.description = name.strip(), data_scope, description.strip()
    after = snapshot(role, ROLE_AUDITED_FIELDS) | {"custom_units": sorted(u.name for u in units)}
    changes = diff(before, after)
    if not changes:
        return role
    with audited(actor=actor) as audit:
        role.save()
        role.custom_units.set(units)
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=role,
            summary=f"修改角色：{role.name}",
            changes=changes,
        )
    return role


def lockout_clear(*, actor: User, username: str) -> int:
    """Lift the login lockout of an account (its failed attempts are forgotten)."""
    from axes.utils import reset

    permissions.require(actor, "core.security_manage")
    username = username.strip()
    if not username:
        raise ValidationError({"username": "请指定要解除锁定的用户名"})
    with audited(actor=actor) as audit:
        cleared = reset(username=username)
        audit.record(
            action=AuditLog.Action.UPDATE,
            object_type="core.user",
            object_id=username,
            object_repr=username,
            summary=f"解除账号“{username}”的登录锁定（清除失败记录{cleared}条）",
            changes={"cleared": cleared},
        )
    return int(cleared)


# -- the calendar (system administrator) --------------------------------------------------------


def calendar_day_set(*, actor: User, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Admins record next year's 节假日安排 when the State Council announces it. The running
    clocks whose count crosses the day are computed again in the same transaction."""
    permissions.require(actor, "core.calendar_manage")
    if kind not in CalendarDay.Kind.values:
        raise ValidationError({"kind": "类型应为“法定节假日”或“调休上班”"})
    with audited(actor=actor) as audit:
        before = CalendarDay.objects.filter(date=date).values_list("kind", flat=True).first()
        day, created = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name}
        )
        audit.record(
            action=AuditLog.Action.CREATE if created else AuditLog.Action.UPDATE,
            obj=day, changes={"kind": kind, "name": name},
        )  # fmt: skip
        if before != kind:
            label = CalendarDay.Kind(kind).label
            clocks_recompute(
                changed_from=date, changed_to=date, actor=actor,
                reason=f"节假日安排调整（{date:%Y-%m-%d} 设为{label}）",
            )  # fmt: skip
    return day


def calendar_day_delete(*, actor: User, day: CalendarDay) -> None:
    permissions.require(actor, "core.calendar_manage")
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.DELETE,
            obj=day,
            changes={"kind": day.kind, "name": day.name},
        )
        date, kind = day.date, day.get_kind_display()
        day.delete()  # the date is the primary key: the instance loses it
        clocks_recompute(
            changed_from=date, changed_to=date, actor=actor,
            reason=f"节假日安排调整（删除 {date:%Y-%m-%d} 的{kind}）",
        )  # fmt: skip


def calendar_year_load(*, actor: User, year: int) -> int:
    """Load a year's schedule from the chinesecalendar package (after its November update)."""
    from regulus.core.calendar import load_year_from_package

    permissions.require(actor, "core.calendar_manage")
    with audited(actor=actor) as audit:
        try:
            count = load_year_from_package(year)
        except ValueError as exc:
            raise ValidationError(
                f"{exc}：请升级 chinesecalendar 包，或按国务院办公厅通知逐日录入"
            ) from exc
        audit.record(
            action=AuditLog.Action.IMPORT,
            object_type="core.calendaryear",
            object_id=str(year),
            object_repr=f"{year}年节假日安排",
            summary=f"从 chinesecalendar 载入{year}年节假日安排，{count}天调整",
        )
        clocks_recompute(
            changed_from=dt.date(year, 1, 1), changed_to=dt.date(year, 12, 31), actor=actor,
            reason=f"载入{year}年节假日安排",
        )  # fmt: skip
    return count
