# The rule versions of complaints and reports (Order 20, Order 121) and their clock rules
# (complaints.acceptance, .mediation, .verification, .reporter_notice), from
# complaints.rules. Reversible: going back deletes the rows no item or clock uses.

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.complaints.rules import rules_load

    rules_load(
        RuleVersion=apps.get_model("complaints", "RuleVersion"),
        ClockRule=apps.get_model("core", "ClockRule"),
    )


def backward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    ClockRule.objects.filter(code__startswith="complaints.", clocks__isnull=True).delete()
    apps.get_model("complaints", "RuleVersion").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0001_initial"),
        ("core", "0013_clocks"),
    ]

    operations = [migrations.RunPython(forward, backward)]
