"""The canteens' targets (CoverageTarget, dated versions), loaded by migration 0002 and by
`rules_ensure`. An admin's later edit wins: existing rows are never overwritten.

The 明厨亮灶 share follows the national aim that school canteens be open to view (教育部等
《学校食品安全与营养健康管理规定》第二十四条 encourages 明厨亮灶; the full-coverage aim is
the provinces' and is marked for checking); the number of standardised canteens to create is
the city's own plan, a local setting."""

from __future__ import annotations

from typing import Any

TARGETS: tuple[dict[str, Any], ...] = (
    {
        "effective_from": "2024-01-01",
        "kitchen_view_percent": 100,
        "standard_target": 300,
        "target_year": 2027,
        "basis": "学校食堂“明厨亮灶”全覆盖（省级工作要求，待核实）；标准化食堂三年创建计划"
        "（本地设置）",
    },
)


def targets_load(*, CoverageTarget: Any) -> int:
    import datetime as dt

    created = 0
    for target in TARGETS:
        values = dict(target)
        since = dt.date.fromisoformat(values.pop("effective_from"))
        _, new = CoverageTarget.objects.get_or_create(effective_from=since, defaults=values)
        created += new
    return created


def rules_ensure() -> int:
    from regulus.canteens.models import CoverageTarget

    return targets_load(CoverageTarget=CoverageTarget)
