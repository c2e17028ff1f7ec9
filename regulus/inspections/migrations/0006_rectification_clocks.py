"""The rule versions of the rectification order's two clocks (责令整改, 复查). Reversible.

- inspections.rectification: the period the entity is given to rectify. No national rule
  fixes it for 双随机 findings; 15 working days is this bureau's default, a configuration a
  later rule version replaces.
- inspections.recheck: the re-check within 10 working days of the entity's rectification
  report (domain.md §7: 特种设备安全监督检查办法, Order 57 Art 30), applied to every domain.
"""

from django.db import migrations

RULES = [
    {
        "code": "inspections.rectification",
        "name": "责令整改期限",
        "effective_from": "2015-01-01",
        "days": 15,
        "unit": "working",
        "legal_basis": "《行政处罚法》第二十八条（责令当事人改正或者限期改正）；"
        "整改期限由实施机关确定",
        "note": "双随机抽查发现问题的整改期限全国未统一，按本局默认15个工作日执行",
    },
    {
        "code": "inspections.recheck",
        "name": "整改复查期限",
        "effective_from": "2015-01-01",
        "days": 10,
        "unit": "working",
        "legal_basis": "《特种设备安全监督检查办法》（总局令第57号）第三十条"
        "（收到整改报告后10个工作日内复查）",
        "note": "参照特种设备安全监督检查办法，适用于各领域抽查的复查",
    },
]


def load(apps, schema_editor):
    from regulus.core.clock_services import clock_rules_load

    clock_rules_load(ClockRule=apps.get_model("core", "ClockRule"), rules=RULES)


def unload(apps, schema_editor):
    codes = [rule["code"] for rule in RULES]
    apps.get_model("core", "ClockRule").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0005_rectification_and_visit_codes"), ("core", "0013_clocks")]
    operations = [migrations.RunPython(load, unload)]
