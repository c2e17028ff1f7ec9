"""/api/v1/equipment: the register in the caller's scope (read), inspection results (write,
for inspection bodies' systems), the public tag check (no login), field checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from regulus.core.pagination import api_page, api_window
from regulus.core.permissions import operation
from regulus.core.schemas import Text
from regulus.equipment import selectors, services
from regulus.equipment.models import Category, Equipment, FieldCheck
from regulus.registry.rules import DISTRICTS

router = Router(tags=["特种设备"])


def district_param(value: str) -> str:
    """A district code of the bureau's, or "" for all; anything else is refused (422)."""
    if value and value not in DISTRICTS:
        raise ValidationError({"district": "区县应为本局所辖区县的6位行政区划代码"})
    return value


class EquipmentOut(Schema):
    id: int
    tag_code: str
    category: str
    category_label: str
    kind: str
    registration_number: str | None
    using_uscc: str
    using_unit: str
    district_code: str
    compound: str
    address: str
    status: str
    status_label: str
    last_inspected_on: dt.date | None
    last_result: str
    next_due_on: dt.date | None
    overdue: bool
    registration_deadline: dt.date | None


class EquipmentPage(Schema):
    count: int
    items: list[EquipmentOut]


class InspectionIn(Schema):
    inspected_on: dt.date
    result: Text = Field(description="passed 合格 / passed_after_repair 复检合格 / failed 不合格")
    next_due_on: dt.date | None = Field(None, description="不填按设备类别施行中的检验周期计算")
    agency: Text = ""
    report_number: Text = ""


class InspectionOut(Schema):
    id: int
    equipment_id: int
    inspected_on: dt.date
    result: str
    next_due_on: dt.date
    interval_months: int | None


class TagOut(Schema):
    code: str
    status: str = Field(
        description="valid 在有效期内 / overdue 超期未检 / stopped 停用 / scrapped 报废"
    )
    category: str
    registration_number: str
    district: str
    compound: str
    using_unit: str
    maintenance_unit: str
    last_inspected_on: dt.date | None
    next_due_on: dt.date | None


class CheckOut(Schema):
    number: str
    uscc: str
    entity_name: str
    kind: str
    kind_label: str
    checked_on: dt.date
    outcome: str
    hazards: int
    orders: list[str]


class CheckPage(Schema):
    count: int
    items: list[CheckOut]


def equipment_out(e: Equipment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "tag_code": e.tag_code,
        "category": e.category,
        "category_label": e.get_category_display(),
        "kind": e.kind,
        "registration_number": e.registration_number,
        "using_uscc": e.using_entity.uscc,
        "using_unit": e.using_entity.name,
        "district_code": e.district_code,
        "compound": e.compound.name if e.compound else "",
        "address": e.address,
        "status": e.status,
        "status_label": e.get_status_display(),
        "last_inspected_on": e.last_inspected_on,
        "last_result": e.last_result,
        "next_due_on": e.next_due_on,
        "overdue": e.overdue,
        "registration_deadline": e.registration_deadline,
    }


@router.get("/equipment", response=EquipmentPage, summary="特种设备台账（数据范围内）")
@operation("equipment.equipment_view")
def equipment_list(
    request: HttpRequest,
    when: str = "",
    district: str = "",
    category: str = "",
    limit: int | None = None,
    offset: int | None = None,
) -> dict[str, Any]:
    """when：due（30日内到期）/ overdue（超期未检）；district：区县代码；category：设备类别代码。
    分页用 limit（1–200，默认50）和 offset。"""
    window = api_window(limit=limit, offset=offset)
    if when and when not in selectors.WHEN_LABELS:
        raise ValidationError({"when": "期限应为 due（30日内到期）或 overdue（超期未检）"})
    if category and category not in Category.values:
        raise ValidationError({"category": f"设备类别代码应为{'、'.join(Category.values)}之一"})
    rows = selectors.equipment_list(
        user=request.auth,  # type: ignore[attr-defined]
        when=when,
        district=district_param(district),
        category=category,
    )
    return api_page(rows, window, equipment_out)


@router.get("/equipment/items/{equipment_id}", response=EquipmentOut, summary="一台特种设备")
@operation("equipment.equipment_view")
def equipment_detail(request: HttpRequest, equipment_id: int) -> dict[str, Any]:
    return equipment_out(selectors.equipment_get(request.auth, equipment_id))  # type: ignore[attr-defined]


@router.post(
    "/equipment/items/{equipment_id}/inspections",
    response={201: InspectionOut},
    summary="录入定期检验结果",
)
@operation("equipment.equipment_edit")
def inspection_create(
    request: HttpRequest, equipment_id: int, payload: InspectionIn
) -> tuple[int, dict[str, Any]]:
    item = selectors.equipment_get(request.auth, equipment_id)  # type: ignore[attr-defined]
    inspection = services.inspection_record(
        actor=request.auth,  # type: ignore[attr-defined]
        equipment=item,
        inspected_on=payload.inspected_on,
        result=payload.result,
        next_due_on=payload.next_due_on,
        agency=payload.agency,
        report_number=payload.report_number,
    )
    return 201, {
        "id": inspection.pk,
        "equipment_id": item.pk,
        "inspected_on": inspection.inspected_on,
        "result": inspection.result,
        "next_due_on": inspection.next_due_on,
        "interval_months": inspection.interval_rule.months if inspection.interval_rule else None,
    }


@router.get("/equipment/tags/{code}", response=TagOut, auth=None, summary="扫码查验设备（公开）")
def tag_check(request: HttpRequest, code: str) -> dict[str, Any]:
    found = selectors.public_tag(code[:20])
    if found is None:
        raise Http404("未找到该设备标签，请核对标签码")
    return {k: found[k] for k in TagOut.model_fields}


@router.get("/equipment/checks", response=CheckPage, summary="现场检查（数据范围内）")
@operation("equipment.check_view")
def check_list(
    request: HttpRequest, limit: int | None = None, offset: int | None = None
) -> dict[str, Any]:
    window = api_window(limit=limit, offset=offset)
    rows = selectors.check_list(user=request.auth).prefetch_related("orders")  # type: ignore[attr-defined]

    def out(c: FieldCheck) -> dict[str, Any]:
        return {
            "number": c.number,
            "uscc": c.entity.uscc,
            "entity_name": c.entity.name,
            "kind": c.kind,
            "kind_label": c.get_kind_display(),
            "checked_on": c.checked_on,
            "outcome": c.outcome,
            "hazards": c.hazard_count,  # type: ignore[attr-defined]
            "orders": [o.number for o in c.orders.all()],
        }

    return api_page(rows, window, out)
