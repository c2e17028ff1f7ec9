"""Kernel endpoints: who am I, the units I see, the staff I see, the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from regulus.core import calendar, selectors
from regulus.core.models import OrgUnit, Role, User
from regulus.core.permissions import operation
from regulus.core.schemas import Id, Text
from regulus.core.text import shown

router = Router(tags=["平台内核"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    division_code: str


class MeOut(Schema):
    username: str
    full_name: str
    unit: UnitOut | None
    roles: list[str]
    scope: str


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    unit_id: int | None
    roles: list[str] = Field(default_factory=list)


class DeadlineOut(Schema):
    start: dt.date
    working_days: int
    deadline: dt.date
    provisional: bool


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/me", response=MeOut, summary="当前用户")
@operation(None)
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    unit = UnitOut.model_validate(user.unit, from_attributes=True) if user.unit else None
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        unit=unit,
        roles=sorted(user.role_codes()),
        scope=selectors.scope_description(user),
    )


@router.get("/units", response=list[UnitOut], summary="本人数据范围内的单位")
@operation("core.staff_view")
def units(request: HttpRequest) -> list[OrgUnit]:
    return list(selectors.units_visible_to(_user(request)))


@router.get("/staff", response=list[StaffOut], summary="本人数据范围内的工作人员")
@operation("core.staff_view")
def staff(
    request: HttpRequest, q: Text = "", role: str = "", unit: Id | None = None
) -> list[StaffOut]:
    if role and role not in Role.Code.values:
        listed = "、".join(f"{code}（{label}）" for code, label in Role.Code.choices)
        raise ValidationError({"role": f"角色“{shown(role)}”不是可选的值，应为{listed}"})
    if unit is not None and not OrgUnit.objects.filter(pk=unit).exists():
        raise ValidationError({"unit": f"没有编号为{unit}的单位"})
    rows = selectors.staff_search(user=_user(request), unit_id=unit, q=q, role=role)[:500]
    return [
        StaffOut(
            id=s.pk,
            username=s.username,
            full_name=s.full_name,
            unit_id=s.unit_id,
            roles=sorted(r.code for r in s.roles.all()),
        )
        for s in rows
    ]


@router.get("/staff/{staff_id}", response=StaffOut, summary="工作人员详情")
@operation("core.staff_view")
def staff_detail(request: HttpRequest, staff_id: Id) -> StaffOut:
    s = User.objects.get_visible_or_404(_user(request), pk=staff_id)
    return StaffOut(
        id=s.pk,
        username=s.username,
        full_name=s.full_name,
        unit_id=s.unit_id,
        roles=sorted(s.role_codes()),
    )


@router.get("/calendar/deadline", response=DeadlineOut, summary="按法定工作日计算期限")
@operation("core.calendar_view")
def deadline(request: HttpRequest, start: dt.date, working_days: int) -> DeadlineOut:
    if not 0 <= working_days <= 400:
        raise HttpError(422, "working_days：应在0至400之间")
    result = calendar.working_deadline(start, working_days)
    return DeadlineOut(
        start=start, working_days=working_days, deadline=result.date, provisional=result.provisional
    )
