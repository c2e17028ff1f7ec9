"""PostgreSQL: the search index keeps a pending list (GIN's fastupdate) at all times.

An import appends its documents' entries to the pending list and merges them into the
posting trees in bulk, which costs about half as much as inserting each entry into the trees.
Until now the import switched the option on for its own transaction with ALTER INDEX, but
changing fastupdate takes an ACCESS EXCLUSIVE lock on the index until the import commits:
every search, and every saved entity, waited for the whole import. With the option on for
good, no one changes it; the size of the list is each session's gin_pending_list_limit, small
for the application's own connections (settings.py) so that a search scans little of it, large
for an import (registry.importing).
"""

from django.db import migrations

INDEX = "registry_entity_search_tokens_gin"


def fastupdate_on(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = on)")


def fastupdate_off(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")
        schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")


class Migration(migrations.Migration):
    dependencies = [("registry", "0008_importjob_heartbeat_at")]

    operations = [migrations.RunPython(fastupdate_on, fastupdate_off)]
