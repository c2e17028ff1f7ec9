"""Licensing's sweeps (see core.tick).

Provisional deadlines: a deadline in a year whose holiday schedule (CalendarYear) is not
loaded yet is computed on the plain Monday–Friday week and marked 暂定. Once an admin loads
the year (工作日历), the next tick computes every open application's and verification task's
provisional deadline again, from its start day and its number of working days, and notes the
change on the item's timeline and in the operation log (core.workflow).
"""

from __future__ import annotations

from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep
from regulus.core.workflow import provisional_deadlines_due, provisional_deadlines_recompute
from regulus.licensing.models import Application, VerificationTask
from regulus.licensing.workflow import APPLICATION_FLOW, VERIFICATION_FLOW

FLOWS = ((Application, APPLICATION_FLOW), (VerificationTask, VERIFICATION_FLOW))


def _provisional_pending() -> bool:
    return any(
        provisional_deadlines_due(model.objects.all(), workflow=flow).exists()
        for model, flow in FLOWS
    )


@sweep(
    "licensing.provisional_deadlines",
    "节假日安排载入后，重算办件和后置核查的暂定期限",
    pending=_provisional_pending,
)
def provisional_deadlines() -> SweepResult:
    applications, tasks = (
        provisional_deadlines_recompute(model.objects.all(), workflow=flow, actor_name=SYSTEM_ACTOR)
        for model, flow in FLOWS
    )
    return SweepResult(
        applications + tasks, f"重算暂定期限：办件 {applications} 件，后置核查 {tasks} 件"
    )
