"""特种设备's sweeps (core.tick): items past their next inspection date are flagged overdue
with a warning each; lifts past their maintenance interval are flagged. Both select only
what is not yet flagged, so a second run changes nothing."""

import datetime as dt

from regulus.core import clock
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep
from regulus.equipment import services
from regulus.equipment.models import Category, Equipment


def _overdue_pending() -> bool:
    return services._due_for_sweep(clock.today()).exists()


@sweep("equipment.overdue", "标记超期未检的特种设备并预警", pending=_overdue_pending)
def overdue_equipment() -> SweepResult:
    flagged = services.overdue_flag(actor=SYSTEM_ACTOR)
    return SweepResult(flagged, f"标记超期未检特种设备 {flagged} 台")


def _maintenance_pending() -> bool:
    today = clock.today()
    try:
        limit = today - dt.timedelta(days=services.rule_days("equipment.lift_maintenance", today))
    except ValueError:
        return False
    return Equipment.objects.filter(
        category=Category.LIFT,
        status=Equipment.Status.IN_USE,
        maintenance_overdue=False,
        last_maintained_on__lt=limit,
    ).exists()


@sweep("equipment.maintenance", "标记维保超过间隔的电梯", pending=_maintenance_pending)
def maintenance_overdue() -> SweepResult:
    flagged = services.maintenance_overdue_flag(actor=SYSTEM_ACTOR)
    return SweepResult(flagged, f"标记维保超期电梯 {flagged} 台")
