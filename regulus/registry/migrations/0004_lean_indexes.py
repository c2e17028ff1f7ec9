"""Only the indexes that queries use: every index costs each row of an import.

Drops the single-column index of unit_id (entity_unit_status_idx starts with it), the index of
legal_rep_name (a search by a person's name uses the search index's person token), and on
PostgreSQL the varchar_pattern_ops "_like" indexes that a field-level unique/db_index CharField
brings (uscc's uniqueness becomes a constraint). legal_rep_id_hash gets a hash index on
PostgreSQL (equality only, half the insert cost of a B-tree of random 64-character keys) and a
B-tree on SQLite, which has no hash indexes.
"""

import django.db.models.deletion
from django.db import migrations, models


def create_hash_index(apps, schema_editor):
    method = "USING hash " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX entity_rep_id_hash_idx ON registry_entity {method}(legal_rep_id_hash)"
    )


def drop_hash_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX entity_rep_id_hash_idx")


def analyze(apps, schema_editor):
    """SQLite rebuilt the table to drop uscc's field-level UNIQUE and lost its statistics
    with it (the planner then guesses; the export no longer joins the units for this
    reason, see selectors.EXPORT_COLUMNS)."""
    schema_editor.execute("ANALYZE registry_entity")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_transition_event"),
        ("registry", "0003_search_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="entity",
            name="entity_legal_rep_idx",
        ),
        migrations.AlterField(
            model_name="entity",
            name="legal_rep_id_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="entity",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entities",
                to="core.orgunit",
                verbose_name="监管单位",
            ),
        ),
        migrations.AlterField(
            model_name="entity",
            name="uscc",
            field=models.CharField(max_length=18, verbose_name="统一社会信用代码"),
        ),
        migrations.RunPython(create_hash_index, drop_hash_index),
        migrations.AddConstraint(
            model_name="entity",
            constraint=models.UniqueConstraint(
                fields=("uscc",),
                name="entity_uscc_unique",
                violation_error_message="该统一社会信用代码已登记",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
