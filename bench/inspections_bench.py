"""The spot-check draw at scale (issue 19): a task over a 1,000,000-entity target list, four risk
strata with different ratios (≈ 5 % overall), 500 inspectors with 2,000 declared conflicts.

    .venv/bin/python bench/inspections_bench.py [--entities 1000000] [--db sqlite|pg] [--runs 3]

The measure: `task_freeze` (select the target directory, build, hash and store the three
snapshots) and `draw_run` (seed, per-stratum draw, inspector assignment with every constraint,
saving the target and assignment rows), timed together; then `verify` (regulus verify_draw) of
the drawn task. Target: ≥ 0.3× the speed of the reference.

The reference, in the same run: fetch the ids per stratum by raw SQL, `random.Random(seed)
.sample` each stratum, pick two inspectors per target at random, and insert the same number
of target and assignment rows with one raw executemany (SQLite) or COPY (PostgreSQL). Each run
is rolled back, so runs alternate on the same data; medians of --runs runs.

Its own databases, never the one in DATABASE_URL: SQLite under /tmp/regulus-inspbench,
PostgreSQL database regulus_inspbench on 127.0.0.1 (created when missing); a database that
holds the N entities already is reused.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rolled_back import rolled_back

SQLITE_DIR = "/tmp/regulus-inspbench"
PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_inspbench"
TARGET = 0.3
DISTRICT = "430102"
# Risk classes of the bench city and the task's ratios (basis points): ≈ 5.4 % overall.
CLASS_WEIGHTS = {"A": 50, "B": 40, "C": 8, "D": 2}
RATIOS = {"A": "1", "B": "5", "C": "21", "D": "61", "-": "1"}


def configure(db: str) -> None:
    os.environ["REGULUS_DEBUG"] = "0"
    os.environ.setdefault("REGULUS_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("REGULUS_FIELD_KEY", "0123456789abcdef0123456789abcdef")
    os.environ.setdefault("REGULUS_AUDIT_KEY", "be" * 32)
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    if db == "pg":
        import psycopg

        os.environ["DATABASE_URL"] = PG_URL
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            found = c.execute("SELECT 1 FROM pg_database WHERE datname = 'regulus_inspbench'")
            if not found.fetchone():
                c.execute("CREATE DATABASE regulus_inspbench")
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["REGULUS_VAR_DIR"] = SQLITE_DIR
        Path(SQLITE_DIR).mkdir(parents=True, exist_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args, _ = parser.parse_known_args()
    configure(args.db)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from regulus.registry.models import Entity

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Entity.objects.filter(district_code=DISTRICT).count() != args.entities:
        load(args.entities)
    print(
        f"{args.entities:,} entities, 500 inspectors, 2,000 conflicts ({connection.vendor}); "
        f"ready in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return measure(args.runs)


def load(n: int) -> None:
    from django.db import connection, transaction

    from regulus.core import demo, ids
    from regulus.core.models import OrgUnit, Role, User
    from regulus.inspections.models import CheckItem, Conflict, Inspector
    from regulus.registry.models import Entity

    demo.seed_bureau(log=lambda s: None)
    district = OrgUnit.objects.get(kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code=DISTRICT)
    rng = random.Random(2026)
    with connection.cursor() as cur:
        for table in ("inspections_conflict", "inspections_inspector", "registry_entity"):
            cur.execute(f"DELETE FROM {table}")
    classes = list(CLASS_WEIGHTS)
    weights = list(CLASS_WEIGHTS.values())
    batch = 20_000
    with transaction.atomic():
        for first in range(0, n, batch):
            Entity.objects.bulk_create(
                [
                    Entity(
                        uscc=ids.make_uscc("9", "1", DISTRICT, ids.make_org_code(f"B{i:07d}")),
                        name=f"基准测试主体{i}",
                        kind="enterprise",
                        established_on=dt.date(2015, 1, 1),
                        district_code=DISTRICT,
                        unit=district,
                        risk_class=rng.choices(classes, weights)[0],
                    )
                    for i in range(first, min(n, first + batch))
                ],
                batch_size=5000,
            )
        role = Role.objects.get(name="执法检查人员")
        users = []
        for k in range(500):
            user, _ = User.objects.get_or_create(
                username=f"bench_inspector_{k}",
                defaults={"unit": district, "full_name": f"检查员{k}"},
            )
            user.roles.add(role)
            users.append(user)
        inspectors = Inspector.objects.bulk_create(
            Inspector(
                user=u,
                number=f"B430102{k:05d}",
                unit=district,
                domains=["food"],
                certificate_expires=dt.date(2030, 1, 1) if k % 50 else dt.date(2020, 1, 1),
            )
            for k, u in enumerate(users)
        )
        entity_ids = list(Entity.objects.values_list("id", flat=True))
        pairs = set()
        while len(pairs) < 2000:
            pairs.add((rng.choice(inspectors).pk, rng.choice(entity_ids)))
        Conflict.objects.bulk_create(
            Conflict(
                inspector_id=i, entity_id=e, reason="基准测试", declared_on=dt.date(2026, 1, 1)
            )
            for i, e in pairs
        )
        CheckItem.objects.get_or_create(
            code="B-1",
            defaults={
                "name": "基准检查事项",
                "department": "科室",
                "legal_basis": "依据",
                "kind": "general",
                "domain": "food",
            },
        )


def measure(runs: int) -> int:
    from regulus.core import clock
    from regulus.core.models import User
    from regulus.inspections import services
    from regulus.inspections.models import CheckItem, Plan, Task

    handler = User.objects.filter(username="furong_handler").first()
    second = User.objects.filter(username="furong_window").first()
    assert handler is not None and second is not None
    # furong_window is no handler: its second source entry needs the permission, so the bench
    # gives the district's handler role to it (kept; the bench database is its own).
    second.roles.add(*handler.roles.all())
    item = CheckItem.objects.get(code="B-1")
    draws, verifies, refs, counts = [], [], [], []
    for run in range(runs):
        with rolled_back():
            now = clock.now()
            plan = Plan.objects.filter(unit=handler.unit, year=now.year, batch=1).first()
            if plan is None:
                plan = services.plan_create(actor=handler, year=now.year, batch=1, title="基准计划")
            task = services.task_create(
                actor=handler,
                plan=plan,
                title=f"基准任务{run}",
                department="科室",
                domain="food",
                items=[item],
                check_from=dt.date(now.year, 12, 28),
                check_to=dt.date(now.year, 12, 31),
                source_description="基准随机源",
                source_available_at=now + dt.timedelta(minutes=5),
                ratios=RATIOS,
            )
            started = time.perf_counter()
            services.task_freeze(actor=handler, task=task)
            frozen_s = time.perf_counter() - started
            with clock.held_at(now + dt.timedelta(minutes=10)):
                services.source_enter(actor=handler, task=task, value=f"{run} 1 9")
                services.source_enter(actor=second, task=task, value=f"{run} 1 9")
                started = time.perf_counter()
                services.draw_run(actor=handler, task=task)
                draws.append(frozen_s + time.perf_counter() - started)
            task = Task.objects.get(pk=task.pk)
            counts.append(task.targets.count())
            started = time.perf_counter()
            verdict = services.verify(task)
            verifies.append(time.perf_counter() - started)
            assert verdict.ok, verdict.problem
            refs.append(reference(task.pk, run))
    draw, verify, ref = (statistics.median(x) for x in (draws, verifies, refs))
    targets = counts[0]
    print(f"targets drawn: {targets:,} (with 2 inspectors each); runs: {runs}, medians")
    print(f"  freeze + draw + assignment + saving: {draw:7.2f} s")
    print(f"  verify_draw of the task:             {verify:7.2f} s")
    print(f"  raw reference (ids per stratum, sample, executemany/COPY): {ref:7.2f} s")
    ratio_draw, ratio_verify = ref / draw, ref / verify
    ok = ratio_draw >= TARGET and ratio_verify >= TARGET
    print(
        f"  speed vs reference: draw {ratio_draw:.2f}×, verify {ratio_verify:.2f}× "
        f"(target ≥ {TARGET}×) {'OK' if ok else 'BELOW TARGET'}"
    )
    return 0


def reference(task_id: int, run: int) -> float:
    """Raw: ids per stratum, a seeded sample, two random inspectors a target, one insert each."""
    from django.db import connection

    rng = random.Random(f"reference {run}")
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        # The draw's rows go first (not timed): the reference inserts as many again.
        cur.execute(
            "DELETE FROM inspections_assignment WHERE target_id IN "
            "(SELECT id FROM inspections_target WHERE task_id = %s)",
            [task_id],
        )
        cur.execute("DELETE FROM inspections_target WHERE task_id = %s", [task_id])
        started = time.perf_counter()
        cur.execute(
            "SELECT id FROM inspections_inspector WHERE certificate_expires >= %s",
            [dt.date(2026, 12, 28)],
        )
        inspectors = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT id FROM inspections_draw LIMIT 1")
        draw_id = cur.fetchone()[0]
        chosen: list[int] = []
        for stratum, percent in RATIOS.items():
            cur.execute(
                "SELECT id FROM registry_entity WHERE district_code = %s AND status = 'active' "
                "AND risk_class = %s",
                [DISTRICT, "" if stratum == "-" else stratum],
            )
            ids = [r[0] for r in cur.fetchall()]
            k = (len(ids) * round(float(percent) * 100) + 9999) // 10000
            chosen += rng.sample(ids, k)
        rows = [(task_id, e, "A", pos, "assigned", False) for pos, e in enumerate(chosen, 1)]
        columns = "task_id, entity_id, stratum, position, state, deadline_provisional"
        if pg:
            with cur.cursor.copy(f"COPY inspections_target ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(
                f"INSERT INTO inspections_target ({columns}) VALUES (%s, %s, %s, %s, %s, %s)", rows
            )
        cur.execute("SELECT position, id FROM inspections_target WHERE task_id = %s", [task_id])
        target_ids = dict(cur.fetchall())
        assignments = [
            (target_ids[pos], i, draw_id, pick, True)
            for pos in range(1, len(chosen) + 1)
            for pick, i in enumerate(rng.sample(inspectors, 2), 1)
        ]
        columns = "target_id, inspector_id, draw_id, pick, active"
        if pg:
            with cur.cursor.copy(f"COPY inspections_assignment ({columns}) FROM STDIN") as copy:
                for row in assignments:
                    copy.write_row(row)
        else:
            cur.executemany(
                f"INSERT INTO inspections_assignment ({columns}) VALUES (%s, %s, %s, %s, %s)",
                assignments,
            )
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
