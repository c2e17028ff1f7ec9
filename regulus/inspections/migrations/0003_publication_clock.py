"""The publication clock's first rule version: results are published within 20 working days
of the check (domain.md §1: Hebei 冀政办发〔2015〕22号; 企业信息公示暂行条例 Art 6 for
information the bureau generates; the national 双随机 rule is unconfirmed). Reversible."""

from django.db import migrations

RULE = {
    "code": "inspections.publication",
    "name": "抽查结果公示期限",
    "effective_from": "2015-01-01",
    "days": 20,
    "unit": "working",
    "legal_basis": "《企业信息公示暂行条例》第六条（产生之日起20个工作日内公示）；"
    "冀政办发〔2015〕22号（抽查结果20个工作日内公示）",
    "note": "全国性双随机公示时限未确认，按20个工作日执行",
}


def load(apps, schema_editor):
    from regulus.core.clock_services import clock_rules_load

    clock_rules_load(ClockRule=apps.get_model("core", "ClockRule"), rules=[RULE])


def unload(apps, schema_editor):
    apps.get_model("core", "ClockRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_sampling_rules"), ("core", "0013_clocks")]
    operations = [migrations.RunPython(load, unload)]
