"""The credit record: credit takes every CREDIT hand-over, of any topic, into its records."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from regulus.core.models import Handover
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import selectors, services
from regulus.credit.models import CreditRecord
from tests.credit.conftest import send_credit


def run_tick() -> str:
    out = io.StringIO()
    call_command("tick", "--only", "credit.handovers", stdout=out)
    return out.getvalue()


def test_sweep_takes_a_handover_once_and_a_second_run_changes_nothing(entity_a):
    handover = send_credit(entity_a, data={"result_code": "6", "legal_basis": "条例第18条"})
    run_tick()
    record = CreditRecord.objects.get()
    assert (record.entity, record.category, record.legal_basis) == (
        entity_a,
        "unreachable",
        "条例第18条",
    )
    assert record.adverse and record.public and record.data["result_code"] == "6"
    handover.refresh_from_db()
    assert handover.taken_as == f"credit.creditrecord:{record.pk}"
    assert "无待处理事项" in run_tick()
    assert CreditRecord.objects.count() == 1


def test_an_unknown_topic_is_recorded_as_sent_and_kept_from_the_public(entity_a):
    send_credit(entity_a, topic="complaints.confirmed", label="投诉属实", data={"adverse": False})
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    record = CreditRecord.objects.get()
    assert (record.category, record.topic_label, record.adverse, record.public) == (
        "other",
        "投诉属实",
        False,
        False,
    )


def test_the_sender_may_keep_a_known_topic_from_the_public(entity_a):
    send_credit(entity_a, topic="inspections.problem_found", data={"public": False})
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    assert CreditRecord.objects.get().public is False


def test_data_of_the_wrong_type_falls_back_to_the_defaults(entity_a):
    send_credit(entity_a, data={"adverse": "yes", "public": 1, "legal_basis": ["x"] * 200})
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    record = CreditRecord.objects.get()
    assert record.adverse is True and record.public is True and len(record.legal_basis) <= 200


def test_a_handler_takes_one_at_once_and_a_second_take_is_refused(entity_a, handler):
    handover = send_credit(entity_a)
    services.credit_handover_take(handover=handover, actor=handler)
    handover.refresh_from_db()
    with pytest.raises(ValidationError, match="已被接收"):
        services.credit_handover_take(handover=handover, actor=handler)
    assert CreditRecord.objects.count() == 1


def test_a_window_clerk_reads_the_record_but_may_not_take(entity_a, window_clerk):
    handover = send_credit(entity_a)
    with pytest.raises(PermissionDenied):
        services.credit_handover_take(handover=handover, actor=window_clerk)
    assert not CreditRecord.objects.exists()


def test_the_outsider_sees_neither_the_inbox_nor_the_records(entity_a, handler, outsider):
    send_credit(entity_a)
    assert selectors.credit_inbox(outsider).count() == 0
    assert selectors.credit_inbox(handler).count() == 1
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    assert not selectors.records_for(outsider).exists()
    assert selectors.records_for(handler).count() == 1
    assert selectors.entity_credit_facts(entity_a, outsider) == []


def test_outsider_cannot_take_another_districts_handover_through_page_or_api(
    entity_a, outsider, client
):
    handover = send_credit(entity_a)
    client.force_login(outsider)
    assert client.post(f"/credit/handovers/{handover.pk}/take/").status_code == 404
    response = client.post(f"/api/v1/credit/handovers/{handover.pk}/take")
    assert response.status_code == 404
    assert Handover.objects.get(pk=handover.pk).taken_at is None


def test_staff_page_and_api_list_the_record(entity_a, handler, client):
    send_credit(entity_a)
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    client.force_login(handler)
    page = client.get("/credit/records/")
    assert page.status_code == 200 and entity_a.name in page.content.decode()
    rows = client.get("/api/v1/credit/records").json()
    assert [r["topic"] for r in rows] == ["inspections.unreachable"]
    bad = client.get("/api/v1/credit/records?category=nonsense")
    assert bad.status_code == 422 and "类别" in bad.json()["message"] + str(bad.json())


def test_the_public_section_shows_public_items_only_and_no_detail(entity_a):
    send_credit(entity_a, detail="经营者手机13800138000", source=entity_a)
    send_credit(
        entity_a,
        topic="complaints.confirmed",
        label="投诉属实（不公示）",
        source=entity_a.unit,
    )
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)
    section = selectors.credit_public_section(entity_a)
    text = str(section.rows)
    assert "通过登记的住所无法联系" in text
    assert "不公示" not in text and "13800138000" not in text
