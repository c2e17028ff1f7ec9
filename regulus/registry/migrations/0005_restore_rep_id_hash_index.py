"""Restore the index of legal_rep_id_hash on SQLite.

Migration 0004 created it with raw SQL, then its AddConstraint rebuilt the table (SQLite
cannot add a constraint in place), and the rebuild re-creates only the indexes that Django's
model state knows: the raw one was gone, and a search by ID number read the whole table.
tests/registry/test_entity_search.py now checks that the index is there. (PostgreSQL kept its
hash index: IF NOT EXISTS makes this a no-op there.)
"""

from django.db import migrations


def create_hash_index(apps, schema_editor):
    method = "USING hash " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS entity_rep_id_hash_idx ON registry_entity "
        f"{method}(legal_rep_id_hash)"
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_lean_indexes")]

    operations = [migrations.RunPython(create_hash_index, migrations.RunPython.noop)]
