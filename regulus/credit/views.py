"""Enterprise credit's staff pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regulus.core import clock, ids, permissions
from regulus.core.documents import DOCX_CONTENT_TYPE
from regulus.core.errors import flash_errors, form_errors
from regulus.core.files import file_response
from regulus.core.models import Handover
from regulus.core.permissions import page
from regulus.core.text import MULTILINE, clean_fields
from regulus.core.views import choice_param, paginate
from regulus.core.workflow import timeline
from regulus.core.xlsx import write_xlsx
from regulus.credit import risk, rules, selectors, services
from regulus.credit.models import (
    AbnormalListing,
    AnnualReport,
    Category,
    CreditDocument,
    CreditRecord,
    Ground,
    RepairApplication,
    RiskChange,
    SeriousGround,
    SeriousListing,
)
from regulus.credit.workflow import REPAIR_FLOW, SERIOUS_FLOW
from regulus.registry.models import Entity, EntityKind
from regulus.registry.selectors import entity_named


@page("credit.record_view")
def record_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    category = choice_param(request, "category", Category.choices, "类别")
    inbox = selectors.credit_inbox(user)
    return render(
        request,
        "credit/record_list.html",
        {
            "categories": Category.choices,
            "category": category,
            "inbox": inbox[:50],
            "inbox_count": inbox.count(),
            "can_take": permissions.allows(user, "credit.record_take"),
            **paginate(request, selectors.records_for(user, category=category)),
        },
    )


@page("credit.record_take")
@require_POST
def handover_take(request: HttpRequest, pk: int) -> HttpResponse:
    handover = Handover.objects.get_visible_or_404(request.user, pk=pk, kind=Handover.Kind.CREDIT)
    try:
        record = services.credit_handover_take(handover=handover, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已记入信用记录：{record.entity_name}")
    return redirect("credit:record_list")


# -- annual reports ---------------------------------------------------------------------------


def _year_param(request: HttpRequest) -> tuple[int, str]:
    """The report year asked for (default: the one being filed now), and a message when the
    parameter was not a year."""
    default = rules.report_year_now(clock.today())
    raw = request.GET.get("year", "").strip()
    if not raw:
        return default, ""
    if raw.isdigit() and 2014 <= int(raw) <= default:
        return int(raw), ""
    return default, f"报告年度须为2014至{default}之间的年份，已显示{default}年度"


def _rate_filters(request: HttpRequest) -> tuple[int, str, str, str]:
    year, problem = _year_param(request)
    kind = choice_param(request, "kind", EntityKind.choices, "主体类型")
    district = request.GET.get("district", "").strip()
    if district and not (district.isdigit() and len(district) == 6):
        problem = problem or "区县代码须为6位数字"
        district = ""
    return year, district, kind, problem


@page("credit.record_view")
def report_rate(request: HttpRequest) -> HttpResponse:
    year, district, kind, problem = _rate_filters(request)
    rows = selectors.filing_rate(request.user, year, district=district, kind=kind)
    try:
        window: rules.Window | None = rules.window_for(year)
    except ValidationError as exc:
        window, problem = None, exc.messages[0]
    return render(
        request,
        "credit/report_rate.html",
        {
            "year": year,
            "years": range(rules.report_year_now(clock.today()), 2019, -1),
            "kind": kind,
            "kinds": EntityKind.choices,
            "district": district,
            "problem": problem,
            "rows": rows,
            "total": selectors.rate_total(rows),
            "formula": selectors.rate_formula(year),
            "window": window,
            "window_open": window is not None and window.is_open(clock.today()),
            "now": clock.now(),
        },
    )


@page("credit.record_view")
def report_to_file(request: HttpRequest) -> HttpResponse:
    year, district, kind, problem = _rate_filters(request)
    rows = selectors.still_to_file(request.user, year, district=district, kind=kind)
    return render(
        request,
        "credit/report_to_file.html",
        {
            "year": year,
            "kind": kind,
            "district": district,
            "problem": problem,
            "query": request.GET.urlencode(),
            **paginate(request, rows),
        },
    )


@page("credit.record_view")
def report_to_file_xlsx(request: HttpRequest) -> HttpResponse:
    year, district, kind, _problem = _rate_filters(request)
    rows = selectors.still_to_file(request.user, year, district=district, kind=kind)
    kinds = dict(EntityKind.choices)
    out = io.BytesIO()
    write_xlsx(
        out,
        [
            (
                f"{year}年度未报送",
                ("统一社会信用代码", "名称", "主体类型", "所属区县", "住所", "成立日期"),
                (
                    (
                        e.uscc,
                        e.name,
                        kinds.get(e.kind, e.kind),
                        ids.division_name(e.district_code) or e.district_code,
                        e.address,
                        e.established_on,
                    )
                    for e in rows.iterator(chunk_size=2000)
                ),
            )
        ],
    )
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="to-file-{year}.xlsx"'
    return response


@page("credit.report_enter")
def report_paper(request: HttpRequest) -> HttpResponse:
    """Staff enter a 个体户's paper report."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            entity = entity_named(request.user, request.POST.get("uscc", ""))
            raw_year = request.POST.get("year", "")
            if not raw_year.isdigit():
                raise ValidationError({"year": "报告年度须为四位年份"})
            values = {k: request.POST.get(k, "") for k in REPORT_FIELDS}
            report = services.annual_report_file_paper(
                entity=entity, year=int(raw_year), actor=request.user, **values
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(
                request,
                f"已录入{report.entity.name} {report.year}年度报告（第{report.version}版）",
            )
            return redirect("credit:report_paper")
    return render(
        request,
        "credit/report_paper.html",
        {
            "errors": errors,
            "data": request.POST,
            "year": rules.report_year_now(clock.today()),
            "statuses": AnnualReport.OperatingStatus.choices,
        },
        status=400 if errors else 200,
    )


# The report's fields a form posts (services.annual_report_file_*).
REPORT_FIELDS = (
    "address",
    "phone",
    "email",
    "operating_status",
    "website",
    "investments",
    "equity_transfers",
    "employees",
    "total_assets",
    "revenue",
    "net_profit",
    "tax_paid",
    "publish_employees",
    "publish_financials",
)


# -- the abnormal-operations list -------------------------------------------------------------


@page("credit.record_view")
def listing_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request, "state", AbnormalListing.State.choices, "状态")
    ground = choice_param(request, "ground", Ground.choices, "列入事由")
    return render(
        request,
        "credit/listing_list.html",
        {
            "states": AbnormalListing.State.choices,
            "grounds": Ground.choices,
            "state": state,
            "ground": ground,
            "can_manage": permissions.allows(request.user, "credit.abnormal_manage"),
            **paginate(request, selectors.listings_for(request.user, state=state, ground=ground)),
        },
    )


@page("credit.record_view")
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = AbnormalListing.objects.select_related("entity", "unit", "rule").get_visible_or_404(
        request.user, pk=pk
    )
    documents = list(
        CreditDocument.objects.filter(
            number__in=[n for n in (listing.decision_number, listing.removal_number) if n]
        )
    )
    return render(
        request,
        "credit/listing_detail.html",
        {
            "listing": listing,
            "serious": selectors.serious_transfer_text(listing),
            "can_manage": permissions.allows(request.user, "credit.abnormal_manage"),
            "documents": documents,
            "list_doc": any(d.kind == "abnormal_list" for d in documents),
            "remove_doc": any(d.kind == "abnormal_remove" for d in documents),
            "can_document": permissions.allows(request.user, "credit.document_make"),
            "can_repair": permissions.allows(request.user, "credit.repair_enter")
            and listing.state == AbnormalListing.State.LISTED,
        },
    )


@page("credit.abnormal_manage")
@require_POST
def listing_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    listing = AbnormalListing.objects.select_related("entity").get_visible_or_404(
        request.user, pk=pk
    )
    try:
        if action == "apply":
            reason = clean_fields(request.POST, {"reason": ("移出理由", MULTILINE)})["reason"]
            services.abnormal_removal_apply(listing=listing, actor=request.user, reason=reason)
        elif action == "remove":
            services.abnormal_remove(listing=listing, actor=request.user)
        else:
            raise ValidationError("未知操作")
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已办理")
    return redirect("credit:listing_detail", pk=listing.pk)


def _listing_form(
    request: HttpRequest,
    *,
    propose: Callable[..., Any],
    template: str,
    grounds: list[tuple[str, str]],
    done: Callable[[Any], str],
    detail: str,
) -> HttpResponse:
    """The form that puts an entity (by its USCC) on a list for a ground with its evidence:
    `propose` is the service, `done` the success message, `detail` the listing's page."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            listing = propose(
                entity=entity_named(request.user, request.POST.get("uscc", "")),
                ground=request.POST.get("ground", "")[:30],
                evidence=request.POST.get("evidence", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, done(listing))
            return redirect(detail, pk=listing.pk)
    return render(
        request,
        template,
        {"errors": errors, "data": request.POST, "grounds": grounds},
        status=400 if errors else 200,
    )


@page("credit.abnormal_manage")
def listing_create(request: HttpRequest) -> HttpResponse:
    return _listing_form(
        request,
        propose=services.abnormal_list,
        template="credit/listing_form.html",
        grounds=[g for g in Ground.choices if g[0] != Ground.ANNUAL_REPORT],
        done=lambda listing: f"已列入：{listing.decision_number}",
        detail="credit:listing_detail",
    )


# -- credit risk classes ----------------------------------------------------------------------


@page("credit.risk_view")
def risk_explain(request: HttpRequest, uscc: str) -> HttpResponse:
    """Why an entity has its class: every factor's count, weight, cap and points."""
    entity = Entity.objects.get_visible_or_404(request.user, uscc=ids.normalise(uscc)[:18])
    score = risk.entity_score(entity, clock.today())
    return render(
        request,
        "credit/risk_explain.html",
        {"entity": entity, "score": score, "model": score.model},
    )


@page("credit.risk_view")
def risk_changes(request: HttpRequest) -> HttpResponse:
    month = clock.today().replace(day=1)
    rows = (
        RiskChange.objects.visible_to(request.user)
        .filter(month=month)
        .select_related("entity")
        .order_by("-new_class", "-score", "id")
    )
    return render(request, "credit/risk_changes.html", {"month": month, **paginate(request, rows)})


# -- the serious-violation list ---------------------------------------------------------------


@page("credit.record_view")
def serious_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request, "state", SeriousListing.State.choices, "状态")
    return render(
        request,
        "credit/serious_list.html",
        {
            "states": SeriousListing.State.choices,
            "state": state,
            "can_manage": permissions.allows(request.user, "credit.serious_manage"),
            **paginate(request, selectors.serious_for(request.user, state=state)),
        },
    )


@page("credit.serious_manage")
def serious_create(request: HttpRequest) -> HttpResponse:
    return _listing_form(
        request,
        propose=services.serious_propose,
        template="credit/serious_form.html",
        grounds=[g for g in SeriousGround.choices if g[0] != SeriousGround.ABNORMAL_3Y],
        done=lambda _listing: "已提出拟列入，请告知当事人",
        detail="credit:serious_detail",
    )


@page("credit.serious_manage")
@require_POST
def serious_from_abnormal(request: HttpRequest) -> HttpResponse:
    made = services.serious_candidates_from_abnormal(actor=request.user)
    messages.success(request, f"按原条例第十七条（2024年4月30日止）提出拟列入 {made} 户")
    return redirect("credit:serious_list")


@page("credit.record_view")
def serious_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = SeriousListing.objects.select_related(
        "entity", "unit", "record", "abnormal", "rule"
    ).get_visible_or_404(request.user, pk=pk)
    document = CreditDocument.objects.filter(
        number=listing.decision_number, kind=CreditDocument.Kind.SERIOUS_LIST
    ).first()
    return render(
        request,
        "credit/serious_detail.html",
        {
            "listing": listing,
            "actions": SERIOUS_FLOW.available(listing, request.user),
            "events": timeline(listing, SERIOUS_FLOW),
            "document": document if listing.decision_number else None,
            "can_document": permissions.allows(request.user, "credit.document_make")
            and bool(listing.decision_number),
            "can_repair": permissions.allows(request.user, "credit.repair_enter")
            and listing.state == SeriousListing.State.LISTED,
        },
    )


@page("credit.record_view")
@require_POST
def serious_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    listing = SeriousListing.objects.select_related("entity").get_visible_or_404(
        request.user, pk=pk
    )
    note = request.POST.get("note", "")
    acts = {
        "notify": lambda: services.serious_notify(listing=listing, actor=request.user),
        "hear": lambda: services.serious_hear(listing=listing, actor=request.user, statement=note),
        "decide": lambda: services.serious_decide(listing=listing, actor=request.user),
        "dismiss": lambda: services.serious_dismiss(
            listing=listing, actor=request.user, reason=note
        ),
        "remove": lambda: services.serious_remove(listing=listing, actor=request.user, reason=note),
    }
    if action not in acts:
        raise Http404("没有该操作")
    try:
        acts[action]()
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已办理")
    return redirect("credit:serious_detail", pk=listing.pk)


# -- credit repair ----------------------------------------------------------------------------


@page("credit.record_view")
def repair_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request, "state", RepairApplication.State.choices, "状态")
    return render(
        request,
        "credit/repair_list.html",
        {
            "states": RepairApplication.State.choices,
            "state": state,
            **paginate(request, selectors.repairs_for(request.user, state=state)),
        },
    )


def _repair_subject(request: HttpRequest, target: str, raw: str) -> tuple[Entity, str]:
    """The entity and a line naming the listing or penalty a staff application is about,
    in the user's scope (404 outside it)."""
    pk = int(raw) if raw.isdigit() and len(raw) < 12 else 0
    if target == RepairApplication.Target.ABNORMAL:
        listing = AbnormalListing.objects.select_related("entity").get_visible_or_404(
            request.user, pk=pk
        )
        return listing.entity, f"经营异常名录 {listing.decision_number}"
    if target == RepairApplication.Target.SERIOUS:
        serious = SeriousListing.objects.select_related("entity").get_visible_or_404(
            request.user, pk=pk
        )
        return serious.entity, f"严重违法失信名单 {serious.decision_number}"
    if target == RepairApplication.Target.PENALTY:
        record = CreditRecord.objects.select_related("entity").get_visible_or_404(
            request.user, pk=pk, category=Category.PENALTY, entity__isnull=False
        )
        assert record.entity is not None
        return record.entity, f"行政处罚 {record.source_number or record.title}"
    raise Http404("修复事项有误")


@page("credit.repair_enter")
def repair_create(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    target = str(source.get("target", ""))[:20]
    raw = str(source.get("subject", ""))[:20]
    if not target and not raw:
        messages.info(
            request, "请在经营异常名录、严重违法失信名单的详情页或信用记录中登记信用修复申请"
        )
        return redirect("credit:repair_list")
    entity, subject = _repair_subject(request, target, raw)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            app = services.repair_apply_staff(
                entity=entity,
                target=target,
                subject_id=int(raw),
                applicant=request.POST.get("applicant", ""),
                phone=request.POST.get("phone", ""),
                reason=request.POST.get("reason", ""),
                pledged=request.POST.get("pledged") == "on",
                actor=request.user,
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, f"已受理信用修复申请：{app.number}")
            return redirect("credit:repair_detail", pk=app.pk)
    return render(
        request,
        "credit/repair_form.html",
        {
            "entity": entity,
            "subject": subject,
            "target": target,
            "target_label": dict(RepairApplication.Target.choices)[target],
            "subject_id": raw,
            "errors": errors,
            "data": request.POST,
        },
        status=400 if errors else 200,
    )


@page("credit.record_view")
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = RepairApplication.objects.select_related(
        "entity", "unit", "abnormal", "serious", "record"
    ).get_visible_or_404(request.user, pk=pk)
    return render(
        request,
        "credit/repair_detail.html",
        {
            "app": app,
            "problem": services.repair_problem(app) if app.state == "applied" else "",
            "actions": REPAIR_FLOW.available(app, request.user),
            "events": timeline(app, REPAIR_FLOW),
        },
    )


@page("credit.record_view")
@require_POST
def repair_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    app = RepairApplication.objects.select_related(
        "entity", "abnormal", "serious", "record"
    ).get_visible_or_404(request.user, pk=pk)
    try:
        if action == "approve":
            services.repair_approve(app=app, actor=request.user)
        elif action == "refuse":
            services.repair_refuse(app=app, actor=request.user, reason=request.POST.get("note", ""))
        else:
            raise Http404("没有该操作")
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已作出决定")
    return redirect("credit:repair_detail", pk=app.pk)


# -- decision documents -----------------------------------------------------------------------


@page("credit.record_view")
def document_list(request: HttpRequest) -> HttpResponse:
    kind = choice_param(request, "kind", CreditDocument.Kind.choices, "文书类别")
    return render(
        request,
        "credit/document_list.html",
        {
            "kinds": CreditDocument.Kind.choices,
            "kind": kind,
            **paginate(request, selectors.documents_for(request.user, kind=kind)),
        },
    )


@page("credit.document_make")
@require_POST
def document_make(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")[:20]
    raw = request.POST.get("object", "")[:12]
    pk = int(raw) if raw.isdigit() else 0
    obj: Any
    if kind == CreditDocument.Kind.SERIOUS_LIST:
        obj = SeriousListing.objects.select_related("entity", "unit", "rule").get_visible_or_404(
            request.user, pk=pk
        )
        back = redirect("credit:serious_detail", pk=pk)
    elif kind in (CreditDocument.Kind.ABNORMAL_LIST, CreditDocument.Kind.ABNORMAL_REMOVE):
        obj = AbnormalListing.objects.select_related("entity", "unit", "rule").get_visible_or_404(
            request.user, pk=pk
        )
        back = redirect("credit:listing_detail", pk=pk)
    else:
        raise Http404("文书类别有误")
    try:
        document = services.credit_document_make(kind=kind, obj=obj, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
        return back
    messages.success(request, f"已制作{document.get_kind_display()}：{document.number}")
    return back


@page("credit.record_view")
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = CreditDocument.objects.get_visible_or_404(request.user, pk=pk)
    return file_response(
        document.file,
        download_name=f"{document.number}.docx",
        content_type=DOCX_CONTENT_TYPE,
        inline=False,
    )
