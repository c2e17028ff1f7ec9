"""The export of the year-end counts (办件统计): a read of everything in the user's scope,
audited as an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regulus.core import permissions
from regulus.core.audit import audited
from regulus.core.documents import xlsx_bytes
from regulus.core.models import AuditLog
from regulus.licensing import selectors

STATS_HEADER = [
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


def _row(r: dict[str, Any], name: str) -> list[Any]:
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


def stats_export(*, actor: Any, start: dt.date, end: dt.date) -> bytes:
    """The counts of the period, per district and in total, as an .xlsx workbook."""
    permissions.require(actor, "licensing.application_view")
    data = selectors.period_stats(actor, start=start, end=end)
    rows = [_row(r, r["district_name"]) for r in data["rows"]]
    rows.append(_row(data["total"], "合计"))
    body = xlsx_bytes([(f"办件统计{start:%Y%m%d}-{end:%Y%m%d}", STATS_HEADER, rows)])
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="licensing.stats",
            summary=f"导出一件事办件统计 {start}至{end}",
        )
    return body
