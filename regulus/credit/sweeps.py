"""Enterprise credit's sweeps (core.tick)."""

from __future__ import annotations

from regulus.core.handover import handovers_waiting
from regulus.core.models import Handover
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep
from regulus.credit import services


def _handovers_pending() -> bool:
    return handovers_waiting(kind=Handover.Kind.CREDIT).exists()


@sweep("credit.handovers", "接收移交的信用信息", pending=_handovers_pending)
def handovers() -> SweepResult:
    taken = services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    return SweepResult(taken, f"接收信用信息 {taken} 条")
