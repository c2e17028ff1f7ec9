# The abnormal-list rules as versions (domain.md §3). The 2014 条例 Art 17 moved an entity to
# the serious-violation list after 3 years on the abnormal list; the 2024 revision (State
# Council Order 777, effective 2024-05-01) deleted that rule, so it is kept only as the
# version that ended on 2024-04-30. Listing within 10 working days of the deadline; removal
# decided within 5 working days (sources disagree: 5 working days vs 7 days; the setting
# takes 5 working days). Reversible: going back deletes the two versions.

import datetime as dt

from django.db import migrations

VERSIONS = [
    dict(
        valid_from=dt.date(2014, 10, 1),
        valid_to=dt.date(2024, 4, 30),
        listing_working_days=10,
        removal_working_days=5,
        serious_after_years=3,
        legal_basis="《企业信息公示暂行条例》（2014年）第十七条；《企业经营异常名录管理暂行办法》",
        note="列入经营异常名录届满3年仍未履行公示义务的，列入严重违法企业名单（已于2024年5月1日删除）",
    ),
    dict(
        valid_from=dt.date(2024, 5, 1),
        valid_to=None,
        listing_working_days=10,
        removal_working_days=5,
        serious_after_years=None,
        legal_basis="《企业信息公示暂行条例》（2024年修订，国务院令第777号）第十八条",
        note="不再因列入经营异常名录届满3年自动列入严重违法失信名单；移出期限各地不一（待核实）",
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("credit", "AbnormalRule")
    for version in VERSIONS:
        Rule.objects.get_or_create(valid_from=version["valid_from"], defaults=version)


def unseed(apps, schema_editor):
    Rule = apps.get_model("credit", "AbnormalRule")
    Rule.objects.filter(valid_from__in=[v["valid_from"] for v in VERSIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0004_abnormal_list")]

    operations = [migrations.RunPython(seed, unseed)]
