"""Enterprise credit's public pages on the portal: an enterprise files its annual report with
its USCC and the filing code the bureau issued (services.annual_report_file_portal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core import clock
from regulus.core.errors import form_errors
from regulus.credit import rules, services
from regulus.credit.models import AnnualReport, RepairApplication
from regulus.credit.views import REPORT_FIELDS


def annual_report_file(request: HttpRequest) -> HttpResponse:
    year = rules.report_year_now(clock.today())
    errors: dict[str, list[str]] = {}
    try:
        window: rules.Window | None = rules.window_for(year)
    except ValidationError as exc:
        window, errors = None, form_errors(exc)
    report = None
    if request.method == "POST" and window is not None:
        values = {k: request.POST.get(k, "") for k in REPORT_FIELDS}
        try:
            report = services.annual_report_file_portal(
                uscc=request.POST.get("uscc", "")[:40],
                code=request.POST.get("code", "")[:40],
                year=year,
                **values,
            )
        except ValidationError as exc:
            errors = form_errors(exc)
    return render(
        request,
        "credit/portal_report.html",
        {
            "year": year,
            "window": window,
            "window_open": window is not None and window.is_open(clock.today()),
            "errors": errors,
            "data": request.POST if errors else {},
            "report": report,
            "statuses": AnnualReport.OperatingStatus.choices,
        },
        status=400 if errors else 200,
    )


def repair_apply(request: HttpRequest) -> HttpResponse:
    """An entity applies for credit repair with its USCC and filing code, naming the decision
    (the listing's or the penalty's document number) it asks to repair."""
    errors: dict[str, list[str]] = {}
    app = None
    if request.method == "POST":
        try:
            app = services.repair_apply_portal(
                uscc=request.POST.get("uscc", "")[:40],
                code=request.POST.get("code", "")[:40],
                target=request.POST.get("target", "")[:20],
                subject_number=request.POST.get("number", "")[:60],
                applicant=request.POST.get("applicant", ""),
                phone=request.POST.get("phone", ""),
                reason=request.POST.get("reason", ""),
                pledged=request.POST.get("pledged") == "on",
            )
        except ValidationError as exc:
            errors = form_errors(exc)
    return render(
        request,
        "credit/portal_repair.html",
        {
            "targets": RepairApplication.Target.choices,
            "errors": errors,
            "data": request.POST if errors else {},
            "app": app,
        },
        status=400 if errors else 200,
    )
