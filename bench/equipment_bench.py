"""Special equipment at scale: 300,000 items (issue 23's scale; default 30,000 while
developing) on 20,000 using units, about one in twelve past its inspection date, then

1. a district's due-within-30-days and overdue lists as the page reads them
   (`selectors.equipment_list` paged by 30 with its count), p99 beside the same query in
   raw SQL on the same index;
2. the nightly overdue sweep (`services.overdue_flag`: the conditional UPDATE, one warning an
   item, the audit row) beside a raw bulk UPDATE of the same rows, each in a transaction
   rolled back so that both meet the same rows (issue 23: ≥ 0.3×);
3. the public tag check (`/portal/equipment/tag/<code>/`, rendered) p99 beside the
   registry's public entity page (`/portal/entities/<uscc>/`), both through the test client
   in this process.

    .venv/bin/python bench/equipment_bench.py [--items 300000] [--runs 300] [--db pg]

Uses its own database, never the one in DATABASE_URL: an SQLite file under
/tmp/regulus-eqbench-<items>, or with `--db pg` the PostgreSQL database `regulus_eqbench`
on 127.0.0.1 (created when missing). Both are kept for the next run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import latency, lift_portal_entity_rate
from bench.rolled_back import timed_rolled_back

PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_eqbench"
SQLITE_DIR = "/tmp/regulus-eqbench"
USING_UNITS = 20_000


def configure(db: str, items: int) -> None:
    # Debug off: the pages are measured as served, without Django's query log.
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
            if not c.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'regulus_eqbench'"
            ).fetchone():
                c.execute("CREATE DATABASE regulus_eqbench")
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["REGULUS_VAR_DIR"] = f"{SQLITE_DIR}-{items}"
        Path(f"{SQLITE_DIR}-{items}").mkdir(parents=True, exist_ok=True)


def load(items: int) -> None:
    """The registry's demo entities as using units, then the items in bulk (the demo's item
    builder; unaudited: this is the bench's data, not a measured path)."""
    from django.db import transaction

    from regulus.core import clock
    from regulus.core.audit import unaudited
    from regulus.equipment import demo as equipment_demo
    from regulus.equipment.models import Category, Compound, Equipment, IntervalRule
    from regulus.registry import demo as registry_demo
    from regulus.registry.models import Entity

    if not Entity.objects.exists():
        registry_demo.seed(entities=USING_UNITS, log=print)
    have = Equipment.objects.count()
    if have >= items:
        return
    Equipment.objects.all().delete()
    rng = random.Random(23)
    owners = list(Entity.objects.filter(kind="enterprise").order_by("pk")[:USING_UNITS])
    districts = {o.district_code: o.unit for o in owners}
    equipment_demo._compounds(rng, max(6, items // 2000), districts)
    by_district: dict[str, list[Compound]] = {}
    for c in Compound.objects.all():
        by_district.setdefault(c.district_code, []).append(c)
    months = {r.category: r.months for r in IntervalRule.objects.order_by("effective_from")}
    categories = [c for c, _ in equipment_demo.SHARES]
    weights = [w for _, w in equipment_demo.SHARES]
    today = clock.today()
    batch: list[Equipment] = []
    with unaudited("基准测试数据批量载入"), transaction.atomic():
        for i in range(items):
            category = rng.choices(categories, weights)[0]
            owner = owners[rng.randrange(len(owners))]
            lift = category == Category.LIFT
            compound = rng.choice(by_district[owner.district_code]) if lift else None
            batch.append(
                equipment_demo._item(
                    rng, i, category, owner, None, compound, months[category], today
                )
            )
            if len(batch) == 5000:
                Equipment.objects.bulk_create(batch, batch_size=1000)
                batch = []
        Equipment.objects.bulk_create(batch, batch_size=1000)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    args, _ = parser.parse_known_args()
    configure(args.db, args.items)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from regulus.core import clock
    from regulus.core import demo as core_demo
    from regulus.core.models import OrgUnit, User
    from regulus.equipment import selectors, services
    from regulus.equipment.models import Equipment
    from regulus.equipment.rules import rules_ensure

    core_demo.seed_bureau(log=lambda s: None)
    rules_ensure()
    started = time.perf_counter()
    load(args.items)
    total = Equipment.objects.count()
    print(f"{total:,} items ({connection.vendor}); load {time.perf_counter() - started:.1f} s")

    handler = User.objects.get(username="furong_handler")
    district = "430102"
    scope = sorted(OrgUnit.objects.get(pk=handler.unit_id).subtree_ids())
    marks = ",".join(["%s"] * len(scope))
    from django.core.paginator import Paginator

    def orm_list(when: str) -> Callable[[], None]:
        def run() -> None:
            rows = selectors.equipment_list(user=handler, when=when, district=district)
            page = Paginator(rows, 30).page(1)
            list(page.object_list)

        return run

    def raw_list(when: str) -> Callable[[], None]:
        def run() -> None:
            today = clock.today()
            low, high = selectors.due_window(today)
            condition = "next_due_on < %s" if when == "overdue" else "next_due_on BETWEEN %s AND %s"
            dates = [today] if when == "overdue" else [low, high]
            where = (
                f"e.unit_id IN ({marks}) AND e.district_code = %s AND e.status = 'in_use' "
                f"AND e.{condition}"
            )
            params = [*scope, district, *dates]
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM equipment_equipment e WHERE {where}", params)
                cur.fetchone()
                cur.execute(
                    "SELECT e.id, e.registration_number, e.category, e.address, e.next_due_on, "
                    "u.name, c.name FROM equipment_equipment e "
                    "JOIN registry_entity u ON u.id = e.using_entity_id "
                    "LEFT JOIN equipment_compound c ON c.id = e.compound_id "
                    f"WHERE {where} ORDER BY e.next_due_on, e.id LIMIT 30",
                    params,
                )
                cur.fetchall()

        return run

    overdue_now = Equipment.objects.filter(
        status="in_use", overdue=False, next_due_on__lt=clock.today()
    ).count()
    print(f"district {district}: items in use past their date city-wide {overdue_now:,}")
    for when in ("overdue", "due"):
        orm = latency(orm_list(when), args.runs)
        raw = latency(raw_list(when), args.runs)
        print(
            f"district {when:<7} list, page of 30 + count (page's query)  "
            f"median {orm[0]:7.2f} ms  p99 {orm[1]:7.2f} ms"
        )
        print(
            f"  reference: raw SQL, same index                        "
            f"median {raw[0]:7.2f} ms  p99 {raw[1]:7.2f} ms   ratio p99 {orm[1] / raw[1]:.2f}×"
        )

    def sweep() -> int:
        return services.overdue_flag(actor="基准测试")

    def raw_update() -> int:
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE equipment_equipment SET overdue = %s WHERE status = 'in_use' "
                "AND overdue = %s AND next_due_on < %s",
                [True, False, clock.today()],
            )
            return int(cur.rowcount)

    sweeps, raws = [], []
    for _ in range(3):
        sweeps.append(timed_rolled_back(sweep))
        raws.append(timed_rolled_back(raw_update))
    sweep_s = statistics.median(s for s, _n in sweeps)
    raw_s = statistics.median(s for s, _n in raws)
    print(
        f"overdue sweep (UPDATE + warnings + audit), {sweeps[0][1]:,} items   "
        f"median {sweep_s * 1000:8.1f} ms"
    )
    print(
        f"  reference: raw bulk UPDATE, {raws[0][1]:,} rows                "
        f"median {raw_s * 1000:8.1f} ms   sweep speed / raw: {raw_s / sweep_s:.2f}× "
        "(issue 23: ≥ 0.3×)"
    )

    client = Client(HTTP_HOST="localhost")
    rng = random.Random(7)
    codes = list(Equipment.objects.values_list("tag_code", flat=True)[:5000])
    from regulus.registry.models import Entity

    usccs = list(Entity.objects.values_list("uscc", flat=True)[:5000])

    def tag() -> None:
        answer = client.get(f"/portal/equipment/tag/{rng.choice(codes)}/")
        assert answer.status_code == 200

    def entity_page() -> None:
        answer = client.get(f"/portal/entities/{rng.choice(usccs)}/")
        assert answer.status_code == 200

    tag_t = latency(tag, args.runs)
    entity_t = latency(entity_page, args.runs)
    print(
        f"public tag check page (rendered)                         "
        f"median {tag_t[0]:7.2f} ms  p99 {tag_t[1]:7.2f} ms"
    )
    print(
        f"  reference: registry's public entity page               "
        f"median {entity_t[0]:7.2f} ms  p99 {entity_t[1]:7.2f} ms   ratio p99 "
        f"{tag_t[1] / entity_t[1]:.2f}×"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
