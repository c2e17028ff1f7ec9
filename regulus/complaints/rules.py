"""The rule versions of complaints and reports and their clock rules (domain.md §4), loaded
by migration 0002 (data migration) and by `rules_ensure` (tests, demo). An admin's later edit
of a row wins: existing rows are never overwritten.

Order 121's accept/refuse limit and reporter-notice figures are not confirmed by its
official text (domain.md §4): Order 20's values are carried into the Order 121 version and
the rule page marks them 待核实 (RuleVersion.unconfirmed, ClockRule.note).
"""

from __future__ import annotations

from typing import Any

UNCONFIRMED_NOTE = "待核实：沿用第20号令数值，待第121号令正式文本确认"

ORDER20_GROUNDS = [
    {
        "code": "outside_remit",
        "label": "不属于市场监督管理部门职责范围",
        "basis": "第20号令第十五条第（一）项",
    },
    {
        "code": "already_handled",
        "label": "法院、仲裁机构、其他行政机关等已受理或处理",
        "basis": "第20号令第十五条第（二）项",
    },
    {
        "code": "not_consumption",
        "label": "不是为生活消费需要购买、使用商品或者接受服务",
        "basis": "第20号令第十五条第（三）项",
    },
    {
        "code": "over_three_years",
        "label": "知道或者应当知道权益受损之日起超过三年",
        "basis": "第20号令第十五条第（四）项",
    },
    {
        "code": "materials_missing",
        "label": "未提供投诉人、被投诉人信息或具体诉求、事实",
        "basis": "第20号令第十五条第（五）项",
    },
]
ORDER121_GROUNDS = [{**g, "basis": "第121号令第十六条"} for g in ORDER20_GROUNDS] + [
    {"code": "false_materials", "label": "提供的材料虚假", "basis": "第121号令第十六条"},
    {
        "code": "identity_refused",
        "label": "冒用他人身份或者拒绝核验身份",
        "basis": "第121号令第十六条",
    },
]

# 12315 ODR (在线消费纠纷解决, domain.md §4): a complaint against a business that joined
# the platform's ODR goes to the business first, with the consumer's consent; the business
# settles within this period, and those days are not the bureau's (the acceptance clock is
# paused on the ground "odr"). The wording is the platform's rule as domain.md carries it.
ODR_RULE: dict[str, Any] = {
    "code": "complaints.odr",
    "name": "经营者和解期限（ODR）",
    "effective_from": "2020-01-01",
    "days": 10,
    "unit": "working",
    "legal_basis": "全国12315平台在线消费纠纷解决（ODR）规则（ODR单位自收到消费者投诉之日起"
    "十个工作日内与消费者协商和解；和解期间不计入市场监管部门的处理时限）",
    "note": "待核实：据全国12315平台ODR规则的说明，平台规则原文待核实",
}

RULE_VERSIONS: tuple[dict[str, Any], ...] = (
    {
        "code": "order20",
        "name": "《市场监督管理投诉举报处理暂行办法》（总局令第20号）",
        "valid_from": "2020-01-01",
        "valid_to": "2026-04-14",
        "refusal_grounds": ORDER20_GROUNDS,
        "unconfirmed": [],
        "source": "2019年11月30日公布，2022年修订；第十四条受理期限、第十五条不予受理情形",
    },
    {
        "code": "order121",
        "name": "《市场监督管理投诉举报处理办法》（总局令第121号）",
        "valid_from": "2026-04-15",
        "valid_to": None,
        "refusal_grounds": ORDER121_GROUNDS,
        "unconfirmed": ["complaints.acceptance", "complaints.reporter_notice"],
        "source": "2025年12月30日公布，2026年4月15日施行；时限条款据第三方解读，官方文本待核实",
    },
)

CLOCK_RULES: tuple[dict[str, Any], ...] = (
    {
        "code": "complaints.acceptance",
        "name": "投诉举报受理期限",
        "effective_from": "2020-01-01",
        "days": 7,
        "unit": "working",
        "legal_basis": "《市场监督管理投诉举报处理暂行办法》第十四条（收到投诉之日起七个工作日内"
        "作出受理或者不予受理的决定）",
        "pause_reasons": ["odr"],
    },
    {
        "code": "complaints.acceptance",
        "name": "投诉举报受理期限",
        "effective_from": "2026-04-15",
        "days": 7,
        "unit": "working",
        "legal_basis": "《市场监督管理投诉举报处理办法》（第121号令）",
        "pause_reasons": ["odr"],
        "note": UNCONFIRMED_NOTE,
    },
    {
        "code": "complaints.mediation",
        "name": "调解期限",
        "effective_from": "2020-01-01",
        "days": 45,
        "unit": "working",
        "legal_basis": "《市场监督管理投诉举报处理暂行办法》第二十一条（自受理之日起四十五个工作日"
        "内未能达成调解协议的，终止调解；检验、检测、鉴定时间不计入）",
        "pause_reasons": ["testing", "appraisal"],
    },
    {
        "code": "complaints.mediation",
        "name": "调解期限",
        "effective_from": "2026-04-15",
        "days": 60,
        "unit": "calendar",
        "legal_basis": "《市场监督管理投诉举报处理办法》第二十三条第（五）项（自受理之日起六十日内"
        "未达成调解协议的，终止调解）",
        "pause_reasons": ["testing", "appraisal"],
        "note": "据第三方解读（官方文本未见），待核实",
    },
    {
        "code": "complaints.verification",
        "name": "举报核查期限",
        "effective_from": "2020-01-01",
        "days": 15,
        "unit": "working",
        "legal_basis": "《市场监督管理行政处罚程序规定》第十八条（十五个工作日内核查，经批准可延长"
        "十五个工作日；检测、检验、检疫、鉴定等时间不计入）",
        "max_extension_days": 15,
        "pause_reasons": ["testing", "appraisal"],
    },
    ODR_RULE,
    {
        "code": "complaints.reporter_notice",
        "name": "实名举报人告知期限",
        "effective_from": "2020-01-01",
        "days": 5,
        "unit": "working",
        "legal_basis": "《市场监督管理投诉举报处理暂行办法》第三十一条（作出是否立案决定之日起五个"
        "工作日内告知实名举报人）",
    },
    {
        "code": "complaints.reporter_notice",
        "name": "实名举报人告知期限",
        "effective_from": "2026-04-15",
        "days": 5,
        "unit": "working",
        "legal_basis": "《市场监督管理投诉举报处理办法》（第121号令）",
        "note": UNCONFIRMED_NOTE,
    },
)


def rules_load(*, RuleVersion: Any, ClockRule: Any) -> int:
    """Create the rule versions and clock rules that are missing (historical models welcome)."""
    import datetime as dt

    from regulus.core.clock_services import clock_rules_load

    created = clock_rules_load(ClockRule=ClockRule, rules=CLOCK_RULES)
    for version in RULE_VERSIONS:
        values = dict(version)
        code = values.pop("code")
        values["valid_from"] = dt.date.fromisoformat(values["valid_from"])
        if values["valid_to"]:
            values["valid_to"] = dt.date.fromisoformat(values["valid_to"])
        _, new = RuleVersion.objects.get_or_create(code=code, defaults=values)
        created += new
    return created


def rules_ensure() -> int:
    from regulus.complaints.models import RuleVersion
    from regulus.core.models import ClockRule

    return rules_load(RuleVersion=RuleVersion, ClockRule=ClockRule)
