"""Legal clocks at scale: an admin adds a holiday, and every open clock whose count crosses it
is computed again (issue 17: 200,000 open items; target ≥ 0.3× the reference's rows/s).

    .venv/bin/python bench/clocks_bench.py [--items 200000] [--db sqlite|pg] [--runs 3]

The data: N open licensing applications in review, each with its running review clock (the
main clock, mirrored in the application's deadline column), started 1–14 days before Wednesday
2026-11-18 with 10–20 working days, so that every one of them crosses that day. The measure:
`core.services.calendar_day_set` making 2026-11-18 a holiday, which recomputes the clocks in
the same transaction (core.clock_recompute: read, compute, then per batch the clocks' new
dates, a history row each and the applications' deadline columns; one audit row).

The reference, in the same run: a bulk UPDATE of the same rows to the same new dates, computed
beforehand: the clock table's dates and the items' deadline column, the rows the recompute
must rewrite (SQLite: one executemany of a prepared UPDATE a table, with the page cache the
recompute gives itself; PostgreSQL: one UPDATE over unnest() arrays a table). The clock table
alone is printed too. Each run is rolled back,
so the runs alternate on the same data (on PostgreSQL a VACUUM after each clears the dead rows
it leaves); medians of --runs runs.

Its own databases, never the one in DATABASE_URL: SQLite under /tmp/regulus-clockbench,
PostgreSQL database regulus_clockbench on 127.0.0.1 (created when missing); a database that
holds the N items already is reused.
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

from rolled_back import timed_rolled_back  # bench/, the script's own folder

SQLITE_DIR = "/tmp/regulus-clockbench"
PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_clockbench"
HOLIDAY = dt.date(2026, 11, 18)  # a Wednesday, a working day in the 2026 table
TARGET = 0.3


def configure(db: str) -> None:
    os.environ["REGULUS_DEBUG"] = "0"
    os.environ.setdefault("REGULUS_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("REGULUS_FIELD_KEY", "0123456789abcdef0123456789abcdef")
    # Fixed, as the field key is: the bench databases are kept between runs and their audit
    # chains stay under one key (settings refuse to start without one when DEBUG is off).
    os.environ.setdefault("REGULUS_AUDIT_KEY", "be" * 32)
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    if db == "pg":
        import psycopg

        os.environ["DATABASE_URL"] = PG_URL
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            found = c.execute("SELECT 1 FROM pg_database WHERE datname = 'regulus_clockbench'")
            if not found.fetchone():
                c.execute("CREATE DATABASE regulus_clockbench")
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["REGULUS_VAR_DIR"] = SQLITE_DIR
        Path(SQLITE_DIR).mkdir(parents=True, exist_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args, _ = parser.parse_known_args()
    configure(args.db)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from regulus.core.models import Clock

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Clock.objects.filter(status="running", name="review").count() != args.items:
        load(args.items)
    print(
        f"{args.items:,} open applications with a running review clock ({connection.vendor}); "
        f"ready in {time.perf_counter() - started:.1f} s"
    )
    return measure(args.items, args.runs)


def measure(n: int, runs: int) -> int:
    from django.db import connection

    from regulus.core import bulk, clock_recompute, services
    from regulus.core.calendar import HolidayTable, holiday_table
    from regulus.core.clocks import trace_due_date
    from regulus.core.models import CalendarDay, Clock, User

    admin = User.objects.get(username="admin")
    rows = list(
        Clock.objects.filter(status="running").values_list(
            "id", "object_id", "start_date", "days", "unit"
        )
    )
    # The reference's new dates, computed beforehand over the table with the holiday in it.
    base = holiday_table()
    table = HolidayTable({**base.exceptions, HOLIDAY: (False, "bench")}, base.last_loaded_year)
    memo: dict[tuple[dt.date, int], dt.date] = {}
    new_dates = []
    for clock_id, object_id, start, days, unit in rows:
        if (start, days) not in memo:
            memo[(start, days)] = trace_due_date(start, days, unit=unit, table=table).deadline.date
        new_dates.append((clock_id, object_id, memo[(start, days)]))

    def recompute() -> int:
        services.calendar_day_set(actor=admin, date=HOLIDAY, kind="holiday", name="bench")
        return n

    def compute_only() -> int:
        CalendarDay.objects.create(date=HOLIDAY, kind="holiday", name="bench")
        real = clock_recompute._write
        clock_recompute._write = lambda batch, actor: len(batch)  # type: ignore[assignment]
        try:
            return clock_recompute.clocks_recompute(
                changed_from=HOLIDAY, changed_to=HOLIDAY, actor=admin, reason="bench"
            ).changed
        finally:
            clock_recompute._write = real  # type: ignore[assignment]

    def bulk_update(table: str, column: str, key: int) -> int:
        """One UPDATE of the table's rows to the new dates (SQLite: one executemany), with the
        page cache the recompute gives itself (core.bulk.roomy_cache)."""
        with bulk.roomy_cache(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    f"UPDATE {table} t SET {column} = v.due "
                    "FROM unnest(%s::bigint[], %s::date[]) AS v(id, due) WHERE t.id = v.id",
                    [[row[key] for row in new_dates], [row[2] for row in new_dates]],
                )
            else:
                cur.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s",
                    [(row[2], row[key]) for row in new_dates],
                )
        return len(new_dates)

    def reference_clocks() -> int:
        return bulk_update("core_clock", "due_date", 0)

    def reference() -> int:
        bulk_update("core_clock", "due_date", 0)
        return bulk_update("licensing_application", "deadline", 1)

    def timed(fn) -> tuple[float, int]:
        return timed_rolled_back(
            fn, vacuum=("core_clock", "core_clockhistory", "licensing_application")
        )

    assert not CalendarDay.objects.filter(date=HOLIDAY).exists()
    figures: dict[str, list[float]] = {"reference": [], "clocks": [], "recompute": []}
    runners = (("reference", reference), ("clocks", reference_clocks), ("recompute", recompute))
    for _ in range(runs):
        for name, fn in runners:
            seconds, count = timed(fn)
            assert count == n, (name, count)
            figures[name].append(seconds)
    compute, changed = timed(compute_only)
    assert changed == n, changed
    ref, clocks, rec = (statistics.median(figures[k]) for k in ("reference", "clocks", "recompute"))
    ratio = ref / rec
    verdict = "OK" if ratio >= TARGET else "MISSED"

    def line(label: str, seconds: float, tail: str = "") -> None:
        print(f"{label:<64} {n / seconds:>9,.0f} rows/s  ({seconds:6.2f} s){tail}")

    def spread(name: str) -> str:
        return f"; runs {min(figures[name]):.2f}–{max(figures[name]):.2f} s"

    line(
        "recompute after a holiday is added (calendar_day_set)",
        rec,
        f"{spread('recompute')}  {ratio:.2f}× the reference, target ≥ {TARGET}×: {verdict}",
    )
    line("  reference: bulk UPDATE of the same rows (clocks + items)", ref, spread("reference"))
    line(
        "    the clock table alone", clocks, f"{spread('clocks')}  (recompute {clocks / rec:.2f}×)"
    )
    line(
        "  of the recompute: reading the clocks, computing the dates", compute, "  nothing written"
    )
    return 0 if ratio >= TARGET else 1


def load(n: int) -> None:
    """N open applications in review with their review clocks, by raw inserts (the services
    would take an hour); the clocks' dates computed as clock_start computes them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from regulus.core import demo
    from regulus.core.calendar import holiday_table
    from regulus.core.clocks import trace_due_date
    from regulus.core.crypto import keyed_hash, sm4_encrypt
    from regulus.core.models import Clock, ClockRule, OrgUnit
    from regulus.licensing.catalogue import catalogue_ensure
    from regulus.licensing.models import Application, Bundle

    demo.seed_bureau(log=lambda s: None)
    catalogue_ensure()
    rng = random.Random(2026)
    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU))
    bundles = list(Bundle.objects.values_list("id", flat=True))
    rule = ClockRule.objects.filter(code="licensing.review").order_by("-effective_from").first()
    assert rule is not None
    content_type = ContentType.objects.get_for_model(Application)
    table = holiday_table()
    phone, phone_hash = sm4_encrypt("13800000000"), keyed_hash("13800000000")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_clockhistory")
        cur.execute("DELETE FROM core_clock")
        cur.execute("DELETE FROM licensing_application")
    app_fields = [
        "number", "bundle", "applicant_name", "entity_kind", "is_new_business", "uscc",
        "contact_name", "contact_id_number", "contact_id_hash", "contact_phone",
        "contact_phone_hash", "address", "district_code", "business_scope", "unit", "channel",
        "path", "state", "deadline", "deadline_provisional", "statutory_days", "promised_days",
        "acceptance_days", "issue_days", "delivery_days", "rectification_days",
        "onsite_check_required", "submitted_at", "correction_count", "correction_notice",
        "decision_note", "commitment_signer", "commitment_text", "delivery_method",
        "delivery_address", "tracking_number", "visits", "materials_count", "same_day",
    ]  # fmt: skip
    clock_fields = [
        "content_type", "object_id", "name", "label", "rule", "unit", "is_main", "start_date",
        "days", "extension_days", "status", "due_date", "provisional", "started_at",
    ]  # fmt: skip
    dates: dict[tuple[dt.date, int], dt.date] = {}
    batch = 10_000
    with transaction.atomic():
        for first in range(0, n, batch):
            apps, clocks = [], []
            for i in range(first, min(n, first + batch)):
                district = districts[i % len(districts)]
                start = HOLIDAY - dt.timedelta(days=rng.randint(1, 14))
                days = rng.randint(10, 20)
                if (start, days) not in dates:
                    dates[(start, days)] = trace_due_date(start, days, table=table).deadline.date
                due = dates[(start, days)]
                at = dt.datetime.combine(start, dt.time(10), dt.UTC)
                apps.append((
                    f"YJS{start:%Y%m%d}C{i:07d}", rng.choice(bundles), f"基准测试主体{i}",
                    "enterprise", True, "", "张三", "", "", phone, phone_hash, "长沙市某路1号",
                    district.division_code, "", district.pk, "window", "normal", "review", due,
                    False, 20, days, 5, 1, 3, 10, False, at, 0, "[]", "", "", "", "pickup", "",
                    "", 1, 7, False,
                ))  # fmt: skip
                clocks.append((due, start, days, at))
            insert(Application, app_fields, apps)
            numbers = [a[0] for a in apps]
            ids = dict(Application.objects.filter(number__in=numbers).values_list("number", "id"))
            insert(
                Clock,
                clock_fields,
                [
                    (content_type.pk, ids[number], "review", "审查期限", rule.pk, "working", True,
                     start, days, 0, "running", due, False, at)
                    for number, (due, start, days, at) in zip(numbers, clocks, strict=True)
                ],
            )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE core_clock")
            cur.execute("VACUUM ANALYZE licensing_application")


def insert(model, fields, rows) -> None:
    from django.db import connection

    columns = [model._meta.get_field(f).column for f in fields]
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})", rows
        )


if __name__ == "__main__":
    sys.exit(main())
