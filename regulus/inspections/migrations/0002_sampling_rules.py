"""The sampling ratios per credit risk class (domain.md §1), as the first rule versions.

Daqing's published ranges [dq]: A ≤5 %, B 5–20 %, C 21–60 %, D 61–100 %; the national table
is unconfirmed, so these are the local rule, editable by a later version. Unclassified
entities: the plan column's 1–10 % [sg]. Defaults: the national ≥3 % for publicity checks for
A, and the lower end of each range otherwise. Reversible: the rows are removed.
"""

import datetime as dt

from django.db import migrations

RULES = (
    ("A", 0, 500, 300, "大庆市信用风险分类监管（A类≤5%）；企业公示信息抽查不低于3%（总局令第101号）"),
    ("B", 500, 2000, 500, "大庆市信用风险分类监管（B类5%–20%）"),
    ("C", 2100, 6000, 2100, "大庆市信用风险分类监管（C类21%–60%）"),
    ("D", 6100, 10000, 6100, "大庆市信用风险分类监管（D类61%–100%）"),
    ("-", 100, 1000, 500, "年度抽查计划抽查比例1%–10%（未分类主体）"),
)


def load(apps, schema_editor):
    SamplingRule = apps.get_model("inspections", "SamplingRule")
    for stratum, low, high, default, basis in RULES:
        SamplingRule.objects.get_or_create(
            stratum=stratum,
            valid_from=dt.date(2022, 1, 1),
            defaults={"min_bp": low, "max_bp": high, "default_bp": default, "basis": basis},
        )


def unload(apps, schema_editor):
    apps.get_model("inspections", "SamplingRule").objects.filter(
        valid_from=dt.date(2022, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
