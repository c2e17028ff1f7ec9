"""Enforcement at scale (issue 22), each figure beside a reference measured in the same run:

1. document numbering under concurrency: `--procs` processes (8) each issue `--numbers` (1,000)
   文书 numbers of one series through `services.document_number` + `number_retry` (the
   production path, less the .docx rendering), then the numbers are checked: no duplicate, no
   gap; throughput beside a raw counter (SQLite: `UPDATE … SET n = n + 1 RETURNING n`;
   PostgreSQL: `nextval` of a sequence), the same processes, one number a transaction;
2. a district's case list (page of 30 + count, newest filing first) at `--cases` (100,000)
   stored cases through `selectors.case_list` + DeferredRows, p99 beside the same query in
   raw SQL;
3. publication with masking of `--publications` (10,000) decided cases through
   `services.publication_publish` (texts, masks, the unmasked-data check, the row, the clock,
   the event, the audit row), beside a raw INSERT of the same publication rows (issue 22:
   ≥ 0.3×); both runs rolled back.

    .venv/bin/python bench/enforcement_bench.py [--db pg] [--cases 100000]
        [--publications 10000] [--procs 8] [--numbers 1000]

Uses its own database: a temporary SQLite file, or with `--db pg` the PostgreSQL database
`regulus_enfbench` on 127.0.0.1 (created when missing).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_enfbench"
SERIES_KIND = "rectify"


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def timed(fn, runs: int) -> tuple[float, float]:
    """(median ms, p99 ms) of fn over runs calls, after 10 warm-up calls."""
    for _ in range(10):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), p99(samples)


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'regulus_enfbench'").fetchone():
            c.execute("CREATE DATABASE regulus_enfbench")


def setup_django(var: str, db: str) -> None:
    os.environ["REGULUS_VAR_DIR"] = var
    if db == "pg":
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["REGULUS_DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    import django

    django.setup()


# -- numbering -----------------------------------------------------------------------------------


def worker(kind: str, numbers: int, case_id: int) -> None:
    """One process: `numbers` numbers of the bench series, one transaction each."""
    from django.db import connection, transaction

    from regulus.core import clock
    from regulus.core.audit import unaudited
    from regulus.core.documents import number_retry
    from regulus.enforcement.models import Case, Document
    from regulus.enforcement.services import document_number

    case = Case.objects.select_related("unit").get(pk=case_id)
    today = clock.today()
    # Start together: say ready, wait for the go (process start-up is not timed).
    connection.ensure_connection()
    Path(os.environ["REGULUS_VAR_DIR"], f"ready-{os.getpid()}").touch()
    while not Path(os.environ["REGULUS_VAR_DIR"], "go").exists():
        time.sleep(0.005)
    if kind == "service":

        def create() -> Document:
            seq, number = document_number(case.unit, SERIES_KIND, today)
            return Document.objects.create(
                case=case, kind=SERIES_KIND, unit=case.unit, year=today.year, seq=seq,
                series=number[: number.index("〕") + 1],
                number=number, stored_name="", original_name="bench.docx",
                content_type="application/octet-stream", size=0, sha256="0" * 64,
                uploaded_at=clock.now(),
            )  # fmt: skip

        with unaudited("基准测试：文书编号"):
            for _ in range(numbers):
                with transaction.atomic():
                    number_retry(create, attempts=20)
    else:
        for _ in range(numbers):
            with transaction.atomic(), connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    cur.execute("SELECT nextval('enf_bench_seq')")
                else:
                    cur.execute("UPDATE enf_bench_counter SET n = n + 1 RETURNING n")
                cur.fetchone()


def numbering(args, case_id: int) -> None:
    from django.db import connection

    from regulus.core import clock
    from regulus.enforcement.models import Document

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP SEQUENCE IF EXISTS enf_bench_seq")
            cur.execute("CREATE SEQUENCE enf_bench_seq")
        else:
            cur.execute("CREATE TABLE IF NOT EXISTS enf_bench_counter (n INTEGER NOT NULL)")
            cur.execute("DELETE FROM enf_bench_counter")
            cur.execute("INSERT INTO enf_bench_counter VALUES (0)")
    Document.objects.filter(kind=SERIES_KIND).delete()
    connection.close()
    results = {}
    for kind in ("service", "raw"):
        command = [sys.executable, __file__, "--worker", kind, "--numbers", str(args.numbers),
                   "--case", str(case_id), "--db", args.db, "--keep", args.var]  # fmt: skip
        var = Path(args.var)
        for flag in [*var.glob("ready-*"), var / "go"]:
            flag.unlink(missing_ok=True)
        procs = [subprocess.Popen(command) for _ in range(args.procs)]
        while len(list(var.glob("ready-*"))) < args.procs and all(p.poll() is None for p in procs):
            time.sleep(0.01)
        started = time.perf_counter()
        (var / "go").touch()
        failed = sum(p.wait() != 0 for p in procs)
        elapsed = time.perf_counter() - started
        results[kind] = (args.procs * args.numbers / elapsed, failed)
    seqs = list(
        Document.objects.filter(kind=SERIES_KIND, year=clock.today().year).values_list(
            "seq", flat=True
        )
    )
    total = args.procs * args.numbers
    duplicates = len(seqs) - len(set(seqs))
    gaps = (max(seqs) if seqs else 0) - len(set(seqs))  # holes below the highest number
    rate, failed = results["service"]
    raw_rate, raw_failed = results["raw"]
    print(
        f"numbering, {args.procs} processes × {args.numbers:,}: {len(seqs):,} numbers, "
        f"of {total:,} asked; {duplicates} duplicate, {gaps} gaps, {failed} failed processes"
    )
    print(f"{'  through the service (series lock, savepoint, row)':<64} {rate:9.1f}/s")
    print(f"{'  reference: raw counter, one a transaction':<64} {raw_rate:9.1f}/s "
          f"({raw_failed} failed)")  # fmt: skip
    print(f"  service / raw counter: {rate / raw_rate:.3f}×")


# -- data ------------------------------------------------------------------------------------------


def load_cases(n: int, rng: random.Random) -> None:
    from django.db import transaction

    from regulus.core import clock
    from regulus.core.audit import unaudited
    from regulus.core.models import OrgUnit
    from regulus.enforcement.models import Case, Matter, ProcedureRule

    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU))
    matters = list(Matter.objects.all())
    rule = ProcedureRule.objects.order_by("effective_from").first()
    today = clock.today()
    states = [s for s in Case.State.values if s not in ("decided",)]
    batch: list[Case] = []
    with unaudited("基准测试数据批量载入"), transaction.atomic():
        for i in range(n):
            unit = districts[i % len(districts)]
            matter = matters[i % len(matters)]
            filed = today - dt.timedelta(days=rng.randrange(365))
            decided = i < 20_000 and i % 2 == 0  # the cases the publication run publishes
            batch.append(
                Case(
                    number=f"BM{i:010d}", rule=rule, matter=matter, domain=matter.domain,
                    party_name=f"基准当事人{i % 7000}", party_kind="organisation",
                    party_address=f"{unit.name[:5]}人民路{i % 300}号",
                    district_code=unit.division_code, unit=unit, violation_on=filed,
                    filed_on=filed, facts=f"第{i}件基准案件的违法事实",
                    case_value_fen=rng.randrange(10_000, 10_000_000),
                    state="decided" if decided else rng.choice(states),
                    outcome="penalty" if decided else "",
                    penalty_kinds=["fine"] if decided else [],
                    fine_fen=500_000 if decided else 0,
                    decision_number=f"基市监处罚〔{today.year}〕{i}号" if decided else "",
                    decided_on=filed if decided else None,
                    deadline=None if decided else today + dt.timedelta(days=rng.randrange(-20, 90)),
                    created_at=clock.now(),
                )
            )  # fmt: skip
            if len(batch) == 5000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)


def case_list(args) -> None:
    from django.db import connection

    from regulus.core.models import OrgUnit, User
    from regulus.core.workflow import DeferredRows
    from regulus.enforcement import selectors

    handler = User.objects.get(username="furong_handler")

    def orm_list() -> None:
        rows = DeferredRows(selectors.case_list(handler))
        list(rows[:30])
        rows.count()

    scope = sorted(OrgUnit.objects.get(pk=handler.unit_id).subtree_ids())
    marks = ",".join(["%s"] * len(scope))

    def raw_list() -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT id FROM enforcement_case WHERE unit_id IN ({marks}) "
                "ORDER BY filed_on DESC, id DESC LIMIT 30",
                scope,
            )
            ids = [r[0] for r in cur.fetchall()]
            cur.execute(
                "SELECT c.number, c.party_name, c.state, c.deadline, c.filed_on, m.name, u.name "
                "FROM enforcement_case c JOIN enforcement_matter m ON m.id = c.matter_id "
                "JOIN core_orgunit u ON u.id = c.unit_id WHERE c.id IN ("
                + ",".join(["%s"] * len(ids)) + ")",
                ids,
            )  # fmt: skip
            cur.fetchall()
            cur.execute(f"SELECT COUNT(*) FROM enforcement_case WHERE unit_id IN ({marks})", scope)
            cur.fetchone()

    for label, fn in (
        ("district case list, page of 30 + count (selector, DeferredRows)", orm_list),
        ("  reference: raw SQL, ids then 30 rows + count", raw_list),
    ):
        median, tail = timed(fn, args.runs)
        print(f"{label:<72} median {median:7.2f} ms  p99 {tail:7.2f} ms")


def publication(args) -> None:
    from django.db import connection

    from bench.rolled_back import timed_rolled_back
    from regulus.core import clock
    from regulus.core.audit import unaudited
    from regulus.core.models import User
    from regulus.enforcement import services
    from regulus.enforcement.models import Case

    leader = User.objects.get(username="leader")
    ids = list(
        Case.objects.filter(state="decided", publication__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[: args.publications]
    )
    n = len(ids)

    def through_service() -> int:
        cases = list(Case.objects.select_related("unit", "matter", "rule").filter(pk__in=ids))
        return services.publications_publish_many(actor=leader, cases=cases)

    def one_by_one() -> int:
        for pk in ids[:1000]:
            case = Case.objects.select_related("unit", "matter", "rule").get(pk=pk)
            services.publication_publish(actor=leader, case=case)
        return min(n, 1000)

    cases = list(Case.objects.select_related("unit", "matter").filter(pk__in=ids))
    today = clock.today()
    rows = []
    for case in cases:
        texts = services.publication_texts(case)
        rows.append((case.pk, case.decision_number, texts["party"], case.uscc, case.matter.name,
                     "罚款", case.unit.name, case.decided_on, texts["masked"], today,
                     today + dt.timedelta(days=92), "published", case.unit_id))  # fmt: skip
    insert = (
        "INSERT INTO enforcement_publication (case_id, decision_number, party_masked, uscc, "
        "violation, penalty, authority, decided_on, text_masked, published_on, shown_until, "
        "state, unit_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )

    def raw() -> int:
        with unaudited("基准测试：参照插入"), connection.cursor() as cur:
            for row in rows:
                cur.execute(insert, row)
        return n

    raw_s, _ = timed_rolled_back(raw)
    service_s, _ = timed_rolled_back(through_service)
    raw_s2, _ = timed_rolled_back(raw)
    single_s, single_n = timed_rolled_back(one_by_one)
    reference = min(raw_s, raw_s2)
    batch_label = f"publication with masking of {n:,} decisions (batch service)"
    single_label = f"  one at a time through publication_publish ({single_n:,})"
    print(f"{batch_label:<72} {n / service_s:9.1f}/s")
    print(f"{single_label:<72} {single_n / single_s:9.1f}/s")
    print(f"{'  reference: raw INSERT of the same rows':<72} {n / reference:9.1f}/s")
    print(f"  service / raw insert: {reference / service_s:.3f}× (issue 22 target ≥ 0.3×)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--publications", type=int, default=10_000)
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--numbers", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--keep", default="")
    parser.add_argument("--worker", default="")
    parser.add_argument("--case", type=int, default=0)
    args, _ = parser.parse_known_args()
    args.var = args.keep or tempfile.mkdtemp(prefix="regulus-enfbench-")
    if args.db == "pg" and not args.worker:
        ensure_pg_database()
    setup_django(args.var, args.db)
    if args.worker:
        worker(args.worker, args.numbers, args.case)
        return 0

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from regulus.core import calendar, clock, demo
    from regulus.core.models import CalendarYear
    from regulus.enforcement.models import Case
    from regulus.enforcement.rules import rules_ensure

    demo.seed_bureau(log=lambda s: None)
    rules_ensure()
    for year in (clock.today().year - 1, clock.today().year):
        if not CalendarYear.objects.filter(year=year).exists():
            with contextlib.suppress(ValueError):  # a year the package does not know yet
                calendar.load_year_from_package(year)
    started = time.perf_counter()
    if Case.objects.count() < args.cases:
        Case.objects.all().delete()
        load_cases(args.cases, random.Random(22))
    print(f"{Case.objects.count():,} cases ({connection.vendor}); "
          f"load {time.perf_counter() - started:.1f} s")  # fmt: skip
    numbering(args, Case.objects.order_by("id").values_list("id", flat=True).first())
    case_list(args)
    publication(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
