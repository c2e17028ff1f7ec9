"""Licensing at scale: 200,000 applications (default), then

1. a district handler's list (open items, overdue flags, nearest deadline first, page of 30
   plus its count), through `selectors.applications_for` — target p99 ≤ 50 ms;
2. certificate verification on the portal (`selectors.certificate_public`, and the whole
   portal page through the test client) — target p99 ≤ 10 ms;

each beside the raw-SQL reference on the same data in the same run.

    .venv/bin/python bench/licensing_bench.py [--applications 200000] [--keep DIR]

Uses its own database, never the one in DATABASE_URL (it empties the licensing tables): a
temporary SQLite file, or with `--db pg` the PostgreSQL database `regulus_licbench` on
127.0.0.1 (created when missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def timed(fn, runs: int) -> tuple[float, float]:
    for _ in range(10):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), p99(samples)


PG_URL = "postgres://postgres@127.0.0.1:5432/regulus_licbench"


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'regulus_licbench'").fetchone():
            c.execute("CREATE DATABASE regulus_licbench")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", default="")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    args, _ = parser.parse_known_args()

    var = args.keep or tempfile.mkdtemp(prefix="regulus-licbench-")
    os.environ["REGULUS_VAR_DIR"] = var
    if args.db == "pg":
        os.environ["DATABASE_URL"] = PG_URL
        ensure_pg_database()
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["REGULUS_DEBUG"] = "1"
    # The verification page is requested hundreds of times a minute from one address: a limit
    # no run reaches, so that the page's figure still includes counting each request.
    os.environ["REGULUS_RATE_PORTAL_CERTIFICATE"] = "1000000/m"
    os.environ["DJANGO_SETTINGS_MODULE"] = "regulus.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from regulus.core import clock, demo
    from regulus.core.models import OrgUnit, User
    from regulus.licensing import selectors
    from regulus.licensing.models import Application, Bundle, Certificate

    demo.seed_bureau(log=lambda s: None)
    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU))
    bundles = list(Bundle.objects.values_list("id", flat=True))
    n = args.applications
    started = time.perf_counter()
    if Application.objects.count() != n:
        load(n, districts, bundles, connection, transaction, Application, Certificate, clock)
    print(
        f"{n:,} applications, {Certificate.objects.count():,} certificates "
        f"({connection.vendor}); load {time.perf_counter() - started:.1f} s"
    )

    handler = User.objects.get(username="furong_handler")
    open_states = Application.workflow.open_states()
    scope = sorted(OrgUnit.objects.get(pk=handler.unit_id).subtree_ids())

    from regulus.core.workflow import DeferredRows

    def orm_list() -> None:
        rows = DeferredRows(selectors.applications_for(handler, open_only=True))
        assert len(rows[:30]) == 30
        rows.count()

    today = clock.today()
    marks = ",".join(["%s"] * len(scope))
    smarks = ",".join(["%s"] * len(open_states))
    raw_list_sql = (
        "SELECT a.number, a.applicant_name, a.state, a.deadline, a.submitted_at, b.name, "
        f"(a.deadline < %s AND a.state IN ({smarks})) FROM licensing_application a "
        "JOIN licensing_bundle b ON b.id = a.bundle_id "
        f"WHERE a.unit_id IN ({marks}) AND a.state IN ({smarks}) "
        "ORDER BY a.deadline, a.id LIMIT 30"
    )
    raw_count_sql = (
        f"SELECT COUNT(*) FROM licensing_application WHERE unit_id IN ({marks}) "
        f"AND state IN ({smarks})"
    )

    raw_ids_sql = (
        f"SELECT id FROM licensing_application WHERE unit_id IN ({marks}) "
        f"AND state IN ({smarks}) ORDER BY deadline, id LIMIT 30"
    )
    raw_rows_sql = (
        "SELECT a.number, a.applicant_name, a.state, a.deadline, a.submitted_at, b.name, "
        f"(a.deadline < %s AND a.state IN ({smarks})) FROM licensing_application a "
        "JOIN licensing_bundle b ON b.id = a.bundle_id WHERE a.id IN ({ids})"
    )

    def raw_deferred() -> None:
        with connection.cursor() as cur:
            cur.execute(raw_ids_sql, [*scope, *open_states])
            ids = [r[0] for r in cur.fetchall()]
            cur.execute(
                raw_rows_sql.replace("{ids}", ",".join(["%s"] * len(ids))),
                [today, *open_states, *ids],
            )
            cur.fetchall()
            cur.execute(raw_count_sql, [*scope, *open_states])
            cur.fetchone()

    def raw_list() -> None:
        with connection.cursor() as cur:
            cur.execute(raw_list_sql, [today, *open_states, *scope, *open_states])
            cur.fetchall()
            cur.execute(raw_count_sql, [*scope, *open_states])
            cur.fetchone()

    numbers = list(Certificate.objects.values_list("number", flat=True)[:5000])
    rng = random.Random(1)

    def orm_verify() -> None:
        assert selectors.certificate_public(rng.choice(numbers)) is not None

    def raw_verify() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT number, holder_name, uscc, items, issued_on, valid_until, "
                "issuing_unit_name, status, revoked_on, revoke_reason "
                "FROM licensing_certificate WHERE number = %s",
                [rng.choice(numbers)],
            )
            cur.fetchone()

    from django.test import Client

    client = Client(HTTP_HOST="localhost")

    def page_verify() -> None:
        response = client.get(f"/portal/certificates/{rng.choice(numbers)}/")
        assert response.status_code == 200

    def handler_page() -> None:
        assert page_client.get("/licensing/applications/?open=1").status_code == 200

    page_client = Client(HTTP_HOST="localhost")
    page_client.force_login(handler)
    open_count = Application.objects.visible_to(handler).filter(state__in=open_states).count()
    print(f"handler furong_handler: {open_count:,} open applications in scope")
    rows = [
        ("handler list + overdue flags + count (ORM)", orm_list, 50.0),
        ("  reference: raw SQL, one query (rows fetched, then sorted)", raw_list, None),
        ("  reference: raw SQL, ids from the index then 30 rows", raw_deferred, None),
        ("handler list page /licensing/applications/?open=1 (HTTP)", handler_page, None),
        ("certificate verification (selector)", orm_verify, 10.0),
        ("  reference: raw SQL by number", raw_verify, None),
        ("certificate verification page /portal/certificates/<n>/ (HTTP)", page_verify, 10.0),
    ]
    failed = False
    for label, fn, target in rows:
        median, tail = timed(fn, args.runs)
        verdict = ""
        if target is not None:
            ok = tail <= target
            failed |= not ok
            verdict = f"  target p99 ≤ {target:.0f} ms: {'OK' if ok else 'MISSED'}"
        print(f"{label:<64} median {median:7.2f} ms  p99 {tail:7.2f} ms{verdict}")
    return 1 if failed else 0


def load(n, districts, bundles, connection, transaction, Application, Certificate, clock):
    """Bulk-load n applications (and a certificate for each issued one) with raw inserts."""
    from regulus.core.crypto import keyed_hash, sm4_encrypt

    rng = random.Random(2026)
    today = clock.today()
    now = clock.now()
    states = [
        ("submitted", 8),
        ("correction", 3),
        ("review", 10),
        ("onsite_check", 3),
        ("approved", 2),
        ("issued", 14),
        ("delivered", 50),
        ("refused", 4),
        ("not_accepted", 3),
        ("withdrawn", 2),
        ("revoked", 1),
    ]
    names, weights = zip(*states, strict=True)
    open_states = set(Application.workflow.open_states())
    phone = sm4_encrypt("13800000000")
    phone_hash = keyed_hash("13800000000")
    idno = sm4_encrypt("11010519491231002X")
    with connection.cursor() as cur:
        cur.execute("DELETE FROM licensing_certificate")
        cur.execute("DELETE FROM licensing_application")
    app_cols = [
        "number",
        "bundle_id",
        "applicant_name",
        "entity_kind",
        "is_new_business",
        "uscc",
        "contact_name",
        "contact_id_number",
        "contact_id_hash",
        "contact_phone",
        "contact_phone_hash",
        "address",
        "district_code",
        "business_scope",
        "unit_id",
        "channel",
        "path",
        "state",
        "deadline",
        "deadline_provisional",
        "statutory_days",
        "promised_days",
        "onsite_check_required",
        "submitted_at",
        "completed_at",
        "correction_count",
        "correction_notice",
        "decision_note",
        "commitment_signer",
        "commitment_text",
        "delivery_method",
        "delivery_address",
        "tracking_number",
        "visits",
        "materials_count",
        "working_days_taken",
        "same_day",
    ]
    cert_cols = [
        "number",
        "application_id",
        "holder_name",
        "uscc",
        "address",
        "items",
        "issued_on",
        "valid_until",
        "issuing_unit_id",
        "issuing_unit_name",
        "status",
        "revoke_reason",
    ]
    app_sql = (
        f"INSERT INTO licensing_application ({','.join(app_cols)}) VALUES "
        f"({','.join(['%s'] * len(app_cols))})"
    )
    cert_sql = (
        f"INSERT INTO licensing_certificate ({','.join(cert_cols)}) VALUES "
        f"({','.join(['%s'] * len(cert_cols))})"
    )
    batch = 5000
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                d = districts[i % len(districts)]
                state = rng.choices(names, weights=weights)[0]
                day = today - dt.timedelta(days=rng.randint(0, 365))
                submitted = now - dt.timedelta(days=(today - day).days, minutes=rng.randint(0, 600))
                done = state not in open_states
                deadline = (day + dt.timedelta(days=rng.randint(3, 30))) if not done else None
                rows.append(
                    (
                        f"YJS{day:%Y%m%d}B{i:07d}",
                        rng.choice(bundles),
                        f"基准测试主体{i}",
                        "enterprise",
                        True,
                        "",
                        "张三",
                        idno,
                        "",
                        phone,
                        phone_hash,
                        "长沙市某路1号",
                        d.division_code,
                        "",
                        d.pk,
                        "window",
                        "commitment" if rng.random() < 0.4 else "normal",
                        state,
                        deadline,
                        False,
                        20,
                        5,
                        True,
                        submitted,
                        submitted if done else None,
                        0,
                        "[]",
                        "",
                        "",
                        "",
                        "pickup",
                        "",
                        "",
                        1,
                        7,
                        0 if done else None,
                        done,
                    )
                )
            cur.executemany(app_sql, rows)
        cur.execute(
            "SELECT id, number, unit_id, submitted_at FROM licensing_application "
            "WHERE state IN ('issued', 'delivered', 'revoked')"
        )
        issued = cur.fetchall()
        unit_names = {d.pk: d.name for d in districts}
        items = '[{"item": "食品经营许可：食品销售", "treatment": "许可", "valid_until": ""}]'
        for start in range(0, len(issued), batch):
            rows = []
            for app_id, number, unit_id, submitted in issued[start : start + batch]:
                on = submitted.date() if hasattr(submitted, "date") else today
                rows.append(
                    (
                        f"DZ{number[3:]}",
                        app_id,
                        f"基准测试主体{app_id}",
                        "",
                        "长沙市某路1号",
                        items,
                        on,
                        on + dt.timedelta(days=5 * 365),
                        unit_id,
                        unit_names[unit_id],
                        "valid",
                        "",
                    )
                )
            cur.executemany(cert_sql, rows)
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics and the visibility map (so
        # that the list's ids come from an index-only scan).
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE licensing_application")
            cur.execute("VACUUM ANALYZE licensing_certificate")


if __name__ == "__main__":
    sys.exit(main())
