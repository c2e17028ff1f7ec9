"""/api/v1/complaints: intake for partner channels (12345 and other platforms, with an
idempotency key), the items in the caller's scope (personal data masked), one item, its
steps by permission, and a status feed in the shape of Open311 GeoReport v2 requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema

from regulus.complaints import selectors, services
from regulus.complaints.models import Item
from regulus.complaints.workflow import ITEM_FLOW
from regulus.core.models import OrgUnit
from regulus.core.permissions import operation
from regulus.core.schemas import Id, MultilineText, Name, Text
from regulus.core.text import text_problem
from regulus.core.workflow import DeferredRows

router = Router(tags=["投诉举报"])
MAX_OFFSET = 10_000_000


class ComplaintIntakeIn(Schema):
    idempotency_key: Text = Field("", description="来源平台的工单号等，同一键只登记一件")
    kind: Text = Field(description="complaint 投诉 / report 举报 / enquiry 咨询 / suggestion 建议")
    category: Text = Field(description="所属领域编码，如 food、drug、price")
    line: Text = Field("12345", description="来源热线：12315、12345 等")
    respondent_name: Text = ""
    respondent_uscc: Text = ""
    place: Text = ""
    district_code: Text = ""
    amount: Text = Field("", description="涉及金额（元）")
    facts: MultilineText
    request_text: MultilineText = ""
    person_name: Name | None = None
    person_phone: Text = ""
    person_id_number: Text = ""
    anonymous: bool = False
    odr_consent: bool = Field(
        False,
        description="投诉人同意先由经营者通过ODR与其直接和解（仅投诉；经营者为ODR单位的，"
        "登记后先转经营者在10个工作日内和解）",
    )


class ComplaintIntakeOut(Schema):
    number: str
    query_code: str = Field(description="投诉举报人凭受理编号和查询码查询进度；重复提交时为空")
    created: bool
    state: str
    unit: str


class ComplaintItemOut(Schema):
    number: str
    kind: str
    kind_label: str
    channel: str
    category: str
    category_label: str
    state: str
    state_label: str
    respondent_name: str
    district_code: str
    unit: str
    person: str = Field(description="投诉举报人（脱敏；匿名举报为“匿名”）")
    received_on: dt.date
    deadline: dt.date | None
    rule_version: str


class ComplaintItemPage(Schema):
    count: int
    items: list[ComplaintItemOut]


class ComplaintTransitionIn(Schema):
    name: Text = Field(
        description="accept、not_accept、answer、mediated、mediation_failed、"
        "terminate、to_clue、no_case、return_to_dispatch、dispatch、"
        "to_odr（转经营者和解）、odr_settled（和解成功）、odr_failed（未和解，转入受理）"
    )
    note: MultilineText = ""
    ground: Text = Field("", description="不予受理情形编码（本件适用规则版本的）")
    unit_id: Id | None = Field(None, description="分派时的承办单位（不填为拟分派单位）")
    substantiated: bool = False
    money_recovered: Text = ""
    referred_to: Text = Field("", description="移送时接收的部门")


class ComplaintOpen311Out(Schema):
    service_request_id: str
    status: str = Field(description="open / closed")
    status_notes: str
    service_name: str
    service_code: str
    agency_responsible: str
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime | None
    expected_datetime: dt.datetime | None


def _caller(request: HttpRequest) -> Any:
    """The authenticated caller (a staff session or an API token's user)."""
    return request.auth  # type: ignore[attr-defined]


def item_out(i: Item) -> dict[str, Any]:
    return {
        "number": i.number,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "channel": i.channel,
        "category": i.category,
        "category_label": i.get_category_display(),
        "state": i.state,
        "state_label": i.get_state_display(),
        "respondent_name": i.respondent_name,
        "district_code": i.district_code,
        "unit": i.unit.name,
        "person": selectors.person_masked(i),
        "received_on": i.received_on,
        "deadline": i.deadline,
        "rule_version": i.rule_version.code,
    }


def _item(request: HttpRequest, number: str) -> Item:
    return Item.objects.select_related("unit", "rule_version").get_visible_or_404(
        _caller(request), number=number[:20]
    )


@router.post(
    "/complaints/intake",
    response={201: ComplaintIntakeOut, 200: ComplaintIntakeOut},
    summary="平台转办登记（幂等）",
)
@operation("complaints.item_register")
def intake(request: HttpRequest, payload: ComplaintIntakeIn) -> tuple[int, dict[str, Any]]:
    item, code = services.item_register(
        actor=_caller(request),
        channel=Item.Channel.PARTNER,
        **{k: v for k, v in payload.dict().items() if k != "person_name"},
        person_name=payload.person_name or "",
    )
    out = {
        "number": item.number,
        "query_code": code,
        "created": bool(code),
        "state": item.state,
        "unit": item.unit.name,
    }
    return (201 if code else 200), out


@router.get("/complaints/items", response=ComplaintItemPage, summary="投诉举报件（数据范围内）")
@operation("complaints.item_view")
def item_list(
    request: HttpRequest,
    state: str = "",
    kind: str = "",
    when: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    if state and state not in Item.State.values:
        raise ValidationError({"state": "状态不正确"})
    if kind and kind not in Item.Kind.values:
        raise ValidationError({"kind": "类型不正确"})
    if when and when not in ("overdue", "due_soon"):
        raise ValidationError({"when": "期限筛选应为 overdue（超期）或 due_soon（即将到期）"})
    if not 1 <= limit <= 200:
        raise ValidationError({"limit": "每页条数应在1至200之间"})
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError({"offset": f"起始位置应在0至{MAX_OFFSET}之间"})
    items = selectors.items_for(_caller(request), state=state, kind=kind, when=when)
    rows = DeferredRows(items.select_related("rule_version"))
    return {"count": rows.count(), "items": [item_out(i) for i in rows[offset : offset + limit]]}


@router.get("/complaints/items/{number}", response=ComplaintItemOut, summary="投诉举报件")
@operation("complaints.item_view")
def item_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return item_out(_item(request, number))


@router.post(
    "/complaints/items/{number}/transitions",
    response=ComplaintItemOut,
    summary="办理投诉举报件（按权限）",
)
@operation("complaints.item_view")
def item_transition(
    request: HttpRequest, number: str, payload: ComplaintTransitionIn
) -> dict[str, Any]:
    item = _item(request, number)
    user = _caller(request)
    name = payload.name
    if name == "dispatch":
        unit = None
        if payload.unit_id is not None:
            unit = OrgUnit.objects.filter(pk=payload.unit_id, is_active=True).first()
            if unit is None:
                raise ValidationError({"unit_id": "承办单位不存在"})
        services.item_dispatch(actor=user, item=item, unit=unit, note=payload.note)
    elif name == "refer_out":
        services.item_refer_out(
            actor=user, item=item, body=payload.referred_to, reason=payload.note
        )
    elif name == "return_to_dispatch":
        services.item_return(actor=user, item=item, reason=payload.note)
    elif name in ("accept", "accept_complaint", "accept_report"):
        services.item_accept(actor=user, item=item, note=payload.note)
    elif name == "not_accept":
        services.item_not_accept(actor=user, item=item, ground=payload.ground, note=payload.note)
    elif name == "answer":
        services.item_answer(actor=user, item=item, note=payload.note)
    elif name in services.MEDIATION_OUTCOMES:
        services.item_conclude(
            actor=user,
            item=item,
            outcome=name,
            note=payload.note,
            substantiated=payload.substantiated,
            money_recovered=payload.money_recovered,
        )
    elif name in ("to_clue", "no_case"):
        services.item_verify(actor=user, item=item, outcome=name, note=payload.note)
    elif name == "to_odr":
        services.item_to_odr(actor=user, item=item, note=payload.note)
    elif name in ("odr_settled", "odr_failed"):
        services.odr_answer_staff(
            actor=user,
            item=item,
            settled=name == "odr_settled",
            note=payload.note,
            money_recovered=payload.money_recovered,
        )
    else:
        ITEM_FLOW.get(name)  # an unknown name: 422 naming it
        raise ValidationError({"name": "此操作请在办理页面办理"})
    item.refresh_from_db()
    return item_out(item)


def _end_of_day(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _open311(
    i: Item, updated: dt.datetime | None, odr_due: dt.date | None = None
) -> dict[str, Any]:
    """One request of the feed. In the business's ODR the item is open, its notes say so,
    and the expected time is the end of the business's period (the bureau's is paused)."""
    closed = i.is_final
    expected = odr_due if i.state == Item.State.ODR else i.deadline
    return {
        "service_request_id": i.number,
        "status": "closed" if closed else "open",
        "status_notes": i.get_state_display(),
        "service_name": i.get_category_display(),
        "service_code": i.category,
        "agency_responsible": i.unit.name,
        "requested_datetime": i.received_at,
        "updated_datetime": updated,
        "expected_datetime": _end_of_day(expected) if expected and not closed else None,
    }


@router.get(
    "/complaints/requests",
    response=list[ComplaintOpen311Out],
    summary="办理状态（Open311 GeoReport v2 requests 格式）",
)
@operation("complaints.item_view")
def requests_feed(
    request: HttpRequest, service_request_id: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    if not 1 <= limit <= 200:
        raise ValidationError({"limit": "每页条数应在1至200之间"})
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationError({"offset": f"起始位置应在0至{MAX_OFFSET}之间"})
    problem = text_problem(service_request_id, multiline=False)
    if problem:
        raise ValidationError({"service_request_id": problem})
    items = Item.objects.visible_to(_caller(request)).select_related("unit")
    if service_request_id:
        numbers = [n.strip().upper()[:20] for n in service_request_id.split(",")[:50] if n.strip()]
        items = items.filter(number__in=numbers)
    rows = list(items.order_by("-received_at", "-pk")[offset : offset + limit])
    updated = selectors.last_events([i.pk for i in rows])
    odr_dues = services.odr_due_dates([i.pk for i in rows if i.state == Item.State.ODR])
    return [_open311(i, updated.get(i.pk), odr_dues.get(i.pk)) for i in rows]
