"""Import of market entities from .csv (UTF-8, UTF-8 with BOM, GB18030) and .xlsx files.

The file is streamed: read row by row, each row validated by the same rules as the services
(rules.EntityRules), new rows inserted in big batches with the raw driver (executemany on
SQLite, COPY on PostgreSQL: perf-notes traps 1 and 8), rows whose USCC is already registered
updated, all inside ONE transaction. A dry run (the preview) does the same and rolls back, so
the preview reports exactly what the import would do, duplicates within the file included
(they are found by the database's unique index, not by a set in memory: memory stays flat in
the file size). The mode decides the end: "all-or-nothing" rolls back if any row was bad;
"good-rows" commits the good rows. One audit row per import, with the counts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import marshal
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from regulus.core import clock
from regulus.core.audit import AuditTrail, audited
from regulus.core.models import AuditLog
from regulus.core.scope import scope_unit_ids
from regulus.core.tabular import (
    MODES,
    Column,
    RowError,
    TableError,
    TableSource,
    check_header,
    check_upload,
)
from regulus.core.tabular import map_header as tabular_map_header
from regulus.core.tabular import write_error_report as write_error_report
from regulus.registry import search
from regulus.registry.rules import (
    FIELD_LABELS,
    REQUIRED,
    BulkCrypto,
    EntityRules,
    FastRowCleaner,
)

logger = logging.getLogger(__name__)

# Header → field. The first header of each field is the one the template uses.
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("uscc", ("统一社会信用代码", "信用代码", "USCC")),
    ("name", ("名称", "主体名称", "企业名称", "字号名称")),
    ("kind", ("主体类型", "类型")),
    ("sub_kind", ("类型细分", "企业类型", "组织形式")),
    ("legal_rep_name", ("法定代表人/经营者", "法定代表人", "经营者", "负责人")),
    ("legal_rep_id_number", ("法定代表人/经营者身份证号码", "身份证号码", "证件号码")),
    ("registered_capital", ("注册资本（万元）", "注册资本(万元)", "注册资本")),
    ("established_on", ("成立日期", "登记日期")),
    ("business_scope", ("经营范围",)),
    ("industry_section", ("行业门类",)),
    ("industry_code", ("行业大类", "行业代码")),
    ("registration_authority", ("登记机关",)),
    ("district_code", ("所属区县代码", "所属区县", "区县代码", "区县")),
    ("unit", ("监管单位", "管辖单位")),
    ("address", ("住所（经营场所）", "住所(经营场所)", "住所", "经营场所", "地址")),
    ("phone", ("联系电话", "电话")),
    ("status", ("登记状态", "状态")),
    ("status_changed_on", ("状态变更日期",)),
    ("risk_class", ("信用风险分类", "风险分类")),
)
# The same columns as core.tabular declares them (the rows themselves are checked by
# rules.EntityRules and FastRowCleaner, in the preparer: see RowPreparer).
TABLE_COLUMNS = tuple(
    Column(name=f, label=FIELD_LABELS.get(f, f), headers=headers, required=f in REQUIRED)
    for f, headers in COLUMNS
)
TEMPLATE_HEADERS = [headers[0] for _f, headers in COLUMNS]

PIPELINE_DEPTH = 4  # prepared batches waiting for the writer (see _prepare_in_child)
# PostgreSQL: the search index's pending list, in an import's transaction (see _Writer.
# begin_bulk): the import's backend merges it when it passes this size, unless the merger
# (PendingListMerger), which merges it every MERGE_INTERVAL seconds, has done so. Every search
# that uses the index reads the whole list: ~0.25 ms more a search for each 1,000 rows in it.
IMPORT_PENDING_LIST = "8MB"
MERGE_INTERVAL = 0.2
HURRIED_MERGE_INTERVAL = 0.01  # once the preparer has finished (PendingListMerger.hurry)
PREVIEW_ERRORS = 200  # errors kept to show on the page
REPORT_ERRORS = 100_000  # errors kept for the downloadable report (all are counted)
# Rows a batch: small enough that the writer starts soon and the last batch ends soon after
# the preparer (a pipeline fills and drains once per import), big enough for executemany.
BATCH = 2000
# The first and the last batches are smaller (see next_batch_size).
FIRST_BATCH = 250

ENTITY_COLUMNS = (
    "id",
    "uscc",
    "name",
    "kind",
    "sub_kind",
    "legal_rep_name",
    "legal_rep_id_number",
    "legal_rep_id_hash",
    "registered_capital",
    "established_on",
    "business_scope",
    "industry_section",
    "industry_code",
    "registration_authority",
    "district_code",
    "unit_id",
    "address",
    "phone",
    "status",
    "status_changed_on",
    "risk_class",
    "created_at",
    "updated_at",
)
UPDATE_COLUMNS = (*ENTITY_COLUMNS[2:-2], "updated_at")


MODE_LABELS = MODES
FileError = TableError  # the file as a whole cannot be read (core.tabular)


def row_error(line: int, fieldname: str, message: str) -> RowError:
    return RowError(line, fieldname, message, FIELD_LABELS.get(fieldname, fieldname or "整行"))


@dataclass
class ImportResult:
    rows: int = 0
    good_rows: int = 0
    bad_rows: int = 0
    error_count: int = 0
    created: int = 0
    updated: int = 0  # registered entities matched by USCC,
    changed: int = 0  # of which those whose row differed (the others are left as they were)
    committed: bool = False
    file_error: str = ""
    errors: list[RowError] = field(default_factory=list)  # up to REPORT_ERRORS
    seconds: float = 0.0

    @property
    def preview_errors(self) -> list[RowError]:
        return self.errors[:PREVIEW_ERRORS]


# --------------------------------------------------------------------------------------------
# Reading files: core.tabular
# --------------------------------------------------------------------------------------------

RowSource = TableSource


def check_file(name: str, path: Path | str, size: int, *, limit_size: bool = True) -> str:
    """The kind of an entity file after core.tabular's upload checks and its header's
    (TableError: refused before it is stored or imported)."""
    kind = check_upload(name, path, size, limit_size=limit_size)
    check_header(path, kind, TABLE_COLUMNS)
    return kind


def map_header(header: list[Any]) -> dict[str, int]:
    return tabular_map_header(header, TABLE_COLUMNS)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


class _Writer:
    """Inserts and updates of one import, with the raw driver, inside the caller's transaction."""

    def __init__(self, *, merge_in_background: bool = False) -> None:
        self.pg = connection.vendor == "postgresql"
        self.merger: PendingListMerger | None = None
        self.merge_in_background = merge_in_background and self.pg
        connection.ensure_connection()
        self.raw = connection.connection
        self._cache_size: int | None = None
        self._update_tables = False  # made by the first batch of updates (_update_pg/sqlite)
        self.changed = 0  # entities the updates changed
        self.ids: SequenceIds | None = None  # PostgreSQL's sequence (SQLite: new_ids)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_entity")
            self.max_id_before = int(cursor.fetchone()[0])
            if self.pg:
                # The sequence, resolved once: as a number in the statement it is a constant,
                # whereas pg_get_serial_sequence() in it is evaluated (a catalog lookup) for
                # every id: 2.5 µs an id instead of 0.4.
                cursor.execute(
                    "SELECT pg_get_serial_sequence('registry_entity', 'id')::regclass::oid"
                )
                self.ids = SequenceIds(int(cursor.fetchone()[0]))
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'registry_entity'")
                seq = cursor.fetchone()
                self.next_id = max(self.max_id_before, int(seq[0]) if seq else 0) + 1

    def begin_bulk(self) -> None:
        """Settings for the length of one big write, undone by end_bulk (or restore_settings
        if it fails).

        PostgreSQL: the search index takes the new entries into its pending list (fastupdate,
        migration 0009) and merges them into its posting trees in bulk, ~45 % cheaper than
        inserting each row's ~20 entries into the trees: whenever the list passes this
        transaction's gin_pending_list_limit (with work_mem for sorting the entries: bigger
        runs, fewer descents of the trees), or, for a big file, on a second connection
        (PendingListMerger). The application's other connections keep the list small, since
        every search reads it (settings.py).

        SQLite: a bigger page cache for this connection (settings.IMPORT_CACHE_MB). Inserts at
        random places of the B-trees of a million-row table touch more pages than the usual
        64 MB hold, and a page that falls out of the cache in the middle of the transaction
        is spilled to the WAL and read back: alone, the raw insert of 100,000 rows into the 1M
        table runs at ~38,000 rows/s with 64 MB and ~50,000 with 256 MB. (In the whole
        import, which is CPU-bound on two cores, 128 MB does as well as 512.)"""
        with connection.cursor() as cursor:
            if self.pg:
                cursor.execute(f"SET LOCAL gin_pending_list_limit = '{IMPORT_PENDING_LIST}'")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                self._check_foreign_keys_per_statement(cursor)
                if self.merge_in_background:
                    self.merger = PendingListMerger(connection_params(), search.PG_GIN_INDEX)
                    self.merger.start()
            else:
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = {-1024 * settings.IMPORT_CACHE_MB}")

    @staticmethod
    def _check_foreign_keys_per_statement(cursor: Any) -> None:
        """The entity table's foreign keys (its unit) are DEFERRABLE INITIALLY DEFERRED, as
        Django makes them: checked one row at a time at the commit, while the other core
        has nothing left to do (~0.5 s of 200,000 rows). Checked as each COPY ends instead,
        the same work runs beside the preparing process: ~6 % faster imports."""
        cursor.execute(
            "SELECT quote_ident(conname) FROM pg_constraint "
            "WHERE conrelid = 'registry_entity'::regclass AND contype = 'f' AND condeferred"
        )
        names = [row[0] for row in cursor.fetchall()]
        if names:
            cursor.execute(f"SET CONSTRAINTS {', '.join(names)} IMMEDIATE")

    def end_bulk(self) -> None:
        """PostgreSQL: what is left in the pending list is merged before the commit, so that
        searches after the import find the list as short as before it."""
        self.stop_merger()
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [search.PG_GIN_INDEX])
        self.restore_settings()

    def hurry_merges(self) -> None:
        """The preparer has finished: see PendingListMerger.hurry."""
        if self.merger is not None:
            self.merger.hurry()

    def stop_merger(self) -> None:
        if self.merger is not None:
            self.merger.stop()
            self.merger = None

    def restore_settings(self) -> None:
        """SQLite: the connection's usual page cache (the connection outlives the import).
        PostgreSQL's settings are LOCAL: they end with the import's transaction."""
        self.stop_merger()
        if not self.pg and self._cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None

    def existing(self, usccs: list[str]) -> dict[str, tuple[int, str, int]]:
        """The registered entities among these USCCs: (id, name, unit id) by USCC. One
        statement with the USCCs as one array parameter (IN lists of 500 placeholders each cost
        the driver and the planner more than the lookup itself). The USCCs are validated
        codes (digits and capitals), so they make the array's literal as they are (psycopg would
        check every element for quoting)."""
        if self.pg:
            param, match = "{" + ",".join(usccs) + "}", "= ANY(%s::text[])"
        else:
            param, match = json.dumps(usccs), "IN (SELECT value FROM json_each(%s))"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT uscc, id, name, unit_id FROM registry_entity WHERE uscc {match}", [param]
            )
            return {uscc: (pk, name, unit_id) for uscc, pk, name, unit_id in cursor.fetchall()}

    def new_ids(self, count: int) -> list[int]:
        """SQLite's ids for the rows an insert writes (on PostgreSQL the preparer takes them
        from the sequence: see RowPreparer)."""
        first = self.next_id
        self.next_id += count
        return list(range(first, first + count))

    def insert(self, new: list[Record]) -> None:
        """New entities and their search documents, as the preparer made them for this
        backend (see Record)."""
        if not new:
            return
        if self.pg:
            # The preparer made the COPY text (the writer's process and the server's backend
            # are the import's critical path; the preparing process has time to spare).
            with self.raw.cursor() as cursor:
                with cursor.copy(
                    f"COPY registry_entity ({', '.join(ENTITY_COLUMNS)}) FROM STDIN"
                ) as copy:
                    copy.write(b"".join([record[4] for record in new]))
                with cursor.copy(f"COPY {search.PG_TABLE} (entity_id, tokens) FROM STDIN") as copy:
                    copy.write(b"".join([record[5] for record in new]))
        else:
            cursor = self.raw.cursor()
            marks = ",".join("?" * len(ENTITY_COLUMNS))
            pks = self.new_ids(len(new))
            cursor.executemany(
                f"INSERT INTO registry_entity ({', '.join(ENTITY_COLUMNS)}) VALUES ({marks})",
                [(pk, *record[4][1:]) for pk, record in zip(pks, new, strict=True)],
            )
            cursor.executemany(
                f"INSERT INTO {search.FTS_TABLE} (rowid, tokens) VALUES (?, ?)",
                # Ascending rowid: FTS5 flushes its pending data whenever a rowid goes down.
                sorted((-pk, record[5]) for pk, record in zip(pks, new, strict=True)),
            )
            cursor.close()

    def update(
        self,
        rows: list[tuple[Record, int]],
        renamed: list[tuple[int, str]],
        today: dt.date,
    ) -> None:
        """Registered entities (each row: its record and the entity's id), their search
        documents, and the former names of those renamed."""
        if not rows:
            return
        if renamed:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO registry_entityformername (entity_id, name, used_until) "
                    "VALUES (%s, %s, %s)",
                    [(pk, old, today) for pk, old in renamed],
                )
        if self.pg:
            search.index_entities(self._update_pg([record for record, _pk in rows]))
            return
        search.index_entities(self._update_sqlite(rows))

    def _update_sqlite(self, rows: list[tuple[Record, int]]) -> list[int]:
        """SQLite, as _update_pg: the batch goes into a temporary table (with the entities'
        ids), its changes are kept for the audit, and one UPDATE ... FROM changes the entities
        that differ (a row that changes nothing keeps its updated_at). A prepared document
        replaces a stored one only if they differ (FTS5 documents are text in a fixed order),
        but for the entities with former names, whose ids are returned (their documents are
        rebuilt from the database)."""
        rowids = json.dumps([-pk for _record, pk in rows])
        with connection.cursor() as cursor:
            if not self._update_tables:
                # Connection-wide on SQLite: made afresh for each import (dropped in
                # audit_changes, or with the rollback of a failed import).
                cursor.execute("DROP TABLE IF EXISTS temp.import_update")
                cursor.execute("DROP TABLE IF EXISTS temp.import_changes")
                cursor.execute(
                    "CREATE TEMP TABLE import_update AS SELECT * FROM registry_entity WHERE 0"
                )
                cursor.execute(
                    "CREATE TEMP TABLE import_changes (entity_id INTEGER, name TEXT, changes TEXT)"
                )
                self._update_tables = True
            cursor.execute("DELETE FROM temp.import_update")
            marks = ", ".join("%s" for _c in ENTITY_COLUMNS)
            cursor.executemany(
                f"INSERT INTO temp.import_update ({', '.join(ENTITY_COLUMNS)}) VALUES ({marks})",
                [(pk, *record[4][1:]) for record, pk in rows],
            )
            cursor.execute(_CAPTURE_CHANGES_SQLITE)
            self.changed += cursor.rowcount
            cursor.execute(_COLUMNS_CHANGED_SQLITE)
            flags = cursor.fetchone()
            changed_columns = [c for c, flag in zip(_COMPARED, flags, strict=True) if flag]
            if changed_columns:
                cursor.execute(_update_changed(False, changed_columns))
            cursor.execute(_WITH_FORMER_NAMES_SQLITE)
            former = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT rowid, tokens FROM {search.FTS_TABLE} "
                "WHERE rowid IN (SELECT value FROM json_each(%s))",
                [rowids],
            )
            stored = dict(cursor.fetchall())
        search.fts_write(
            [
                (pk, record[5])
                for record, pk in rows
                if pk not in former and stored.get(-pk) != record[5]
            ]
        )
        return sorted(former)

    def audit_changes(self, audit: AuditTrail, file_label: str) -> int:
        """One audit row for each entity an update changed, with its changed columns (as the
        services write one for each change), read back from import_changes in batches."""
        if not self._update_tables:
            return 0

        def entries() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
            with connection.chunked_cursor() as cursor:
                cursor.execute(
                    "SELECT entity_id, name, changes FROM import_changes ORDER BY entity_id"
                )
                while chunk := cursor.fetchmany(2000):
                    for pk, name, changes in chunk:
                        if isinstance(changes, str):  # SQLite's JSON is text
                            changes = json.loads(changes)
                        summary = f"导入变更市场主体：{name}（{file_label}）"
                        yield str(pk), name, summary, changes

        added = audit.record_many(
            action=AuditLog.Action.UPDATE,
            object_type="registry.entity",
            entries=entries(),
        )
        if not self.pg:
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS temp.import_update")
                cursor.execute("DROP TABLE IF EXISTS temp.import_changes")
        return added

    def _update_pg(self, records: list[Record]) -> list[int]:
        """PostgreSQL: the batch's prepared lines go by COPY into temporary tables (entities,
        documents), the changes are kept for the audit (import_changes), then one UPDATE
        changes the entities that differ from their line (matched by USCC) and one the search
        documents that differ (as sets): set-based, several times faster than a
        statement a row, and a file imported again unchanged writes nothing (its rows keep
        their updated_at). The lines' ids are the sequence's, unused (gaps, as for any row
        that is not inserted). Returns the ids of the entities with former names, whose
        documents are rebuilt from the database (the line knows only the current name)."""
        first_batch = not self._update_tables
        with self.raw.cursor() as cursor:
            if first_batch:
                # IF NOT EXISTS: an earlier import in the same transaction (a caller's) made
                # them; they go with the transaction.
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS import_update (LIKE registry_entity) "
                    "ON COMMIT DROP"
                )
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS import_update_search "
                    f"(LIKE {search.PG_TABLE}) ON COMMIT DROP"
                )
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS import_changes "
                    "(entity_id bigint, name text, changes jsonb) ON COMMIT DROP"
                )
                cursor.execute("TRUNCATE import_changes")
                self._update_tables = True
            cursor.execute("TRUNCATE import_update, import_update_search")
            with cursor.copy(f"COPY import_update ({', '.join(ENTITY_COLUMNS)}) FROM STDIN") as c:
                c.write(b"".join([record[4] for record in records]))
            with cursor.copy("COPY import_update_search (entity_id, tokens) FROM STDIN") as c:
                c.write(b"".join([record[5] for record in records]))
            if first_batch:
                # Without statistics the planner may hash the whole entity table for the join.
                # Once is enough: the planner scales the rows counted then by the table's
                # pages now (and TRUNCATE of a table made in this transaction keeps them).
                cursor.execute("ANALYZE import_update")
            cursor.execute(_CAPTURE_CHANGES_PG)
            self.changed += cursor.rowcount
            cursor.execute(_WITH_FORMER_NAMES_PG)
            former = [row[0] for row in cursor.fetchall()]
            cursor.execute(_UPDATE_CHANGED_DOCUMENTS, [former])  # before the entities change
            cursor.execute(_UPDATE_CHANGED_PG)
        return former


# The columns an import may change, compared to find the rows that do change: the ID number
# by its keyed hash (its ciphertext differs at every encryption).
_COMPARED = [c for c in UPDATE_COLUMNS if c not in ("legal_rep_id_number", "updated_at")]


def _changed_rows(pg: bool) -> tuple[str, str]:
    """The FROM/WHERE of the batch's rows (temporary table import_update) that change their
    entity (e): matched by USCC (PostgreSQL: the lines carry the sequence's ids) or by id
    (SQLite: the writer put the entity's id in), and differing in a compared column."""
    join = "e.uscc = u.uscc" if pg else "e.id = u.id"
    differs = "IS DISTINCT FROM" if pg else "IS NOT"
    old = ", ".join(f"e.{c}" for c in _COMPARED)
    new = ", ".join(f"u.{c}" for c in _COMPARED)
    return "import_update u", f"{join} AND ({old}) {differs} ({new})"


def _update_changed(pg: bool, columns: Iterable[str] = _COMPARED) -> str:
    """SQL that updates the entities a batch changes, and only those: these of their
    compared columns (and updated_at)."""
    source, where = _changed_rows(pg)
    columns = set(columns)
    if "legal_rep_id_hash" in columns:
        columns.add("legal_rep_id_number")
    sets = ", ".join(f"{c} = u.{c}" for c in UPDATE_COLUMNS if c in columns or c == "updated_at")
    return f"UPDATE registry_entity AS e SET {sets} FROM {source} WHERE {where}"


# SQLite: which compared columns differ in any of the batch's rows (a 1 or 0 for each). SQLite
# rewrites the entries of every index that has a column the UPDATE sets, changed or not:
# an import that changes addresses then sets only the addresses (and updated_at), and no
# index is touched (such an UPDATE 14 -> 2 µs a row). PostgreSQL decides by the values themselves.
_COLUMNS_CHANGED_SQLITE = (
    f"SELECT {', '.join(f'coalesce(max(e.{c} IS NOT u.{c}), 0)' for c in _COMPARED)} "
    "FROM import_update u JOIN registry_entity e ON e.id = u.id"
)


def _capture_changes(pg: bool) -> str:
    """SQL that keeps, for each entity a batch changes, its changed columns as {column:
    [old, new]} (its audit row's changes; the ID number only as changed, never its value),
    before the update: import_changes (entity_id, name, changes)."""
    differs, array, obj = (
        ("IS DISTINCT FROM", "jsonb_build_array", "jsonb_build_object")
        if pg
        else ("IS NOT", "json_array", "json_object")
    )
    pairs = []
    for c in _COMPARED:
        if c == "legal_rep_id_hash":
            key, value = "legal_rep_id_number", f"{array}('（已变更）', '（已变更）')"
        elif c == "registered_capital" and pg:  # as text, as the services' audit rows hold it
            key, value = c, f"{array}(e.{c}::text, u.{c}::text)"
        else:
            key, value = c, f"{array}(e.{c}, u.{c})"
        pairs.append(f"'{key}', CASE WHEN e.{c} {differs} u.{c} THEN {value} END")
    changes = f"{obj}({', '.join(pairs)})"
    # Keep only the changed columns: strip the nulls (PostgreSQL), or merge the object into
    # {} (SQLite's json_patch, RFC 7396, drops a member whose value is null).
    changes = f"jsonb_strip_nulls({changes})" if pg else f"json_patch('{{}}', {changes})"
    source, where = _changed_rows(pg)
    return (
        "INSERT INTO import_changes (entity_id, name, changes) "
        f"SELECT e.id, u.name, {changes} FROM {source} JOIN registry_entity e ON {where}"
    )


_UPDATE_CHANGED_PG = _update_changed(True)
_CAPTURE_CHANGES_PG, _CAPTURE_CHANGES_SQLITE = _capture_changes(True), _capture_changes(False)


def _with_former_names(pg: bool) -> str:
    """SQL: the ids of the batch's entities that have former names."""
    entity = "e.id" if pg else "u.id"  # SQLite's batch rows carry the entity's id
    join = "JOIN registry_entity e ON e.uscc = u.uscc " if pg else ""
    return (
        f"SELECT DISTINCT {entity} FROM import_update u {join}"
        f"JOIN registry_entityformername f ON f.entity_id = {entity}"
    )


_WITH_FORMER_NAMES_PG, _WITH_FORMER_NAMES_SQLITE = (
    _with_former_names(True),
    _with_former_names(False),
)
# The documents that differ from the batch's, of the entities (not yet updated) whose
# columns a document is made of differ (most updates change an address or a phone: their
# documents are not even read).
_UPDATE_CHANGED_DOCUMENTS = (
    f"UPDATE {search.PG_TABLE} s SET tokens = us.tokens "
    "FROM import_update u JOIN import_update_search us ON us.entity_id = u.id "
    "JOIN registry_entity e ON e.uscc = u.uscc "
    "WHERE s.entity_id = e.id AND e.id <> ALL(%s::bigint[]) "
    f"AND ({', '.join(f'e.{c}' for c in search.DOCUMENT_COLUMNS)}) IS DISTINCT FROM "
    f"({', '.join(f'u.{c}' for c in search.DOCUMENT_COLUMNS)}) "
    "AND NOT (s.tokens @> us.tokens AND s.tokens <@ us.tokens)"
)


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it (a dry run, or bad rows in
    all-or-nothing mode); caught right outside."""


class EntityImporter:
    def __init__(
        self,
        *,
        actor: Any,
        mode: str = "all-or-nothing",
        dry_run: bool = False,
        progress: Callable[[int, float], None] | None = None,
        file_label: str = "",
        limit_size: bool = True,
        parallel: bool = True,
    ) -> None:
        if mode not in ("all-or-nothing", "good-rows"):
            raise ValueError(f"unknown import mode {mode!r}")
        self.actor, self.mode, self.dry_run = actor, mode, dry_run
        self.progress = progress
        self.file_label = file_label
        self.limit_size = limit_size
        self.parallel = parallel
        self.result = ImportResult()

    def _error(self, line: int, fieldname: str, message: str) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < REPORT_ERRORS:
            self.result.errors.append(row_error(line, fieldname, message))

    def run(self, path: Path | str, *, name: str = "") -> ImportResult:
        started = time.monotonic()
        path = Path(path)
        name = name or path.name
        self.file_label = self.file_label or name
        try:
            kind = check_upload(name, path, path.stat().st_size, limit_size=self.limit_size)
            source = RowSource(path, kind)
            with (
                self._checkpoint_after_commit(),
                contextlib.suppress(_Rollback),
                audited(actor=self.actor) as audit,
            ):
                self._load(source)
                if self.dry_run or (self.mode == "all-or-nothing" and self.result.bad_rows):
                    raise _Rollback
                self._audit(audit)
                self.result.committed = True
        except FileError as exc:
            self.result = ImportResult(file_error=str(exc))
        if not self.result.committed and not self.dry_run:
            self.result.created = self.result.updated = self.result.changed = 0
        self.result.seconds = time.monotonic() - started
        return self.result

    @contextlib.contextmanager
    def _checkpoint_after_commit(self) -> Iterator[None]:
        """SQLite: the import's commit does not also checkpoint; a thread does it right after.

        A commit in WAL mode appends the dirty pages to the WAL; then, as the WAL has grown
        past wal_autocheckpoint pages, the committing connection copies every page into the
        database file too. After a big import that copy takes as long as the commit itself
        (~0.5 s for 40,000 rows into a million: random inserts dirty most index pages), and
        the user waits for it although the rows are committed and durable already (and
        readers see them) before it starts. So autocheckpointing is off for the import, and a
        thread of this process checkpoints with a connection of its own once it has
        committed, as PostgreSQL's checkpointer would. (PASSIVE: it never blocks readers or
        writers. Were the process to end first, the next commit of any connection would
        checkpoint instead: nothing is lost either way.)"""
        if not _sqlite_file():
            yield
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            pages = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint = {pages}")
            if self.result.committed:
                checkpoint_in_background(str(connection.settings_dict["NAME"]))

    def _audit(self, audit: AuditTrail) -> None:
        """One row for the import (its counts), then one for each entity it changed."""
        r = self.result
        audit.record(
            action=AuditLog.Action.IMPORT,
            object_type="registry.entity",
            object_repr=self.file_label[:200],
            summary=f"导入市场主体（{self.file_label}）：共{r.rows}行，新增{r.created}，"
            f"更新{r.updated}（有变化{r.changed}），错误{r.bad_rows}行（{MODE_LABELS[self.mode]}）",
            changes={
                "rows": r.rows,
                "created": r.created,
                "updated": r.updated,
                "changed": r.changed,
                "bad_rows": r.bad_rows,
                "errors": r.error_count,
                "mode": self.mode,
                # The entities it created carry this time: their pages find this row by it
                # (selectors.import_origin).
                "created_at": self._now.isoformat(),
            },
        )
        self._writer.audit_changes(audit, self.file_label)

    def _load(self, source: RowSource) -> None:
        rules = EntityRules()
        parallel = self.parallel and source.size >= PARALLEL_MIN_BYTES and _can_fork()
        writer = _Writer(merge_in_background=parallel)
        self._writer, self._today = writer, rules.today
        self._updated_ids: set[int] = set()
        # The actor's data scope (None: the whole city, or the command line without --user).
        self._scope = (
            scope_unit_ids(self.actor) if getattr(self.actor, "is_authenticated", False) else None
        )
        self._now = clock.now()  # the created_at (and updated_at) of every row it writes
        preparer = RowPreparer(
            rules,
            pg=writer.pg,
            now=self._now,
            key=settings.FIELD_ENCRYPTION_KEY,
            ids=writer.ids,
        )
        messages = (
            _prepare_in_child(source, preparer, on_prepared=writer.hurry_merges)
            if parallel
            else preparer.messages(source)
        )
        last_report = 0
        writer.begin_bulk()
        try:
            for kind, payload in messages:
                if kind == "file_error":
                    raise FileError(payload)
                records, errors, rows, fraction = payload
                self.result.rows += rows
                for line, fieldname, message in errors:
                    self._error(line, fieldname, message)
                self.result.bad_rows += len({e[0] for e in errors})
                self._flush(records)
                if self.progress and self.result.rows - last_report >= BATCH:
                    last_report = self.result.rows
                    self.progress(self.result.rows, fraction)
            writer.end_bulk()
        finally:
            writer.restore_settings()
        self.result.good_rows = self.result.rows - self.result.bad_rows
        self.result.changed = writer.changed
        if self.progress:
            self.progress(self.result.rows, 1.0)

    def _flush(self, batch: list[Record]) -> None:
        if not batch:
            return
        writer = self._writer
        seen: dict[str, int] = {}
        unique: list[Record] = []
        for record in batch:
            line, uscc = record[0], record[1]
            first = seen.get(uscc)
            if first is not None:
                self._dup(line, f"与第{first}行的统一社会信用代码{uscc}重复")
                continue
            seen[uscc] = line
            unique.append(record)
        existing = writer.existing(list(seen))
        inserts: list[Record] = []
        updates: list[tuple[Record, int]] = []
        renamed: list[tuple[int, str]] = []
        scope = self._scope
        for record in unique:
            line, uscc, name, unit_id = record[:4]
            if scope is not None and unit_id not in scope:
                self._dup(line, "监管单位不在您的数据范围内，不能导入", "unit")
                continue
            hit = existing.get(uscc)
            if hit is None:
                inserts.append(record)
                continue
            pk, old_name, old_unit = hit
            if scope is not None and old_unit not in scope:
                self._dup(line, f"统一社会信用代码{uscc}已登记在您的数据范围之外，不能更新")
                continue
            if pk > writer.max_id_before or pk in self._updated_ids:
                self._dup(line, f"统一社会信用代码{uscc}在文件中前面的行已出现")
                continue
            self._updated_ids.add(pk)
            updates.append((record, pk))
            if old_name != name:
                renamed.append((pk, old_name))
        writer.insert(inserts)
        writer.update(updates, renamed, self._today)
        self.result.created += len(inserts)
        self.result.updated += len(updates)

    def _dup(self, line: int, message: str, fieldname: str = "uscc") -> None:
        self.result.bad_rows += 1
        self._error(line, fieldname, message)


def next_batch_size(size: int, line: int, fraction: float) -> int:
    """The rows of the next batch, after one of `size` rows that ended at this line, this
    fraction of the file read: twice as many up to BATCH at the start, half the rows left
    (as many as the lines so far suggest) near the end. The writer waits for the first
    batch, and the preparer's core is idle while the writer finishes the last: the smaller
    both are, the shorter (a 20,000-row import: ~8 % faster)."""
    size = min(2 * size, BATCH)
    if 0 < fraction < 1:
        rows_left = round(line * (1 - fraction) / fraction)
        size = max(min(size, rows_left // 2), FIRST_BATCH)
    return size


# A prepared row: (line, uscc, name, unit id, entity row, search row), the last two in the
# form the backend's writer takes them:
# - SQLite: the values in ENTITY_COLUMNS order (id None: the writer numbers the rows), and
#   the FTS5 document;
# - PostgreSQL: the entity's line of COPY text, its id taken from the sequence already, and
#   the search table's line (bytes, UTF-8).
Record = tuple[int, str, str, int, Any, Any]
Message = tuple[str, Any]
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


class RowPreparer:
    """Reading, validating, encrypting and tokenising: everything but the database, so that
    a big file can be prepared in a second process while this one writes (two cores).

    A record holds only str, int, bytes and None (dates in ISO form, the capital as a decimal
    string): SQLite's driver takes the values as they are, PostgreSQL's COPY the lines made
    here (with the ids from the sequence: `ids`), and a batch crosses from the preparing
    process to the writing one as one marshal blob (several times cheaper than pickle)."""

    def __init__(
        self,
        rules: EntityRules,
        *,
        pg: bool,
        now: dt.datetime,
        key: str,
        ids: SequenceIds | None = None,
    ) -> None:
        if pg and ids is None:
            raise ValueError("PostgreSQL records carry their ids: give the sequence")
        self.rules, self.pg, self.ids = rules, pg, ids
        # created_at/updated_at as each driver stores them: PostgreSQL parses the ISO form
        # with its offset; Django keeps SQLite datetimes as naive UTC text.
        utc = now.astimezone(dt.UTC).replace(tzinfo=None)
        self.stamp = now.isoformat() if pg else utc.isoformat(" ")
        self.crypto = BulkCrypto(key)

    def messages(self, source: RowSource) -> Iterator[Message]:
        try:
            yield from self._messages(source)
        except FileError as exc:
            yield ("file_error", str(exc))

    def _messages(self, source: RowSource) -> Iterator[Message]:
        rows = source.rows()
        try:
            _line, header = next(rows)
        except StopIteration:
            raise FileError("文件是空的：第1行应为列名（见导入模板）") from None
        mapping = map_header(header)
        fields = list(mapping.items())
        clean = self.rules.clean
        text_rows = source.kind == "csv"  # every cell a str
        fast = FastRowCleaner(self.rules, mapping) if text_rows else None
        cleaned: list[tuple[int, dict[str, Any]]] = []
        errors: list[tuple[int, str, str]] = []
        count = 0
        line = 0
        size = min(FIRST_BATCH, BATCH)
        for line, cells in rows:
            if text_rows:
                if not "".join(cells).strip():
                    continue
            elif not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            count += 1
            data = fast(cells) if fast else None
            if data is not None:
                cleaned.append((line, data))
            else:
                width = len(cells)
                data, row_errors = clean({f: (cells[i] if i < width else None) for f, i in fields})
                if row_errors:
                    errors += [(line, f, m) for f, m in row_errors]
                else:
                    cleaned.append((line, data))
            if count >= size:
                fraction = source.fraction(line)
                yield ("batch", (self.prepare(cleaned), errors, count, fraction))
                cleaned, errors, count = [], [], 0
                size = next_batch_size(size, line, fraction)
        yield ("batch", (self.prepare(cleaned), errors, count, source.fraction(line)))

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> list[Record]:
        """Records of cleaned rows (line, values): the ID numbers encrypted in one go."""
        crypto = self.crypto
        numbers = [d.get("legal_rep_id_number") or "" for _line, d in rows]
        encrypted = crypto.encrypt_many(numbers)
        keyed_hash = crypto.keyed_hash
        stamp, pg = self.stamp, self.pg
        # PostgreSQL's values are COPY text cells (the NULL marker, the id and unit as text);
        # SQLite's driver takes None and ints.
        null = _NULL if pg else None
        pks = iter(self.ids(len(rows)) if self.ids is not None and rows else [])
        records: list[Record] = []
        for (line, d), number, secret in zip(rows, numbers, encrypted, strict=True):
            changed = d.get("status_changed_on")
            capital = d.get("registered_capital")
            unit_id = d["unit_id"]
            pk = next(pks) if pg else None
            values: tuple[Any, ...] = (
                None if pk is None else str(pk), d["uscc"], d["name"], d["kind"], d["sub_kind"],
                d["legal_rep_name"], secret, keyed_hash(number) if number else "",
                null if capital is None else str(capital), d["established_on"].isoformat(),
                d["business_scope"], d["industry_section"], d["industry_code"],
                d["registration_authority"], d["district_code"], str(unit_id) if pg else unit_id,
                d["address"], d["phone"], d["status"],
                null if changed is None else changed.isoformat(), d["risk_class"], stamp, stamp,
            )  # fmt: skip
            if pg:
                document = search.pg_row_document(
                    d["name"], d["legal_rep_name"], search.filter_key(d)
                )
                records.append((
                    line, d["uscc"], d["name"], unit_id,
                    copy_line(values, (capital is None) + (changed is None)),
                    f"{pk}\t{document}\n".encode(),
                ))  # fmt: skip
            else:
                document = " ".join(search.tokens_for_row(d))
                records.append((line, d["uscc"], d["name"], unit_id, values, document))
        return records


# COPY's text format: columns split by tabs, rows by newlines, NULL as \N; a backslash, tab,
# newline or carriage return inside a value is escaped with a backslash.
_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(cells: tuple[str, ...], nulls: int) -> bytes:
    """One row of COPY text from its cells (str), `nulls` of which are NULL: the _NULL
    object itself (a value that only reads "\\N" is another object, and is escaped)."""
    text = "\t".join(cells)
    # Almost never is anything to escape: the whole line is checked in a few C scans (the
    # only backslashes are the NULLs', the only tabs the separators) before any cell is.
    if (
        text.count("\\") != nulls
        or text.count("\t") != len(cells) - 1
        or "\n" in text
        or "\r" in text
    ):
        text = "\t".join([c if c is _NULL else c.translate(_COPY_ESCAPES) for c in cells])
    return (text + "\n").encode()


class PendingListMerger:
    """Merges the search index's pending list into its posting trees from a connection of
    its own, every MERGE_INTERVAL seconds, while an import appends to the list.

    Otherwise the import's backend merges the list itself whenever it passes the limit, and
    the writer waits: the backend is the import's critical path. On another connection the
    merge runs beside it, on the other core. The pending list holds index entries only, so
    any connection may merge them, committed or not (as autovacuum does); the entries of an
    import that is rolled back are dead entries in the trees, as after any failed insert,
    for VACUUM to remove. A merger that cannot connect or fails leaves the merging to the
    import's backend, as without it."""

    def __init__(self, params: dict[str, Any], index: str) -> None:
        self.params, self.index = params, index
        self.interval = MERGE_INTERVAL
        self._stop = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pending-list-merger", daemon=True)
        self.merges = 0
        self._merged = threading.Condition()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join()

    def hurry(self) -> None:
        """Merge without pause from now on: the preparing process has finished, so a core
        is free while the writer sends the last batches, and what the list holds at the end
        is merged before the commit, while the user waits (end_bulk)."""
        self.interval = HURRIED_MERGE_INTERVAL
        self._wake.set()

    def _run(self) -> None:
        import psycopg

        try:
            with psycopg.connect(**self.params, autocommit=True) as conn:
                # Never wait for a lock: a DDL statement queued behind the import would make the
                # merger wait for it, the import (at its end) for the merger, and the DDL for
                # the import, a cycle the server cannot see.
                conn.execute("SET lock_timeout = '1s'")
                while True:
                    self._wake.wait(self.interval)
                    self._wake.clear()
                    if self._stop:
                        break
                    conn.execute("SELECT gin_clean_pending_list(%s::regclass)", [self.index])
                    with self._merged:
                        self.merges += 1
                        self._merged.notify_all()
        except psycopg.Error:
            logger.exception(
                "Pending-list merger stopped: the import's own backend merges the rest"
            )

    def wait_for_merges(self, count: int, timeout: float) -> bool:
        """Wait until the merger has merged `count` times (False: it has not, in time)."""
        with self._merged:
            return self._merged.wait_for(lambda: self.merges >= count, timeout)


def connection_params() -> dict[str, Any]:
    """psycopg.connect's arguments for another connection to Django's database."""
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context"):  # Django's own cursor and adapters
        params.pop(key, None)
    return params


class SequenceIds:
    """New entity ids from PostgreSQL's sequence (named by its oid), one statement a batch.

    In the preparing child it runs on a connection of the child's own (autocommit): a
    sequence is not transactional, so the ids are the same as the import's connection would
    get, and the ids of rows that turn out to be updates or duplicates, or of an import
    that is rolled back, are gaps, as with any insert that fails."""

    def __init__(self, oid: int, params: dict[str, Any] | None = None) -> None:
        self.oid, self.params = oid, params
        self._own: Any = None

    def __call__(self, count: int) -> list[int]:
        sql = f"SELECT array_agg(nextval({self.oid}::regclass)) FROM generate_series(1, %s)"
        if self.params is None:  # this process: the import's own connection
            with connection.cursor() as cursor:
                cursor.execute(sql, [count])
                return list(cursor.fetchone()[0])
        if self._own is None:
            import psycopg

            self._own = psycopg.connect(**self.params, autocommit=True)
        return list(self._own.execute(sql, [count]).fetchone()[0])

    def for_child(self) -> SequenceIds:
        """The same sequence over a connection the (forked) child opens for itself."""
        return SequenceIds(self.oid, connection_params())

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


def _sqlite_file() -> bool:
    """SQLite on a file (the tests' in-memory database has no WAL to checkpoint)."""
    if connection.vendor != "sqlite":
        return False
    return not connection.is_in_memory_db()  # type: ignore[attr-defined]


def checkpoint_in_background(path: str) -> threading.Thread:
    """Checkpoint the SQLite database at `path` (copy its WAL into the file) in a thread."""

    def checkpoint() -> None:
        with contextlib.closing(sqlite3.connect(path, timeout=20)) as db:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    thread = threading.Thread(target=checkpoint, name="sqlite-checkpoint", daemon=True)
    thread.start()
    return thread


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _child_main(
    source: RowSource, preparer: RowPreparer, sender: Any, ids: SequenceIds | None
) -> None:
    # A forked child: it never touches the inherited database connection (PostgreSQL's ids
    # come over a connection of its own, see SequenceIds), and multiprocessing ends it with
    # os._exit, so that inherited connection is not closed from here.
    preparer.ids = ids  # the child's copy of the preparer
    try:
        for message in preparer.messages(source):
            sender.send_bytes(marshal.dumps(message))
    except BaseException as exc:
        sender.send_bytes(marshal.dumps(("crash", repr(exc))))
    finally:
        if preparer.ids is not None:
            preparer.ids.close()
    sender.send_bytes(marshal.dumps(("end", None)))


def _prepare_in_child(
    source: RowSource, preparer: RowPreparer, *, on_prepared: Callable[[], None]
) -> Iterator[Message]:
    """The preparer's messages, made in a forked child and passed through a pipe: the child
    prepares the next batches while this process writes. A thread here takes the batches off
    the pipe into a short queue, so that the child is not stalled whenever one batch takes
    the writer longer than usual (the queue's bound keeps memory flat). on_prepared is called
    (from that thread) as soon as the child has sent its last batch."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    ids = preparer.ids.for_child() if preparer.ids is not None else None
    child = context.Process(target=_child_main, args=(source, preparer, sender, ids), daemon=True)
    child.start()
    sender.close()  # the child's end: if the child dies, recv_bytes raises EOFError
    buffer: queue.Queue[Message] = queue.Queue(maxsize=PIPELINE_DEPTH)
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                message = marshal.loads(receiver.recv_bytes())
            except (EOFError, OSError):
                message = ("crash", "导入预处理进程意外退出")
            if message[0] == "end":
                on_prepared()
            while not stop.is_set():
                try:
                    buffer.put(message, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if message[0] in ("end", "crash"):
                return

    thread = threading.Thread(target=receive, name="import-receiver", daemon=True)
    thread.start()
    try:
        while True:
            kind, payload = buffer.get()
            if kind == "end":
                break
            if kind == "crash":
                raise RuntimeError(f"导入预处理进程出错：{payload}")
            yield (kind, payload)
    finally:
        stop.set()
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        thread.join(timeout=5)
        receiver.close()


def import_entities(
    *,
    actor: Any,
    path: Path | str,
    mode: str = "all-or-nothing",
    dry_run: bool = False,
    name: str = "",
    progress: Callable[[int, float], None] | None = None,
    limit_size: bool = True,
) -> ImportResult:
    """Import a .csv/.xlsx file of entities (see docs/import-format.md)."""
    return EntityImporter(
        actor=actor, mode=mode, dry_run=dry_run, progress=progress, limit_size=limit_size
    ).run(path, name=name)


# --------------------------------------------------------------------------------------------
# Template and error report
# --------------------------------------------------------------------------------------------

TEMPLATE_EXAMPLE = [
    "91430102MA4L0000XX",
    "长沙市芙蓉区示例商贸有限公司",
    "企业",
    "有限责任公司（自然人投资或控股）",
    "张三",
    "",
    "100",
    "2020-05-18",
    "日用百货销售",
    "F",
    "52",
    "长沙市芙蓉区市场监督管理局",
    "430102",
    "",
    "长沙市芙蓉区五一大道1号",
    "0731-88888888",
    "存续",
    "",
    "B",
]


def write_template(target: Any) -> None:
    from dataclasses import replace

    from regulus.core.tabular import write_template as write_table_template

    columns = [replace(c, note=COLUMN_NOTES.get(c.name, "")) for c in TABLE_COLUMNS]
    write_table_template(columns, target, title="市场主体", example=TEMPLATE_EXAMPLE)


COLUMN_NOTES = {
    "uscc": "18位，校验位正确；第2位与主体类型一致（1企业、2个体工商户、3农民专业合作社）；"
    "已登记的代码将更新该主体",
    "name": "至少2个字",
    "kind": "企业 / 个体工商户 / 农民专业合作社",
    "legal_rep_id_number": "18位居民身份证号码，校验位正确；加密保存",
    "registered_capital": "万元，不小于0，可空",
    "established_on": "YYYY-MM-DD，不晚于今天",
    "industry_section": "GB/T 4754门类字母A–T，可由行业大类推出",
    "industry_code": "GB/T 4754大类2位数字，须属于所填门类",
    "district_code": "本市区县代码（如430102）或区县名称（如芙蓉区）",
    "unit": "该区县的市场监管局或市场监管所名称；空则为区县局",
    "status": "存续（在业）/ 吊销 / 注销 / 迁出；空为存续",
    "status_changed_on": "YYYY-MM-DD，不早于成立日期",
    "risk_class": "A / B / C / D，可空",
}
