"""一件事一次办 API: the catalogue, applications (scoped), their simple transitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from regulus.core import clock_selectors, ids
from regulus.core.api import ClockOut, clock_out
from regulus.core.pagination import api_page, api_window
from regulus.core.permissions import operation
from regulus.core.schemas import MultilineText, Name, Text
from regulus.core.workflow import DeferredRows
from regulus.licensing import selectors, services
from regulus.licensing.models import Application, Bundle, Matter

router = Router(tags=["一件事一次办"])


class MaterialOut(Schema):
    key: str
    name: str
    form: str
    mandatory: bool
    matters: list[str]


class MatterOut(Schema):
    code: str
    name: str
    treatment: str
    department: str
    legal_basis: str
    commitment_allowed: bool
    onsite_check_required: bool
    validity_years: int | None
    entity_kinds: list[str]
    statutory_days: int | None
    promised_days: int | None
    acceptance_days: int | None = Field(None, description="受理时限（工作日，行政许可法第32条）")
    issue_days: int | None = Field(None, description="制证时限（工作日，服务承诺）")
    delivery_days: int | None = Field(None, description="送达时限（工作日，服务承诺）")
    rectification_days: int | None = Field(None, description="承诺不实整改期限（工作日）")
    rule_effective_from: dt.date | None


class BundleOut(Schema):
    code: str
    name: str
    description: str
    matters: list[str]
    materials: list[MaterialOut]
    commitment_allowed: bool


class ApplicationIn(Schema):
    bundle: Text = Field(description="一件事编码，如 open-supermarket")
    uscc: Text = Field("", description="已有主体的统一社会信用代码；新设主体留空")
    applicant_name: Name = ""
    entity_kind: Text = ""
    contact_name: Name
    contact_id_number: Text = ""
    contact_phone: Text
    address: Text = ""
    district_code: Text = ""
    business_scope: MultilineText = ""
    path: Text = "normal"
    commitment_signed: bool = False
    delivery_method: Text = "pickup"
    delivery_address: Text = ""
    paper_materials: list[Text] = Field(
        default_factory=list, description="窗口已收取纸质材料的共享材料编码"
    )


class ItemOut(Schema):
    matter: str
    statutory_days: int
    promised_days: int
    rule_effective_from: dt.date


class ApplicationOut(Schema):
    number: str
    bundle: str
    applicant_name: str
    entity_kind: str
    uscc: str
    state: str
    state_label: str
    path: str
    channel: str
    district_code: str
    unit: str
    deadline: dt.date | None = Field(description="当前环节期限（当前计时的届满日）")
    deadline_provisional: bool = Field(description="期限暂定：所在年份的节假日安排尚未载入")
    overdue: bool
    submitted_at: dt.datetime
    completed_at: dt.datetime | None
    working_days_taken: int | None
    same_day: bool
    visits: int
    materials_count: int
    items: list[ItemOut] = Field(default_factory=list)
    certificate_number: str | None = None


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationOut]


class TransitionIn(Schema):
    name: Text = Field(description="accept / not_accept / withdraw / approve / refuse / issue")
    note: MultilineText = ""


def matter_out(m: Matter) -> dict[str, Any]:
    from regulus.core import clock

    rule = m.rule_on(clock.today())
    return {
        "code": m.code,
        "name": m.name,
        "treatment": m.treatment,
        "department": m.department,
        "legal_basis": m.legal_basis,
        "commitment_allowed": m.commitment_allowed,
        "onsite_check_required": m.onsite_check_required,
        "validity_years": m.validity_years,
        "entity_kinds": m.entity_kinds,
        "statutory_days": rule.statutory_days if rule else None,
        "promised_days": rule.promised_days if rule else None,
        "acceptance_days": rule.acceptance_days if rule else None,
        "issue_days": rule.issue_days if rule else None,
        "delivery_days": rule.delivery_days if rule else None,
        "rectification_days": rule.rectification_days if rule else None,
        "rule_effective_from": rule.effective_from if rule else None,
    }


def bundle_out(b: Bundle) -> dict[str, Any]:
    matters = selectors.bundle_matters(b, new_business=True)
    return {
        "code": b.code,
        "name": b.name,
        "description": b.description,
        "matters": [m.name for m in matters],
        "materials": [vars(r) | {"matters": r.matters} for r in selectors.materials_union(matters)],
        "commitment_allowed": selectors.commitment_problem(matters) is None,
    }


def application_out(a: Application, *, detail: bool = False) -> dict[str, Any]:
    from regulus.core import clock

    out: dict[str, Any] = {
        "number": a.number,
        "bundle": a.bundle.code,
        "applicant_name": a.applicant_name,
        "entity_kind": a.entity_kind,
        "uscc": a.uscc,
        "state": a.state,
        "state_label": a.get_state_display(),
        "path": a.path,
        "channel": a.channel,
        "district_code": a.district_code,
        "unit": a.unit.name,
        "deadline": a.deadline,
        "deadline_provisional": a.deadline_provisional,
        "overdue": bool(
            a.deadline
            and a.deadline < clock.today()
            and a.state in Application.workflow.open_states()
        ),
        "submitted_at": a.submitted_at,
        "completed_at": a.completed_at,
        "working_days_taken": a.working_days_taken,
        "same_day": a.same_day,
        "visits": a.visits,
        "materials_count": a.materials_count,
    }
    if detail:
        out["items"] = [
            {
                "matter": i.matter.name,
                "statutory_days": i.statutory_days,
                "promised_days": i.promised_days,
                "rule_effective_from": i.rule_effective_from,
            }
            for i in a.items.select_related("matter")
        ]
        cert = getattr(a, "certificate", None) if hasattr(a, "certificate") else None
        out["certificate_number"] = cert.number if cert else None
    return out


@router.get("/licensing/matters", response=list[MatterOut], summary="事项清单")
@operation("licensing.catalogue_view")
def matter_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [matter_out(m) for m in Matter.objects.filter(is_active=True)]


@router.get("/licensing/bundles", response=list[BundleOut], summary="一件事套餐（含材料并集）")
@operation("licensing.catalogue_view")
def bundle_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [bundle_out(b) for b in selectors.bundles_active()]


@router.get("/licensing/applications", response=ApplicationPage, summary="办件列表（数据范围内）")
@operation("licensing.application_view")
def application_list(
    request: HttpRequest,
    state: str = "",
    q: Text = "",
    overdue: bool = False,
    due_soon: bool = False,
    limit: int | None = None,
    offset: int | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> dict[str, Any]:
    """分页用 limit（1–200，默认50）和 offset；page/per_page 为兼容的别名。"""
    window = api_window(limit=limit, offset=offset, page=page, per_page=per_page)
    if state and state not in Application.State.values:
        raise ValidationError({"state": "状态不正确"})
    qs = selectors.applications_for(
        request.auth,  # type: ignore[attr-defined]
        state=state,
        q=q,
        overdue_only=overdue,
        due_soon_only=due_soon,
    )
    return api_page(DeferredRows(qs), window, application_out)


@router.get("/licensing/applications/{number}", response=ApplicationOut, summary="办件详情")
@operation("licensing.application_view")
def application_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    return application_out(selectors.application_get(user, number), detail=True)


@router.get(
    "/licensing/applications/{number}/clocks",
    response=list[ClockOut],
    summary="办件的计时及期限计算过程",
)
@operation("licensing.application_view")
def application_clocks(request: HttpRequest, number: str) -> list[ClockOut]:
    app = selectors.application_get(request.auth, number)  # type: ignore[attr-defined]
    return [clock_out(cv) for cv in clock_selectors.object_clocks(app)]


@router.post(
    "/licensing/applications",
    response={201: ApplicationOut},
    summary="窗口录入申请（材料以纸质收取或随后上传）",
)
@operation("licensing.application_submit")
def application_create(request: HttpRequest, payload: ApplicationIn) -> tuple[int, dict]:
    user = request.auth  # type: ignore[attr-defined]
    bundle = Bundle.objects.filter(code=payload.bundle, is_active=True).first()
    if bundle is None:
        raise ValidationError({"bundle": f"没有编码为“{payload.bundle}”的一件事"})
    entity = None
    if payload.uscc:
        from regulus.registry.models import Entity

        try:
            code = ids.validate_uscc(payload.uscc)
        except ValidationError as exc:
            raise ValidationError({"uscc": "；".join(exc.messages)}) from None
        entity = Entity.objects.visible_to(user).filter(uscc=code).first()
        if entity is None:
            raise ValidationError({"uscc": f"{code}不在登记的市场主体中（或不在您的数据范围内）"})
    data = payload.dict(exclude={"bundle", "uscc", "paper_materials"})
    app = services.application_submit(
        actor=user,
        channel=Application.Channel.WINDOW,
        bundle=bundle,
        entity=entity,
        paper_materials=payload.paper_materials,
        **data,
    )
    return 201, application_out(app, detail=True)


@router.post(
    "/licensing/applications/{number}/transitions",
    response=ApplicationOut,
    summary="办理一步（受理、不予受理、撤回、准予、不予许可、制发证照）",
)
@operation("licensing.application_view")
def application_transition(
    request: HttpRequest, number: str, payload: TransitionIn
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    app = selectors.application_get(user, number)
    if payload.name == "accept":
        services.application_accept(application=app, actor=user, note=payload.note)
    elif payload.name == "issue":
        services.certificate_issue(application=app, actor=user)
    elif payload.name in {"not_accept", "withdraw", "approve", "refuse"}:
        services.application_transition(
            application=app, name=payload.name, actor=user, note=payload.note
        )
    else:
        raise ValidationError({"name": "此操作请在办件页面办理"})
    app = get_object_or_404(Application, pk=app.pk)
    return application_out(app, detail=True)
