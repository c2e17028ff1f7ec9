# The inspection intervals per category and the equipment clock rules (use registration,
# re-check, rectification, hazard removal, lift maintenance, inspection request), from
# equipment.rules. Reversible: going back deletes the rows no clock uses.

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.equipment.rules import rules_load

    rules_load(
        IntervalRule=apps.get_model("equipment", "IntervalRule"),
        ClockRule=apps.get_model("core", "ClockRule"),
    )


def backward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    ClockRule.objects.filter(code__startswith="equipment.", clocks__isnull=True).delete()
    apps.get_model("equipment", "IntervalRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("equipment", "0001_initial"),
        ("core", "0013_clocks"),
    ]

    operations = [migrations.RunPython(forward, backward)]
