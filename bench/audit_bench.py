"""The audit chain's bulk append (`audit_record_many`, on the entity import's hot path) and its
check (`verify_chain`), beside the raw reference of the same run: the same rows, hashed
beforehand, inserted by the same driver call (executemany on SQLite, COPY on PostgreSQL).

    .venv/bin/python bench/audit_bench.py [--rows 100000] [--db sqlite|pg] [--repeat 3]

Uses its own database, never the one in DATABASE_URL: a temporary SQLite file, or with
`--db pg` the PostgreSQL database `regulus_auditbench` on 127.0.0.1 (emptied at the start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_auditbench"


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'regulus_auditbench'"
        ).fetchone():
            c.execute("CREATE DATABASE regulus_auditbench")


def entries(n: int, offset: int):
    """What an import's update leaves: one row an entity, its changed columns old and new."""
    for i in range(offset, offset + n):
        yield (
            str(i),
            f"长沙市芙蓉区鑫达便利超市{i}",
            "导入更新",
            {"address": ["长沙市芙蓉区五一大道1号", f"长沙市芙蓉区五一大道{i}号"]},
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    args, _ = parser.parse_known_args()

    os.environ["REGULUS_VAR_DIR"] = tempfile.mkdtemp(prefix="regulus-auditbench-")
    if args.db == "pg":
        os.environ["DATABASE_URL"] = PG_URL
        ensure_pg_database()
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["REGULUS_DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from regulus.core import audit
    from regulus.core.models import AuditChainHead, AuditLog

    AuditLog.objects.all().delete()
    AuditChainHead.objects.all().delete()
    n = args.rows
    appended, raw, cpu = [], [], []
    for run in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction.atomic():
            audit.audit_record_many(
                actor="导入（基准）",
                action=AuditLog.Action.UPDATE,
                object_type="registry.entity",
                entries=entries(n, run * n),
            )
        appended.append(n / (time.perf_counter() - started))
        cpu.append((time.process_time() - cpu_started) / n * 1e6)

        # The reference: the rows just written, read back whole, inserted again under new ids
        # and hashes by the same driver call, nothing computed in between.
        columns = (*audit.HASHED_FIELDS, "hash")
        rows = list(AuditLog.objects.order_by("-id")[:n].values_list(*columns))
        top = max(r[0] for r in rows)
        rows = [
            (
                r[0] + top,
                *r[1:11],
                json.dumps(r[11], ensure_ascii=False),
                r[12],
                f"{r[0] + top:064d}",
            )
            for r in rows
        ]
        started = time.perf_counter()
        with transaction.atomic():
            _raw_insert(connection, columns, rows)
        raw.append(n / (time.perf_counter() - started))
        with transaction.atomic():
            AuditLog.objects.filter(id__gt=top).delete()

    started = time.perf_counter()
    report = audit.verify_chain()
    verify_rate = report.rows_checked / (time.perf_counter() - started)
    runs = ", ".join(f"{r:,.0f}" for r in appended)
    print(
        f"audit_record_many ({connection.vendor}, {n:,} rows a run, {args.repeat} runs): "
        f"{statistics.median(appended):,.0f} rows/s (runs {runs}), "
        f"{statistics.median(cpu):.1f} µs of this process's CPU a row; "
        f"raw insert of the same rows {statistics.median(raw):,.0f} rows/s"
    )
    print(
        f"verify_chain: {report.rows_checked:,} rows, {verify_rate:,.0f} rows/s, "
        f"{'ok' if report.ok else 'BROKEN: ' + report.reason}"
    )
    return 0 if report.ok else 1


def _raw_insert(connection, columns, rows) -> None:
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with (
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY core_auditlog ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("%s" for _ in columns)
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO core_auditlog ({names}) VALUES ({marks})", rows)


if __name__ == "__main__":
    sys.exit(main())
