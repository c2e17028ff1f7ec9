"""The item list and the inspector directory (一单、执法检查人员名录库)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock, permissions
from regulus.core.audit import audited, diff, snapshot
from regulus.core.models import AuditLog, OrgUnit, User
from regulus.core.scope import unit_is_visible
from regulus.core.text import clean_text
from regulus.inspections.models import CheckItem, Conflict, Domain, Inspector
from regulus.registry.models import Entity


def _domains(values: list[str]) -> list[str]:
    bad = [v for v in values if v not in Domain.values]
    if bad or not values:
        raise ValidationError({"domains": "执法领域须从列表中选择至少一项"})
    return sorted(set(values))


def item_create(
    *,
    actor: Any,
    code: str,
    name: str,
    department: str,
    legal_basis: str,
    kind: str,
    domain: str,
) -> CheckItem:
    permissions.require(actor, "inspections.lists_manage")
    errors = {}
    code = clean_text(code, label="事项编码", field="code")
    if not code or len(code) > 20:
        errors["code"] = "事项编码须为1至20个字符"
    elif CheckItem.objects.filter(code=code).exists():
        errors["code"] = "该事项编码已存在"
    if kind not in CheckItem.Kind.values:
        errors["kind"] = "事项类别须为一般检查事项或重点检查事项"
    if domain not in Domain.values:
        errors["domain"] = "业务领域须从列表中选择"
    for key, value, label in (
        ("name", name, "检查事项"),
        ("department", department, "实施部门"),
        ("legal_basis", legal_basis, "法律依据"),
    ):
        if not value.strip():
            errors[key] = f"请填写{label}"
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor) as audit:
        item = CheckItem.objects.create(
            code=code,
            name=name.strip()[:200],
            department=department.strip()[:100],
            legal_basis=legal_basis.strip(),
            kind=kind,
            domain=domain,
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=item,
            summary=f"新增抽查事项：{item.name}",
            changes=snapshot(item, ["code", "name", "department", "kind", "domain"]),
        )
    return item


def inspector_enrol(
    *,
    actor: Any,
    user: User,
    number: str,
    certificate_expires: dt.date | None,
    domains: list[str],
    available: bool = True,
) -> Inspector:
    """Enter a staff member in the inspector directory, or update their entry."""
    permissions.require(actor, "inspections.lists_manage")
    unit = user.unit
    if unit is None or not unit_is_visible(actor, unit):
        raise ValidationError({"user": "只能登记本单位及下级单位的工作人员"})
    errors = {}
    number = clean_text(number, label="执法证号", field="number").upper()
    if not number or len(number) > 30 or not number.replace("-", "").isalnum():
        errors["number"] = "执法证号须为1至30位字母、数字或连字符"
    elif Inspector.objects.filter(number=number).exclude(user=user).exists():
        errors["number"] = "该执法证号已登记给其他人员"
    if certificate_expires is None:
        errors["certificate_expires"] = "请填写执法证有效期"
    try:
        domains = _domains(domains)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    assert certificate_expires is not None
    with audited(actor=actor) as audit:
        existing = Inspector.objects.filter(user=user).first()
        fields = ["number", "certificate_expires", "domains", "available", "unit"]
        if existing is None:
            entry = Inspector.objects.create(
                user=user,
                number=number,
                certificate_expires=certificate_expires,
                unit=unit,
                domains=domains,
                available=available,
            )
            audit.record(
                action=AuditLog.Action.CREATE,
                obj=entry,
                summary=f"登记执法检查人员：{user.display_name}",
                changes=snapshot(entry, fields),
            )
            return entry
        before = snapshot(existing, fields)
        existing.number, existing.certificate_expires = number, certificate_expires
        existing.domains, existing.available, existing.unit = domains, available, unit
        existing.save()
        audit.record(
            action=AuditLog.Action.UPDATE,
            obj=existing,
            summary=f"修改执法检查人员：{user.display_name}",
            changes=diff(before, snapshot(existing, fields)),
        )
        return existing


def conflict_declare(*, actor: Any, inspector: Inspector, uscc: str, reason: str) -> Conflict:
    """Record an inspector's declared conflict of interest with an entity."""
    permissions.require(actor, "inspections.lists_manage")
    if not unit_is_visible(actor, inspector.unit):
        raise ValidationError({"inspector": "只能为本单位及下级单位的检查人员申报"})
    entity = Entity.objects.filter(uscc=uscc.strip().upper()).first()
    errors = {}
    if entity is None:
        errors["uscc"] = "统一社会信用代码未在主体名录中找到"
    if not reason.strip():
        errors["reason"] = "请填写利害关系"
    if not errors and Conflict.objects.filter(inspector=inspector, entity=entity).exists():
        errors["uscc"] = "该检查人员已申报与该主体的利害关系"
    if errors:
        raise ValidationError(errors)
    assert entity is not None
    with audited(actor=actor) as audit:
        conflict = Conflict.objects.create(
            inspector=inspector,
            entity=entity,
            reason=reason.strip()[:200],
            declared_on=clock.today(),
        )
        audit.record(
            action=AuditLog.Action.CREATE,
            obj=conflict,
            summary=f"申报利害关系：{inspector.user.display_name}与{entity.name}",
            changes={"reason": conflict.reason},
        )
    return conflict


def unit_district_codes() -> dict[int, str]:
    """Each unit's district code: its district bureau's (itself or an ancestor), else its own
    division code (the city's units)."""
    units = list(OrgUnit.objects.values_list("id", "path", "kind", "division_code"))
    by_id = {u[0]: u for u in units}
    codes: dict[int, str] = {}
    for uid, path, _kind, division in units:
        code = division
        for part in path.strip("/").split("/"):
            ancestor = by_id.get(int(part)) if part.isdigit() else None
            if ancestor and ancestor[2] == OrgUnit.Kind.DISTRICT_BUREAU:
                code = ancestor[3]
        codes[uid] = code
    return codes
