# The ODR clock rule (complaints.odr, from complaints.rules) and the pause ground "odr" on the
# acceptance rules: the days a complaint spends in the business's ODR are not the bureau's.
# Appends "odr" to every complaints.acceptance version that lacks it and changes nothing else
# of those rows (an admin's edit of their other fields wins).

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.complaints.rules import ODR_RULE
    from regulus.core.clock_services import clock_rules_load

    ClockRule = apps.get_model("core", "ClockRule")
    clock_rules_load(ClockRule=ClockRule, rules=[ODR_RULE])
    for rule in ClockRule.objects.filter(code="complaints.acceptance"):
        reasons = list(rule.pause_reasons or [])
        if "odr" not in reasons:
            rule.pause_reasons = [*reasons, "odr"]
            rule.save(update_fields=["pause_reasons"])


def backward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    ClockRule.objects.filter(code="complaints.odr", clocks__isnull=True).delete()
    for rule in ClockRule.objects.filter(code="complaints.acceptance"):
        reasons = [r for r in (rule.pause_reasons or []) if r != "odr"]
        if reasons != list(rule.pause_reasons or []):
            rule.pause_reasons = reasons
            rule.save(update_fields=["pause_reasons"])


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0009_odr"),
        ("core", "0014_pause_reason_odr"),
    ]

    operations = [migrations.RunPython(forward, backward)]
