"""Enforcement's sweeps (core.tick): publications whose period (3 months or 3 years, Order 45
Art 13) has ended are taken down from the portal."""

from regulus.core import clock
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep
from regulus.enforcement import services
from regulus.enforcement.models import Publication


def _take_down_pending() -> bool:
    return Publication.objects.filter(
        state=Publication.State.PUBLISHED, shown_until__lt=clock.today()
    ).exists()


@sweep("enforcement.take_down", "撤下公示期满的行政处罚信息", pending=_take_down_pending)
def take_down_publications() -> SweepResult:
    taken = services.publications_take_down(actor=SYSTEM_ACTOR)
    return SweepResult(taken, f"撤下公示期满的行政处罚信息 {taken} 条")
