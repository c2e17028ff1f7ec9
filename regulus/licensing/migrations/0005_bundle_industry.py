"""A bundle's industry (GB/T 4754 大类): a new business registered through it gets it. The
catalogue's bundles get theirs (catalogue.BUNDLE_INDUSTRIES); the reverse drops the column."""

from django.db import migrations, models


def forward(apps, schema_editor):
    from regulus.licensing.catalogue import bundle_industries_set

    bundle_industries_set(apps.get_model("licensing", "Bundle"))


class Migration(migrations.Migration):
    dependencies = [("licensing", "0004_deadline_start_and_days")]

    operations = [
        migrations.AddField(
            model_name="bundle",
            name="industry_code",
            field=models.CharField(
                blank=True,
                help_text="GB/T 4754大类代码（如零售业52、餐饮业62）：以此一件事设立的新主体登记为该行业",
                max_length=2,
                verbose_name="行业大类",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
