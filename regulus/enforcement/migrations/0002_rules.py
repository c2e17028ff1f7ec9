# The clock rules (enforcement.*), the procedure rule version and the violation matters, from
# enforcement.rules. Reversible: going back deletes the rows no clock or case uses.

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.enforcement.rules import rules_load

    rules_load(
        ClockRule=apps.get_model("core", "ClockRule"),
        ProcedureRule=apps.get_model("enforcement", "ProcedureRule"),
        Matter=apps.get_model("enforcement", "Matter"),
    )


def backward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    ClockRule.objects.filter(code__startswith="enforcement.", clocks__isnull=True).delete()
    apps.get_model("enforcement", "Matter").objects.all().delete()
    apps.get_model("enforcement", "ProcedureRule").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("enforcement", "0001_initial"),
        ("core", "0013_clocks"),
    ]

    operations = [migrations.RunPython(forward, backward)]
