# The filing code (年报填报码) becomes the entity's portal code in the registry (企业填报码):
# the complaints app needs it too. Each row is copied with its hash, so issued codes keep
# working, with its failure count and lock; then the credit table goes. Reversible: back, the
# rows move to the credit table again.

from django.db import migrations

FIELDS = ("entity_id", "unit_id", "code_hash", "issued_at", "issued_by", "failures", "locked_until")


def _copy(source, target):
    target.objects.bulk_create(
        [target(**{f: getattr(row, f) for f in FIELDS}) for row in source.objects.iterator()],
        batch_size=1000,
    )


def to_registry(apps, schema_editor):
    _copy(apps.get_model("credit", "FilingCode"), apps.get_model("registry", "PortalCode"))


def back_to_credit(apps, schema_editor):
    portal_code = apps.get_model("registry", "PortalCode")
    _copy(portal_code, apps.get_model("credit", "FilingCode"))
    portal_code.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0009_serious_repair_rules"),
        ("registry", "0011_portal_code"),
    ]

    operations = [
        migrations.RunPython(to_registry, back_to_credit),
        migrations.DeleteModel(name="FilingCode"),
    ]
