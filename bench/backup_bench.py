"""`regulus backup` and `regulus restore` of the demo city, beside a plain file copy of the
same data in the same run (the floor any backup pays: reading and writing the bytes).

    .venv/bin/python bench/backup_bench.py [--entities 3000] [--db sqlite|pg] [--repeat 1]

The demo city is built by the demo seeder (`regulus seed_demo --entities N`) into the bench's
own database, kept for the next run with the same size: a temporary-free folder
var/bench-backup-<db>-<N>/ and, with `--db pg`, the PostgreSQL database
`regulus_backupbench_<N>` on 127.0.0.1. Each repeat backs it up into a new folder, restores
that into a new empty instance (checksums, every table's count, the audit chain walked),
and copies the same data plainly: the SQLite file and the uploads with `cp`, or on
PostgreSQL the database's own directory under the server's data directory (read as root;
not a usable backup, only the I/O floor).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
KEYS = {
    "REGULUS_SECRET_KEY": "bench-backup-secret-key-not-for-production-0123456789abcdef",
    "REGULUS_FIELD_KEY": "00112233445566778899aabbccddeeff",
    "REGULUS_AUDIT_KEY": "5a" * 32,
}


def regulus(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "regulus.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"regulus {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAqc", sql, database],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def instance_env(var: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGULUS_")}
    env.update(KEYS, REGULUS_VAR_DIR=str(var), DATABASE_URL=database_url, REGULUS_DEBUG="1")
    return env


def demo_city(db: str, entities: int) -> tuple[dict[str, str], Path]:
    """The seeded instance (built once per size and kept), and its var folder."""
    var = ROOT / "var" / f"bench-backup-{db}-{entities}"
    ready = var / ".seeded"
    if db == "sqlite":
        url = f"sqlite:///{var / 'regulus.sqlite3'}"
    else:
        name = f"regulus_backupbench_{entities}"
        url = f"{PG_SERVER}/{name}"
        if not ready.exists():
            psql(f"DROP DATABASE IF EXISTS {name}")
            psql(f"CREATE DATABASE {name}")
    env = instance_env(var, url)
    if not ready.exists():
        if db == "sqlite":
            shutil.rmtree(var, ignore_errors=True)
        var.mkdir(parents=True, exist_ok=True)
        print(f"building the demo city at {entities} entities (kept for the next run)…")
        seconds = regulus(env, "migrate", "--noinput", "-v0")
        seconds += regulus(env, "createcachetable")
        seconds += regulus(env, "seed_demo", "--entities", str(entities))
        seconds += regulus(env, "tick", "--only", "core.audit_anchor", "-v0")
        ready.write_text(f"{seconds:.0f} s\n")
    return env, var


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def plain_copy(db: str, env: dict[str, str], var: Path, target: Path) -> tuple[float, int]:
    """Seconds to copy the same data as files, and the bytes copied."""
    started = time.perf_counter()
    if db == "sqlite":
        target.mkdir(parents=True)
        for path in var.glob("regulus.sqlite3*"):
            shutil.copy2(path, target / path.name)
        if (var / "media").is_dir():
            shutil.copytree(var / "media", target / "media")
    else:
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        data = psql("SHOW data_directory")
        oid = psql(f"SELECT oid FROM pg_database WHERE datname = '{name}'")
        shutil.copytree(Path(data) / "base" / oid, target)
        if (var / "media").is_dir():
            shutil.copytree(var / "media", target / "media")
    return time.perf_counter() - started, folder_bytes(target)


def restore_env(db: str, scratch: Path, n: int) -> tuple[dict[str, str], str | None]:
    var = scratch / f"restored-{n}"
    if db == "sqlite":
        return instance_env(var, f"sqlite:///{var / 'regulus.sqlite3'}"), None
    name = f"regulus_backupbench_restore_{n}"
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    return instance_env(var, f"{PG_SERVER}/{name}"), name


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=1)
    args, _ = parser.parse_known_args()

    env, var = demo_city(args.db, args.entities)
    scratch = Path(tempfile.mkdtemp(prefix="regulus-backupbench-", dir=ROOT / "var"))
    try:
        for n in range(args.repeat):
            startup_s = regulus(env, "shell", "-c", "pass")
            copy_s, copy_bytes = plain_copy(args.db, env, var, scratch / f"copy-{n}")
            backup_s = regulus(env, "backup", str(scratch / f"backup-{n}"))
            backup_bytes = folder_bytes(scratch / f"backup-{n}")
            target, database = restore_env(args.db, scratch, n)
            try:
                restore_s = regulus(target, "restore", str(scratch / f"backup-{n}"))
            finally:
                if database:
                    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            mb = 1024 * 1024
            print(
                f"[{args.db}, {args.entities} entities] "
                f"backup {backup_s:.1f} s ({backup_bytes / mb:.0f} MB) | "
                f"restore + count check + chain walk {restore_s:.1f} s | "
                f"reference: plain file copy {copy_s:.1f} s ({copy_bytes / mb:.0f} MB) | "
                f"backup/copy {backup_s / max(copy_s, 1e-6):.1f}x | "
                f"each command includes the process start, {startup_s:.1f} s"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
