"""/api/v1/canteens: the canteens in the caller's scope, the coverage per district, and the
daily self-check written by a school's system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from regulus.canteens import selectors, services
from regulus.canteens.models import Canteen
from regulus.core.pagination import api_page, api_window
from regulus.core.permissions import operation
from regulus.core.schemas import Text
from regulus.registry.rules import DISTRICTS

router = Router(tags=["学校食堂"])


def district_param(value: str) -> str:
    """A district code of the bureau's, or "" for all; anything else is refused (422)."""
    if value and value not in DISTRICTS:
        raise ValidationError({"district": "区县应为本局所辖区县的6位行政区划代码"})
    return value


class CanteenOut(Schema):
    id: int
    school_name: str
    school_kind: str
    pupils: int
    district_code: str
    uscc: str
    standard: str
    standard_label: str
    compliant_on: dt.date | None
    kitchen_view: str
    kitchen_view_label: str
    public_code: str


class CanteenPage(Schema):
    count: int
    items: list[CanteenOut]


class CoverageRow(Schema):
    district_code: str
    label: str
    total: int
    open_kitchen: int
    rate: float | None
    meets: bool


class CoverageOut(Schema):
    target_percent: int | None
    total: int
    open_kitchen: int
    rate: float | None
    compliant: int
    standard_target: int | None
    rows: list[CoverageRow]


class SelfCheckIn(Schema):
    on: dt.date
    items_checked: int
    items_failed: int = 0
    problems: Text = ""


class SelfCheckOut(Schema):
    id: int
    on: dt.date
    items_checked: int
    items_failed: int


def canteen_out(c: Canteen) -> dict[str, Any]:
    return {
        "id": c.pk,
        "school_name": c.school_name,
        "school_kind": c.school_kind,
        "pupils": c.pupils,
        "district_code": c.district_code,
        "uscc": c.entity.uscc,
        "standard": c.standard,
        "standard_label": c.get_standard_display(),
        "compliant_on": c.compliant_on,
        "kitchen_view": c.kitchen_view,
        "kitchen_view_label": c.get_kitchen_view_display(),
        "public_code": c.public_code,
    }


@router.get("/canteens", response=CanteenPage, summary="学校食堂（数据范围内）")
@operation("canteens.canteen_view")
def canteen_list(
    request: HttpRequest, district: str = "", limit: int | None = None, offset: int | None = None
) -> dict[str, Any]:
    window = api_window(limit=limit, offset=offset)
    rows = selectors.canteen_list(
        user=request.auth,  # type: ignore[attr-defined]
        district=district_param(district),
    )
    return api_page(rows, window, canteen_out)


@router.get("/canteens/coverage", response=CoverageOut, summary="明厨亮灶覆盖率（按区县）")
@operation("canteens.stats_view")
def coverage(request: HttpRequest) -> dict[str, Any]:
    data = selectors.coverage(request.auth)  # type: ignore[attr-defined]
    target = data["target"]
    return {
        "target_percent": target.kitchen_view_percent if target else None,
        "standard_target": target.standard_target if target else None,
        **{k: data[k] for k in ("total", "open_kitchen", "rate", "compliant", "rows")},
    }


@router.post(
    "/canteens/{canteen_id}/self-checks", response={201: SelfCheckOut}, summary="录入每日自查"
)
@operation("canteens.canteen_edit")
def self_check_create(
    request: HttpRequest, canteen_id: int, payload: SelfCheckIn
) -> tuple[int, dict[str, Any]]:
    canteen = selectors.canteen_get(request.auth, canteen_id)  # type: ignore[attr-defined]
    record = services.self_check_record(
        actor=request.auth,  # type: ignore[attr-defined]
        canteen=canteen,
        on=payload.on,
        items_checked=payload.items_checked,
        items_failed=payload.items_failed,
        problems=payload.problems,
    )
    return 201, {
        "id": record.pk,
        "on": record.on,
        "items_checked": record.items_checked,
        "items_failed": record.items_failed,
    }
