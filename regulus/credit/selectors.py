"""Every read of enterprise credit that a page or the API serves, through the data scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from regulus.core.handover import handovers_waiting
from regulus.core.models import Handover
from regulus.core.plugins import Card, CreditFact, PublicSection
from regulus.credit.models import CreditRecord
from regulus.registry.models import Entity


def records_for(user: Any, *, category: str = "") -> QuerySet[CreditRecord]:
    rows = CreditRecord.objects.visible_to(user).select_related("unit")
    if category:
        rows = rows.filter(category=category)
    return rows.order_by("-occurred_on", "-id")


def credit_inbox(user: Any) -> QuerySet[Handover]:
    """The CREDIT hand-overs not yet taken, in the user's scope."""
    return handovers_waiting(kind=Handover.Kind.CREDIT, user=user)


def entity_credit_facts(entity: Entity, user: Any) -> list[CreditFact]:
    """The entity's credit record for its staff page (EntityProviders.credit_facts)."""
    rows = CreditRecord.objects.visible_to(user).filter(entity=entity).select_related("unit")
    return [
        CreditFact(
            on=r.occurred_on,
            category=r.topic_label,
            title=r.title,
            authority=str(r.data.get("authority") or r.unit.name),
            adverse=r.adverse,
            number=r.source_number,
            url=r.source_url,
        )
        for r in rows.order_by("-occurred_on", "-id")[:200]
    ]


def entity_public_sections(entity: Entity) -> list[PublicSection]:
    """The public part of the entity's credit record (public items only; never the detail,
    which may name persons, and never the risk class)."""
    rows = (
        CreditRecord.objects.filter(entity=entity, public=True)
        .select_related("unit")
        .order_by("-occurred_on", "-id")[:200]
    )
    return [
        PublicSection(
            order=450,
            title="信用信息（承诺不实、抽查检查、行政处罚）",
            columns=("日期", "类别", "事由", "决定机关"),
            rows=[
                (
                    r.occurred_on.isoformat(),
                    r.topic_label,
                    r.title,
                    str(r.data.get("authority") or r.unit.name),
                )
                for r in rows
            ],
            note="依据《企业信息公示暂行条例》公示",
        )
    ]


def dashboard_cards(user: Any) -> list[Card]:
    from regulus.core import permissions

    if not permissions.allows(user, "credit.record_view"):
        return []
    return [
        Card(
            key="credit-inbox",
            label="待接收信用信息",
            value=credit_inbox(user).count(),
            url="/credit/records/",
        )
    ]
