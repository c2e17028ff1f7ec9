# The first versions of the publication and repair rules and of the two clocks of the
# serious-violation list and credit repair (domain.md §3 and §5). Order 44's duration (3 years),
# early removal (after 1 year), the statement period and 国市监信规〔2021〕3号's time limits could
# not be confirmed from a primary text: they are settings with the values domain.md gives or,
# where it gives none, a stated assumption, each marked 待核实 on the rule. Reversible.

import datetime as dt

from django.db import migrations

PUBLICATION = dict(
    valid_from=dt.date(2021, 9, 1),
    valid_to=None,
    serious_years=3,
    serious_early_years=1,
    legal_rep_bar_years=3,
    penalty_short_months=3,
    penalty_long_years=3,
    penalty_low_fine_fen=1_000_000,
    penalty_repair_after_months=6,
    legal_basis="《市场监督管理严重违法失信名单管理办法》（总局令第44号）；《市场监督管理行政处罚"
    "信息公示规定》（总局令第45号）第十三条、第十四条；《市场监督管理信用修复管理办法》"
    "（国市监信规〔2021〕3号）；《企业信息公示暂行条例》（2024年修订）第十八条",
    note="列入期限3年、满1年可申请提前移出、较低数额罚款上限1万元、处罚信息公示满6个月可申请修复：待核实",
)

CLOCK_RULES = [
    {
        "code": "credit.serious_statement",
        "name": "严重违法失信名单陈述申辩期限",
        "effective_from": "2021-09-01",
        "days": 5,
        "unit": "working",
        "legal_basis": "《市场监督管理严重违法失信名单管理办法》（总局令第44号）：列入前告知当事人"
        "拟列入的事实、理由、依据及其陈述、申辩和要求听证的权利",
        "note": "期限待核实（2025年10月修订草案为5日）",
    },
    {
        "code": "credit.repair_decision",
        "name": "信用修复决定期限",
        "effective_from": "2021-09-01",
        "days": 15,
        "unit": "working",
        "legal_basis": "《市场监督管理信用修复管理办法》（国市监信规〔2021〕3号）",
        "note": "期限待核实",
    },
]


def seed(apps, schema_editor):
    from regulus.core.clock_services import clock_rules_load

    apps.get_model("credit", "PublicationRule").objects.get_or_create(
        valid_from=PUBLICATION["valid_from"], defaults=PUBLICATION
    )
    clock_rules_load(ClockRule=apps.get_model("core", "ClockRule"), rules=CLOCK_RULES)


def unseed(apps, schema_editor):
    apps.get_model("credit", "PublicationRule").objects.filter(
        valid_from=PUBLICATION["valid_from"]
    ).delete()
    apps.get_model("core", "ClockRule").objects.filter(
        code__in=[r["code"] for r in CLOCK_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0008_serious_list_repair"), ("core", "0013_clocks")]

    operations = [migrations.RunPython(seed, unseed)]
