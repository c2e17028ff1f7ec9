"""Enterprise credit API: the credit record (scoped), taking hand-overs."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from regulus.core.models import Handover
from regulus.core.permissions import operation
from regulus.credit import selectors, services
from regulus.credit.models import Category, CreditRecord

router = Router(tags=["企业信用"])


class CreditRecordOut(Schema):
    id: int
    uscc: str
    entity_name: str
    category: str
    topic: str
    topic_label: str
    occurred_on: dt.date
    title: str
    legal_basis: str
    adverse: bool
    public: bool
    source_number: str
    unit: str


def _record_out(r: CreditRecord) -> CreditRecordOut:
    return CreditRecordOut(
        id=r.pk,
        uscc=r.uscc,
        entity_name=r.entity_name,
        category=r.category,
        topic=r.topic,
        topic_label=r.topic_label,
        occurred_on=r.occurred_on,
        title=r.title,
        legal_basis=r.legal_basis,
        adverse=r.adverse,
        public=r.public,
        source_number=r.source_number,
        unit=r.unit.name,
    )


@router.get("/credit/records", response=list[CreditRecordOut], summary="信用记录（本辖区）")
@operation("credit.record_view")
def record_list(
    request: HttpRequest, category: str = "", limit: int = 50, offset: int = 0
) -> list[CreditRecordOut]:
    if category and category not in Category.values:
        raise ValidationError({"category": f"类别须为：{'、'.join(Category.values)}"})
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationError({"limit": "每页条数须在1至500之间，偏移量不得为负"})
    rows = selectors.records_for(request.user, category=category)[offset : offset + limit]
    return [_record_out(r) for r in rows]


@router.post(
    "/credit/handovers/{handover_id}/take",
    response=CreditRecordOut,
    summary="接收一条移交的信用信息",
)
@operation("credit.record_take")
def handover_take(request: HttpRequest, handover_id: int) -> CreditRecordOut:
    handover = Handover.objects.get_visible_or_404(
        request.user, pk=handover_id, kind=Handover.Kind.CREDIT
    )
    return _record_out(services.credit_handover_take(handover=handover, actor=request.user))
