# The first version of the risk score (classes A–D, 国市监信发〔2022〕6号). The national
# factor table is unconfirmed (domain.md §1): these weights are the bureau's own setting,
# shown in full on every class's page; a change is a new version. Reversible.

import datetime as dt

from django.db import migrations

FACTORS = [
    {"code": "listed_now", "label": "当前在经营异常名录（状态）", "weight": 30, "cap": 2},
    {"code": "listed_past", "label": "回溯期内曾列入经营异常名录且已移出", "weight": 10, "cap": 3},
    {"code": "false_commitment", "label": "回溯期内告知承诺不实", "weight": 25, "cap": 2},
    {"code": "penalty", "label": "回溯期内受到行政处罚", "weight": 15, "cap": 3},
    {"code": "spot_check_problem", "label": "回溯期内抽查检查发现问题", "weight": 10, "cap": 3},
    {"code": "unreachable", "label": "回溯期内通过登记的住所无法联系", "weight": 20, "cap": 2},
    {"code": "young", "label": "成立不满1年", "weight": 5, "cap": 1},
    {"code": "individual", "label": "主体类型为个体工商户", "weight": 0, "cap": 1},
]


def seed(apps, schema_editor):
    RiskModel = apps.get_model("credit", "RiskModel")
    RiskModel.objects.get_or_create(
        valid_from=dt.date(2024, 1, 1),
        defaults=dict(
            factors=FACTORS,
            lookback_years=3,
            b_from=10,
            c_from=30,
            d_from=60,
            basis="《关于推进企业信用风险分类管理进一步提升监管效能的意见》（国市监信发〔2022〕6号）；"
            "计分因素和权重为本局设定（全国统一指标体系待核实）",
        ),
    )


def unseed(apps, schema_editor):
    apps.get_model("credit", "RiskModel").objects.filter(valid_from=dt.date(2024, 1, 1)).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0006_risk_classes")]

    operations = [migrations.RunPython(seed, unseed)]
