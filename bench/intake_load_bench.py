"""12315 intake under concurrent HTTP load (issue 21, Performance): the partner intake API
(`POST /api/v1/complaints/intake`, an API token of a dispatcher) through `regulus serve`
(gunicorn, production settings) on the loopback, 32 concurrent keep-alive connections for a
fixed time, beside a bare view on the same server that inserts one item row with raw SQL
(`/bench/insert-row`, bench/load_urls.py), measured in the same run. Issue 21's target:
intake ≥ 0.3× the bare insert's requests per second; p99 printed.

    .venv/bin/python bench/intake_load_bench.py [--items 100000] [--db sqlite|pg]
                                                [--seconds 10] [--connections 32]

Every request is a new item from a new caller: a fresh idempotency key, fresh facts and a
fresh phone, so neither the idempotent replay nor the same-day duplicate short-cut answers
it (and no phone piles up a day of items for the checks to read); the intake still runs the
entity match (the respondent's USCC by the unique index; this database holds no registry, so
it misses, at the cost of a hit), routing, the repeat check, the acceptance clock, the
timeline event and the audit row. The stored items are complaints_bench's (`build`), in a
database kept per size and engine under var/bench-intake-<db>-<N>/ (PostgreSQL:
regulus_intakebench_<N>). The server, the client and the exemption of the loopback from the
rate limits are load_bench's; the client shares the 2 cores with the server, so the figures
are a floor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import load_bench  # noqa: E402
from backup_bench import instance_env  # noqa: E402
from complaints_bench import build, ensure_pg_database  # noqa: E402

MAX_SECONDS = 60

# A partner platform's transfer: a complaint against a registered shop (USCC checked, so the
# entity match runs), with a phone (the repeat check runs). {key} and {phone} are fresh per
# request: many callers, as on a hotline (one phone filing all day is the rate limit's case).
INTAKE_BODY = json.dumps(
    {
        "idempotency_key": "{key}",
        "kind": "complaint",
        "category": "food",
        "line": "12345",
        "respondent_name": "基准经营者17",
        "respondent_uscc": "91430102MA4L0000XX",
        "district_code": "430102",
        "facts": "第{key}件平台转办的基准投诉：购买的食品过期",
        "request_text": "退款",
        "person_name": "王丽",
        "person_phone": "{phone}",
    },
    ensure_ascii=False,
)


@dataclass(frozen=True)
class IntakeRequest(load_bench.Request):
    """A fresh key and a fresh caller's phone in every body."""

    def fresh_body(self) -> bytes | None:
        body = super().fresh_body()
        assert body is not None
        return body.replace(b"{phone}", f"139{random.randrange(10**8):08d}".encode())


def instance(db: str, items: int) -> dict[str, str]:
    """The environment of the kept instance, built (migrated, seeded, items stored) here."""
    var = ROOT / "var" / f"bench-intake-{db}-{items}"
    var.mkdir(parents=True, exist_ok=True)
    if db == "pg":
        name = f"regulus_intakebench_{items}"
        ensure_pg_database(name)
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        url = f"sqlite:///{var / 'regulus.sqlite3'}"
    env = instance_env(var, url)
    os.environ.clear()
    os.environ.update(env, DJANGO_SETTINGS_MODULE="regulus.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    build(items)
    call_command("createcachetable")
    connections.close_all()  # the client processes fork from this one
    return env


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args, _ = parser.parse_known_args()
    load_bench.THREADS = max(1, args.connections // load_bench.PROCESSES)
    seconds = min(args.seconds, MAX_SECONDS)

    env = instance(args.db, args.items)
    token = load_bench.regulus_out(env, "issue_token", "fenpai", "--name", "受理负载测试")
    headers = {"Content-Type": "application/json"}
    runs = [
        (
            "reference: bare view, raw SQL INSERT of one item",
            IntakeRequest("/bench/insert-row", INTAKE_BODY, 201),
            headers,
        ),
        (
            "partner intake API (match, route, repeat check, clock, audit)",
            IntakeRequest("/api/v1/complaints/intake", INTAKE_BODY, 201),
            {**headers, "Authorization": f"Bearer {token}"},
        ),
    ]
    port = load_bench.free_port()
    server = load_bench.start_server(load_bench.server_env(env), port)
    try:
        connections = load_bench.PROCESSES * load_bench.THREADS
        print(f"[{args.db}, {args.items:,} stored items, {connections} connections, "
              f"{seconds:.0f} s each, gunicorn {os.cpu_count()} cores]")  # fmt: skip
        measured = []
        for label, request, sent in runs:
            load_bench.load(port, request, sent, min(2.0, seconds / 5))  # warm the workers up
            rps, p99, share, errors = load_bench.load(port, request, sent, seconds)
            measured.append(rps)
            print(f"{label:62s} {rps:7.0f} req/s  p99 {p99:7.1f} ms  "
                  f"errors {errors} ({share:.2%})")  # fmt: skip
    finally:
        load_bench.stop_server(server)
    print(f"intake / raw insert: {measured[1] / measured[0]:.2f}× (issue 21 target ≥ 0.3×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
