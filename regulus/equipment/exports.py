"""The .xlsx exports of 特种设备 (the year-end counts and the due / overdue register), in the
actor's scope; each export is logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regulus.core import permissions
from regulus.core.audit import audited
from regulus.core.documents import xlsx_bytes
from regulus.core.models import AuditLog
from regulus.equipment import selectors

FIGURE_LABELS = {
    "units_checked": "检查单位数",
    "checks": "现场检查次数",
    "rectify_orders": "责令整改指令书",
    "stop_orders": "责令停止使用指令书",
    "hazards_found": "发现隐患",
    "hazards_removed": "消除隐患",
    "escalated": "移送执法",
    "stopped": "停用设备（现状）",
}


def stats_export(*, actor: Any, since: dt.date, until: dt.date) -> bytes:
    permissions.require(actor, "equipment.stats_view")
    data = selectors.stats(user=actor, since=since, until=until)
    figures = [(FIGURE_LABELS[k], v) for k, v in data["figures"].items()]
    districts = [
        (r["label"], r["total"], r["in_use"], r["overdue"], r["stopped"])
        for r in data["by_district"]
    ]
    categories = [(r["label"], r["total"]) for r in data["by_category"]]
    overdue = [
        (
            e.get_category_display(),
            e.registration_number or "未登记",
            e.using_entity.name,
            e.compound.name if e.compound else e.address,
            e.next_due_on.isoformat() if e.next_due_on else "",
        )
        for e in selectors.equipment_list(user=actor, when=selectors.OVERDUE)[:50000]
    ]
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="equipment.equipment",
            summary=f"导出特种设备统计（{since:%Y年%m月%d日}至{until:%Y年%m月%d日}），"
            f"超期未检清单{len(overdue)}台",
        )
    return xlsx_bytes(
        [
            (f"工作量{since:%Y%m%d}-{until:%Y%m%d}", ("指标", "数量"), figures),
            ("按区县", ("区县", "设备总数", "在用", "超期未检", "停用"), districts),
            ("按类别", ("设备类别", "设备总数"), categories),
            (
                "超期未检清单",
                ("设备类别", "使用登记证编号", "使用单位", "小区/地点", "应检日期"),
                overdue,
            ),
        ]
    )
