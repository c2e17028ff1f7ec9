"""投诉举报's sweeps (core.tick): a complaint whose business let its ODR period (complaints.odr)
run out goes to the bureau, as not settled, its acceptance clock resumed. Selects only items
still in ODR past their deadline, so a second run changes nothing."""

from regulus.complaints import services
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep


def _odr_overdue_pending() -> bool:
    return bool(services.odr_overdue().exists())


@sweep(
    "complaints.odr_overdue",
    "经营者逾期未和解（ODR）的投诉转入受理",
    pending=_odr_overdue_pending,
)
def odr_overdue() -> SweepResult:
    ended = services.odr_expire_overdue(actor=SYSTEM_ACTOR)
    return SweepResult(ended, f"经营者逾期未和解的投诉转入受理 {ended} 件")
