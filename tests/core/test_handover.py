"""Hand-overs between apps (core.handover): a record one app leaves for another, taken once,
in the receiver's data scope, each step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from regulus.core.audit import audited
from regulus.core.handover import handover_send, handover_take, handovers_waiting
from regulus.core.models import AuditLog, Handover
from tests.registry.conftest import make_entity


def send(actor, source, unit, *, kind=Handover.Kind.CLUE, topic="test.problem", entity=None):
    with audited(actor=actor) as audit:
        return handover_send(
            audit=audit, kind=kind, topic=topic, topic_label="检查发现问题",
            source=source, unit=unit, occurred_on=dt.date(2026, 3, 2),
            title="检查发现销售过期食品", entity=entity, data={"result_code": "A"},
        )  # fmt: skip


def test_a_sent_record_names_its_source_and_entity_and_is_audited(handler, bureau):
    entity = make_entity(handler, "长沙市芙蓉区移交测试商行")
    record = send(handler, bureau["station_a"], bureau["district_a"], entity=entity)
    assert (record.source_type, record.source_id) == ("core.orgunit", str(bureau["station_a"].pk))
    assert (record.entity_id, record.uscc, record.entity_name) == (
        entity.pk,
        entity.uscc,
        entity.name,
    )
    assert record.sent_by == handler.display_name and record.taken_at is None
    row = AuditLog.objects.filter(object_type="core.handover").latest("id")
    assert row.summary == "移交案件线索：检查发现销售过期食品"


def test_the_same_topic_of_one_source_is_one_record(handler, bureau):
    first = send(handler, bureau["station_a"], bureau["district_a"])
    again = send(handler, bureau["station_a"], bureau["district_a"])
    other_topic = send(handler, bureau["station_a"], bureau["district_a"], topic="test.other")
    assert again.pk == first.pk and other_topic.pk != first.pk
    assert Handover.objects.count() == 2


def test_the_inbox_holds_its_kind_not_yet_taken_in_the_users_scope(handler, outsider, bureau):
    clue = send(handler, bureau["station_a"], bureau["district_a"])
    send(handler, bureau["station_b"], bureau["district_a"], kind=Handover.Kind.CREDIT)
    assert list(handovers_waiting(kind=Handover.Kind.CLUE, user=handler)) == [clue]
    assert list(handovers_waiting(kind=Handover.Kind.CLUE, user=outsider)) == []
    assert list(handovers_waiting(kind=Handover.Kind.CLUE)) == [clue]  # the system sees all


def test_a_record_is_taken_once_and_a_second_take_changes_nothing(handler, colleague, bureau):
    record = send(handler, bureau["station_a"], bureau["district_a"])
    with audited(actor=handler) as audit:
        handover_take(audit=audit, handover=record, taken_as="enforcement.clue:1")
    assert record.taken_as == "enforcement.clue:1" and record.taken_by == handler.display_name
    assert not handovers_waiting(kind=Handover.Kind.CLUE).exists()
    with pytest.raises(ValidationError, match="已被接收"), audited(actor=colleague) as audit:
        handover_take(audit=audit, handover=record, taken_as="enforcement.clue:2")
    record.refresh_from_db()
    assert record.taken_as == "enforcement.clue:1"


def test_a_record_without_a_title_is_refused(handler, bureau):
    with pytest.raises(ValidationError, match="标题"), audited(actor=handler) as audit:
        handover_send(
            audit=audit, kind=Handover.Kind.CLUE, topic="test.problem", topic_label="问题",
            source=bureau["station_a"], unit=bureau["district_a"],
            occurred_on=dt.date(2026, 3, 2), title="  ",
        )  # fmt: skip
    assert not Handover.objects.exists()
