"""The demo catalogue (matters, materials, limits, bundles): data, so that fresh databases and
tests have it. Reversible: the reverse deletes nothing an application refers to (it removes
only bundles, matters and materials, which PROTECT blocks while applications exist)."""

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.licensing.catalogue import catalogue_load

    catalogue_load(**{name: apps.get_model("licensing", name) for name in (
        "MaterialType", "Matter", "MatterRule", "MatterMaterial", "Bundle", "BundleMatter")})


def backward(apps, schema_editor):
    from regulus.licensing.catalogue import BUNDLES, MATERIALS, MATTERS

    apps.get_model("licensing", "Bundle").objects.filter(code__in=[b[0] for b in BUNDLES]).delete()
    apps.get_model("licensing", "Matter").objects.filter(
        code__in=[m["code"] for m in MATTERS]).delete()
    apps.get_model("licensing", "MaterialType").objects.filter(
        key__in=[m[0] for m in MATERIALS]).delete()


class Migration(migrations.Migration):
    dependencies = [("licensing", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
