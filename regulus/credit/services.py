"""Every write of enterprise credit, one audited transaction each, permission first."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from regulus.core import clock, permissions
from regulus.core.audit import AuditTrail, audited
from regulus.core.handover import handover_take, handovers_waiting
from regulus.core.models import AuditLog, Handover
from regulus.credit.models import PUBLIC_TOPICS, TOPIC_CATEGORIES, Category, CreditRecord
from regulus.registry.models import Entity

# -- the credit record: facts handed over by the other apps ------------------------------------


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.display_name)[:150]
    return str(actor or "系统")[:150]


def _flag(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    return value if isinstance(value, bool) else default


def _record_from_handover(*, audit: AuditTrail, handover: Handover) -> CreditRecord:
    """Turn one CREDIT hand-over into the entity's credit record and mark it taken (module
    docstring: what is read from it). Any topic is taken; an unknown one is OTHER."""
    data = handover.data if isinstance(handover.data, dict) else {}
    entity = None
    if handover.entity_id is not None:
        entity = Entity.objects.filter(pk=handover.entity_id).first()
    if entity is None and handover.uscc:
        entity = Entity.objects.filter(uscc=handover.uscc).first()
    record = CreditRecord.objects.create(
        entity=entity,
        uscc=handover.uscc or (entity.uscc if entity else ""),
        entity_name=handover.entity_name or (entity.name if entity else "") or "（未知主体）",
        unit_id=handover.unit_id,
        category=TOPIC_CATEGORIES.get(handover.topic, Category.OTHER),
        topic=handover.topic,
        topic_label=handover.topic_label,
        occurred_on=handover.occurred_on,
        title=handover.title,
        detail=handover.detail,
        legal_basis=str(data.get("legal_basis", ""))[:200],
        adverse=_flag(data, "adverse", True),
        public=_flag(data, "public", handover.topic in PUBLIC_TOPICS),
        data=data,
        source_type=handover.source_type,
        source_id=handover.source_id,
        source_number=handover.source_number,
        source_url=handover.source_url,
        handover=handover,
        recorded_at=clock.now(),
        recorded_by=_actor_name(audit.actor),
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=record,
        summary=f"记入信用记录：{record.entity_name} {record.topic_label}",
        changes={
            "entity_name": record.entity_name,
            "category": record.category,
            "occurred_on": record.occurred_on,
        },
    )
    handover_take(audit=audit, handover=handover, taken_as=f"credit.creditrecord:{record.pk}")
    return record


def credit_handover_take(*, handover: Handover, actor: Any) -> CreditRecord:
    """A handler takes one waiting hand-over into the credit record now (the sweep takes the
    rest every minute)."""
    permissions.require(actor, "credit.record_take")
    if handover.kind != Handover.Kind.CREDIT:
        raise ValidationError({"handover": "该移交记录不是信用信息"})
    if handover.taken_at is not None:
        raise ValidationError({"handover": "该移交记录已被接收，请刷新后查看"})
    with audited(actor=actor) as audit:
        return _record_from_handover(audit=audit, handover=handover)


def credit_handovers_take_all(*, actor: Any, limit: int = 5000) -> int:
    """Take every waiting CREDIT hand-over (oldest first, at most `limit` in one run): the
    sweep's work, and what a service that needs the record at once calls first."""
    permissions.require(actor, "credit.record_take")
    taken = 0
    with audited(actor=actor) as audit:
        for handover in handovers_waiting(kind=Handover.Kind.CREDIT)[:limit]:
            _record_from_handover(audit=audit, handover=handover)
            taken += 1
    return taken


def credit_handovers_of_entity_take(*, entity: Entity, actor: Any) -> int:
    """Take the waiting hand-overs of one entity at once (before its class or public page is
    computed from its record)."""
    permissions.require(actor, "credit.record_take")
    waiting = handovers_waiting(kind=Handover.Kind.CREDIT).filter(entity_id=entity.pk)
    if not waiting.exists():
        return 0
    taken = 0
    with audited(actor=actor) as audit:
        for handover in waiting:
            _record_from_handover(audit=audit, handover=handover)
            taken += 1
    return taken
