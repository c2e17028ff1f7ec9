"""The counts of the year-end report (办件统计) and their export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core import clock
from regulus.core.audit import audit_record
from regulus.core.documents import (
    XLSX_CONTENT_TYPE,
    xlsx_bytes,
)
from regulus.core.models import AuditLog
from regulus.core.views import date_param
from regulus.licensing import selectors
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


@login_required
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


@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    start, end = _period(request)
    data = selectors.period_stats(user, start=start, end=end)
    header = [
        "区县",
        "受理件数",
        "办结件数",
        "办结率(%)",
        "平均办理用时(工作日)",
        "发证件数",
        "当天办结件数",
        "当天办结占比(%)",
        "告知承诺件数",
        "告知承诺占比(%)",
        "平均跑动次数",
        "平均材料份数",
    ]

    def row(r: dict[str, Any], name: str) -> list[Any]:
        return [
            name,
            r["received"],
            r["completed"],
            r["completion_rate"],
            r["avg_days"],
            r["issued"],
            r["same_day"],
            r["same_day_share"],
            r["commitment"],
            r["commitment_share"],
            r["avg_visits"],
            r["avg_materials"],
        ]

    rows = [row(r, r["district_name"]) for r in data["rows"]]
    rows.append(row(data["total"], "合计"))
    body = xlsx_bytes([(f"办件统计{start:%Y%m%d}-{end:%Y%m%d}", header, rows)])
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        object_type="licensing.stats",
        summary=f"导出一件事办件统计 {start}至{end}",
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="licensing-stats-{start}-{end}.xlsx"'
    return response
