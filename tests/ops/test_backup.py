"""Backups restore: a backup of an instance with uploads, anchors and an audit chain, restored
by `regulus restore` into an empty instance (another process, another database), gives the
same row count in every table, the same files, and a chain that `verify_audit` passes. A
damaged backup, a non-empty target and other keys are refused with nothing changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from regulus.core import backup as backups
from regulus.core.sweeps import audit_anchor_write


def _pg_admin(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", str(connection.settings_dict["HOST"] or "127.0.0.1"),
         "-p", str(connection.settings_dict["PORT"] or 5432),
         "-U", str(connection.settings_dict["USER"] or "postgres"), "-qc", sql, "postgres"],
        check=True, capture_output=True,
    )  # fmt: skip


@pytest.fixture
def empty_instance(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a new, empty instance of the same engine, with the same keys."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        REGULUS_TESTING="1",
        REGULUS_MEDIA_ROOT=str(tmp_path / "restored-media"),
        REGULUS_AUDIT_ANCHOR_FILE=str(tmp_path / "restored-anchors.txt"),
        REGULUS_VAR_DIR=str(tmp_path / "restored-var"),
    )
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    name = f"regulus_restore_{uuid.uuid4().hex[:12]}"
    _pg_admin(f"CREATE DATABASE {name}")
    conf = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{conf['USER'] or 'postgres'}@{conf['HOST'] or '127.0.0.1'}:"
        f"{conf['PORT'] or 5432}/{name}"
    )
    try:
        yield env
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def regulus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regulus.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_has_every_row_file_and_an_intact_chain(
    district_a_objects,
    settings,
    tmp_path,
    empty_instance,
):
    audit_anchor_write()
    uploads = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert uploads, "the objects include an uploaded material"
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["core_auditlog"] > 0 and manifest["tables"]["core_user"] > 0
    assert (folder / "audit-anchors.txt").read_text().strip()

    done = regulus(empty_instance, "restore", str(folder))
    assert done.returncode == 0, done.stderr
    assert "与清单一致" in done.stdout and "操作日志链完整" in done.stdout
    verified = regulus(empty_instance, "verify_audit")
    assert verified.returncode == 0 and "锚点 1 个" in verified.stdout, verified.stderr

    restored_media = Path(empty_instance["REGULUS_MEDIA_ROOT"])
    for original in uploads:
        copy = restored_media / original.relative_to(settings.MEDIA_ROOT)
        assert copy.read_bytes() == original.read_bytes()

    again = regulus(empty_instance, "restore", str(folder))  # the target is no longer empty
    assert again.returncode != 0 and "不是空的" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_changes(bureau, tmp_path, settings):
    folder = tmp_path / "backup"
    backups.backup(folder)
    database = next(folder.glob("database.*"))
    with database.open("r+b") as f:
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(backups.BackupError, match="校验值不符"):
        backups.read_manifest(folder)
    (folder / "manifest.json").unlink()
    with pytest.raises(backups.BackupError, match="备份可能中断"):
        backups.read_manifest(folder)


@pytest.mark.django_db(transaction=True)
def test_a_restore_under_other_keys_is_refused(bureau, tmp_path, settings):
    folder = tmp_path / "backup"
    backups.backup(folder)
    manifest = backups.read_manifest(folder)
    settings.FIELD_ENCRYPTION_KEY = "f" * 32
    with pytest.raises(backups.BackupError, match="REGULUS_FIELD_KEY 与备份时不同"):
        backups._refuse_other_keys(manifest)


@pytest.mark.django_db(transaction=True)
def test_a_restore_into_this_instance_is_refused(bureau, tmp_path):
    folder = tmp_path / "backup"
    backups.backup(folder)
    before = backups.current_counts()
    with pytest.raises(backups.BackupError, match="不是空的"):
        backups.restore(folder)
    assert backups.current_counts() == before


def test_a_backup_never_goes_into_a_folder_with_files(tmp_path):
    (tmp_path / "old").write_text("x")
    with pytest.raises(backups.BackupError, match="不是空的"):
        backups.backup(tmp_path)
