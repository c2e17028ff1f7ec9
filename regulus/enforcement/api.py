"""/api/v1/enforcement: clues and cases in the caller's scope, the case's steps by its
officers (and the roles each step names), its documents as files, and the published decisions
(public, masked as published)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Router, Schema

from regulus.core.files import file_response
from regulus.core.pagination import api_page, api_window
from regulus.core.permissions import operation
from regulus.core.schemas import MultilineText, Text
from regulus.core.workflow import DeferredRows
from regulus.enforcement import selectors, services
from regulus.enforcement.models import Case, Clue, Document, PaymentPlan, Publication
from regulus.enforcement.workflow import CASE_FLOW

router = Router(tags=["行政处罚案件"])
VIEW = "enforcement.case_view"


class ClueOut(Schema):
    number: str
    source: str
    source_label: str
    party_name: str
    uscc: str
    title: str
    state: str
    state_label: str
    received_on: dt.date
    deadline: dt.date | None
    unit: str


class CluePage(Schema):
    count: int
    items: list[ClueOut]


class DocumentOut(Schema):
    id: int
    kind: str
    kind_label: str
    number: str
    url: str


class CaseOut(Schema):
    id: int
    number: str
    procedure: str
    party_name: str
    uscc: str
    matter: str
    domain: str
    district_code: str
    state: str
    state_label: str
    filed_on: dt.date
    deadline: dt.date | None
    case_value_fen: int
    penalty_kinds: list[str]
    fine_fen: int
    confiscated_fen: int
    paid_fen: int
    decision_number: str
    decided_on: dt.date | None
    campaign: str


class InstalmentOut(Schema):
    due_on: dt.date
    amount_fen: int


class PaymentPlanOut(Schema):
    kind: str
    kind_label: str
    state: str
    state_label: str
    applied_on: dt.date
    schedule: list[InstalmentOut]
    decided_on: dt.date | None
    document: str
    missed_on: dt.date | None = Field(
        description="逾期未缴清的一期的缴纳日期（此后剩余款项全部到期）"
    )


class CaseDetailOut(CaseOut):
    officers: list[str]
    documents: list[DocumentOut]
    transitions: list[str] = Field(description="调用者现在可以执行的操作")
    payment_plan: PaymentPlanOut | None = Field(description="最近一次分期（延期）缴纳申请")


class PaymentPlanIn(Schema):
    kind: Text = Field(description="instalments（分期缴纳）或 deferral（延期缴纳）")
    reason: Text
    schedule: list[InstalmentOut] = Field(description="每期的缴纳日期和金额（分）")


class PaymentPlanDecisionIn(Schema):
    approve: bool
    document: Text = Field("", description="批准文书文号（批准时必填）")
    note: Text = Field("", description="审批意见（不予批准时必填）")


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class CaseStepIn(Schema):
    name: Text = Field(
        description="finish_investigation、submit_review、review_pass、review_return、"
        "request_hearing、hold_hearing、discuss、apply_court、transfer_police、withdraw"
    )
    note: MultilineText = ""


class PublicationOut(Schema):
    id: int
    decision_number: str
    party: str
    uscc: str
    violation: str
    penalty: str
    authority: str
    decided_on: dt.date
    published_on: dt.date
    shown_until: dt.date
    text: str


class PublicationPage(Schema):
    count: int
    items: list[PublicationOut]


def clue_out(clue: Clue) -> dict[str, Any]:
    return {
        "number": clue.number,
        "source": clue.source,
        "source_label": clue.get_source_display(),
        "party_name": clue.party_name,
        "uscc": clue.uscc,
        "title": clue.title,
        "state": clue.state,
        "state_label": clue.get_state_display(),
        "received_on": clue.received_on,
        "deadline": clue.deadline,
        "unit": clue.unit.name,
    }


def case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "procedure": case.procedure,
        "party_name": case.party_name,
        "uscc": case.uscc,
        "matter": case.matter.name,
        "domain": case.domain,
        "district_code": case.district_code,
        "state": case.state,
        "state_label": case.get_state_display(),
        "filed_on": case.filed_on,
        "deadline": case.deadline,
        "case_value_fen": case.case_value_fen,
        "penalty_kinds": list(case.penalty_kinds),
        "fine_fen": case.fine_fen,
        "confiscated_fen": case.confiscated_fen,
        "paid_fen": case.paid_fen,
        "decision_number": case.decision_number,
        "decided_on": case.decided_on,
        "campaign": case.campaign.name if case.campaign_id else "",  # type: ignore[union-attr]
    }


def _detail(case: Case, user: Any) -> dict[str, Any]:
    return {
        **case_out(case),
        "officers": [u.display_name for u in case.officers.all()],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "number": d.number,
                "url": f"/api/v1/enforcement/documents/{d.pk}",
            }
            for d in selectors.documents_of(case)
        ],
        "transitions": [t.name for t in CASE_FLOW.available(case, user)],
        "payment_plan": _plan_out(case),
    }


def _plan_out(case: Case) -> dict[str, Any] | None:
    plan = case.payment_plans.order_by("-id").first()
    if plan is None:
        return None
    approved = plan.state == PaymentPlan.State.APPROVED
    return {
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "state": plan.state,
        "state_label": plan.get_state_display(),
        "applied_on": plan.applied_on,
        "schedule": [{"due_on": d, "amount_fen": fen} for d, fen in plan.instalments],
        "decided_on": plan.decided_on,
        "document": plan.document,
        "missed_on": services.plan_missed_on(plan) if approved else None,
    }


@router.get("/enforcement/clues", response=CluePage, summary="案件线索（数据范围内）")
@operation(VIEW)
def clue_list(
    request: HttpRequest, limit: int | None = None, offset: int | None = None
) -> dict[str, Any]:
    """分页用 limit（1–200，默认50）和 offset。"""
    window = api_window(limit=limit, offset=offset)
    return api_page(selectors.clue_list(request.auth), window, clue_out)  # type: ignore[attr-defined]


@router.get("/enforcement/cases", response=CasePage, summary="行政处罚案件（数据范围内）")
@operation(VIEW)
def case_list(
    request: HttpRequest, limit: int | None = None, offset: int | None = None
) -> dict[str, Any]:
    """分页用 limit（1–200，默认50）和 offset。"""
    window = api_window(limit=limit, offset=offset)
    cases = selectors.case_list(request.auth).select_related("campaign")  # type: ignore[attr-defined]
    return api_page(DeferredRows(cases), window, case_out)


@router.get("/enforcement/cases/{case_id}", response=CaseDetailOut, summary="一件案件及其文书")
@operation(VIEW)
def case_detail(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    case = Case.objects.select_related("matter", "campaign").get_visible_or_404(user, pk=case_id)
    return _detail(case, user)


@router.post(
    "/enforcement/cases/{case_id}/steps", response=CaseDetailOut, summary="案件流转（办案人员）"
)
@operation(VIEW)
def case_step(request: HttpRequest, case_id: int, payload: CaseStepIn) -> dict[str, Any]:
    """只有一个说明的流转；每步的权限见其名称（办案人员、法制审核员、听证主持人、局领导）。"""
    user = request.auth  # type: ignore[attr-defined]
    case = Case.objects.select_related("matter", "campaign").get_visible_or_404(user, pk=case_id)
    services.case_step(actor=user, case=case, name=payload.name, note=payload.note)
    return _detail(case, user)


@router.post(
    "/enforcement/cases/{case_id}/payment-plan",
    response=CaseDetailOut,
    summary="登记分期（延期）缴纳申请（办案人员）",
)
@operation(VIEW)
def payment_plan_apply(
    request: HttpRequest, case_id: int, payload: PaymentPlanIn
) -> dict[str, Any]:
    """当事人书面申请分期或延期缴纳罚没款，在缴款期限届满前登记；
    金额单位为分，合计应等于尚欠罚没款。"""
    user = request.auth  # type: ignore[attr-defined]
    case = Case.objects.select_related("matter", "campaign").get_visible_or_404(user, pk=case_id)
    services.payment_plan_apply(
        actor=user,
        case=case,
        kind=payload.kind,
        reason=payload.reason,
        schedule=[row.dict() for row in payload.schedule],
    )
    return _detail(case, user)


@router.post(
    "/enforcement/cases/{case_id}/payment-plan/decision",
    response=CaseDetailOut,
    summary="审批分期（延期）缴纳申请（局领导）",
)
@operation(VIEW)
def payment_plan_decide(
    request: HttpRequest, case_id: int, payload: PaymentPlanDecisionIn
) -> dict[str, Any]:
    """批准（填批准文书文号，缴款期限由缴纳计划代替）或不予批准（填理由）。"""
    user = request.auth  # type: ignore[attr-defined]
    case = Case.objects.select_related("matter", "campaign").get_visible_or_404(user, pk=case_id)
    services.payment_plan_decide(
        actor=user,
        case=case,
        approve=payload.approve,
        document=payload.document,
        note=payload.note,
    )
    return _detail(case, user)


@router.get("/enforcement/documents/{document_id}", summary="下载案件文书（.docx）")
@operation(VIEW)
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    user = request.auth  # type: ignore[attr-defined]
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404("文书不存在")
    Case.objects.get_visible_or_404(user, pk=document.case_id)
    return file_response(
        document.stored_name,
        download_name=f"{document.get_kind_display()}-{document.number}.docx",
        content_type=document.content_type,
        inline=False,
    )


def publication_out(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "decision_number": p.decision_number,
        "party": p.party_masked,
        "uscc": p.uscc,
        "violation": p.violation,
        "penalty": p.penalty,
        "authority": p.authority,
        "decided_on": p.decided_on,
        "published_on": p.published_on,
        "shown_until": p.shown_until,
        "text": p.text_masked,
    }


@router.get(
    "/enforcement/publications",
    response=PublicationPage,
    auth=None,
    summary="行政处罚信息公示（公开，已脱敏）",
)
def publication_list(
    request: HttpRequest, limit: int | None = None, offset: int | None = None
) -> dict[str, Any]:
    """分页用 limit（1–200，默认50）和 offset。"""
    window = api_window(limit=limit, offset=offset)
    return api_page(selectors.publications_public(), window, publication_out)
