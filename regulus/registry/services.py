"""Every write to the registry: keyword-only functions, one transaction, one audit row each.

The name-search index (search.py) is kept in step here, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from regulus.core import clock
from regulus.core.audit import audit_record, diff, snapshot
from regulus.core.crypto import keyed_hash
from regulus.core.masking import mask_id_number
from regulus.core.models import AuditLog, OrgUnit
from regulus.registry import search
from regulus.registry.models import Entity, EntityFormerName, EntityStatus
from regulus.registry.rules import EntityRules, raise_errors

AUDITED_FIELDS = (
    "uscc", "name", "kind", "sub_kind", "legal_rep_name", "legal_rep_id_hash",
    "registered_capital", "established_on", "business_scope", "industry_section",
    "industry_code", "registration_authority", "district_code", "unit_id", "address", "phone",
    "status", "status_changed_on", "risk_class",
)  # fmt: skip
UPDATABLE_FIELDS = frozenset(
    {"name", "kind", "sub_kind", "legal_rep_name", "legal_rep_id_number", "registered_capital",
     "established_on", "business_scope", "industry_section", "industry_code",
     "registration_authority", "district_code", "unit", "address", "phone", "risk_class"}
)  # fmt: skip

# Which registration status may follow which (吊销 → 注销 is the usual path after revocation).
STATUS_TRANSITIONS: dict[str, set[str]] = {
    EntityStatus.ACTIVE: {EntityStatus.REVOKED, EntityStatus.CANCELLED, EntityStatus.MOVED_OUT},
    EntityStatus.REVOKED: {EntityStatus.CANCELLED},
    EntityStatus.CANCELLED: set(),
    EntityStatus.MOVED_OUT: set(),
}


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    """Audit rows never hold the ID number: its keyed hash stands for it."""
    return {k: v for k, v in values.items() if k != "legal_rep_id_number"}


def entity_create(
    *,
    actor: Any,
    uscc: str,
    name: str,
    kind: str,
    established_on: dt.date | str,
    district_code: str,
    unit: OrgUnit | None = None,
    sub_kind: str = "",
    legal_rep_name: str = "",
    legal_rep_id_number: str = "",
    registered_capital: Decimal | int | str | None = None,
    business_scope: str = "",
    industry_section: str = "",
    industry_code: str = "",
    registration_authority: str = "",
    address: str = "",
    phone: str = "",
    status: str = EntityStatus.ACTIVE,
    status_changed_on: dt.date | str | None = None,
    risk_class: str = "",
) -> Entity:
    """Register a market entity (licensing calls this when a 设立登记 is approved).

    Raises ValidationError({field: 中文}) for a bad USCC (check character, or its category not
    matching the kind), a date in the future, negative capital, a district outside the city or
    a unit not of that district, or a USCC already registered. ``unit`` defaults to the
    district's bureau.
    """
    raw = {
        "uscc": uscc, "name": name, "kind": kind, "established_on": established_on,
        "district_code": district_code, "unit": unit, "sub_kind": sub_kind,
        "legal_rep_name": legal_rep_name, "legal_rep_id_number": legal_rep_id_number,
        "registered_capital": registered_capital, "business_scope": business_scope,
        "industry_section": industry_section, "industry_code": industry_code,
        "registration_authority": registration_authority, "address": address, "phone": phone,
        "status": status, "status_changed_on": status_changed_on, "risk_class": risk_class,
    }  # fmt: skip
    data, errors = EntityRules().clean(raw)
    raise_errors(errors)
    with transaction.atomic():
        if Entity.objects.filter(uscc=data["uscc"]).exists():
            raise ValidationError({"uscc": f"统一社会信用代码{data['uscc']}已登记"})
        id_number = data.pop("legal_rep_id_number", "")
        entity = Entity(
            **data,
            legal_rep_id_number=id_number,
            legal_rep_id_hash=keyed_hash(id_number) if id_number else "",
        )
        if entity.status != EntityStatus.ACTIVE and not entity.status_changed_on:
            entity.status_changed_on = clock.today()
        entity.save()
        search.index_entity(entity)
        audit_record(
            actor=actor, action=AuditLog.Action.CREATE, obj=entity,
            summary=f"登记市场主体：{entity.name}（{entity.uscc}）",
            changes=_audit_view(snapshot(entity, AUDITED_FIELDS)),
        )  # fmt: skip
    return entity


def entity_update(*, actor: Any, entity: Entity, **changes: Any) -> Entity:
    """Change an entity's facts. A change of name keeps the old one as a former name.

    The USCC and the registration status are not changed here (see entity_change_status).
    """
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValidationError({field: "该字段不能在此修改" for field in sorted(unknown)})
    raw = dict(changes)
    # District and unit are checked together: a unit must belong to the entity's district.
    if "unit" in raw and "district_code" not in raw:
        raw["district_code"] = entity.district_code
    elif "district_code" in raw and "unit" not in raw and raw["district_code"] == entity.district_code:
        raw["unit"] = entity.unit_id
    if "established_on" in raw:
        raw.setdefault("status_changed_on", entity.status_changed_on)
    data, errors = EntityRules().clean(raw, partial=True)
    raise_errors(errors)
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        before = snapshot(entity, AUDITED_FIELDS)
        old_name = entity.name
        if "legal_rep_id_number" in data:
            number = data.pop("legal_rep_id_number")
            entity.legal_rep_id_number = number
            entity.legal_rep_id_hash = keyed_hash(number) if number else ""
        for key, value in data.items():
            setattr(entity, key, value)
        after = snapshot(entity, AUDITED_FIELDS)
        changed = diff(before, after)
        if not changed:
            return entity
        if entity.name != old_name:
            EntityFormerName.objects.create(entity=entity, name=old_name, used_until=clock.today())
        entity.save()
        search.index_entity(entity)
        summary = f"变更市场主体：{entity.name}"
        if entity.name != old_name:
            summary += f"（原名称：{old_name}）"
        if "legal_rep_id_hash" in changed:
            changed["legal_rep_id_hash"] = ["（已变更）", mask_id_number(entity.legal_rep_id_number)]
        audit_record(actor=actor, action=AuditLog.Action.UPDATE, obj=entity, summary=summary,
                     changes=changed)  # fmt: skip
    return entity


def entity_change_status(
    *, actor: Any, entity: Entity, status: str, on: dt.date | None = None, reason: str = ""
) -> Entity:
    """Record 吊销 / 注销 / 迁出 (the registration status) with its date."""
    if status not in EntityStatus.values:
        raise ValidationError({"status": f"登记状态“{status}”不存在"})
    on = on or clock.today()
    with transaction.atomic():
        entity = Entity.objects.select_for_update().get(pk=entity.pk)
        if status not in STATUS_TRANSITIONS[entity.status]:
            raise ValidationError({"status": f"“{entity.get_status_display()}”的主体不能变更为"
                                             f"“{EntityStatus(status).label}”"})  # fmt: skip
        if on > clock.today():
            raise ValidationError({"status_changed_on": "状态变更日期晚于今天"})
        if on < entity.established_on:
            raise ValidationError({"status_changed_on": "状态变更日期早于成立日期"})
        old = entity.status
        entity.status, entity.status_changed_on = status, on
        entity.save(update_fields=["status", "status_changed_on", "updated_at"])
        search.index_entity(entity)
        audit_record(
            actor=actor, action=AuditLog.Action.TRANSITION, obj=entity,
            summary=f"登记状态：{EntityStatus(old).label} → {EntityStatus(status).label}"
                    + (f"（{reason}）" if reason else ""),
            changes={"status": [old, status], "status_changed_on": [None, on]},
        )  # fmt: skip
    return entity
