"""licensing 0007/0008: licensing's credit records move to credit, on a database with rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from regulus.core.models import Handover
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import services
from regulus.credit.models import CreditRecord
from regulus.licensing.models import Application
from tests.licensing.conftest import catalogue, media_root, submit  # noqa: F401

D = dt.date


def migrate_to(name: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("licensing", name)])


@pytest.fixture
def supermarket(catalogue):  # noqa: F811
    return catalogue["open-supermarket"]


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_licensing_credit_records_become_credit_records_through_handovers(
    supermarket, window_clerk
):
    app = submit(supermarket, actor=window_clerk)
    second = submit(supermarket, actor=window_clerk)
    migrate_to("0006_clocks")  # the table of before, with two rows (one already consumed)
    with connection.cursor() as cur:
        for application, consumed in ((app, None), (second, "2026-03-05 08:00:00+00:00")):
            cur.execute(
                "INSERT INTO licensing_creditrecord (entity_id, holder_name, uscc,"
                " application_id, unit_id, kind, recorded_on, detail, consumed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    application.entity_id,
                    application.applicant_name,
                    application.uscc,
                    application.pk,
                    application.unit_id,
                    "false_commitment",
                    D(2026, 3, 1),
                    "现场无冷藏设施 逾期未整改",
                    consumed,
                ],
            )
    migrate_to("0008_delete_creditrecord")
    assert "licensing_creditrecord" not in connection.introspection.table_names()
    handovers = Handover.objects.filter(topic="licensing.false_commitment").order_by("id")
    assert [h.source_number for h in handovers] == [app.number, second.number]
    assert [h.taken_at is None for h in handovers] == [True, False]
    assert handovers[0].occurred_on == D(2026, 3, 1)
    assert handovers[0].detail == "现场无冷藏设施 逾期未整改"
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    record = CreditRecord.objects.get()
    assert (record.category, record.source_number, record.occurred_on) == (
        "false_commitment",
        app.number,
        D(2026, 3, 1),
    )
    assert record.entity_name == Application.objects.get(pk=app.pk).applicant_name

    # Back again: the hand-overs become licensing's rows once more.
    CreditRecord.objects.all().delete()
    migrate_to("0006_clocks")
    with connection.cursor() as cur:
        cur.execute("SELECT application_id FROM licensing_creditrecord ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == [app.pk, second.pk]
    assert not Handover.objects.filter(topic="licensing.false_commitment").exists()
    migrate_to("0008_delete_creditrecord")
