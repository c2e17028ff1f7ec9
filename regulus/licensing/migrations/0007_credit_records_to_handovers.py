# Credit owns credit (issue 20): licensing no longer keeps credit records of its own. Each
# CreditRecord row (a false commitment) becomes a credit hand-over (core.Handover, kind
# "credit", topic "licensing.false_commitment"), exactly as verification_revoke now sends one:
# the credit app takes it up (its sweep `credit.handovers`), or it waits until credit is
# installed. A row the credit side had already consumed keeps that time as taken_at.
# Migration 0008 then drops the table (copy, then drop, so that both work on SQLite and
# PostgreSQL and on a database that has rows).
#
# Reversible: going back turns every such hand-over back into a CreditRecord row (the table is
# recreated by 0008's reverse first) and deletes the hand-overs.

from django.db import migrations
from django.utils import timezone

TOPIC = "licensing.false_commitment"
LABEL = "告知承诺不实"
SENDER = "系统（数据迁移）"


def records_to_handovers(apps, schema_editor):
    CreditRecord = apps.get_model("licensing", "CreditRecord")
    Handover = apps.get_model("core", "Handover")
    now = timezone.now()
    rows = CreditRecord.objects.select_related("application", "application__bundle").order_by("id")
    for record in rows.iterator(chunk_size=1000):
        application = record.application
        source_id = str(application.pk)
        if Handover.objects.filter(
            kind="credit", topic=TOPIC, source_type="licensing.application", source_id=source_id
        ).exists():
            continue
        Handover.objects.create(
            kind="credit",
            topic=TOPIC,
            topic_label=LABEL,
            source_type="licensing.application",
            source_id=source_id,
            source_number=application.number,
            source_url=f"/licensing/applications/{application.number}/",
            entity_id=record.entity_id,
            uscc=record.uscc,
            entity_name=record.holder_name,
            unit_id=record.unit_id,
            occurred_on=record.recorded_on,
            title=f"{record.holder_name} 告知承诺不实，许可已撤销",
            detail=record.detail,
            data={
                "application": application.number,
                "matter": application.bundle.name if application.bundle_id else "",
                "legal_basis": "《中华人民共和国行政许可法》第六十九条",
                "adverse": True,
                "migrated_from": f"licensing.creditrecord:{record.pk}",
            },
            sent_at=now,
            sent_by=SENDER,
            taken_at=record.consumed_at,
            taken_by=SENDER if record.consumed_at else "",
        )


def handovers_to_records(apps, schema_editor):
    CreditRecord = apps.get_model("licensing", "CreditRecord")
    Handover = apps.get_model("core", "Handover")
    Application = apps.get_model("licensing", "Application")
    handovers = Handover.objects.filter(
        kind="credit", topic=TOPIC, source_type="licensing.application"
    ).order_by("id")
    for handover in handovers:
        application = Application.objects.filter(pk=int(handover.source_id)).first()
        if application is None:
            continue
        CreditRecord.objects.create(
            entity_id=handover.entity_id,
            holder_name=handover.entity_name or application.applicant_name,
            uscc=handover.uscc,
            application=application,
            unit_id=handover.unit_id,
            kind="false_commitment",
            recorded_on=handover.occurred_on,
            detail=handover.detail,
            consumed_at=handover.taken_at,
        )
    handovers.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0006_clocks"),
        ("core", "0012_handover"),
    ]

    operations = [migrations.RunPython(records_to_handovers, handovers_to_records)]
