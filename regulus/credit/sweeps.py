"""Enterprise credit's sweeps (core.tick)."""

from __future__ import annotations

from regulus.core import clock
from regulus.core.handover import handovers_waiting
from regulus.core.models import Handover
from regulus.core.tick import SYSTEM_ACTOR, SweepResult, sweep
from regulus.credit import rules, services


def _handovers_pending() -> bool:
    return handovers_waiting(kind=Handover.Kind.CREDIT).exists()


@sweep("credit.handovers", "接收移交的信用信息", pending=_handovers_pending)
def handovers() -> SweepResult:
    taken = services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    return SweepResult(taken, f"接收信用信息 {taken} 条")


def _listing_pending() -> bool:
    year = rules.report_year_now(clock.today())
    return services._listing_due(year)


@sweep(
    "credit.abnormal_unfiled",
    "年报期满未报送的列入经营异常名录（状态）",
    pending=_listing_pending,
)
def abnormal_unfiled() -> SweepResult:
    year = rules.report_year_now(clock.today())
    if not services._listing_due(year):
        return SweepResult(0, "无待处理事项")
    listed = services.abnormal_list_unfiled(actor=SYSTEM_ACTOR, year=year)
    return SweepResult(listed, f"{year}年度未报送年报的列入经营异常名录（状态）{listed}户")


@sweep("credit.risk_monthly", "每月重新计算信用风险分类", pending=services.risk_month_due)
def risk_monthly() -> SweepResult:
    if not services.risk_month_due():
        return SweepResult(0, "无待处理事项")
    changed = services.risk_recompute_city(actor=SYSTEM_ACTOR)
    return SweepResult(changed, f"信用风险分类变更 {changed} 户")


@sweep(
    "credit.serious_expiry",
    "严重违法失信名单列入期满移出",
    pending=services.serious_expiry_due,
)
def serious_expiry() -> SweepResult:
    removed = services.serious_expire(actor=SYSTEM_ACTOR)
    return SweepResult(removed, f"列入期满移出严重违法失信名单 {removed} 户")
