"""The counts of the year-end report (办件统计) and their export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core import clock
from regulus.core.documents import XLSX_CONTENT_TYPE
from regulus.core.permissions import page
from regulus.core.views import date_param
from regulus.licensing import selectors, services
from regulus.licensing.views.common import staff_user

DOC_TEMPLATES = Path(__file__).parent.parent / "doc_templates"


# -- counting ----------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """The period asked for, by default this year up to today (a bad date is said on the
    page and the default taken)."""
    today = clock.today()
    start = date_param(request, "start", "起始日期") or today.replace(month=1, day=1)
    end = date_param(request, "end", "截止日期") or today
    return start, end


@page("licensing.application_view")
def stats(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    data = selectors.period_stats(staff_user(request), start=start, end=end)
    return render(
        request,
        "licensing/stats.html",
        {
            **data,
            "chart": selectors.stats_chart_option(data),
            "month_chart": selectors.month_chart_option(data),
            "query": request.GET.urlencode(),
        },
    )


@page("licensing.application_view")
def stats_export(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    body = services.stats_export(actor=staff_user(request), start=start, end=end)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="licensing-stats-{start}-{end}.xlsx"'
    return response
