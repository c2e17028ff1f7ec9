# The audit hashes' uniqueness as a constraint: one index. unique=True made PostgreSQL a second
# one (varchar_pattern_ops, for LIKE) that nothing used and every audit row paid for.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_throttle_counter_unlogged"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditlog",
            name="hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="auditlog",
            constraint=models.UniqueConstraint(fields=("hash",), name="audit_hash_unique"),
        ),
    ]
