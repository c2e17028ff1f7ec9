"""SQLite: the index of the ID number's keyed hash keeps its first 16 hex digits only.

A B-tree of the whole 64-character hash holds ~50 keys a page: an import's random inserts
dirty nearly every leaf page of it (20,000 pages at 1M entities, most of what a 40,000-row
import's commit writes) and miss the page cache on most of them. 16 digits (64 bits) are as
selective for a city's entities (the query compares the whole hash as well), with ~4 times
the keys a page. The query names the same expression (selectors.with_id_hash), which SQLite
needs to use an index on an expression. PostgreSQL's hash index stores hash codes already:
unchanged there. tests/registry/test_entity_search.py checks the index serves the query.
"""

from django.db import migrations


def short_key(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS entity_rep_id_hash_idx")
    schema_editor.execute(
        "CREATE INDEX entity_rep_id_hash_idx ON registry_entity (substr(legal_rep_id_hash, 1, 16))"
    )


def whole_key(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS entity_rep_id_hash_idx")
    schema_editor.execute("CREATE INDEX entity_rep_id_hash_idx ON registry_entity (legal_rep_id_hash)")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_pg_byte_collation")]

    operations = [migrations.RunPython(short_key, whole_key)]
