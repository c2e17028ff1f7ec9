"""The coverage export of 学校食堂, in the actor's scope, logged."""

from __future__ import annotations

from typing import Any

from regulus.canteens import selectors
from regulus.core import permissions
from regulus.core.audit import audited
from regulus.core.documents import xlsx_bytes
from regulus.core.models import AuditLog


def coverage_export(*, actor: Any) -> bytes:
    permissions.require(actor, "canteens.stats_view")
    data = selectors.coverage(actor)
    rows = [
        (
            r["label"],
            r["total"],
            r["open_kitchen"],
            r["internet"],
            r["rate"] if r["rate"] is not None else "",
            r["compliant"],
        )
        for r in data["rows"]
    ]
    canteens = [
        (
            c.school_name,
            c.get_school_kind_display(),
            c.pupils,
            c.district_code,
            c.get_standard_display(),
            c.get_kitchen_view_display(),
        )
        for c in selectors.canteen_list(user=actor)[:50000]
    ]
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="canteens.canteen",
            summary=f"导出学校食堂覆盖率（{len(canteens)}家）",
        )
    return xlsx_bytes(
        [
            (
                "按区县",
                ("区县", "食堂", "明厨亮灶", "互联网+明厨亮灶", "覆盖率（%）", "标准化达标"),
                rows,
            ),
            ("食堂清单", ("学校", "类型", "就餐学生数", "区县", "标准化", "明厨亮灶"), canteens),
        ]
    )
