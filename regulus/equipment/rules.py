"""The dated rules of special equipment (domain.md §7), loaded by migration 0002 and by
`rules_ensure` (tests, demo). An admin's later edit of a row wins: existing rows are never
overwritten, and a new figure is a new row with its own effective date (a rule version).

- Inspection intervals (IntervalRule, months per category): lifts annual (the interval is a
  setting per locality: TSG T7001-2023 lets pilot areas replace the periodic inspection by
  self-testing); boilers' external inspection yearly; fixed pressure vessels' yearly check.
  The rules leave the intervals of cranes, rides, ropeways, vehicles and piping to the safety
  technical codes, which domain.md marks unconfirmed: their rows say 待核实 so the rule page
  shows them as such, and a bureau changes them by adding a version.
- Kernel clock rules (core.ClockRule): use registration within 30 days of first use (SE Law
  Art 33); re-check within 10 working days of the unit's rectification report (SAMR
  Order 57 Art 30); hazard removal and rectification periods are set per hazard and per order (the
  rule gives the default); lift maintenance at least every 15 days (条例 Art 31) read as the
  longest allowed gap; the request for periodic inspection one month before expiry (Art 40),
  read as the window of the due-soon list.
"""

from __future__ import annotations

from typing import Any

UNCONFIRMED = "待核实：安全技术规范规定的检验周期，按本地设置"

# category code -> months, from 2014-01-01 (SE Law in force), each a rule version.
INTERVALS: tuple[dict[str, Any], ...] = (
    {
        "category": "3000",
        "months": 12,
        "basis": "《特种设备安全法》第四十条；TSG T7001 电梯定期检验周期为1年（试点地区可按"
        "TSG T7001-2023、T7008-2023 以自行检测替代，周期按本地设置）",
        "unconfirmed": False,
    },
    {
        "category": "1000",
        "months": 12,
        "basis": "TSG 11 锅炉安全技术规程：外部检验每年一次（内部检验2年、水压试验6年）",
        "unconfirmed": False,
    },
    {
        "category": "2000",
        "months": 12,
        "basis": "TSG 21 固定式压力容器安全技术监察规程：年度检查每年一次",
        "unconfirmed": False,
    },
    {"category": "8000", "months": 36, "basis": "TSG D7005 压力管道定期检验", "unconfirmed": True},
    {"category": "4000", "months": 24, "basis": "TSG Q7015 起重机械定期检验", "unconfirmed": True},
    {
        "category": "5000",
        "months": 12,
        "basis": "TSG N0001 场（厂）内专用机动车辆",
        "unconfirmed": True,
    },
    {"category": "6000", "months": 12, "basis": "TSG 71 大型游乐设施定期检验", "unconfirmed": True},
    {"category": "9000", "months": 12, "basis": "TSG S7001 客运索道定期检验", "unconfirmed": True},
)
INTERVALS_FROM = "2014-01-01"

CLOCK_RULES: tuple[dict[str, Any], ...] = (
    {
        "code": "equipment.use_registration",
        "name": "使用登记期限",
        "effective_from": "2014-01-01",
        "days": 30,
        "unit": "calendar",
        "legal_basis": "《特种设备安全法》第三十三条（投入使用前或者投入使用后三十日内"
        "办理使用登记）",
    },
    {
        "code": "equipment.recheck",
        "name": "整改复查期限",
        "effective_from": "2022-07-01",
        "days": 10,
        "unit": "working",
        "legal_basis": "《特种设备安全监督检查办法》（总局令第57号）第三十条（收到整改报告之日起"
        "十个工作日内复查）",
    },
    {
        "code": "equipment.rectification",
        "name": "责令整改期限",
        "effective_from": "2014-01-01",
        "days": 15,
        "unit": "calendar",
        "legal_basis": "《特种设备安全监督检查办法》：整改期限由指令书载明（此为默认值）",
        "note": "默认值，指令书可另定",
    },
    {
        "code": "equipment.hazard_removal",
        "name": "隐患消除期限",
        "effective_from": "2014-01-01",
        "days": 30,
        "unit": "calendar",
        "legal_basis": "《特种设备安全法》第四十一条、第五十七条：发现事故隐患应当及时消除（期限"
        "由检查人员确定，此为默认值）",
        "note": "本地设置，待核实",
    },
    {
        "code": "equipment.lift_maintenance",
        "name": "电梯维护保养间隔",
        "effective_from": "2014-01-01",
        "days": 15,
        "unit": "calendar",
        "legal_basis": "《特种设备安全监察条例》第三十一条（电梯应当至少每15日进行一次清洁、润滑、"
        "调整和检查）",
    },
    {
        "code": "equipment.inspection_request",
        "name": "定期检验申请提前期",
        "effective_from": "2014-01-01",
        "days": 30,
        "unit": "calendar",
        "legal_basis": "《特种设备安全法》第四十条（在检验合格有效期届满前一个月向特种设备检验机构"
        "提出定期检验要求）",
    },
)


def rules_load(*, IntervalRule: Any, ClockRule: Any) -> int:
    """Create the interval versions and clock rules that are missing (historical models
    welcome)."""
    import datetime as dt

    from regulus.core.clock_services import clock_rules_load

    created = clock_rules_load(ClockRule=ClockRule, rules=CLOCK_RULES)
    since = dt.date.fromisoformat(INTERVALS_FROM)
    for rule in INTERVALS:
        _, new = IntervalRule.objects.get_or_create(
            category=rule["category"],
            effective_from=since,
            defaults={
                "months": rule["months"],
                "legal_basis": rule["basis"],
                "note": UNCONFIRMED if rule["unconfirmed"] else "",
            },
        )
        created += new
    return created


def rules_ensure() -> int:
    from regulus.core.models import ClockRule
    from regulus.equipment.models import IntervalRule

    return rules_load(IntervalRule=IntervalRule, ClockRule=ClockRule)
