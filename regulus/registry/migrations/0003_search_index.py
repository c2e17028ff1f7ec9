"""The bigram name-search index (see regulus/registry/search.py): an FTS5 table on SQLite,
a token-array table with a GIN index on PostgreSQL. Reversible (drops the table)."""

from django.db import migrations


def create(apps, schema_editor):
    from regulus.registry.search import create_index_schema, index_rebuild

    create_index_schema(schema_editor)
    if apps.get_model("registry", "Entity").objects.exists():
        index_rebuild()


def drop(apps, schema_editor):
    from regulus.registry.search import drop_index_schema

    drop_index_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_import_job")]

    operations = [migrations.RunPython(create, drop)]
