"""Enterprise credit at city scale (issue 20): the abnormal-listing sweep after the annual-report
window (≈ 10 % unfiled) and the monthly class recompute, each beside a raw reference in the
same run, target ≥ 0.3× the reference's rows per second; and the public credit page p99
beside the registry's public entity page.

    .venv/bin/python bench/credit_bench.py [--entities 200000] [--db sqlite|pg] [--runs 3]
        [--requests 300] [--only sweep|recompute|pages]

The data: the registry's demo city of N entities (random demo classes A–D), last year's
reports from ≈ 90 % of the entities due (credit's demo seeder, without its listings and
class recompute). Measures, each run rolled back so the runs alternate on the same data:
- the sweep: `services.abnormal_list_unfiled` (bulk INSERTs of the listings with their
  decision numbers and one audit row each), beside the reference: one INSERT … SELECT of the
  same listings (the entities due without a report);
- the recompute: `services.risk_recompute_city` (set-based: every entity scored by one
  INSERT … SELECT into a temporary table of the changed classes, applied by
  registry.services.entity_risk_classes_apply: one UPDATE … FROM, one swap of the class token
  in the search index per pair of classes, one audit row; the change rows by one
  INSERT … SELECT), beside the reference: one UPDATE of the same entities' classes from a
  precomputed table (which neither scores nor keeps the search index in step);
- the public credit page: the portal's page of an entity (`/portal/entities/<uscc>/`) as the
  public gets it, credit's sections in it (annual reports with their public items, credit
  record, abnormal and serious listings), through the test client in this process, after the
  sweep in the same rolled-back transaction so that half the entities asked carry a listing
  (the other half a filed report); beside the reference: the registry's public entity page of
  the same entities, the same URL with the apps' sections left out. The two are asked in turn.
  The entity page's rate limit is lifted for the bench.

Its own databases: SQLite under /tmp/regulus-creditbench-<N>, PostgreSQL database
regulus_creditbench on 127.0.0.1 (created when missing; one city size); kept between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import latencies, lift_portal_entity_rate
from bench.rolled_back import rolled_back, timed_rolled_back

SQLITE_DIR = "/tmp/regulus-creditbench"
PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_creditbench"
TARGET = 0.3
TODAY = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, the day after


def configure(db: str, entities: int) -> None:
    os.environ["REGULUS_DEBUG"] = "0"
    os.environ.setdefault("REGULUS_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("REGULUS_FIELD_KEY", "0123456789abcdef0123456789abcdef")
    os.environ.setdefault("REGULUS_AUDIT_KEY", "be" * 32)
    lift_portal_entity_rate()
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    if db == "pg":
        import psycopg

        os.environ["DATABASE_URL"] = PG_URL
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            found = c.execute("SELECT 1 FROM pg_database WHERE datname = 'regulus_creditbench'")
            if not found.fetchone():
                c.execute("CREATE DATABASE regulus_creditbench")
    else:
        # One database per city size: the registry's demo seeder loads an empty one only.
        os.environ.pop("DATABASE_URL", None)
        os.environ["REGULUS_VAR_DIR"] = f"{SQLITE_DIR}-{entities}"
        Path(f"{SQLITE_DIR}-{entities}").mkdir(parents=True, exist_ok=True)


def setup(entities: int) -> None:
    from django.core.management import call_command

    from regulus.core import demo as core_demo
    from regulus.credit import demo as credit_demo
    from regulus.credit.models import AnnualReport
    from regulus.registry import demo
    from regulus.registry.models import Entity

    call_command("migrate", verbosity=0)
    core_demo.seed_bureau(log=lambda s: None)
    have = Entity.objects.count()
    if have == 0:
        demo.seed(entities=entities, log=print)
    elif have != entities:
        raise SystemExit(f"the bench database holds {have:,} entities, not {entities:,}")
    if not AnnualReport.objects.filter(year=2025).exists():
        # The reports only: the window still open for the seeder (its listings are what the
        # sweep measures here).
        import time_machine

        with time_machine.travel(dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC), tick=False):
            credit_demo.seed_reports_only(log=print)


def timed(fn) -> tuple[float, int]:
    return timed_rolled_back(fn)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300, help="page requests of each kind")
    parser.add_argument("--only", choices=["sweep", "recompute", "pages"])
    args, _ = parser.parse_known_args()
    configure(args.db, args.entities)
    import django

    django.setup()
    import time_machine
    from django.db import connection

    started = time.perf_counter()
    setup(args.entities)
    print(f"{args.entities:,} entities ({connection.vendor}); ready in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    ok = True
    with time_machine.travel(TODAY, tick=False):
        if args.only in (None, "sweep"):
            ok = sweep_vs_reference(args.runs) and ok
        if args.only in (None, "recompute"):
            ok = recompute_vs_reference(args.runs) and ok
        if args.only in (None, "pages"):
            public_page_vs_registry_page(args.requests)
    return 0 if ok else 1


def sweep_vs_reference(runs: int) -> bool:
    from django.db import connection

    from regulus.core.tick import SYSTEM_ACTOR
    from regulus.credit import rules, services

    rule = rules.abnormal_rule_on(TODAY.date())

    def sweep() -> int:
        return services.abnormal_list_unfiled(actor=SYSTEM_ACTOR, year=2025)

    def reference() -> int:
        with connection.cursor() as cur:
            number = "'经营异常列字〔2026〕' || CAST(e.id AS TEXT)"
            cur.execute(
                "INSERT INTO credit_abnormallisting (entity_id, unit_id, kind, ground,"
                " report_year, evidence, evidence_ref, rule_id, listed_on, decision_number,"
                " listed_by, state, removal_reason, removal_number, removed_by)"
                " SELECT e.id, e.unit_id, CASE WHEN e.kind = 'individual' THEN 'state'"
                " ELSE 'list' END, 'annual_report', 2025, '未报送2025年度报告',"
                " 'annual_report:2025',"
                f" %s, %s, {number}, 'bench', 'listed', '', '', ''"
                " FROM registry_entity e WHERE e.status = 'active' AND e.established_on <= %s"
                " AND NOT EXISTS (SELECT 1 FROM credit_annualreport r WHERE r.entity_id = e.id"
                " AND r.year = 2025 AND r.is_current)",
                [rule.pk, TODAY.date(), dt.date(2025, 12, 31)],
            )
            return cur.rowcount

    return compare("abnormal-listing sweep (abnormal_list_unfiled)", sweep, reference, runs)


def recompute_vs_reference(runs: int) -> bool:
    from django.db import connection

    from regulus.core.tick import SYSTEM_ACTOR
    from regulus.credit import risk, services
    from regulus.registry.models import Entity

    _model, scores = risk.city_scores(TODAY.date())
    wanted = {i: s.risk_class for i, s in scores.items() if s.risk_class != "A"}
    changes = [
        (i, wanted.get(i, "A"))
        for i, current in Entity.objects.values_list("id", "risk_class").iterator(chunk_size=20000)
        if current != wanted.get(i, "A")
    ]

    def recompute() -> int:
        return services.risk_recompute_city(actor=SYSTEM_ACTOR)

    def reference() -> int:
        with connection.cursor() as cur:
            cur.execute("CREATE TEMPORARY TABLE bench_class (id bigint PRIMARY KEY, cls text)")
            cur.executemany("INSERT INTO bench_class (id, cls) VALUES (%s, %s)", changes)
            cur.execute(
                "UPDATE registry_entity SET risk_class = (SELECT b.cls FROM bench_class b"
                " WHERE b.id = registry_entity.id) WHERE id IN (SELECT id FROM bench_class)"
            )
            count = cur.rowcount
            cur.execute("DROP TABLE bench_class")
            return count

    return compare("monthly class recompute (risk_recompute_city)", recompute, reference, runs)


SAMPLE = 2500  # entities of each kind (listed, filed) the pages are asked for


def public_page_vs_registry_page(requests: int) -> None:
    """The public credit page beside the registry's public entity page, p50/p99, the
    listings of the sweep in place (rolled back after)."""
    from regulus.core.tick import SYSTEM_ACTOR
    from regulus.credit import services
    from regulus.credit.models import AbnormalListing, AnnualReport

    with rolled_back():
        services.abnormal_list_unfiled(actor=SYSTEM_ACTOR, year=2025)
        listed = list(AbnormalListing.objects.values_list("entity__uscc", flat=True)[:SAMPLE])
        filed = list(
            AnnualReport.objects.filter(year=2025, is_current=True).values_list(
                "entity__uscc", flat=True
            )[:SAMPLE]
        )
        usccs = listed + filed
        check_pages(listed[0])
        (credit_t, registry_t) = latencies(
            page_asker(usccs), page_asker(usccs, sections=False), runs=requests
        )
    print(
        f"{'public credit page (/portal/entities/<uscc>/, rendered)':<58}"
        f"median {credit_t[0]:7.2f} ms  p99 {credit_t[1]:7.2f} ms  "
        f"({len(listed):,} listed + {len(filed):,} filed entities, {requests} requests)"
    )
    print(
        f"{'  reference: registry public entity page, no app sections':<58}"
        f"median {registry_t[0]:7.2f} ms  p99 {registry_t[1]:7.2f} ms   ratio p99 "
        f"{credit_t[1] / registry_t[1]:.2f}×"
    )


def page_asker(usccs: list[str], *, sections: bool = True):
    """A call that asks the portal for the next entity's page; with sections=False, the
    registry's page alone (no app's sections). Each asker draws the same entities in the same
    order."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    rng = random.Random(20)

    def ask() -> str:
        uscc = rng.choice(usccs)
        if sections:
            answer = client.get(f"/portal/entities/{uscc}/")
        else:
            with mock.patch("regulus.registry.selectors.public_sections", return_value=[]):
                answer = client.get(f"/portal/entities/{uscc}/")
        assert answer.status_code == 200, (uscc, answer.status_code)
        return answer.content.decode()

    return ask


def check_pages(uscc: str) -> None:
    """The two pages differ by credit's sections: the listed entity's listing shows on the
    credit page and not on the reference, so the reference measures what it says."""
    title = "列入经营异常名录（状态）信息"
    assert title in page_asker([uscc])(), "the public credit page lacks the listing"
    assert title not in page_asker([uscc], sections=False)(), "the reference shows sections"


def compare(label: str, measured, reference, runs: int) -> bool:
    figures: dict[str, list[float]] = {"measured": [], "reference": []}
    rows = 0
    for _ in range(runs):
        ref_seconds, ref_rows = timed(reference)
        seconds, rows = timed(measured)
        assert rows == ref_rows, (label, rows, ref_rows)
        figures["reference"].append(ref_seconds)
        figures["measured"].append(seconds)
    ref, got = statistics.median(figures["reference"]), statistics.median(figures["measured"])
    ratio = ref / got if got else float("inf")
    verdict = "OK" if ratio >= TARGET else "MISSED"
    print(
        f"{label:<52} {rows / got:>10,.0f} rows/s ({got:6.2f} s, {rows:,} rows)  "
        f"{ratio:.2f}× the reference, target ≥ {TARGET}×: {verdict}"
    )
    print(f"  reference: one raw statement of the same rows        {rows / ref:>10,.0f} rows/s "
          f"({ref:6.2f} s)")  # fmt: skip
    return ratio >= TARGET


if __name__ == "__main__":
    sys.exit(main())
