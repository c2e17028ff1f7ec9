"""Faults: the server killed in the middle of an import, of document numbering and of a long
export; the disk filling during an upload and an import; the database's connections all
cut (a PostgreSQL restart) during requests. Afterwards nothing is half-written, no
acknowledged record is lost, the audit chain verifies, and a failed job says so, in Chinese.

Each test runs its victim as another process (tests/faults/worker.py) on an instance of its
own: a copy of a migrated SQLite file, or a PostgreSQL database made from a migrated template.
A full disk is a file-size limit on the victim (RLIMIT_FSIZE: every file it writes stops
growing there, the SQLite database and its WAL included), which needs no root and no mount.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "127.0.0.1:5432"


@dataclass
class Instance:
    env: dict[str, str]
    media: Path
    pg_name: str = ""
    sqlite_file: Path | None = None

    def run(
        self, *args: str, limit: int = 0, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env, FAULT_FILE_SIZE_LIMIT=str(limit)) if limit else self.env
        return subprocess.run(
            [sys.executable, "-m", "tests.faults.worker", *args],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker", *args],
            env=self.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,  # its own process group: the import's forked preparer too
        )  # fmt: skip

    def regulus(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "regulus.cli", *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def query(self, sql: str) -> list[tuple]:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as db:
                return db.execute(sql).fetchall()
        with psycopg.connect(f"postgresql://postgres@{PG_SERVER}/{self.pg_name}") as db:
            return db.execute(sql).fetchall()

    def chain_verifies(self) -> bool:
        done = self.regulus("verify_audit")
        assert done.returncode == 0, done.stdout + done.stderr
        return True


def _base_env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGULUS_")}
    env.pop("DATABASE_URL", None)
    env.update(
        REGULUS_TESTING="1",
        REGULUS_VAR_DIR=str(var),
        REGULUS_MEDIA_ROOT=str(var / "media"),
        REGULUS_TASK_BACKEND="django_tasks_db.DatabaseBackend",  # queued, as in production
        TMPDIR=str(var / "tmp"),
    )
    (var / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def _pg_admin(sql: str) -> None:
    with psycopg.connect(f"postgresql://postgres@{PG_SERVER}/postgres", autocommit=True) as db:
        db.execute(sql)


@pytest.fixture(scope="session")
def migrated(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A migrated, set-up instance made once: (engine, its SQLite file or "" on PG)."""
    var = tmp_path_factory.mktemp("faults-template")
    env = _base_env(var)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        name = f"regulus_faults_tpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"postgres://postgres@{PG_SERVER}/{name}"
        template: tuple[str, Path] = ("pg:" + name, var)
    else:
        env["DATABASE_URL"] = f"sqlite:///{var / 'regulus.sqlite3'}"
        template = ("sqlite", var / "regulus.sqlite3")
    for argv in (
        [sys.executable, "-m", "regulus.cli", "migrate", "-v0"],
        [sys.executable, "-m", "tests.faults.worker", "setup"],
    ):
        done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    yield template
    if template[0].startswith("pg:"):
        _pg_admin(f"DROP DATABASE IF EXISTS {template[0][3:]} WITH (FORCE)")


@pytest.fixture
def instance(migrated, tmp_path) -> Iterator[Instance]:
    kind, source = migrated
    env = _base_env(tmp_path)
    if kind == "sqlite":
        target = tmp_path / "regulus.sqlite3"
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        env["DATABASE_URL"] = f"sqlite:///{target}"
        yield Instance(env=env, media=tmp_path / "media", sqlite_file=target)
        return
    name = f"regulus_faults_{uuid.uuid4().hex[:8]}"
    _pg_admin(f"CREATE DATABASE {name} TEMPLATE {kind[3:]}")
    env["DATABASE_URL"] = f"postgres://postgres@{PG_SERVER}/{name}"
    try:
        yield Instance(env=env, media=tmp_path / "media", pg_name=name)
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def acknowledged(output: str) -> list[str]:
    return [line[4:] for line in output.splitlines() if line.startswith("ACK ")]


def kill_when(victim: subprocess.Popen[str], ready: callable, timeout: float = 60) -> str:  # type: ignore[valid-type]
    """SIGKILL the victim's process group as soon as `ready()` holds (polled), and return
    what it printed."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert victim.poll() is None, victim.stderr.read() if victim.stderr else ""
        assert time.monotonic() < deadline, "the victim never got there"
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    out, _err = victim.communicate(timeout=30)
    return out


def job_state(instance: Instance, job: str) -> tuple[str, str]:
    state, reason = instance.query(
        f"SELECT state, file_error FROM registry_importjob WHERE id = {job}"
    )[0]
    return state, reason


def entity_count(instance: Instance) -> int:
    return instance.query("SELECT COUNT(*) FROM registry_entity")[0][0]


def uploaded_job(instance: Instance, rows: int, tmp_path: Path) -> str:
    csv = tmp_path / "entities.csv"
    assert instance.run("write_import_file", str(csv), str(rows)).returncode == 0
    done = instance.run("upload", str(csv))
    assert done.returncode == 0, done.stderr
    return acknowledged(done.stdout)[0].split()[1]


# -- the server killed ---------------------------------------------------------------------


def test_killed_during_an_import_loads_nothing_and_the_job_is_marked_failed(instance, tmp_path):
    job = uploaded_job(instance, 20_000, tmp_path)
    before = entity_count(instance)
    progress = instance.media / "imports" / job / "progress.json"
    victim = instance.start("import", job)
    printed = kill_when(victim, lambda: _importing(instance, job, progress))
    assert "ACK imported" not in printed
    assert entity_count(instance) == before  # one transaction: all of it or nothing
    swept = instance.run("fail_stale")
    assert swept.returncode == 0, swept.stderr
    state, reason = instance.query(
        f"SELECT state, file_error FROM registry_importjob WHERE id = {job}"
    )[0]
    assert state == "failed" and "未导入任何数据" in reason
    assert instance.chain_verifies()


def _importing(instance: Instance, job: str, progress: Path) -> bool:
    """The commit phase has written rows (its progress file exists while it runs)."""
    rows = instance.query(f"SELECT state FROM registry_importjob WHERE id = {job}")
    return rows[0][0] == "importing" and progress.exists()


def test_killed_while_numbering_documents_keeps_every_acknowledged_number(instance):
    victim = instance.start("complaints")
    printed = kill_when(victim, lambda: _count(instance, "complaints_item") >= 15)
    acked = acknowledged(printed)
    numbers = [row[0] for row in instance.query("SELECT number FROM complaints_item")]
    assert acked and set(acked) <= set(numbers)  # no acknowledged record lost
    assert len(numbers) == len(set(numbers))  # no number given twice
    assert instance.chain_verifies()
    # Numbering goes on after the last committed number, never reusing one.
    more = instance.start("complaints", "50000")
    printed_more = kill_when(more, lambda: _count(instance, "complaints_item") >= len(numbers) + 2)
    assert acknowledged(printed_more) and not set(acknowledged(printed_more)) & set(numbers)
    assert instance.chain_verifies()


def _count(instance: Instance, table: str) -> int:
    return instance.query(f"SELECT COUNT(*) FROM {table}")[0][0]


def test_killed_during_a_long_export_leaves_no_file_and_no_record(instance, tmp_path):
    job = uploaded_job(instance, 20_000, tmp_path)
    assert "ACK imported" in instance.run("import", job).stdout
    audit_before = _count(instance, "core_auditlog")
    temp = Path(instance.env["TMPDIR"])
    victim = instance.start("export")
    kill_when(victim, lambda: any(temp.iterdir()) or _open_temp_file(victim.pid))
    assert not any(temp.iterdir())  # the export's temporary file went with the process
    assert _count(instance, "core_auditlog") == audit_before  # no export on record
    assert instance.chain_verifies()


def _open_temp_file(pid: int) -> bool:
    """The victim holds its (unlinked) temporary .xlsx open: the export is writing it."""
    try:
        return any(
            "(deleted)" in os.readlink(f"/proc/{pid}/fd/{fd}")
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:
        return False


# -- the disk full -------------------------------------------------------------------------


def test_a_full_disk_during_an_upload_refuses_it_and_leaves_no_file(instance, tmp_path):
    csv = tmp_path / "entities.csv"
    assert instance.run("write_import_file", str(csv), "3000").returncode == 0
    assert csv.stat().st_size > 256 * 1024
    jobs_before = _count(instance, "registry_importjob")
    done = instance.run("upload", str(csv), limit=256 * 1024)
    assert done.returncode == 0, done.stderr
    assert "REFUSED" in done.stdout and "存储空间不足" in done.stdout
    assert _count(instance, "registry_importjob") == jobs_before
    leftovers = [p for p in instance.media.rglob("*") if p.is_file()]
    assert leftovers == []
    assert instance.chain_verifies()


def test_a_full_disk_during_an_import_loads_nothing_and_fails_the_job(instance, tmp_path):
    if instance.sqlite_file is None:
        pytest.skip("PostgreSQL writes on the server's disk, not the application's")
    job = uploaded_job(instance, 20_000, tmp_path)
    before = entity_count(instance)
    size = instance.sqlite_file.stat().st_size
    done = instance.run("import", job, limit=size + 512 * 1024)
    assert "ACK imported" not in done.stdout
    assert entity_count(instance) == before
    state, reason = instance.query(
        f"SELECT state, file_error FROM registry_importjob WHERE id = {job}"
    )[0]
    if state != "failed":  # the mark itself could not be written: the sweep makes it
        instance.run("fail_stale")
        state, reason = instance.query(
            f"SELECT state, file_error FROM registry_importjob WHERE id = {job}"
        )[0]
    assert state == "failed" and "未导入任何数据" in reason, reason
    assert instance.chain_verifies()


# -- PostgreSQL restarted ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cut_database_connections_during_requests_lose_no_acknowledged_write(client, handler):
    """Every connection of the test database terminated while requests run, as a restart
    does (the server itself is shared on this machine: restarting it would cut everyone's).
    Each request either is answered and its record kept, or fails and writes nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from regulus.core.models import ApiToken

    client.force_login(handler)
    name = connection.settings_dict["NAME"]
    stop = threading.Event()

    def cut() -> None:
        while not stop.is_set():
            _pg_admin(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            time.sleep(0.15)

    cutter = threading.Thread(target=cut)
    cutter.start()
    answered, failed = [], 0
    try:
        for i in range(40):
            try:
                response = client.post("/tokens/", {"issue": "1", "name": f"令牌{i}"})
            except Exception:  # the connection died under the request: nothing acknowledged
                failed += 1
                connection.close()
                continue
            if response.status_code == 200 and response.context["new_token"]:
                answered.append(f"令牌{i}")  # the page showed the new token: acknowledged
            else:
                failed += 1
    finally:
        stop.set()
        cutter.join()
        connection.close()
    kept = set(ApiToken.objects.filter(name__in=answered).values_list("name", flat=True))
    assert kept == set(answered)  # no acknowledged record lost
    assert failed > 0, "the connections were cut while requests ran"
    assert answered, "requests between the cuts were answered"
    from regulus.core.audit import verify_chain

    assert verify_chain().ok
