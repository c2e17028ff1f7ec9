"""12315 items at scale: 100,000 stored items (default; `--items 1000000` for issue 21's
scale), then

1. intake through the service (`services.item_register`: validation, entity matching,
   routing, the repeat check, the acceptance clock, the timeline event, the audit row), one
   item at a time in this process — beside a raw-SQL INSERT of one item row, measured in the
   same run: requests per second and p99 of each, and their ratio (issue 21 asks ≥ 0.3× under
   concurrent HTTP load through gunicorn: bench/intake_load_bench.py);
2. a district handler's filtered list (overdue items, nearest deadline first, page of 30 plus
   its count) through `selectors.items_for`, beside the same query in raw SQL.

    .venv/bin/python bench/complaints_bench.py [--items 100000] [--runs 300] [--db pg]

Uses its own database, never the one in DATABASE_URL: a temporary SQLite file, or with
`--db pg` the PostgreSQL database `regulus_cmpbench` on 127.0.0.1 (created when missing).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_cmpbench"


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def timed(fn, runs: int) -> tuple[float, float, float]:
    """(median ms, p99 ms, calls per second) of fn over runs calls, after 10 warm-up calls."""
    for _ in range(10):
        fn()
    samples = []
    started = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    rate = runs / (time.perf_counter() - started)
    return statistics.median(samples), p99(samples), rate


def ensure_pg_database(name: str = "regulus_cmpbench") -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


# The reference of intake: one item row written with raw SQL (no validation, matching, routing,
# repeat check, clock, event or audit row). bench/load_urls.py serves it for the HTTP bench.
RAW_INSERT_SQL = (
    "INSERT INTO complaints_item (number, query_code_hash, kind, channel, line, category, "
    "rule_version_id, received_at, received_on, anonymous, person_name, person_phone, "
    "person_phone_hash, person_id_number, person_id_hash, respondent_name, "
    "respondent_uscc, place, district_code, facts, request_text, unit_id, state, "
    "deadline_provisional, returned_note, referred_to, refusal_ground, decision_note, "
    "rating_note) "
    "VALUES (%s, %s, 'complaint', 'phone', '12315', 'food', %s, %s, %s, %s, '', '', '', "
    "'', '', %s, '', '', '430102', %s, '', %s, 'registered', %s, '', '', '', '', '')"
)


def raw_insert_item(
    *, number: str, respondent_name: str, facts: str, version_id: int, unit_id: int
) -> None:
    from django.db import connection

    from regulus.core import clock

    with connection.cursor() as cur:
        cur.execute(
            RAW_INSERT_SQL,
            [number, "0" * 64, version_id, clock.now(), clock.today(), False,
             respondent_name, facts, unit_id, False],
        )  # fmt: skip


def load(n: int, rng: random.Random) -> None:
    """n items by bulk_create (no clocks: the stored items' deadlines are set directly, as
    their running clocks would have mirrored them)."""
    from django.db import transaction

    from regulus.complaints.models import FINAL_STATES, Item, RuleVersion
    from regulus.core import clock
    from regulus.core.audit import unaudited
    from regulus.core.models import OrgUnit

    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU))
    version = RuleVersion.objects.get(code="order121")
    states = list(Item.State.values)
    today = clock.today()
    batch: list[Item] = []
    with unaudited("基准测试数据批量载入"), transaction.atomic():
        for i in range(n):
            unit = districts[i % len(districts)]
            state = rng.choice(states)
            received = today - dt.timedelta(days=rng.randrange(365))
            batch.append(
                Item(
                    number=f"BM{i:012d}",
                    query_code_hash="0" * 64,
                    kind=rng.choice(Item.Kind.values),
                    channel="phone",
                    line="12315",
                    category=rng.choice(Item.Category.values),
                    rule_version=version,
                    received_at=clock.now(),
                    received_on=received,
                    respondent_name=f"基准经营者{i % 5000}",
                    district_code=unit.division_code,
                    facts="基准数据",
                    unit=unit,
                    state=state,
                    deadline=None
                    if state in FINAL_STATES
                    else today + dt.timedelta(days=rng.randrange(-20, 40)),
                )
            )
            if len(batch) == 5000:
                Item.objects.bulk_create(batch)
                batch = []
        Item.objects.bulk_create(batch)


def build(items: int) -> None:
    """Migrate the configured database, seed the bureau and the year's calendar, and store
    `items` items unless it holds that many already (kept for the next run)."""
    from django.core.management import call_command
    from django.db import connection

    from regulus.complaints.models import Item
    from regulus.core import calendar, clock, demo
    from regulus.core.models import CalendarYear

    call_command("migrate", verbosity=0)
    demo.seed_bureau(log=lambda s: None)
    year = clock.today().year
    if not CalendarYear.objects.filter(year=year).exists():
        with contextlib.suppress(ValueError):  # the package does not know the year yet
            calendar.load_year_from_package(year)
    started = time.perf_counter()
    if Item.objects.count() < items:
        Item.objects.all().delete()
        load(items, random.Random(12315))
    print(
        f"{Item.objects.count():,} items ({connection.vendor}); "
        f"load {time.perf_counter() - started:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", default="")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    args, _ = parser.parse_known_args()

    var = args.keep or tempfile.mkdtemp(prefix="regulus-cmpbench-")
    os.environ["REGULUS_VAR_DIR"] = var
    if args.db == "pg":
        os.environ["DATABASE_URL"] = PG_URL
        ensure_pg_database()
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["REGULUS_DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    import django

    django.setup()
    from django.db import connection

    build(args.items)
    from regulus.complaints import selectors, services
    from regulus.complaints.models import Item
    from regulus.complaints.workflow import ITEM_FLOW
    from regulus.core import clock
    from regulus.core.models import OrgUnit, User
    from regulus.core.workflow import DeferredRows

    dispatcher = User.objects.get(username="fenpai")
    handler = User.objects.get(username="furong_handler")
    counter = iter(range(10**9))

    def intake() -> None:
        n = next(counter)
        services.item_register(
            actor=dispatcher,
            channel="phone",
            kind="complaint",
            category="food",
            respondent_name=f"基准经营者{n % 5000}",
            district_code="430102",
            facts=f"第{n}件基准投诉",
            request_text="退款",
            person_name="王丽",
            person_phone=f"139{n:08d}",
        )

    unit = OrgUnit.objects.get(kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code="430102")
    version_id = Item.objects.values_list("rule_version_id", flat=True).first()

    def raw_insert() -> None:
        n = next(counter)
        raw_insert_item(
            number=f"RAW{n:012d}",
            respondent_name=f"基准经营者{n % 5000}",
            facts=f"第{n}件基准投诉",
            version_id=version_id,
            unit_id=unit.pk,
        )

    def orm_list() -> None:
        rows = DeferredRows(selectors.items_for(handler, when="overdue"))
        rows[:30]
        rows.count()

    scope = sorted(OrgUnit.objects.get(pk=handler.unit_id).subtree_ids())
    open_states = ITEM_FLOW.open_states()
    marks, smarks = ",".join(["%s"] * len(scope)), ",".join(["%s"] * len(open_states))
    where = f"unit_id IN ({marks}) AND state IN ({smarks}) AND deadline < %s"

    def raw_list() -> None:
        today = clock.today()
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT id FROM complaints_item WHERE {where} ORDER BY deadline, id LIMIT 30",
                [*scope, *open_states, today],
            )
            ids = [r[0] for r in cur.fetchall()]
            if ids:
                cur.execute(
                    "SELECT number, kind, respondent_name, state, deadline, "
                    "received_at FROM complaints_item WHERE id IN ("
                    + ",".join(["%s"] * len(ids))
                    + ")",
                    ids,
                )
                cur.fetchall()
            cur.execute(
                f"SELECT COUNT(*) FROM complaints_item WHERE {where}", [*scope, *open_states, today]
            )
            cur.fetchone()

    results = {}
    for label, fn in (
        ("intake through the service (match, route, repeat check, clock, audit)", intake),
        ("  reference: raw SQL INSERT of one item row", raw_insert),
        ("handler's overdue list, page of 30 + count (ORM)", orm_list),
        ("  reference: raw SQL, ids from the index then 30 rows + count", raw_list),
    ):
        median, tail, rate = timed(fn, args.runs)
        results[label] = rate
        print(f"{label:<72} {rate:8.1f}/s  median {median:7.2f} ms  p99 {tail:7.2f} ms")
    rates = list(results.values())
    print(
        f"intake / raw insert: {rates[0] / rates[1]:.3f}× (in-process, one at a time; issue 21's "
        "≥ 0.3× is under HTTP load: bench/intake_load_bench.py)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
