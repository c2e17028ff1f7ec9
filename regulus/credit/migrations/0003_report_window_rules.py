# The annual-report filing window as rule versions (domain.md §2): 1 January – 30 June of the
# next year, corrections until 30 June. The 2014 条例 Art 8 until the 2024 revision (State
# Council Order 777) took effect on 2024-05-01; the window stayed the same.
# Reversible: going back deletes the two versions.

import datetime as dt

from django.db import migrations

VERSIONS = [
    (dt.date(2014, 10, 1), dt.date(2024, 4, 30), "《企业信息公示暂行条例》（2014年）第八条"),
    (
        dt.date(2024, 5, 1),
        None,
        "《企业信息公示暂行条例》（2024年修订，国务院令第777号）第八条；"
        "《市场主体登记管理条例实施细则》第六十三条",
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("credit", "ReportWindowRule")
    for valid_from, valid_to, basis in VERSIONS:
        Rule.objects.get_or_create(
            valid_from=valid_from,
            defaults=dict(
                valid_to=valid_to,
                opens_month=1,
                opens_day=1,
                closes_month=6,
                closes_day=30,
                correction_closes_month=6,
                correction_closes_day=30,
                legal_basis=basis,
            ),
        )


def unseed(apps, schema_editor):
    Rule = apps.get_model("credit", "ReportWindowRule")
    Rule.objects.filter(valid_from__in=[v[0] for v in VERSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_annual_reports")]

    operations = [migrations.RunPython(seed, unseed)]
