"""The dated rules of the penalty procedure (domain.md §5): clock rules, the procedure's
figures, the grounds for not filing a case, and the violation matters with their fine ceilings.
Loaded by migration 0002 and by `rules_ensure` (tests, demo); an admin's later edit of a row
wins, existing rows are never overwritten.

Unconfirmed figures (domain.md §5) are settings marked 待核实: the hearing thresholds of
SAMR's 听证办法 (one local page: ¥5,000 individuals / ¥100,000 organisations) and the "较低数额
罚款" of Order 45 Art 13 (no national figure; ¥10,000 here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

ORDER2 = "《市场监督管理行政处罚程序规定》"
AP_LAW = "《中华人民共和国行政处罚法》"

CLOCK_RULES: tuple[dict[str, Any], ...] = (
    {
        "code": "enforcement.verification",
        "name": "线索核查期限",
        "effective_from": "2019-07-01",
        "days": 15,
        "unit": "working",
        "legal_basis": f"{ORDER2}第十八条（自发现线索或者收到材料之日起十五个工作日内核查并决定"
        "是否立案，经批准可延长十五个工作日；检测、检验、检疫、鉴定等时间不计入）",
        "max_extension_days": 15,
        "pause_reasons": ["testing", "appraisal"],
    },
    {
        "code": "enforcement.decision",
        "name": "案件办理期限",
        "effective_from": "2019-07-01",
        "days": 90,
        "unit": "calendar",
        "legal_basis": f"{ORDER2}第六十四条（自立案之日起九十日内作出处理决定；经批准可延长三十日；"
        "案情特别复杂的经集体讨论决定可再延长；听证、公告、检测、鉴定等时间不计入）",
        "max_extension_days": 30,
        "pause_reasons": ["hearing", "testing", "appraisal", "notice_service", "expert_review"],
    },
    {
        "code": "enforcement.legal_review",
        "name": "法制审核期限",
        "effective_from": "2019-07-01",
        "days": 10,
        "unit": "working",
        "legal_basis": f"{ORDER2}第五十八条（法制审核机构自收到审核材料之日起"
        "十个工作日内完成审核）",
    },
    {
        "code": "enforcement.hearing_request",
        "name": "听证申请期限",
        "effective_from": "2021-07-15",
        "days": 5,
        "unit": "working",
        "legal_basis": f"{AP_LAW}第六十四条第（一）项（当事人要求听证的，应当在行政机关告知后五日内"
        "提出）；第八十五条（五日指工作日）",
    },
    {
        "code": "enforcement.seizure",
        "name": "查封扣押期限",
        "effective_from": "2012-01-01",
        "days": 30,
        "unit": "calendar",
        "legal_basis": "《中华人民共和国行政强制法》第二十五条（查封、扣押的期限不得超过三十日；"
        "情况复杂的，经批准可以延长，但延长期限不得超过三十日）",
        "max_extension_days": 30,
        "pause_reasons": ["testing", "appraisal"],
    },
    {
        "code": "enforcement.service",
        "name": "决定书送达期限",
        "effective_from": "2021-07-15",
        "days": 7,
        "unit": "working",
        "legal_basis": f"{AP_LAW}第六十一条（行政处罚决定书应当在宣告后当场交付当事人；"
        "当事人不在场的，"
        "应当在七日内送达）；第八十五条（七日指工作日）",
    },
    {
        "code": "enforcement.payment",
        "name": "罚款缴纳期限",
        "effective_from": "2021-07-15",
        "days": 15,
        "unit": "calendar",
        "legal_basis": f"{AP_LAW}第六十七条（当事人应当自收到行政处罚决定书之日起"
        "十五日内缴纳罚款）；"
        "第七十二条（逾期不缴纳，每日按罚款数额的百分之三加处罚款，数额不得超出罚款数额）",
    },
    {
        "code": "enforcement.publication",
        "name": "行政处罚信息公示期限",
        "effective_from": "2021-09-01",
        "days": 20,
        "unit": "working",
        "legal_basis": "《市场监督管理行政处罚信息公示规定》第九条（自作出行政处罚决定之日起二十个"
        "工作日内公示）",
    },
)

PROCEDURE_RULES: tuple[dict[str, Any], ...] = (
    {
        "effective_from": "2021-07-15",
        "simple_individual_max_fen": 200_00,
        "simple_org_max_fen": 3_000_00,
        "hearing_individual_min_fen": 5_000_00,
        "hearing_org_min_fen": 100_000_00,
        "late_charge_permille": 30,
        "limitation_years": 2,
        "limitation_years_grave": 5,
        "publication_short_months": 3,
        "publication_long_years": 3,
        "low_fine_max_fen": 10_000_00,
        "hearing_notice_days": 7,
        "legal_basis": f"{AP_LAW}（2021年修订）第三十六条、第五十一条、第六十三条、第七十二条；"
        "《市场监督管理行政处罚信息公示规定》第十三条",
        "unconfirmed": ["hearing_individual_min_fen", "hearing_org_min_fen", "low_fine_max_fen"],
    },
)

# Order 2 Art 20 and 行政处罚法 Arts 33, 36: the cases that may not (or need not) be filed.
NOT_FILING_GROUNDS: tuple[dict[str, str], ...] = (
    {
        "code": "minor_corrected",
        "label": "违法行为轻微并及时改正，没有造成危害后果",
        "basis": f"{AP_LAW}第三十三条第一款；{ORDER2}第二十条第（一）项",
    },
    {
        "code": "first_slight",
        "label": "初次违法且危害后果轻微并及时改正",
        "basis": f"{AP_LAW}第三十三条第一款；{ORDER2}第二十条第（二）项",
    },
    {
        "code": "no_fault",
        "label": "当事人有证据足以证明没有主观过错",
        "basis": f"{AP_LAW}第三十三条第二款；{ORDER2}第二十条第（三）项",
    },
    {
        "code": "time_barred",
        "label": "违法行为超过追责时效",
        "basis": f"{AP_LAW}第三十六条",
    },
    {
        "code": "no_violation",
        "label": "经核查不存在违法事实或者证据不足",
        "basis": f"{ORDER2}第十九条第（一）项",
    },
    {
        "code": "no_jurisdiction",
        "label": "不属于本部门管辖（已移送有管辖权的机关）",
        "basis": f"{ORDER2}第十九条第（三）项、第十五条",
    },
)
NOT_FILING_LABELS = {g["code"]: f"{g['label']}（{g['basis']}）" for g in NOT_FILING_GROUNDS}

MATTERS: tuple[dict[str, Any], ...] = (
    {
        "code": "counterfeit-goods",
        "name": "销售假冒注册商标的商品",
        "domain": "ip",
        "violated_basis": "《中华人民共和国商标法》第五十七条第（三）项",
        "penalty_basis": "《中华人民共和国商标法》第六十条第二款",
        "max_fine_fen": 2_500_000_00,
        "grave": False,
    },
    {
        "code": "expired-food",
        "name": "经营超过保质期的食品",
        "domain": "food",
        "violated_basis": "《中华人民共和国食品安全法》第三十四条第（十）项",
        "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条第一款",
        "max_fine_fen": 1_500_000_00,
        "grave": True,
    },
    {
        "code": "substandard-product",
        "name": "销售不合格产品",
        "domain": "product_quality",
        "violated_basis": "《中华人民共和国产品质量法》第三十九条",
        "penalty_basis": "《中华人民共和国产品质量法》第五十条",
        "max_fine_fen": 300_000_00,
        "grave": True,
    },
    {
        "code": "price-unmarked",
        "name": "不按规定明码标价",
        "domain": "price",
        "violated_basis": "《中华人民共和国价格法》第十三条",
        "penalty_basis": "《中华人民共和国价格法》第四十二条",
        "max_fine_fen": 5_000_00,
        "grave": False,
    },
    {
        "code": "false-advertising",
        "name": "发布虚假广告",
        "domain": "advertising",
        "violated_basis": "《中华人民共和国广告法》第二十八条",
        "penalty_basis": "《中华人民共和国广告法》第五十五条第一款",
        "max_fine_fen": 2_000_000_00,
        "grave": False,
    },
    {
        "code": "unlicensed-business",
        "name": "未取得许可从事经营活动",
        "domain": "registration",
        "violated_basis": "《无证无照经营查处办法》第二条",
        "penalty_basis": "《无证无照经营查处办法》第十三条",
        "max_fine_fen": 100_000_00,
        "grave": False,
    },
    {
        "code": "false-commitment",
        "name": "告知承诺不实",
        "domain": "registration",
        "violated_basis": "《中华人民共和国行政许可法》第六十九条",
        "penalty_basis": "《中华人民共和国行政许可法》第七十九条",
        "max_fine_fen": 100_000_00,
        "grave": False,
    },
)


def rules_load(*, ClockRule: Any, ProcedureRule: Any, Matter: Any) -> int:
    """Create the clock rules, procedure versions and matters that are missing (historical
    models welcome)."""
    from regulus.core.clock_services import clock_rules_load

    created = clock_rules_load(ClockRule=ClockRule, rules=CLOCK_RULES)
    for version in PROCEDURE_RULES:
        values = dict(version)
        day = dt.date.fromisoformat(values.pop("effective_from"))
        _, new = ProcedureRule.objects.get_or_create(effective_from=day, defaults=values)
        created += new
    for matter in MATTERS:
        values = dict(matter)
        _, new = Matter.objects.get_or_create(code=values.pop("code"), defaults=values)
        created += new
    return created


def rules_ensure() -> int:
    from regulus.core.models import ClockRule
    from regulus.enforcement.models import Matter, ProcedureRule

    return rules_load(ClockRule=ClockRule, ProcedureRule=ProcedureRule, Matter=Matter)
