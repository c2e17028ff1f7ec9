"""The operation log: one row per write, each chained to the previous by HMAC-SM3.

Services write inside `audited(actor=...)` (at the end of this module), which opens the write's
transaction and records the rows the service declares, so that a write and its audit row
commit or fail together and a write without one cannot be committed. The chain head row is
locked while a row is appended, to the commit, which serialises appends on PostgreSQL (SQLite
serialises writers already); so a block's rows are appended when the outermost block ends,
all at once, and concurrent writes queue only for that last step and the commit.

Each row's hash is HMAC-SM3, under settings.AUDIT_KEY, of its content and the previous row's
hash: whoever can write to the database but has not the key cannot rewrite a row and rebuild
the hashes after it. The key is named in the chain by its fingerprint (crypto.MacKey.id):
- a chain begun under a key starts from that key's genesis value (`chain_genesis`);
- a chain that has rows under no key (written before the upgrade that keyed it) or under
  another key goes on with a key-change row (action CHAIN_KEY, changes `key_id` and
  `previous_key_id`), signed with the new key, written by the first append under it. Its
  previous hash pins every row before it, so the rows of the unkeyed era are protected from
  then on, and nothing has to be rewritten. Migration 0010 writes it when a deployment
  upgrades, so that a chain with rows always ends under a key: one whose rows are all unkeyed
  was rebuilt by someone without the key. Rotating the key works the same way; the old key
  stays in settings.AUDIT_PREVIOUS_KEYS for `verify_chain`.
The chain's head is anchored once a day outside the database (core.audit_anchor).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from regulus.core import audit_anchor, clock
from regulus.core.context import current_request_info
from regulus.core.crypto import MacKey, mac_key, sm3_hex
from regulus.core.models import AuditChainHead, AuditLog

# The first previous hash of a chain begun before the chain was keyed.
GENESIS_HASH = "0" * 64
# Who writes a key-change row.
CHAIN_ACTOR = "系统"
HASHED_FIELDS = (
    "id", "at", "actor_id", "actor_name", "unit_name", "ip", "action", "object_type",
    "object_id", "object_repr", "summary", "changes", "prev_hash",
)  # fmt: skip


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):  # most values: first
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def chain_key() -> MacKey:
    """The key new rows are signed with."""
    return mac_key(settings.AUDIT_KEY)


def chain_keys() -> dict[str, MacKey]:
    """Every key the chain may hold rows of (the current one and the previous ones), by id."""
    keys = [mac_key(k) for k in settings.AUDIT_PREVIOUS_KEYS]
    return {key.id: key for key in [*keys, chain_key()]}


def chain_genesis(key: MacKey) -> str:
    """The previous hash of the first row of a chain begun under `key`."""
    return key.sign(b"regulus audit chain genesis")


def head_mac(key: MacKey, head: AuditChainHead) -> str:
    return key.sign(f"{head.count}:{head.last_id}:{head.last_hash}".encode())


def row_digest(fields: dict[str, Any], key: MacKey | None) -> str:
    """HMAC-SM3 (plain SM3 for a row written before the chain was keyed: key None) over a
    canonical JSON of the row's content and the previous row's hash."""
    return _digest({name: _jsonable(fields[name]) for name in HASHED_FIELDS}, fields["at"], key)


def _digest(payload: dict[str, Any], at: dt.datetime, key: MacKey | None) -> str:
    """row_digest of a row whose values are JSON values already (but for `at`)."""
    payload["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return key.sign(canonical.encode()) if key is not None else sm3_hex(canonical.encode())


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of an object, to diff before and after a change."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in obj._meta.concrete_fields if not f.primary_key]
    )
    return {name: _jsonable(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [old, new]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one row to the audit chain. Call it inside the transaction of the write."""
    with transaction.atomic():
        head, key = _locked_head()
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:200]
        row = _append_one(
            head,
            key,
            AuditLog,
            **_who_and_when(actor),
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            object_repr=object_repr[:200],
            summary=summary[:300],
            changes=_jsonable(changes or {}),
        )
        _head_save(head, key)
        return row


def _locked_head() -> tuple[AuditChainHead, MacKey]:
    """The chain's head, locked for appending, and the key of the rows to append. A chain that
    holds rows under no key or another key first gets the key-change row."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    key = chain_key()
    if head.key_id != key.id:
        if head.count == 0:
            head.key_id, head.last_hash = key.id, chain_genesis(key)
        else:
            chain_key_change(head=head, key=key)
    return head, key


def chain_key_change(
    *, head: AuditChainHead, key: MacKey, log_model: type[AuditLog] = AuditLog
) -> None:
    """Go on under `key`: append the key-change row to the locked head and save the head.
    Appends call it when the key has changed; migration 0010 for the rows written before the
    chain was keyed (with its historical model)."""
    previous = head.key_id
    summary = (
        f"操作日志链更换签名密钥：{previous} → {key.id}"
        if previous
        else f"操作日志链启用密钥签名（HMAC-SM3，密钥标识{key.id}），此前未签名的"
        f"{head.count}条记录由本条锁定"
    )
    _append_one(
        head,
        key,
        log_model,
        **_who_and_when(CHAIN_ACTOR),
        action=AuditLog.Action.CHAIN_KEY,
        object_type="core.auditchain",
        object_id=key.id,
        object_repr="操作日志链",
        summary=summary,
        changes={"key_id": key.id, "previous_key_id": previous, "rows_before": head.count},
    )
    head.key_id = key.id
    _head_save(head, key)


def _append_one(
    head: AuditChainHead, key: MacKey, log_model: type[AuditLog], **values: Any
) -> AuditLog:
    """Insert one row after the head (its hash needs its id: one INSERT, one UPDATE) and move
    the head onto it."""
    row = log_model(**values, prev_hash=head.last_hash, hash=f"pending-{head.count + 1}")
    row.save()
    row.hash = row_digest(_row_fields(row), key)
    log_model.objects.filter(pk=row.pk).update(hash=row.hash)
    head.last_id, head.last_hash, head.count = row.pk, row.hash, head.count + 1
    return row


def _head_save(head: AuditChainHead, key: MacKey) -> None:
    head.mac = head_mac(key, head)
    head.save(update_fields=["last_id", "last_hash", "count", "key_id", "mac"])


def _who_and_when(actor: Any) -> dict[str, Any]:
    """An audit row's time, actor (a user, or a name such as "系统" or a command's), the
    actor's unit and the request's address."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    unit = getattr(user, "unit", None) if user else None
    return {
        "at": clock.now(),
        "actor_id": user.pk if user else None,
        "actor_name": (getattr(user, "display_name", "") if user else str(actor or "系统"))[:150],
        "unit_name": str(unit or "")[:100],
        "ip": current_request_info().ip,
    }


# One row of audit_record_many: (object id, object, summary, changes).
AuditEntry = tuple[str, str, str, dict[str, Any]]


def audit_record_many(
    *,
    actor: Any,
    action: str,
    object_type: str,
    entries: Iterable[AuditEntry],
    batch: int = 2000,
) -> int:
    """Append many rows to the chain (an import's changes, one row an entity), as
    audit_record would one by one, in the caller's transaction: the chain head is locked once
    and each batch's ids are taken and its rows inserted in one go. Returns the rows added."""
    added = 0
    with transaction.atomic():
        head, key = _locked_head()
        common = {**_who_and_when(actor), "action": action, "object_type": object_type}
        next_ids = _id_source()
        chunk: list[AuditEntry] = []
        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= batch:
                added += _append(head, key, common, chunk, next_ids)
                chunk = []
        added += _append(head, key, common, chunk, next_ids)
        if added:
            _head_save(head, key)
    return added


def _append(
    head: AuditChainHead,
    key: MacKey,
    common: dict[str, Any],
    chunk: list[AuditEntry],
    next_ids: Callable[[int], list[int]],
) -> int:
    """One batch of audit_record_many: its rows made here and inserted at once."""
    if not chunk:
        return 0
    rows = (
        {
            **common,
            "id": pk,
            "object_id": str(object_id),
            "object_repr": object_repr[:200],
            "summary": summary[:300],
            "changes": _jsonable(changes),
        }
        for pk, (object_id, object_repr, summary, changes) in zip(
            next_ids(len(chunk)), chunk, strict=True
        )
    )
    _insert_chained(head, key, rows)
    return len(chunk)


def _insert_chained(head: AuditChainHead, key: MacKey, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows (every hashed field but prev_hash, their ids taken already), each chained to
    the one before as the head moves along, by the raw driver (the ORM's bulk_create cost ~10
    times as much a row). PostgreSQL takes each row by COPY as soon as it is hashed, so that
    the server inserts the first rows while the next are being hashed (made first and sent
    after, ~30 % slower)."""
    chained = _chained_rows(head, key, rows)
    columns = ", ".join((*HASHED_FIELDS, "hash"))
    if connection.vendor == "postgresql":
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY core_auditlog ({columns}) FROM STDIN") as copy,
        ):
            for row in chained:
                copy.write_row(row)
    else:
        marks = ", ".join("%s" for _c in HASHED_FIELDS) + ", %s"
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO core_auditlog ({columns}) VALUES ({marks})", list(chained)
            )


def _chained_rows(
    head: AuditChainHead, key: MacKey, rows: Iterable[dict[str, Any]]
) -> Iterator[tuple[Any, ...]]:
    """The rows' values (HASHED_FIELDS, then the hash), each chained to the one before."""
    for fields in rows:
        fields["prev_hash"] = head.last_hash
        digest = _digest({name: fields[name] for name in HASHED_FIELDS}, fields["at"], key)
        fields["changes"] = json.dumps(fields["changes"], ensure_ascii=False)
        head.last_id, head.last_hash, head.count = fields["id"], digest, head.count + 1
        yield (*[fields[name] for name in HASHED_FIELDS], digest)


def _id_source() -> Callable[[int], list[int]]:
    """A function giving ids for new audit rows, in the order the chain appends them (the
    head is locked). PostgreSQL: from the table's sequence, named by its oid (found once: as
    pg_get_serial_sequence() in the statement it is looked up again for every id)."""
    if connection.vendor != "postgresql":
        return _next_sqlite_ids
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('core_auditlog', 'id')::regclass::oid")
        sql = (
            f"SELECT array_agg(nextval({int(cursor.fetchone()[0])}::regclass)) "
            "FROM generate_series(1, %s)"
        )

    def next_pg_ids(count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [count])
            return list(cursor.fetchone()[0])

    return next_pg_ids


def _few_ids(count: int) -> list[int]:
    """Ids for a block's few rows in one statement (the head is locked)."""
    if connection.vendor != "postgresql":
        return _next_sqlite_ids(count)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('core_auditlog', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _next_sqlite_ids(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM core_auditlog")
        first = int(cursor.fetchone()[0]) + 1
        return list(range(first, first + count))


def _row_fields(row: AuditLog) -> dict[str, Any]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows_checked: int
    broken_id: int | None = None
    reason: str = ""
    anchors_checked: int = 0
    # Rows written before the chain was keyed: plain SM3, pinned by the key-change row after.
    unkeyed_rows: int = 0
    warnings: tuple[str, ...] = ()


def verify_chain(batch_size: int = 5000, anchor_file: Path | None = None) -> ChainReport:
    """Walk the chain in id order and report the first thing that does not hold: a row's link
    or content (under the key of its segment), a key change, an anchor of the anchor file
    (settings.AUDIT_ANCHOR_FILE, or an off-host copy of it) that the rows do not reach or do
    not match, the chain's head."""
    keys = chain_keys()
    anchor_file = anchor_file or settings.AUDIT_ANCHOR_FILE
    anchors, problem = audit_anchor.anchors_read(anchor_file, keys)
    if problem:
        return ChainReport(False, 0, None, problem)
    walk = _ChainWalk(keys, anchors)
    rows = AuditLog.objects.order_by("id").values(*HASHED_FIELDS, "hash")
    try:
        for fields in rows.iterator(chunk_size=batch_size):
            walk.row(fields)
        walk.end(AuditChainHead.objects.filter(pk=1).first())
    except ChainBroken as broken:
        return ChainReport(False, walk.checked, broken.row_id, broken.reason,
                           walk.anchors_checked, walk.unkeyed)  # fmt: skip
    return ChainReport(True, walk.checked, anchors_checked=walk.anchors_checked,
                       unkeyed_rows=walk.unkeyed,
                       warnings=walk.warnings(anchors, anchor_file))  # fmt: skip


class ChainBroken(Exception):
    def __init__(self, row_id: int | None, reason: str) -> None:
        super().__init__(reason)
        self.row_id = row_id
        self.reason = reason


class _ChainWalk:
    """verify_chain's walk: the rows in id order, the key of the segment it is in, and the
    anchors it has yet to reach."""

    def __init__(self, keys: dict[str, MacKey], anchors: list[audit_anchor.Anchor]) -> None:
        self.keys = keys
        self.anchors = deque(anchors)
        self.anchors_checked = 0
        self.key: MacKey | None = None
        self.prev_hash: str | None = None  # None before the first row
        self.last_id = 0
        self.checked = 0
        self.unkeyed = 0

    def row(self, fields: dict[str, Any]) -> None:
        row_id = fields["id"]
        if self.prev_hash is None:
            self.key = self._first_key(fields)
        elif fields["prev_hash"] != self.prev_hash:
            raise ChainBroken(
                row_id, f"第{row_id}条记录的前序哈希与上一条记录不符（其前的记录被删除或篡改）"
            )
        if fields["action"] == AuditLog.Action.CHAIN_KEY:
            self.key = self._next_key(fields)
        if row_digest(fields, self.key) != fields["hash"]:
            raise ChainBroken(
                row_id, f"第{row_id}条记录的内容与其哈希不符（被篡改，或不用密钥重算了哈希）"
            )
        self.prev_hash, self.last_id = fields["hash"], row_id
        self.checked += 1
        self.unkeyed += self.key is None
        self._check_anchors(row_id, fields["hash"])

    def _first_key(self, fields: dict[str, Any]) -> MacKey | None:
        if fields["prev_hash"] == GENESIS_HASH:
            return None  # begun before the chain was keyed
        for key in self.keys.values():
            if chain_genesis(key) == fields["prev_hash"]:
                return key
        raise ChainBroken(
            fields["id"],
            f"首条记录（编号{fields['id']}）的前序哈希不是链的起点（其前的记录被删除），"
            "或链起始时的密钥未配置（REGULUS_AUDIT_PREVIOUS_KEYS）",
        )

    def _next_key(self, fields: dict[str, Any]) -> MacKey:
        changes = fields["changes"] or {}
        row_id = fields["id"]
        if changes.get("previous_key_id", "") != (self.key.id if self.key else ""):
            raise ChainBroken(row_id, f"第{row_id}条记录所称的原密钥与其前的记录不符")
        key = self.keys.get(str(changes.get("key_id", "")))
        if key is None:
            raise ChainBroken(
                row_id,
                f"第{row_id}条记录起日志链改用密钥（标识{changes.get('key_id')}），该密钥未配置："
                "请在 REGULUS_AUDIT_KEY 或 REGULUS_AUDIT_PREVIOUS_KEYS 中提供",
            )
        return key

    def _check_anchors(self, row_id: int, row_hash: str) -> None:
        while self.anchors and self.anchors[0].last_id <= row_id:
            anchor = self.anchors.popleft()
            where = f"{anchor.date:%Y-%m-%d}的锚点（锚点文件第{anchor.line}行）"
            if anchor.last_id != row_id:
                raise ChainBroken(
                    anchor.last_id, f"{where}所记的末条记录（编号{anchor.last_id}）已不存在"
                )
            if anchor.rows != self.checked or anchor.head != row_hash:
                raise ChainBroken(
                    row_id,
                    f"与{where}不符：锚定时到编号{row_id}共{anchor.rows}条，现为{self.checked}条"
                    f"{'' if anchor.head == row_hash else '，且哈希不同'}"
                    "（锚定前的记录被删除、插入或改写）",
                )
            self.anchors_checked += 1

    def end(self, head: AuditChainHead | None) -> None:
        if self.anchors:
            anchor = self.anchors[-1]
            raise ChainBroken(
                anchor.last_id,
                f"日志链现有{self.checked}条（末条编号{self.last_id}），少于"
                f"{anchor.date:%Y-%m-%d}锚点所记的{anchor.rows}条（末条编号{anchor.last_id}）："
                "末尾记录被删除",
            )
        if head is None:
            if self.checked:
                raise ChainBroken(None, "链头记录不存在（被删除）")
            return
        if head.count != self.checked or head.last_hash != (self.prev_hash or head.last_hash):
            raise ChainBroken(
                head.last_id or None,
                f"链头记录共{head.count}条、末条编号{head.last_id}，实际{self.checked}条、"
                f"末条编号{self.last_id}（末尾记录被删除）",
            )
        if self.key is None:
            if self.checked:
                raise ChainBroken(
                    None,
                    "日志链没有以密钥签名的记录：启用密钥的记录（升级时由 regulus migrate 写入）"
                    "被删除，或记录被不用密钥重算",
                )
            return
        if head.key_id != self.key.id or head.mac != head_mac(self.key, head):
            raise ChainBroken(
                head.last_id, "链头记录的签名不符（链头被改动，可能为掩盖末尾记录的删除）"
            )

    def warnings(self, anchors: list[audit_anchor.Anchor], anchor_file: Path) -> tuple[str, ...]:
        found = []
        if self.checked and not anchors:
            found.append(
                f"锚点文件{anchor_file}中没有锚点：由 regulus tick 每日写入；"
                "如 tick 在运行，该文件被删除或清空"
            )
        return tuple(found)


# -- audit by construction -------------------------------------------------------------------
#
# Every write goes through `audited`: it opens the write's transaction and hands the service an
# AuditTrail on which the service records what it did. While the block runs, the connection's
# statements are watched: a block that wrote a domain table (any model of a regulus app, but
# the audit chain's own) and recorded no row, neither itself nor in a block nested in it,
# raises UnauditedWrite and its transaction rolls back. So a write without its audit row cannot
# be committed by accident; a write that is not a record (a counter, a token's last use, an
# import's progress) says so with `unaudited(reason)`.
#
#     with audited(actor=actor) as audit:
#         unit = OrgUnit.objects.create(...)
#         audit.record(action=AuditLog.Action.CREATE, obj=unit, changes=...)
#
# Special cases that still go through it: core.workflow.transition_fire records its
# transition row in its own block; the registry's bulk import records its rows with
# `record_many` (audit_record_many), in the import's one transaction.


@dataclass(frozen=True)
class _PendingRow:
    """A row recorded on a trail, appended to the chain at the end of the outermost block."""

    actor: Any
    ip: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str | Callable[[], str]
    summary: str
    changes: Any

    def repr_now(self) -> str:
        return (self.object_repr() if callable(self.object_repr) else self.object_repr)[:200]


def _append_pending(pending: list[_PendingRow]) -> None:
    """Append a block's recorded rows to the chain: the head locked once, the ids taken and
    the rows inserted in one go, the head saved once. Done last in the block's transaction,
    so that concurrent writes queue on the head only for these few statements and the
    commit, not for the whole of their work. Called last in the block's transaction (no
    savepoint of its own: a failure here rolls the whole block back)."""
    head, key = _locked_head()
    ids = _few_ids(len(pending))
    at = clock.now()  # under the head's lock: the chain's times never go backwards
    rows = []
    for pk, row in zip(ids, pending, strict=True):
        who = _who_and_when(row.actor)
        rows.append(
            {
                **who,
                "at": at,
                "ip": row.ip,
                "id": pk,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "object_repr": row.repr_now(),
                "summary": row.summary,
                "changes": row.changes,
            }
        )
    _insert_chained(head, key, rows)
    _head_save(head, key)


class UnauditedWrite(RuntimeError):
    """A service wrote a domain table and recorded no audit row: a bug, never bad input."""


_current_trail: ContextVar[AuditTrail | None] = ContextVar("audit_trail", default=None)
_unaudited_reason: ContextVar[str] = ContextVar("unaudited_reason", default="")

_WRITE_TARGET = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)\"?",
    re.IGNORECASE,
)
AUDIT_TABLES = frozenset({AuditLog._meta.db_table, AuditChainHead._meta.db_table})


@functools.cache
def domain_tables() -> frozenset[str]:
    """The tables whose writes need an audit row: every model of every regulus app (their
    many-to-many tables too), found in the app registry, but the audit chain's own."""
    from django.apps import apps

    tables = {
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.name.startswith("regulus.")
        for model in config.get_models(include_auto_created=True)
    }
    return frozenset(tables - AUDIT_TABLES)


def written_tables(sql: str) -> list[str]:
    """The tables a statement inserts into, updates or deletes from (lower case)."""
    return [name.lower() for name in _WRITE_TARGET.findall(sql)]


def unaudited_reason() -> str:
    """Why the writes now running need no audit row ("" when they do)."""
    return _unaudited_reason.get()


@contextlib.contextmanager
def unaudited(reason: str) -> Iterator[None]:
    """Writes in this block are not records and need no audit row (a rate-limit counter, a
    token's last use, an import's progress); `reason` says why, for the reader and the
    test that watches every transaction (tests/audit_watch.py)."""
    if not reason:
        raise ValueError("say why these writes need no audit row")
    token = _unaudited_reason.set(reason)
    try:
        yield
    finally:
        _unaudited_reason.reset(token)


class AuditTrail:
    """What a service did, as audit rows on the chain, in the service's transaction."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.rows = 0
        self.writes: list[str] = []  # the domain tables this block wrote itself
        self.pending: list[_PendingRow] = []  # recorded, not yet on the chain

    def flush(self) -> None:
        """Append the rows recorded so far to the chain (locking its head, to the commit)."""
        if self.pending:
            rows, self.pending = self.pending, []
            _append_pending(rows)

    def record(
        self,
        *,
        action: str,
        obj: models.Model | None = None,
        object_type: str = "",
        object_id: str = "",
        object_repr: str | Callable[[], str] = "",
        summary: str = "",
        changes: dict[str, Any] | None = None,
        actor: Any = None,
    ) -> None:
        """One row (the block's actor unless `actor` is given: an applicant named by a
        transition, say). Its content is fixed now, but for an `object_repr` given as a
        function, called when the row is appended (an object whose number is given last in
        the block); the rows are appended to the chain when the outermost `audited` block
        ends, before its commit (see `audited`)."""
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:200]
        self.pending.append(
            _PendingRow(
                actor=self.actor if actor is None else actor,
                ip=current_request_info().ip,
                action=action,
                object_type=object_type,
                object_id=str(object_id)[:64],
                object_repr=object_repr if callable(object_repr) else object_repr[:200],
                summary=summary[:300],
                changes=_jsonable(changes or {}),
            )
        )
        self.rows += 1

    def record_many(
        self, *, action: str, object_type: str, entries: Iterable[AuditEntry], batch: int = 2000
    ) -> int:
        """Many rows in batches (an import's changes): audit_record_many, at once (after the
        rows recorded before them, so that the chain keeps the order of recording)."""
        self.flush()
        added = audit_record_many(
            actor=self.actor, action=action, object_type=object_type, entries=entries, batch=batch
        )
        self.rows += added
        return added

    def _watch(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        if _current_trail.get() is self and not _unaudited_reason.get():
            cursor = context.get("cursor")
            changed = getattr(cursor, "rowcount", -1)
            if changed != 0:
                tables = domain_tables()
                self.writes.extend(t for t in written_tables(sql) if t in tables)
        return result


@contextlib.contextmanager
def audited(*, actor: Any) -> Iterator[AuditTrail]:
    """Open the write's transaction; yield the trail the service records its rows on. On
    leaving, a block that wrote a domain table with no row recorded (by itself or a block
    inside it) raises UnauditedWrite, which rolls the transaction back."""
    trail = AuditTrail(actor)
    outer = _current_trail.get()
    token = _current_trail.set(trail)
    try:
        with transaction.atomic(), connection.execute_wrapper(trail._watch):
            yield trail
            if trail.writes and not trail.rows:
                tables = "、".join(sorted(set(trail.writes)))
                raise UnauditedWrite(f"wrote {tables} without recording an audit row")
            if outer is None:
                trail.flush()
    finally:
        _current_trail.reset(token)
    if outer is not None:
        outer.rows += trail.rows
        outer.pending.extend(trail.pending)
