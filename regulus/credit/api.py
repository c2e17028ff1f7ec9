"""Enterprise credit API: the credit record (scoped), taking hand-overs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from regulus.core import clock, ids
from regulus.core.models import Handover
from regulus.core.permissions import operation
from regulus.core.schemas import MultilineText, Text
from regulus.credit import risk, rules, selectors, services
from regulus.credit.models import (
    AbnormalListing,
    AnnualReport,
    Category,
    CreditRecord,
    RepairApplication,
    SeriousListing,
)
from regulus.registry.models import Entity, EntityKind

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


# -- annual reports ---------------------------------------------------------------------------


class RateRowOut(Schema):
    district_code: str
    district: str
    kind: str
    due: int
    filed: int
    late: int
    rate: float | None = Field(None, description="年报率（%），应报送为0时为空")


class RateOut(Schema):
    year: int
    formula: str
    window: str
    rows: list[RateRowOut]
    total: RateRowOut


def _row_out(r: selectors.RateRow) -> RateRowOut:
    return RateRowOut(
        district_code=r.district_code,
        district=r.district,
        kind=r.kind,
        due=r.due,
        filed=r.filed,
        late=r.late,
        rate=r.rate,
    )


@router.get("/credit/annual-reports/rate", response=RateOut, summary="年报率（本辖区，实时）")
@operation("credit.record_view")
def report_rate(
    request: HttpRequest, year: int | None = None, district: Text = "", kind: Text = ""
) -> RateOut:
    latest = rules.report_year_now(clock.today())
    year = latest if year is None else year
    if not 2014 <= year <= latest:
        raise ValidationError({"year": f"报告年度须为2014至{latest}之间的年份"})
    if district and not (district.isdigit() and len(district) == 6):
        raise ValidationError({"district": "区县代码须为6位数字"})
    if kind and kind not in EntityKind.values:
        raise ValidationError({"kind": f"主体类型须为：{'、'.join(EntityKind.values)}"})
    rows = selectors.filing_rate(request.user, year, district=district, kind=kind)
    return RateOut(
        year=year,
        formula=selectors.rate_formula(year),
        window=rules.window_for(year).text,
        rows=[_row_out(r) for r in rows],
        total=_row_out(selectors.rate_total(rows)),
    )


class ReportItemsIn(Schema):
    address: Text = Field(description="通信地址")
    phone: Text = Field(description="联系电话")
    email: Text = ""
    operating_status: Text = Field(
        description="经营状态：open 开业、suspended 歇业、liquidating 清算"
    )
    website: Text = ""
    investments: MultilineText = ""
    equity_transfers: MultilineText = ""
    employees: int | None = Field(None, ge=0, le=10_000_000)
    total_assets: Decimal | None = Field(None, description="资产总额（万元）")
    revenue: Decimal | None = None
    net_profit: Decimal | None = None
    tax_paid: Decimal | None = None
    publish_employees: bool = False
    publish_financials: bool = False


class PaperReportIn(ReportItemsIn):
    uscc: Text = Field(description="个体工商户的统一社会信用代码")
    year: int | None = Field(None, ge=2014, le=2100, description="报告年度（默认上一年度）")


class PortalReportIn(ReportItemsIn):
    uscc: Text
    code: Text = Field(description="登记机关发放的企业填报码")
    year: int | None = Field(None, ge=2014, le=2100, description="报告年度（默认上一年度）")


class ReportOut(Schema):
    uscc: str
    entity_name: str
    year: int
    version: int
    channel: str
    late: bool
    filed_at: dt.datetime


def _year(year: int | None) -> int:
    return rules.report_year_now(clock.today()) if year is None else year


def _report_out(r: AnnualReport) -> ReportOut:
    return ReportOut(
        uscc=r.entity.uscc,
        entity_name=r.entity.name,
        year=r.year,
        version=r.version,
        channel=r.channel,
        late=r.late,
        filed_at=r.filed_at,
    )


@router.post("/credit/annual-reports/paper", response=ReportOut, summary="录入个体工商户纸质年报")
@operation("credit.report_enter")
def report_paper(request: HttpRequest, payload: PaperReportIn) -> ReportOut:
    entity = get_object_or_404(
        Entity.objects.visible_to(request.user), uscc=ids.normalise(payload.uscc)
    )
    values = payload.dict(exclude={"uscc", "year"})
    return _report_out(
        services.annual_report_file_paper(
            entity=entity, year=_year(payload.year), actor=request.user, **values
        )
    )


@router.post(
    "/credit/annual-reports/portal",
    response=ReportOut,
    auth=None,
    summary="企业网上报送年度报告（公开，须统一社会信用代码与企业填报码一致）",
)
def report_portal(request: HttpRequest, payload: PortalReportIn) -> ReportOut:
    values = payload.dict(exclude={"uscc", "code", "year"})
    return _report_out(
        services.annual_report_file_portal(
            uscc=payload.uscc, code=payload.code, year=_year(payload.year), **values
        )
    )


# -- the abnormal-operations list -------------------------------------------------------------


class ListingOut(Schema):
    id: int
    uscc: str
    entity_name: str
    kind: str
    ground: str
    report_year: int | None
    evidence: str
    listed_on: dt.date
    decision_number: str
    unit: str
    state: str
    removal_due: dt.date | None
    removed_on: dt.date | None
    removal_number: str
    serious_list_rule: str = Field(description="2014年条例“届满3年转入”规则对本条的适用情况")


def _listing_out(r: AbnormalListing) -> ListingOut:
    return ListingOut(
        id=r.pk,
        uscc=r.entity.uscc,
        entity_name=r.entity.name,
        kind=r.kind,
        ground=r.ground,
        report_year=r.report_year,
        evidence=r.evidence,
        listed_on=r.listed_on,
        decision_number=r.decision_number,
        unit=r.unit.name,
        state=r.state,
        removal_due=r.removal_due,
        removed_on=r.removed_on,
        removal_number=r.removal_number,
        serious_list_rule=selectors.serious_transfer_text(r),
    )


@router.get("/credit/abnormal", response=list[ListingOut], summary="经营异常名录（本辖区）")
@operation("credit.record_view")
def listing_list(
    request: HttpRequest, state: Text = "", limit: int = 50, offset: int = 0
) -> list[ListingOut]:
    if state and state not in AbnormalListing.State.values:
        raise ValidationError({"state": f"状态须为：{'、'.join(AbnormalListing.State.values)}"})
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationError({"limit": "每页条数须在1至500之间，偏移量不得为负"})
    rows = selectors.listings_for(request.user, state=state)[offset : offset + limit]
    return [_listing_out(r) for r in rows]


class ListingIn(Schema):
    uscc: Text
    ground: Text = Field(description="instant_info、false_info 或 unreachable")
    evidence: MultilineText = Field(description="证据及其来源")


@router.post("/credit/abnormal", response=ListingOut, summary="列入经营异常名录（状态）")
@operation("credit.abnormal_manage")
def listing_create(request: HttpRequest, payload: ListingIn) -> ListingOut:
    entity = get_object_or_404(
        Entity.objects.visible_to(request.user), uscc=ids.normalise(payload.uscc)
    )
    return _listing_out(
        services.abnormal_list(
            entity=entity, ground=payload.ground, evidence=payload.evidence, actor=request.user
        )
    )


class RemovalIn(Schema):
    reason: MultilineText = Field(description="已履行的义务")


def _listing(request: HttpRequest, listing_id: int) -> AbnormalListing:
    return AbnormalListing.objects.select_related("entity", "unit", "rule").get_visible_or_404(
        request.user, pk=listing_id
    )


@router.post(
    "/credit/abnormal/{listing_id}/removal-application",
    response=ListingOut,
    summary="登记移出申请",
)
@operation("credit.abnormal_manage")
def listing_apply(request: HttpRequest, listing_id: int, payload: RemovalIn) -> ListingOut:
    listing = _listing(request, listing_id)
    return _listing_out(
        services.abnormal_removal_apply(listing=listing, actor=request.user, reason=payload.reason)
    )


@router.post("/credit/abnormal/{listing_id}/removal", response=ListingOut, summary="决定移出")
@operation("credit.abnormal_manage")
def listing_remove(request: HttpRequest, listing_id: int) -> ListingOut:
    listing = _listing(request, listing_id)
    return _listing_out(services.abnormal_remove(listing=listing, actor=request.user))


# -- the serious-violation list and credit repair ----------------------------------------------


class SeriousOut(Schema):
    id: int
    uscc: str
    entity_name: str
    ground: str
    evidence: str
    state: str
    proposed_on: dt.date
    notice_number: str
    statement_deadline: dt.date | None = Field(description="陈述申辩期限（告知后）")
    decision_number: str
    listed_on: dt.date | None
    listed_until: dt.date | None
    early_from: dt.date | None = Field(description="可申请信用修复、提前移出之日")
    legal_representative: str
    bar_until: dt.date | None = Field(description="法定代表人任职限制至")
    removed_on: dt.date | None
    removal_number: str
    removal_reason: str
    unit: str


def _serious_out(r: SeriousListing) -> SeriousOut:
    return SeriousOut(
        id=r.pk,
        uscc=r.entity.uscc,
        entity_name=r.entity.name,
        ground=r.ground,
        evidence=r.evidence,
        state=r.state,
        proposed_on=r.proposed_on,
        notice_number=r.notice_number,
        statement_deadline=r.deadline,
        decision_number=r.decision_number,
        listed_on=r.listed_on,
        listed_until=r.listed_until,
        early_from=r.early_from,
        legal_representative=r.legal_representative,
        bar_until=r.bar_until,
        removed_on=r.removed_on,
        removal_number=r.removal_number,
        removal_reason=r.removal_reason,
        unit=r.unit.name,
    )


def _window(limit: int, offset: int) -> None:
    if not 1 <= limit <= 500 or offset < 0:
        raise ValidationError({"limit": "每页条数须在1至500之间，偏移量不得为负"})


@router.get("/credit/serious", response=list[SeriousOut], summary="严重违法失信名单（本辖区）")
@operation("credit.record_view")
def serious_list(
    request: HttpRequest, state: Text = "", limit: int = 50, offset: int = 0
) -> list[SeriousOut]:
    if state and state not in SeriousListing.State.values:
        raise ValidationError({"state": f"状态须为：{'、'.join(SeriousListing.State.values)}"})
    _window(limit, offset)
    return [
        _serious_out(r)
        for r in selectors.serious_for(request.user, state=state)[offset : offset + limit]
    ]


class SeriousIn(Schema):
    uscc: Text
    ground: Text = Field(description="heavy_penalty 或 false_info")
    evidence: MultilineText = Field(description="证据及其来源")


@router.post("/credit/serious", response=SeriousOut, summary="提出拟列入严重违法失信名单")
@operation("credit.serious_manage")
def serious_create(request: HttpRequest, payload: SeriousIn) -> SeriousOut:
    entity = get_object_or_404(
        Entity.objects.visible_to(request.user), uscc=ids.normalise(payload.uscc)
    )
    return _serious_out(
        services.serious_propose(
            entity=entity, ground=payload.ground, evidence=payload.evidence, actor=request.user
        )
    )


class StepIn(Schema):
    note: MultilineText = Field("", description="陈述申辩意见、不予列入或移出的理由")


SERIOUS_STEPS = ("notify", "hear", "decide", "dismiss", "remove")


@router.post(
    "/credit/serious/{listing_id}/{step}",
    response=SeriousOut,
    summary="严重违法失信名单办理：notify 告知、hear 记录陈述申辩、decide 列入、dismiss 不予列入、"
    "remove 移出",
)
@operation("credit.record_view")
def serious_step(request: HttpRequest, listing_id: int, step: str, payload: StepIn) -> SeriousOut:
    listing = SeriousListing.objects.select_related("entity", "unit").get_visible_or_404(
        request.user, pk=listing_id
    )
    user, note = request.user, payload.note
    if step == "notify":
        services.serious_notify(listing=listing, actor=user)
    elif step == "hear":
        services.serious_hear(listing=listing, actor=user, statement=note)
    elif step == "decide":
        services.serious_decide(listing=listing, actor=user)
    elif step == "dismiss":
        services.serious_dismiss(listing=listing, actor=user, reason=note)
    elif step == "remove":
        services.serious_remove(listing=listing, actor=user, reason=note)
    else:
        raise ValidationError({"step": f"办理步骤须为：{'、'.join(SERIOUS_STEPS)}"})
    listing.refresh_from_db()
    return _serious_out(listing)


class RepairOut(Schema):
    id: int
    number: str
    uscc: str
    entity_name: str
    target: str
    subject: str
    channel: str
    applied_on: dt.date
    state: str
    decision_deadline: dt.date | None
    decided_on: dt.date | None
    decision_note: str


def _repair_out(a: RepairApplication) -> RepairOut:
    return RepairOut(
        id=a.pk,
        number=a.number,
        uscc=a.entity.uscc,
        entity_name=a.entity.name,
        target=a.target,
        subject=a.subject,
        channel=a.channel,
        applied_on=a.applied_on,
        state=a.state,
        decision_deadline=a.deadline,
        decided_on=a.decided_on,
        decision_note=a.decision_note,
    )


@router.get("/credit/repairs", response=list[RepairOut], summary="信用修复申请（本辖区）")
@operation("credit.record_view")
def repair_list(
    request: HttpRequest, state: Text = "", limit: int = 50, offset: int = 0
) -> list[RepairOut]:
    if state and state not in RepairApplication.State.values:
        raise ValidationError({"state": f"状态须为：{'、'.join(RepairApplication.State.values)}"})
    _window(limit, offset)
    return [
        _repair_out(a)
        for a in selectors.repairs_for(request.user, state=state)[offset : offset + limit]
    ]


class RepairPortalIn(Schema):
    uscc: Text
    code: Text = Field(description="登记机关发放的企业填报码")
    target: Text = Field(description="abnormal、serious 或 penalty")
    decision_number: Text = Field(description="列入决定书或行政处罚决定书的文号")
    applicant: Text
    phone: Text
    reason: MultilineText = Field(description="已履行义务、纠正违法行为的情况")
    pledged: bool = Field(False, description="作出信用修复承诺")


@router.post(
    "/credit/repairs/portal",
    response=RepairOut,
    auth=None,
    summary="企业申请信用修复（公开，须统一社会信用代码与企业填报码一致）",
)
def repair_portal(request: HttpRequest, payload: RepairPortalIn) -> RepairOut:
    return _repair_out(
        services.repair_apply_portal(
            uscc=payload.uscc,
            code=payload.code,
            target=payload.target,
            subject_number=payload.decision_number,
            applicant=payload.applicant,
            phone=payload.phone,
            reason=payload.reason,
            pledged=payload.pledged,
        )
    )


class RepairDecisionIn(Schema):
    approve: bool
    reason: MultilineText = Field("", description="不予修复的理由")


@router.post("/credit/repairs/{repair_id}/decision", response=RepairOut, summary="作出信用修复决定")
@operation("credit.repair_decide")
def repair_decide(request: HttpRequest, repair_id: int, payload: RepairDecisionIn) -> RepairOut:
    app = RepairApplication.objects.select_related(
        "entity", "abnormal", "serious", "record"
    ).get_visible_or_404(request.user, pk=repair_id)
    if payload.approve:
        services.repair_approve(app=app, actor=request.user)
    else:
        services.repair_refuse(app=app, actor=request.user, reason=payload.reason)
    app.refresh_from_db()
    return _repair_out(app)


# -- credit risk classes (staff only) ---------------------------------------------------------


class FactorOut(Schema):
    code: str
    label: str
    count: int
    weight: int
    cap: int
    points: int


class RiskOut(Schema):
    uscc: str
    registered_class: str = Field(description="登记的分类（上次月度计算）")
    score: int = Field(description="按当前记录计算的得分，等于各因素得分之和")
    risk_class: str
    model_valid_from: dt.date
    thresholds: dict[str, int]
    factors: list[FactorOut]


@router.get("/credit/risk/{uscc}", response=RiskOut, summary="信用风险分类及逐项计分（内部）")
@operation("credit.risk_view")
def risk_explain(request: HttpRequest, uscc: str) -> RiskOut:
    entity = get_object_or_404(
        Entity.objects.visible_to(request.user), uscc=ids.normalise(uscc)[:18]
    )
    score = risk.entity_score(entity, clock.today())
    m = score.model
    return RiskOut(
        uscc=entity.uscc,
        registered_class=entity.risk_class,
        score=score.total,
        risk_class=score.risk_class,
        model_valid_from=m.valid_from,
        thresholds={"B": m.b_from, "C": m.c_from, "D": m.d_from},
        factors=[
            FactorOut(
                code=f.code,
                label=f.label,
                count=f.count,
                weight=f.weight,
                cap=f.cap,
                points=f.points,
            )
            for f in score.lines
        ],
    )
