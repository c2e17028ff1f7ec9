"""Backups and restores of a whole instance: the database, the uploaded files and the audit
chain's anchor file, with a manifest of every file's SHA-256 and every table's row count
(docs/backup.md; `regulus backup`, `regulus restore`).

A backup is a folder::

    manifest.json       engine, time, migrations, key fingerprints, row counts, files
    SHA256SUMS          every file's SHA-256, manifest.json's too (`sha256sum -c SHA256SUMS`)
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.dump       PostgreSQL: `pg_dump --format=custom`
    media/…             the uploads (MEDIA_ROOT)
    audit-anchors.txt   the audit chain's daily anchors (settings.AUDIT_ANCHOR_FILE)

What a copy holds is one moment of the database: SQLite's backup API copies a consistent
snapshot while others go on writing (WAL); on PostgreSQL the row counts and pg_dump read the
same exported snapshot (`pg_export_snapshot`, `pg_dump --snapshot`), so the counts are the
dump's own. The anchor file is copied before the database, so that it names no row the copy
lacks; the uploads after it, so that every file a copied row names is there (a file uploaded
meanwhile is copied too, harmlessly, with no row naming it).

The keys (field encryption, audit chain) are never in a backup: the manifest keeps their
fingerprints only, and a restore refuses to go on under other keys, since ID numbers would not
decrypt and the chain would not verify.

A restore goes only into an empty instance (no tables, no uploads): it checks every checksum
first and changes nothing if one differs, restores, then counts every table against the
manifest and walks the audit chain (`verify_audit`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
ANCHORS_FILE = "audit-anchors.txt"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message, in Chinese, says why."""


@dataclass
class Outcome:
    folder: Path
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def key_fingerprints() -> dict[str, str]:
    """Public names of the keys the data needs (core.crypto.MacKey.id): never the keys."""
    from regulus.core.audit import chain_key
    from regulus.core.crypto import mac_key

    return {"field": mac_key(settings.FIELD_ENCRYPTION_KEY).id, "audit": chain_key().id}


def _engine() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor  # "sqlite" or "postgresql"


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# -- database: SQLite ------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(conn)
    }


def _sqlite_backup(target: Path) -> dict[str, int]:
    """The live database copied with SQLite's backup API in one step: one read transaction,
    so the copy is one moment's database while writers go on (WAL). A copy in several steps
    would start again from the first page whenever another connection wrote between two steps,
    and under steady writes might never end. Then counted in the copy itself."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_counts(copy)
    finally:
        copy.close()


def _sqlite_restore(source: Path) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    name = str(connection.settings_dict["NAME"])
    if not connection.is_in_memory_db():  # type: ignore[attr-defined]
        Path(name).parent.mkdir(parents=True, exist_ok=True)  # a new instance's var folder
    connection.ensure_connection()
    if _sqlite_tables(connection.connection):
        raise BackupError("目标数据库不是空的：恢复只能写入新建的空实例")
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        backup.backup(connection.connection)
    finally:
        backup.close()
    connection.close()


# -- database: PostgreSQL --------------------------------------------------------------------


def _libpq_env() -> tuple[list[str], dict[str, str]]:
    """pg_dump's and pg_restore's connection arguments, the password in the environment."""
    conf = connections[DEFAULT_DB_ALIAS].settings_dict
    args = ["--dbname", str(conf["NAME"])]
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [r[0] for r in cursor.fetchall()]


def _pg_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {argv[0]}：请安装与数据库同版本的 PostgreSQL 客户端") from exc
    if done.returncode != 0:
        raise BackupError(f"{what}失败（{argv[0]} 退出码 {done.returncode}）：{done.stderr[-800:]}")


def _pg_backup(target: Path) -> dict[str, int]:
    """Counts and pg_dump read one exported snapshot, held by this transaction meanwhile."""
    args, env = _libpq_env()
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(using=DEFAULT_DB_ALIAS), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _pg_counts(cursor)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", "--file", str(target), *args],
            env, "pg_dump 导出",
        )  # fmt: skip
    return counts


def _pg_restore(source: Path) -> None:
    args, env = _libpq_env()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        if _pg_tables(cursor):
            raise BackupError("目标数据库不是空的：恢复只能写入新建的空数据库")
    connections[DEFAULT_DB_ALIAS].close()
    _run(
        ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", *args, str(source)],
        env, "pg_restore 恢复",
    )  # fmt: skip


def current_counts() -> dict[str, int]:
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return _pg_counts(cursor)


# -- files -----------------------------------------------------------------------------------


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def _copy_media(source: Path, target: Path) -> None:
    for path in _files_under(source):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def _write_atomically(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, path)


# -- backup ----------------------------------------------------------------------------------


def backup(folder: Path) -> Outcome:
    """Write a backup into `folder` (new or empty). The manifest is written last: a folder
    without one is an interrupted backup, and `restore` refuses it."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"备份目录 {folder} 不是空的：每次备份请用新目录")
    folder.mkdir(parents=True, exist_ok=True)
    anchors = Path(settings.AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        shutil.copy2(anchors, folder / ANCHORS_FILE)
    engine = _engine()
    if engine == "sqlite":
        tables = _sqlite_backup(folder / SQLITE_FILE)
    elif engine == "postgresql":
        tables = _pg_backup(folder / PG_FILE)
    else:
        raise BackupError(f"不支持的数据库：{engine}")
    _copy_media(Path(settings.MEDIA_ROOT), folder / MEDIA_DIR)
    files: dict[str, dict[str, Any]] = {
        str(path.relative_to(folder)): {"size": path.stat().st_size, "sha256": sha256_of(path)}
        for path in _files_under(folder)
    }
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "migrations": _applied_migrations(),
        "keys": key_fingerprints(),
        "tables": tables,
        "files": files,
    }
    _write_atomically(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    sums = {**{name: meta["sha256"] for name, meta in files.items()}}
    sums[MANIFEST] = sha256_of(folder / MANIFEST)
    _write_atomically(folder / SUMS, "".join(f"{h}  {n}\n" for n, h in sorted(sums.items())))
    return Outcome(
        folder=folder,
        tables=tables,
        files=sum(1 for name in files if name.startswith(MEDIA_DIR + "/")),
        bytes=sum(meta["size"] for meta in files.values()),
    )


# -- restore ---------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, after every checksum in SHA256SUMS and the manifest's file list matched;
    BackupError naming the first file that does not."""
    sums_file, manifest_file = folder / SUMS, folder / MANIFEST
    if not manifest_file.is_file() or not sums_file.is_file():
        raise BackupError(f"{folder} 不是完整的备份：缺少 {MANIFEST} 或 {SUMS}（备份可能中断）")
    sums = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    if sums.get(MANIFEST) != sha256_of(manifest_file):
        raise BackupError(f"{MANIFEST} 的校验值不符：清单被改动或损坏")
    manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    for name, meta in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise BackupError(f"备份缺少文件：{name}")
        if sums.get(name) != meta["sha256"] or sha256_of(path) != meta["sha256"]:
            raise BackupError(f"文件校验值不符：{name}（备份被改动或损坏）")
    return manifest


def _refuse_other_keys(manifest: dict[str, Any]) -> None:
    ours = key_fingerprints()
    for name, label in (("field", "REGULUS_FIELD_KEY"), ("audit", "REGULUS_AUDIT_KEY")):
        if manifest["keys"].get(name) != ours[name]:
            raise BackupError(
                f"{label} 与备份时不同（指纹 {manifest['keys'].get(name)}，当前 {ours[name]}）："
                "请使用备份时的密钥，否则加密字段无法解密、操作日志链无法校验"
            )


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    mismatches: list[str]


@contextmanager
def _restoring_into_empty_media() -> Iterator[Path]:
    media = Path(settings.MEDIA_ROOT)
    if any(_files_under(media)):
        raise BackupError(f"上传文件目录 {media} 不是空的：恢复只能写入新建的空实例")
    yield media


def restore(folder: Path) -> Restored:
    """Restore the backup in `folder` into this (empty) instance, then count every table
    against the manifest. The caller walks the audit chain (`verify_audit`)."""
    folder = folder.resolve()
    manifest = read_manifest(folder)
    if manifest["engine"] != _engine():
        raise BackupError(
            f"备份来自 {manifest['engine']} 数据库，当前实例是 {_engine()}：请恢复到同类数据库"
        )
    _refuse_other_keys(manifest)
    with _restoring_into_empty_media() as media:
        if manifest["engine"] == "sqlite":
            _sqlite_restore(folder / SQLITE_FILE)
        else:
            _pg_restore(folder / PG_FILE)
        _copy_media(folder / MEDIA_DIR, media)
    anchors = Path(settings.AUDIT_ANCHOR_FILE)
    if (folder / ANCHORS_FILE).is_file() and not anchors.exists():
        anchors.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / ANCHORS_FILE, anchors)
    counts = current_counts()
    expected: dict[str, int] = manifest["tables"]
    mismatches = [
        f"{table}：备份 {rows} 行，恢复后 {counts.get(table, '缺表')}"
        for table, rows in expected.items()
        if counts.get(table) != rows
    ]
    return Restored(
        tables=len(expected),
        rows=sum(expected.values()),
        files=sum(1 for name in manifest["files"] if name.startswith(MEDIA_DIR + "/")),
        mismatches=mismatches,
    )
