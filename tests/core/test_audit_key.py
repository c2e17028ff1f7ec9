"""The keyed audit chain (HMAC-SM3 under REGULUS_AUDIT_KEY) and its daily anchors outside the
database: what an attacker with write access to the database, but without the key or the
anchor file, can no longer hide."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from regulus.core import audit
from regulus.core.audit import audit_record, chain_genesis, head_mac, row_digest, verify_chain
from regulus.core.crypto import mac_key, sm3_hex
from regulus.core.models import AuditChainHead, AuditLog

pytestmark = pytest.mark.django_db

KEY_A = "11" * 32
KEY_B = "22" * 32
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


def write_rows(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit_record(
            actor="测试",
            action=AuditLog.Action.UPDATE,
            object_type="test.thing",
            object_id=str(i),
            summary=f"第{i}次修改",
            changes={"name": ["旧", f"新{i}"]},
        )


def rows() -> list[dict]:
    return list(AuditLog.objects.order_by("id").values(*audit.HASHED_FIELDS, "hash"))


def rebuild(key) -> None:
    """What an attacker with write access does after editing rows: every link and hash made
    again in id order (with `key`: None for plain SM3, as one without the key must), and the
    head moved onto the result."""
    prev = chain_genesis(key) if key is not None else audit.GENESIS_HASH
    count = last_id = 0
    for fields in rows():
        fields["prev_hash"] = prev
        prev = row_digest(fields, key)
        AuditLog.objects.filter(pk=fields["id"]).update(prev_hash=fields["prev_hash"], hash=prev)
        count, last_id = count + 1, fields["id"]
    head = AuditChainHead.objects.get()
    head.count, head.last_id, head.last_hash = count, last_id, prev
    head.key_id = key.id if key is not None else ""
    head.mac = head_mac(key, head) if key is not None else ""
    head.save()


def tick_anchor() -> str:
    out = io.StringIO()
    call_command("tick", "--only", "core.audit_anchor", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def tick_lock_file(settings, tmp_path):
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")


@pytest.fixture
def key_a(settings):
    settings.AUDIT_KEY = KEY_A
    return mac_key(KEY_A)


def test_each_row_hash_is_the_hmac_under_the_key_not_a_plain_hash(key_a):
    write_rows(3)
    first, *_ = rows()
    assert first["prev_hash"] == chain_genesis(key_a)
    assert first["hash"] == row_digest(first, key_a) != row_digest(first, None)
    assert verify_chain().ok


def test_a_row_rewritten_and_the_chain_rebuilt_without_the_key_is_detected(key_a):
    write_rows(5)
    victim = rows()[2]["id"]
    AuditLog.objects.filter(pk=victim).update(summary="篡改")
    rebuild(None)  # plain SM3: all one can compute without the key
    report = verify_chain()
    assert not report.ok and "没有以密钥签名的记录" in report.reason


def test_a_chain_rebuilt_under_a_guessed_key_is_detected(key_a):
    write_rows(5)
    AuditLog.objects.filter(pk=rows()[2]["id"]).update(summary="篡改")
    rebuild(mac_key(KEY_B))
    assert not verify_chain().ok


def test_a_row_changed_in_place_is_named(key_a):
    write_rows(5)
    victim = rows()[3]["id"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET summary = %s WHERE id = %s", ["篡改", victim])
    report = verify_chain()
    assert not report.ok and report.broken_id == victim and "被篡改" in report.reason


def test_cutting_the_tail_and_moving_the_head_back_without_the_key_is_detected(key_a):
    write_rows(5)
    *kept, last = rows()
    AuditLog.objects.filter(pk=last["id"]).delete()
    # The head set to the remaining rows, with the values any reader of the table can see.
    AuditChainHead.objects.update(count=len(kept), last_id=kept[-1]["id"],
                                  last_hash=kept[-1]["hash"])  # fmt: skip
    report = verify_chain()
    assert not report.ok and "链头记录的签名不符" in report.reason


def test_anchor_is_written_once_a_day_by_tick(key_a, settings):
    with time_machine.travel(T0, tick=False):
        write_rows(3)
        assert "锚定操作日志链头：2026-03-02 3 " in tick_anchor()
        write_rows(1, start=3)
        assert "无待处理事项" in tick_anchor()  # the day has its anchor
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        tick_anchor()
    lines = settings.AUDIT_ANCHOR_FILE.read_text().splitlines()
    assert lines[0].startswith("#") and len(lines) == 3
    date, count, last_id, head, key_id, _mac = lines[2].split()
    assert (date, count, int(last_id), head) == ("2026-03-03", "4", rows()[-1]["id"],
                                                 rows()[-1]["hash"])  # fmt: skip
    assert key_id == key_a.id
    report = verify_chain()
    assert report.ok and report.anchors_checked == 2 and report.warnings == ()


def test_rows_rewritten_before_an_anchor_are_detected_even_with_the_chain_rebuilt_with_the_key(
    key_a,
):
    with time_machine.travel(T0, tick=False):
        write_rows(5)
        tick_anchor()
        write_rows(2, start=5)
    # An attacker who holds the key (not the anchor file) deletes an anchored row and rebuilds.
    AuditLog.objects.filter(pk=rows()[1]["id"]).delete()
    rebuild(key_a)
    report = verify_chain()
    assert not report.ok and "2026-03-02的锚点" in report.reason
    assert "锚定前的记录被删除、插入或改写" in report.reason


def test_a_tail_cut_shorter_than_the_last_anchor_is_detected_even_with_the_key(key_a):
    with time_machine.travel(T0, tick=False):
        write_rows(5)
        tick_anchor()
    AuditLog.objects.filter(pk__in=[r["id"] for r in rows()[3:]]).delete()
    rebuild(key_a)  # head and its mac made anew for the 3 rows left
    report = verify_chain()
    assert not report.ok
    assert "日志链现有3条" in report.reason and "少于2026-03-02锚点所记的5条" in report.reason
    with pytest.raises(CommandError, match="末尾记录被删除"):
        call_command("verify_audit")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: [lines[0], lines[1].replace(" 3 ", " 2 ", 1), lines[2]], "签名不符"),
        (lambda lines: [lines[0], lines[2]], "签名不符"),  # the first anchor removed
        (lambda lines: [lines[0], "2026-03-02 3 x", lines[2]], "格式不符"),
    ],
)
def test_an_anchor_file_edited_without_the_key_is_detected(key_a, settings, edit, message):
    with time_machine.travel(T0, tick=False):
        write_rows(3)
        tick_anchor()
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        write_rows(1, start=3)
        tick_anchor()
    path = settings.AUDIT_ANCHOR_FILE
    path.write_text("\n".join(edit(path.read_text().splitlines())) + "\n")
    report = verify_chain()
    assert not report.ok and message in report.reason and str(path) in report.reason


def test_no_anchor_file_is_a_warning_the_command_prints(key_a):
    write_rows(2)
    report = verify_chain()
    assert report.ok and any("中没有锚点" in w for w in report.warnings)
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    assert "日志链完整：共校验 2 条记录，锚点 0 个" in out.getvalue()
    assert "regulus tick 每日写入" in err.getvalue()


def legacy_chain(n: int) -> list[int]:
    """Rows as a deployment from before the key wrote them: plain SM3 from the zero genesis,
    and a head that names no key."""
    prev, ids = audit.GENESIS_HASH, []
    for i in range(n):
        row = AuditLog.objects.create(
            at=T0, actor_name="旧系统", action=AuditLog.Action.UPDATE, object_type="test.thing",
            object_id=str(i), summary=f"旧记录{i}", changes={}, prev_hash=prev,
            hash=f"pending-{i}",
        )  # fmt: skip
        prev = row_digest({n: getattr(row, n) for n in audit.HASHED_FIELDS}, None)
        AuditLog.objects.filter(pk=row.pk).update(hash=prev)
        ids.append(row.pk)
    AuditChainHead.objects.create(pk=1, count=n, last_id=ids[-1], last_hash=prev)
    return ids


def migrate_0010() -> None:
    from django.apps import apps

    module = importlib.import_module("regulus.core.migrations.0010_audit_chain_keyed")
    module.key_the_chain(apps, None)


def test_an_unkeyed_chain_is_accepted_only_with_the_key_change_row_after_it(key_a):
    legacy = legacy_chain(4)
    # As it stands, indistinguishable from a chain rebuilt by someone without the key.
    report = verify_chain()
    assert not report.ok and "没有以密钥签名的记录" in report.reason
    migrate_0010()  # what the upgrade does
    change = AuditLog.objects.get(action=AuditLog.Action.CHAIN_KEY)
    assert change.pk > legacy[-1] and change.prev_hash == AuditLog.objects.get(pk=legacy[-1]).hash
    assert change.changes == {"key_id": key_a.id, "previous_key_id": "", "rows_before": 4}
    assert "此前未签名的4条记录由本条锁定" in change.summary
    write_rows(2)
    report = verify_chain()
    assert report.ok and report.rows_checked == 7 and report.unkeyed_rows == 4
    head = AuditChainHead.objects.get()
    assert head.key_id == key_a.id and head.mac == head_mac(key_a, head)
    migrate_0010()  # a second run finds the chain keyed
    assert AuditLog.objects.filter(action=AuditLog.Action.CHAIN_KEY).count() == 1


def test_the_first_append_after_an_upgrade_keys_the_chain_too(key_a):
    legacy_chain(2)
    write_rows(1)
    assert [r["action"] for r in rows()][2:] == [AuditLog.Action.CHAIN_KEY, AuditLog.Action.UPDATE]
    assert verify_chain().ok


def test_old_unkeyed_rows_rewritten_after_the_key_change_are_detected(key_a):
    legacy = legacy_chain(4)
    migrate_0010()
    # Without the key, the unkeyed part can be rebuilt, but not the key-change row that pins it.
    AuditLog.objects.filter(pk=legacy[1]).update(summary="改写旧记录")
    prev = audit.GENESIS_HASH
    for fields in rows()[:4]:
        fields["prev_hash"] = prev
        prev = row_digest(fields, None)
        AuditLog.objects.filter(pk=fields["id"]).update(prev_hash=fields["prev_hash"], hash=prev)
    report = verify_chain()
    change = AuditLog.objects.get(action=AuditLog.Action.CHAIN_KEY)
    assert not report.ok and report.broken_id == change.pk


def test_a_rotated_key_needs_the_previous_one_to_verify_the_rows_before_it(key_a, settings):
    write_rows(2)
    settings.AUDIT_KEY = KEY_B
    write_rows(2, start=2)
    change = AuditLog.objects.get(action=AuditLog.Action.CHAIN_KEY)
    key_b = mac_key(KEY_B)
    assert change.changes["previous_key_id"] == key_a.id
    assert change.changes["key_id"] == key_b.id
    report = verify_chain()
    assert not report.ok and "REGULUS_AUDIT_PREVIOUS_KEYS" in report.reason
    settings.AUDIT_PREVIOUS_KEYS = [KEY_A]
    report = verify_chain()
    assert report.ok and report.rows_checked == 5
    assert AuditChainHead.objects.get().key_id == key_b.id


def test_a_forged_key_change_row_cannot_switch_the_chain_off_its_key(key_a):
    write_rows(2)
    last = rows()[-1]
    forged = AuditLog.objects.create(
        at=T0, actor_name="系统", action=AuditLog.Action.CHAIN_KEY, object_type="core.auditchain",
        changes={"key_id": "", "previous_key_id": key_a.id}, prev_hash=last["hash"],
        hash="forged",
    )  # fmt: skip
    fields = rows()[-1]
    AuditLog.objects.filter(pk=forged.pk).update(hash=sm3_hex(repr(fields).encode()))
    report = verify_chain()
    assert not report.ok and report.broken_id == forged.pk


def test_verify_audit_checks_the_rows_against_an_off_host_copy_of_the_anchors(
    key_a, settings, tmp_path
):
    with time_machine.travel(T0, tick=False):
        write_rows(4)
        tick_anchor()
    copy = tmp_path / "copy-from-the-log-server.txt"
    copy.write_text(settings.AUDIT_ANCHOR_FILE.read_text())
    # Whoever holds the key cuts the tail and empties the file on the server: the copy holds.
    AuditLog.objects.filter(pk=rows()[-1]["id"]).delete()
    rebuild(key_a)
    settings.AUDIT_ANCHOR_FILE.write_text("")
    assert verify_chain().ok
    with pytest.raises(CommandError, match="少于2026-03-02锚点所记的4条"):
        call_command("verify_audit", "--anchors", str(copy))
