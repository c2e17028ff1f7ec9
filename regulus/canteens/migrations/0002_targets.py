# The canteens' first targets (明厨亮灶 coverage, standardised canteens), from canteens.rules.

from django.db import migrations


def forward(apps, schema_editor):
    from regulus.canteens.rules import targets_load

    targets_load(CoverageTarget=apps.get_model("canteens", "CoverageTarget"))


def backward(apps, schema_editor):
    apps.get_model("canteens", "CoverageTarget").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("canteens", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
