"""Export of a filtered entity list to .xlsx: core.xlsx writes it into a temporary file as the
rows stream from the database in chunks; sent with FileResponse. Scoped and audited as an
export."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from regulus.core import permissions
from regulus.core.audit import audited
from regulus.core.models import AuditLog, OrgUnit
from regulus.core.xlsx import write_xlsx
from regulus.registry import selectors
from regulus.registry.models import EntityKind, EntityStatus, RiskClass
from regulus.registry.rules import DISTRICTS

EXPORT_LIMIT = selectors.EXPORT_MAX


def entity_export(*, actor: Any, filters: selectors.EntityFilters) -> tuple[Any, int]:
    """Write the user's filtered list to a temporary .xlsx; returns (open file, row count)."""
    permissions.require(actor, "registry.entity_export")
    rows, _count = selectors.entity_export_rows(actor, filters)
    header = [label for _, label in selectors.EXPORT_COLUMNS]
    label = _labeller()
    written = 0

    def labelled() -> Iterator[list[Any]]:
        nonlocal written
        for values in itertools.islice(rows, EXPORT_LIMIT):
            written += 1
            yield label(values)

    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, [("市场主体", header, labelled())])
    handle.seek(0)
    shown = selectors.filters_for_audit(filters)  # an ID number in the search box masked
    described = selectors.filters_text({k: v for k, v in shown.items() if k != "sort"})
    with audited(actor=actor) as audit:
        audit.record(
            action=AuditLog.Action.EXPORT,
            object_type="registry.entity",
            summary=f"导出市场主体{written}户（{described}）",
            changes={"rows": written, "filters": shown},
        )
    return handle, written


def _labeller() -> Callable[[Sequence[Any]], list[Any]]:
    """Row of EXPORT_COLUMNS values → the row as users read it: labels instead of codes, the
    district's name beside its code, the unit's name (units named from a dict, see
    selectors.EXPORT_COLUMNS)."""
    names = [c for c, _ in selectors.EXPORT_COLUMNS]
    i_kind, i_status, i_risk = names.index("kind"), names.index("status"), names.index("risk_class")
    i_district, i_unit = names.index("district_code"), names.index("unit_id")
    kinds = dict(EntityKind.choices)
    statuses = dict(EntityStatus.choices)
    risks = dict(RiskClass.choices)
    units = dict(OrgUnit.objects.values_list("id", "name"))

    def label(values: Sequence[Any]) -> list[Any]:
        row = list(values)
        row[i_kind] = kinds.get(row[i_kind], row[i_kind])
        row[i_status] = statuses.get(row[i_status], row[i_status])
        row[i_risk] = risks.get(row[i_risk], row[i_risk])
        row[i_district] = f"{row[i_district]} {DISTRICTS.get(row[i_district], '')}"
        row[i_unit] = units.get(row[i_unit], row[i_unit])
        return row

    return label
