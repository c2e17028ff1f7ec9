"""The audit chain: every write leaves a row; tampering is detected and named."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from regulus.core import services
from regulus.core.audit import audit_record, audit_record_many, verify_chain
from regulus.core.models import AuditChainHead, AuditLog

pytestmark = pytest.mark.django_db


def _write_rows(actor, n=5):
    for i in range(n):
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            object_type="test.thing",
            object_id=str(i),
            summary=f"第{i}次修改",
            changes={"name": ["旧", f"新{i}"]},
        )


def test_audit_chain_of_untouched_rows_verifies(handler):
    _write_rows(handler)
    report = verify_chain()
    assert report.ok and report.rows_checked == AuditLog.objects.count()


def test_rows_appended_in_bulk_chain_like_rows_appended_one_by_one(handler):
    _write_rows(handler, 2)
    entries = (
        (str(i), f"主体{i}", f"导入变更{i}", {"address": ["旧址", f"新址{i}"], "unit_id": [1, 2]})
        for i in range(7)
    )
    added = audit_record_many(
        actor=handler, action=AuditLog.Action.UPDATE, object_type="test.thing", entries=entries,
        batch=3,
    )  # fmt: skip
    _write_rows(handler, 2)
    assert added == 7 and AuditLog.objects.count() == 11
    rows = list(AuditLog.objects.order_by("id"))
    assert [r.summary for r in rows[2:9]] == [f"导入变更{i}" for i in range(7)]
    assert rows[2].actor_name == handler.display_name and rows[8].changes["unit_id"] == [1, 2]
    report = verify_chain()
    assert report.ok and report.rows_checked == 11
    AuditLog.objects.filter(pk=rows[5].pk).update(summary="改过")
    assert verify_chain().broken_id == rows[5].pk


def test_each_row_hash_covers_the_previous_hash(handler):
    _write_rows(handler, 3)
    rows = list(AuditLog.objects.order_by("id"))
    for prev, row in itertools.pairwise(rows):
        assert row.prev_hash == prev.hash


def test_verify_audit_names_a_row_whose_content_was_changed(handler):
    _write_rows(handler)
    victim = AuditLog.objects.order_by("id")[2]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET summary = %s WHERE id = %s", ["篡改", victim.id])
    report = verify_chain()
    assert not report.ok and report.broken_id == victim.id
    with pytest.raises(CommandError, match=str(victim.id)):
        call_command("verify_audit")


def test_verify_audit_detects_a_deleted_row_in_the_middle(handler):
    _write_rows(handler)
    rows = list(AuditLog.objects.order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [rows[2].id])
    report = verify_chain()
    assert not report.ok and report.broken_id == rows[3].id


def test_verify_audit_detects_a_deleted_last_row(handler):
    _write_rows(handler)
    last = AuditLog.objects.order_by("-id").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [last.id])
    assert not verify_chain().ok


def test_verify_audit_command_succeeds_on_intact_chain(handler, capsys):
    _write_rows(handler, 2)
    call_command("verify_audit")
    assert "日志链完整" in capsys.readouterr().out


def test_staff_update_audits_changed_fields_old_and_new(city_admin, handler, bureau):
    services.staff_update(
        actor=city_admin,
        staff=handler,
        full_name="刘新名",
        unit=handler.unit,
    )
    row = AuditLog.objects.filter(
        object_type="core.user", object_id=str(handler.pk), action=AuditLog.Action.UPDATE
    ).get()
    assert row.changes["full_name"] == ["刘思远", "刘新名"]
    assert row.actor_name == city_admin.display_name and row.unit_name == str(city_admin.unit)
    assert AuditChainHead.objects.get().last_id == row.id


def test_staff_create_needs_an_admin(handler, bureau):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.staff_create(
            actor=handler,
            username="x",
            full_name="x",
            unit=bureau["district_a"],
            password="Abc12345!",
        )
    assert not AuditLog.objects.filter(action=AuditLog.Action.CREATE).exists()


def test_request_ip_is_recorded_on_login(client, handler):
    from regulus.core.demo import DEMO_PASSWORD

    client.post(
        "/login/", {"username": handler.username, "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    row = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert row.ip == "10.1.2.3" and row.actor_id == handler.pk


def test_timeline_names_changed_fields_in_chinese(city_admin, handler):
    from regulus.core.selectors import audit_timeline

    services.staff_update(
        actor=city_admin,
        staff=handler,
        full_name="刘新名",
        unit=handler.unit,
        phone="13800000000",
    )
    details = [e["detail"] for e in audit_timeline(handler)]
    assert any("姓名" in d and "联系电话" in d for d in details)
