"""Staff pages of enforcement: clues and their inbox, cases with their steps, documents,
the publication review, campaigns, the counts. Thin: parse, call a selector or a service,
render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.core import clock, clock_selectors
from regulus.core.documents import XLSX_CONTENT_TYPE
from regulus.core.errors import WHOLE, field_messages, flash_errors
from regulus.core.files import file_response
from regulus.core.models import Handover, User
from regulus.core.permissions import allows, page
from regulus.core.text import trim
from regulus.core.views import choice_param, paginate, text_param
from regulus.core.workflow import DeferredRows, timeline
from regulus.enforcement import selectors, services
from regulus.enforcement.models import (
    PENALTY_KINDS,
    Campaign,
    Case,
    Clue,
    Document,
    Domain,
    Matter,
    PaymentPlan,
    Seizure,
)
from regulus.enforcement.rules import NOT_FILING_GROUNDS
from regulus.enforcement.workflow import (
    CASE_FLOW,
    CLUE_FLOW,
    hearing_right,
    publication_required,
    state_badge,
)
from regulus.registry.rules import DISTRICTS

VIEW = "enforcement.case_view"


def _errors(exc: ValidationError) -> dict[str, str]:
    """Field messages for a form; the messages about no field under "all" (a template may not
    read "__all__")."""
    return {("all" if k == WHOLE else k): v for k, v in field_messages(exc).items()}


def _staff(user: Any, ids: list[str]) -> list[User]:
    """Active staff chosen on a form; the services check each one's role and unit (officers
    of the case's unit in the user's scope, a host who may hold hearings)."""
    picked = [int(i) for i in ids if i.isdigit() and len(i) < 12]
    return list(User.objects.filter(pk__in=picked, is_active=True))


def _officer_choices(user: Any) -> Any:
    unit = getattr(user, "unit", None)
    if unit is None:
        return User.objects.none()
    return User.objects.filter(is_active=True, unit__path__startswith=unit.path).order_by("pk")[
        :200
    ]


def _campaign(raw: str) -> Campaign | None:
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError({"campaign": "请选择有效的专项行动"})
    campaign = Campaign.objects.filter(pk=int(raw)).first()
    if campaign is None:
        raise ValidationError({"campaign": "请选择有效的专项行动"})
    return campaign


# -- clues -------------------------------------------------------------------------------------


@page(VIEW)
def clue_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request, "state", Clue.State.choices, "状态")
    source = choice_param(request, "source", Clue.Source.choices, "来源")
    q = text_param(request, "q", "查询内容", 50)
    clues = selectors.clue_list(request.user, state=state, source=source, q=q)
    context = {
        "state": state,
        "source": source,
        "q": q,
        "states": Clue.State.choices,
        "sources": Clue.Source.choices,
        "inbox": selectors.clue_inbox(request.user)[:50],
        "can_handle": allows(request.user, "enforcement.clue_handle"),
        "domains": Domain.choices,
        **paginate(request, clues),
    }
    for clue in context["page_obj"]:
        clue.badge = state_badge(clue.state)
    return render(request, "enforcement/clue_list.html", context)


@page("enforcement.clue_handle")
@require_POST
def inbox_take(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_object_or_404(selectors.clue_inbox(request.user), pk=pk, kind=Handover.Kind.CLUE)
    try:
        domain = request.POST.get("domain", Domain.OTHER)
        clue = services.clue_from_handover(actor=request.user, handover=handover, domain=domain)
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
        return redirect("enforcement:clue_list")
    messages.success(request, f"已接收为线索 {clue.number}")
    return redirect("enforcement:clue_detail", number=clue.number)


@page("enforcement.clue_handle")
def clue_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        try:
            clue = services.clue_register(
                actor=request.user,
                source=post.get("source", ""),
                party_name=post.get("party_name", "")[:300],
                domain=post.get("domain", ""),
                title=post.get("title", "")[:300],
                detail=post.get("detail", "")[:5000],
                source_agency=post.get("source_agency", "")[:200],
                source_number=post.get("source_number", "")[:100],
                campaign=_campaign(post.get("campaign", "")),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"已登记线索 {clue.number}")
            return redirect("enforcement:clue_detail", number=clue.number)
    return render(
        request,
        "enforcement/clue_form.html",
        {
            "data": request.POST,
            "errors": errors,
            "sources": [c for c in Clue.Source.choices if c[0] in services.STAFF_SOURCES],
            "domains": Domain.choices,
            "campaigns": Campaign.objects.order_by("-starts_on"),
        },
    )


def _get_clue(request: HttpRequest, number: str) -> Clue:
    return Clue.objects.select_related("unit", "campaign").get_visible_or_404(
        request.user, number=number[:20]
    )


@page(VIEW)
def clue_detail(request: HttpRequest, number: str) -> HttpResponse:
    clue = _get_clue(request, number)
    views = clock_selectors.object_clocks(clue)
    context = {
        "clue": clue,
        "badge": state_badge(clue.state),
        "available": {t.name: t for t in CLUE_FLOW.available(clue, request.user)},
        "timeline": timeline(clue, CLUE_FLOW),
        "main_clock": clock_selectors.main_clock(views),
        "grounds": NOT_FILING_GROUNDS,
        "ground_label": dict(
            (g["code"], g["label"] + "（" + g["basis"] + "）") for g in NOT_FILING_GROUNDS
        ).get(clue.not_filing_ground, ""),
        "matters": Matter.objects.filter(active=True),
        "officers": _officer_choices(request.user),
        "party_kinds": Case.PartyKind.choices,
        "case": getattr(clue, "case", None) if clue.state == Clue.State.FILED else None,
    }
    return render(request, "enforcement/clue_detail.html", context)


@page(VIEW)
@require_POST
def clue_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    clue = _get_clue(request, number)
    post = request.POST
    note = trim(post.get("note", ""), multiline=True)[:4000]
    try:
        if action in ("propose_filing", "propose_not_filing"):
            matter = (
                Matter.objects.filter(pk=int(post["matter"])).first()
                if post.get("matter", "").isdigit()
                else None
            )
            services.clue_propose(
                actor=request.user,
                clue=clue,
                file_case=action == "propose_filing",
                findings=note,
                ground=post.get("ground", ""),
                matter=matter,
                officers=_staff(request.user, post.getlist("officers")),
                party_kind=post.get("party_kind", ""),
                violation_on=post.get("violation_on", ""),
                case_value=post.get("case_value", "")[:20],
                facts=post.get("facts", "")[:4000],
                party_address=post.get("party_address", "")[:300],
                party_name=post.get("party_name", "")[:300],
            )
            messages.success(request, "已提请领导审批")
        elif action in ("approve", "send_back"):
            services.clue_decide(
                actor=request.user, clue=clue, approve=action == "approve", note=note
            )
            messages.success(request, "已批准" if action == "approve" else "已退回继续核查")
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect("enforcement:clue_detail", number=clue.number)


# -- cases -------------------------------------------------------------------------------------


@page(VIEW)
def case_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "state": choice_param(request, "state", Case.State.choices, "状态"),
        "district": choice_param(request, "district", DISTRICTS.items(), "区县"),
        "domain": choice_param(request, "domain", Domain.choices, "领域"),
        "q": text_param(request, "q", "查询内容", 50),
    }
    campaign_raw = request.GET.get("campaign", "")
    campaign = int(campaign_raw) if campaign_raw.isdigit() and len(campaign_raw) < 12 else None
    overdue = request.GET.get("overdue") == "1"
    cases = selectors.case_list(request.user, campaign=campaign, overdue=overdue, **filters)
    context = {
        **filters,
        "overdue": overdue,
        "campaign": campaign,
        "states": Case.State.choices,
        "districts": sorted(DISTRICTS.items()),
        "domains": Domain.choices,
        "campaigns": Campaign.objects.order_by("-starts_on"),
        "today": clock.today(),
        **paginate(request, DeferredRows(cases)),
    }
    for case in context["page_obj"]:
        case.badge = state_badge(case.state)
    return render(request, "enforcement/case_list.html", context)


def _get_case(request: HttpRequest, pk: int) -> Case:
    return Case.objects.select_related(
        "unit", "matter", "campaign", "rule", "clue"
    ).get_visible_or_404(request.user, pk=pk)


@page(VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _get_case(request, pk)
    views = clock_selectors.object_clocks(case)
    available = {t.name: t for t in CASE_FLOW.available(case, request.user)}
    context = {
        "case": case,
        "badge": state_badge(case.state),
        "available": available,
        "steps": [
            t
            for n, t in available.items()
            if n
            not in ("notify", "schedule_hearing", "decide", "serve", "serve_no_payment", "close")
        ],
        "clocks": views,
        "main_clock": clock_selectors.main_clock(views),
        "timeline": timeline(case, CASE_FLOW),
        "documents": selectors.documents_of(case),
        "seizures": case.seizures.order_by("seized_on"),
        "payments": case.payments.all(),
        "owed": services.owed(case) if case.money_due_fen else None,
        **_plan_context(request.user, case),
        "officers": case.officers.all(),
        "penalty_kinds": PENALTY_KINDS,
        "hearing_right": hearing_right(case),
        "publishable": publication_required(case),
        "publication": getattr(case, "publication", None),
        "can_publish": allows(request.user, "enforcement.publish"),
        "can_handle": allows(request.user, "enforcement.case_handle"),
        "hosts": User.objects.filter(is_active=True, roles__code="hearing_officer").distinct()[:50],
        "service_methods": Case.ServiceMethod.choices,
        "seizure_kinds": Seizure.Kind.choices,
        "campaigns": Campaign.objects.order_by("-starts_on"),
    }
    return render(request, "enforcement/case_detail.html", context)


def _plan_context(user: Any, case: Case) -> dict[str, Any]:
    """The latest instalment/deferral plan with its instalments' standing, and the forms."""
    plan = case.payment_plans.order_by("-id").first()
    open_plan = plan is not None and plan.state in services.PLAN_OPEN
    approved = plan if plan is not None and plan.state == PaymentPlan.State.APPROVED else None
    return {
        "plan": plan,
        "plan_rows": services.plan_rows(approved) if approved else [],
        "plan_missed_on": services.plan_missed_on(approved) if approved else None,
        "plan_kinds": PaymentPlan.Kind.choices,
        "can_apply_plan": case.state == Case.State.SERVED
        and not open_plan
        and case.paid_fen < case.money_due_fen
        and allows(user, "enforcement.case_handle"),
        "can_decide_plan": plan is not None
        and plan.state == PaymentPlan.State.APPLIED
        and case.state == Case.State.SERVED
        and allows(user, "enforcement.case_decide"),
    }


@page(VIEW)
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _get_case(request, pk)
    user = request.user
    post = request.POST
    note = trim(post.get("note", ""), multiline=True)[:4000]
    try:
        if action == "notify":
            services.case_notify(
                actor=user,
                case=case,
                kinds=post.getlist("kinds"),
                fine=post.get("fine", "")[:20],
                confiscated=post.get("confiscated", "")[:20],
                note=note,
            )
        elif action == "schedule_hearing":
            hosts = _staff(user, [post.get("host", "")])
            services.case_schedule_hearing(
                actor=user,
                case=case,
                hearing_on=post.get("hearing_on", ""),
                place=post.get("place", "")[:300],
                host=hosts[0] if hosts else None,
            )
        elif action == "decide":
            services.case_decide(
                actor=user,
                case=case,
                outcome=post.get("outcome", ""),
                kinds=post.getlist("kinds"),
                fine=post.get("fine", "")[:20],
                confiscated=post.get("confiscated", "")[:20],
                aggravated=post.get("aggravated") == "1",
                note=note,
            )
        elif action == "serve":
            services.case_serve(
                actor=user,
                case=case,
                served_on=post.get("served_on", ""),
                method=post.get("method", ""),
                consent=post.get("consent") == "1",
            )
        elif action == "pay":
            services.payment_record(
                actor=user,
                case=case,
                amount=post.get("amount", "")[:20],
                paid_on=post.get("paid_on", ""),
                receipt=post.get("receipt", "")[:100],
            )
        elif action == "plan_apply":
            services.payment_plan_apply(
                actor=user,
                case=case,
                kind=post.get("kind", ""),
                reason=post.get("reason", "")[:400],
                schedule=services.schedule_from_text(post.get("schedule", "")[:4000]),
            )
        elif action in ("plan_approve", "plan_refuse"):
            services.payment_plan_decide(
                actor=user,
                case=case,
                approve=action == "plan_approve",
                document=post.get("document", "")[:200],
                note=note[:400],
            )
        elif action == "close":
            services.case_close(actor=user, case=case, note=note)
        elif action == "seizure":
            services.seizure_record(
                actor=user,
                case=case,
                kind=post.get("kind", ""),
                goods=post.get("goods", "")[:300],
                quantity=post.get("quantity", "")[:100],
                value=post.get("value", "")[:20],
                seized_on=post.get("seized_on", ""),
            )
        elif action == "rectify":
            days = post.get("within_days", "")
            services.document_rectify(
                actor=user,
                case=case,
                order=note,
                within_days=int(days) if days.isdigit() and len(days) < 4 else 0,
            )
        elif action == "stop_publication":
            services.publication_stop_early(actor=user, case=case, reason=note)
        elif action == "withdraw_publication":
            services.publication_withdraw(actor=user, case=case, reason=note)
        elif action == "campaign":
            services.case_tag_campaign(
                actor=user, case=case, campaign=_campaign(post.get("campaign", ""))
            )
        elif action in {t.name for t in CASE_FLOW.transitions}:
            services.case_step(actor=user, case=case, name=action, note=note)
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
            return redirect("enforcement:case_detail", pk=case.pk)
        messages.success(request, "已办理")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect("enforcement:case_detail", pk=case.pk)


@page(VIEW)
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(Document.objects.select_related("case"), pk=pk)
    # The document answers as its case does: 404 outside the user's scope.
    Case.objects.get_visible_or_404(request.user, pk=document.case_id)
    return file_response(
        document.stored_name,
        download_name=f"{document.get_kind_display()}-{document.number}.docx",
        content_type=document.content_type,
        inline=False,
    )


@page("enforcement.case_handle")
def simple_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        matter = (
            Matter.objects.filter(pk=int(post["matter"])).first()
            if post.get("matter", "").isdigit() and len(post["matter"]) < 12
            else None
        )
        try:
            if matter is None:
                raise ValidationError({"matter": "请选择违法行为事项"})
            case = services.case_simple_penalty(
                actor=request.user,
                party_name=post.get("party_name", "")[:300],
                party_kind=post.get("party_kind", ""),
                matter=matter,
                officers=_staff(request.user, post.getlist("officers")),
                kinds=post.getlist("kinds"),
                fine=post.get("fine", "")[:20],
                facts=post.get("facts", "")[:3000],
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"已当场作出处罚决定 {case.decision_number}")
            return redirect("enforcement:case_detail", pk=case.pk)
    return render(
        request,
        "enforcement/simple_form.html",
        {
            "data": request.POST,
            "errors": errors,
            "matters": Matter.objects.filter(active=True),
            "officers": _officer_choices(request.user),
            "party_kinds": Case.PartyKind.choices,
        },
    )


# -- publication -------------------------------------------------------------------------------


@page("enforcement.publish")
def publication_queue(request: HttpRequest) -> HttpResponse:
    context = paginate(request, selectors.publication_pending(request.user))
    return render(request, "enforcement/publication_queue.html", context)


@page("enforcement.publish")
def publication_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The raw decision and the masked text side by side; publishing checks the (possibly
    edited) masked text again and shows where personal data remains."""
    case = _get_case(request, pk)
    texts = services.publication_texts(case)
    text = texts["masked"]
    errors: dict[str, str] = {}
    if request.method == "POST":
        text = request.POST.get("text_masked", "")[:20000]
        try:
            services.publication_publish(actor=request.user, case=case, text_masked=text)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "已在门户网站公示")
            return redirect("enforcement:case_detail", pk=case.pk)
    return render(
        request,
        "enforcement/publication_review.html",
        {"case": case, "raw": texts["raw"], "text": text, "errors": errors},
    )


# -- campaigns and counting --------------------------------------------------------------------


@page(VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        try:
            campaign = services.campaign_create(
                actor=request.user,
                code=post.get("code", "")[:60],
                name=post.get("name", "")[:200],
                starts_on=post.get("starts_on", ""),
                ends_on=post.get("ends_on", ""),
                scope=post.get("scope", "")[:3000],
                domain=post.get("domain", ""),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"已设立专项行动：{campaign.name}")
            return redirect("enforcement:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "enforcement/campaign_list.html",
        {
            "rows": selectors.campaigns_with_totals(request.user),
            "errors": errors,
            "data": request.POST,
            "domains": Domain.choices,
            "can_manage": allows(request.user, "enforcement.campaign_manage"),
        },
    )


@page(VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign, pk=pk)
    return render(
        request,
        "enforcement/campaign_detail.html",
        {
            "campaign": campaign,
            "totals": selectors.campaign_totals(request.user, campaign),
            "ranking": selectors.campaign_ranking(request.user, campaign),
        },
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return clock.today().year


@page("enforcement.stats_view")
def stats(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = selectors.stats(request.user, year)
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["立案", "罚没款（万元）"]},
        "xAxis": {"type": "category", "data": [f"{m['month']}月" for m in data["months"]]},
        "yAxis": [{"type": "value", "name": "件"}, {"type": "value", "name": "万元"}],
        "series": [
            {"name": "立案", "type": "bar", "data": [m["cases"] for m in data["months"]]},
            {
                "name": "罚没款（万元）",
                "type": "line",
                "yAxisIndex": 1,
                "data": [round(m["fines"] / 1_000_000, 2) for m in data["months"]],
            },
        ],
    }
    return render(
        request,
        "enforcement/stats.html",
        {**data, "chart": json.loads(json.dumps(chart))},
    )


@page("enforcement.stats_view")
def stats_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    body = services.stats_export(actor=request.user, year=year)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="enforcement-{year}.xlsx"'
    return response
