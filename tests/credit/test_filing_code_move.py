"""credit 0010: the filing codes move to the registry's portal codes, on a database with rows;
an issued code keeps working, its failure count and lock with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from regulus.registry.models import PortalCode
from regulus.registry.portal_codes import portal_code_issue, portal_identify

LOCKED_UNTIL = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)


def migrate_to(name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("credit", name)])


def filing_rows() -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute("SELECT entity_id, code_hash, failures FROM credit_filingcode ORDER BY id")
        return [tuple(row) for row in cur.fetchall()]


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_issued_filing_codes_keep_working_as_portal_codes(entity_a, entity_b, handler, outsider):
    code_a = portal_code_issue(entity=entity_a, actor=handler)
    code_b = portal_code_issue(entity=entity_b, actor=outsider)
    PortalCode.objects.filter(entity=entity_b).update(failures=3, locked_until=LOCKED_UNTIL)
    hashes = dict(PortalCode.objects.values_list("entity_id", "code_hash"))

    migrate_to("0009_serious_repair_rules")  # back: the codes are credit's filing codes
    assert filing_rows() == [
        (entity_a.pk, hashes[entity_a.pk], 0),
        (entity_b.pk, hashes[entity_b.pk], 3),
    ]
    assert not PortalCode.objects.exists()

    migrate_to("0010_filing_codes_to_registry")
    assert "credit_filingcode" not in connection.introspection.table_names()
    assert dict(PortalCode.objects.values_list("entity_id", "code_hash")) == hashes
    moved_b = PortalCode.objects.get(entity=entity_b)
    assert (moved_b.failures, moved_b.locked_until, moved_b.unit_id) == (
        3,
        LOCKED_UNTIL,
        entity_b.unit_id,
    )
    assert portal_identify(entity_a.uscc, code_a, doing="年报填报") == entity_a
    assert portal_identify(entity_b.uscc, code_b, doing="年报填报") == entity_b
