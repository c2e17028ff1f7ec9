"""Hand-overs between apps (移交): what one app leaves for another to take up.

A spot check that finds a violation leaves a clue for enforcement; a report verified by 12315
leaves a clue; a false commitment leaves a clue and a credit fact; a penalty leaves a credit
fact. The sender calls `handover_send` inside its own audited write and knows nothing of the
receiver; the receiver, when installed, lists `handovers_waiting(kind=...)` (its inbox, in the
user's data scope) and takes each with `handover_take`, recording what it became. Records sent
before the receiver was installed wait for it, so installing an app later loses nothing.

The shape of a record (core.models.Handover):
- kind: CLUE or CREDIT; topic: the sender's code of what happened ("inspections.unreachable",
  "licensing.false_commitment"), with its Chinese label;
- source: the object it comes from (app_label.model and id), its number and its staff page;
- the entity (id, USCC, name) and the unit responsible (the data scope);
- occurred_on, title, detail, and `data`: the sender's facts as JSON (amounts in fen, result
  codes, legal basis), documented by the sender beside its topic codes.
Sending the same topic for the same source object twice is one record (the first stands).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet

from regulus.core import clock
from regulus.core.audit import AuditTrail
from regulus.core.models import AuditLog, Handover, OrgUnit


def _actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.display_name)[:150]
    return str(actor or "系统")[:150]


def handover_send(
    *,
    audit: AuditTrail,
    kind: str,
    topic: str,
    topic_label: str,
    source: models.Model,
    unit: OrgUnit,
    occurred_on: dt.date,
    title: str,
    source_number: str = "",
    source_url: str = "",
    entity: Any = None,
    detail: str = "",
    data: dict[str, Any] | None = None,
) -> Handover:
    """Leave a record for the receiving app, inside the sender's audited write (`audit`, the
    trail of its `audited` block). Returns the record (the existing one when this topic was
    sent for this source before)."""
    if kind not in Handover.Kind.values:
        raise ValueError(f"unknown hand-over kind {kind!r}")
    if not topic or not topic_label or not title.strip():
        raise ValidationError("移交记录须有事由和标题")
    source_type = source._meta.label_lower
    existing = Handover.objects.filter(
        kind=kind, topic=topic, source_type=source_type, source_id=str(source.pk)
    ).first()
    if existing is not None:
        return existing
    record = Handover.objects.create(
        kind=kind,
        topic=topic,
        topic_label=topic_label,
        source_type=source_type,
        source_id=str(source.pk),
        source_number=source_number[:60],
        source_url=source_url[:300],
        entity_id=getattr(entity, "pk", None),
        uscc=getattr(entity, "uscc", "") or "",
        entity_name=(getattr(entity, "name", "") or "")[:200],
        unit=unit,
        occurred_on=occurred_on,
        title=title.strip()[:200],
        detail=detail,
        data=data or {},
        sent_at=clock.now(),
        sent_by=_actor_name(audit.actor),
    )
    audit.record(
        action=AuditLog.Action.CREATE,
        obj=record,
        summary=f"移交{record.get_kind_display()}：{record.title}",
        changes={
            "kind": record.kind,
            "topic_label": topic_label,
            "entity_name": record.entity_name,
        },
    )
    return record


def handovers_waiting(
    *, kind: str, user: Any = None, topics: tuple[str, ...] = ()
) -> QuerySet[Handover]:
    """The records of a kind not yet taken, oldest first: in the user's data scope, or all of
    them for the system (user None: a sweep)."""
    rows = Handover.objects.all() if user is None else Handover.objects.visible_to(user)
    rows = rows.filter(kind=kind, taken_at__isnull=True)
    if topics:
        rows = rows.filter(topic__in=topics)
    return rows.order_by("sent_at", "id")


def handover_take(*, audit: AuditTrail, handover: Handover, taken_as: str) -> Handover:
    """Mark the record taken up, inside the receiver's audited write that made `taken_as`
    ("enforcement.clue:12", a short reference of what it became). A record is taken once:
    a second receiver (or a second click) is told so and changes nothing."""
    changed = Handover.objects.filter(pk=handover.pk, taken_at__isnull=True).update(
        taken_at=clock.now(), taken_by=_actor_name(audit.actor), taken_as=taken_as[:100]
    )
    if changed != 1:
        raise ValidationError("该移交记录已被接收，请刷新后查看")
    handover.refresh_from_db()
    audit.record(
        action=AuditLog.Action.UPDATE,
        obj=handover,
        summary=f"接收{handover.get_kind_display()}：{handover.title}",
        changes={"taken_as": taken_as},
    )
    return handover


def handovers_of_entity(entity_id: int, *, kind: str) -> QuerySet[Handover]:
    """Every record of a kind about one entity, newest first (its credit facts as sent)."""
    return Handover.objects.filter(entity_id=entity_id, kind=kind).order_by("-occurred_on", "-id")
