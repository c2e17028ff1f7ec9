"""The served application under load: `regulus serve` (gunicorn, production settings) on the
loopback, 32 concurrent keep-alive connections, each page for a fixed time, beside the same
server's bare view (the middleware, no database) and bare one-row read, in the same run.

    .venv/bin/python bench/load_bench.py [--entities 3000] [--db sqlite|pg] [--seconds 10]
                                         [--connections 32]

The demo city is the one bench/backup_bench.py builds (`regulus seed_demo`, kept under
var/bench-backup-<db>-<N>/). The client runs in 4 processes of 8 threads (one process cannot
keep 32 connections busy); on this 2-core machine it shares the cores with the server, so
the figures are a floor. The portal's rate limits count per address and the whole load comes
from 127.0.0.1: the bench exempts the loopback (REGULUS_THROTTLE_EXEMPT), as a deployment
exempts its service hall's terminals.

Pages: the portal's home, its enterprise lookup (a search and an entity's public page), the
certificate search page, and the API's entity read (a token of a city-wide business account).
References: `/bench/bare` (an empty answer through every middleware) and `/bench/one-row`
(one unit read by primary key, through the ORM); bench/load_urls.py adds them to the URL conf
of this bench's server only.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from backup_bench import demo_city, psql  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(env: dict[str, str]) -> dict[str, str]:
    served = dict(env)
    served.pop("REGULUS_DEBUG", None)
    served.update(
        DJANGO_SETTINGS_MODULE="load_settings",
        PYTHONPATH=str(HERE),
        REGULUS_THROTTLE_EXEMPT="127.0.0.0/8",
        REGULUS_SECURE_COOKIES="0",
        REGULUS_LOG_LEVEL="ERROR",
    )
    return served


def regulus_out(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "regulus.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"regulus {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def one_value(env: dict[str, str], db: str, sql: str) -> str:
    if db == "pg":
        return psql(sql, env["DATABASE_URL"].rsplit("/", 1)[1])
    import sqlite3

    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as conn:
        return str(conn.execute(sql).fetchone()[0])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [sys.executable, "-m", "regulus.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--access-log", "/dev/null"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: {server.stderr.read() if server.stderr else ''}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGINT)  # gunicorn's quick shutdown
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _client(
    port: int, request: Request, headers: dict[str, str], until: float, out: mp.Queue
) -> None:
    """One process: 8 threads, each one keep-alive connection, requesting until `until`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    method = "GET" if request.body is None else "POST"

    def loop() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < until:
            body = request.fresh_body()
            started = time.perf_counter()
            try:
                conn.request(method, request.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != request.status:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=loop) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, errors[0]))


@dataclass(frozen=True)
class Request:
    """What each connection sends: a GET of `path`, or with `body` a POST of it, where every
    `{key}` is replaced by a fresh random key (each request a new item: no idempotent
    replay, no repeat). `status` is the answer that counts as a success."""

    path: str
    body: str | None = None
    status: int = 200

    def fresh_body(self) -> bytes | None:
        if self.body is None:
            return None
        return self.body.replace("{key}", uuid.uuid4().hex).encode()


PROCESSES, THREADS = 4, 8


def load(
    port: int, request: str | Request, headers: dict[str, str], seconds: float
) -> tuple[float, float, float, int]:
    """(requests a second, p99 in ms, error rate, errors) over `seconds` of 32 connections;
    `request` is a path to GET or a Request."""
    if isinstance(request, str):
        request = Request(request)
    out: mp.Queue = mp.Queue()
    until = time.monotonic() + seconds
    procs = [
        mp.Process(target=_client, args=(port, request, headers, until, out))
        for _ in range(PROCESSES)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        got, bad = out.get()
        latencies.extend(got)
        errors += bad
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    total = len(latencies) + errors
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0
    return len(latencies) / elapsed, p99, errors / total if total else 0.0, errors


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args, _ = parser.parse_known_args()
    global PROCESSES, THREADS
    PROCESSES = 4
    THREADS = max(1, args.connections // PROCESSES)
    seconds = min(args.seconds, 60)

    env, _var = demo_city(args.db, args.entities)
    served = server_env(env)
    # A city-wide business account (the system administrator reads no entities: 等保's duties).
    token = regulus_out(env, "issue_token", "dengji", "--name", "负载测试")
    uscc = one_value(env, args.db, "SELECT uscc FROM registry_entity ORDER BY id LIMIT 1 OFFSET 7")
    pages = [
        ("portal home", "/portal/", {}),
        ("enterprise lookup: search 超市", "/portal/entities/?q=%E8%B6%85%E5%B8%82", {}),
        ("enterprise lookup: an entity's page", f"/portal/entities/{uscc}/", {}),
        ("certificate search page", "/portal/certificates/", {}),
        ("API entity read", f"/api/v1/entities/{uscc}", {"Authorization": f"Bearer {token}"}),
    ]
    references = [("bare view (no database)", "/bench/bare", {}),
                  ("bare one-row read", "/bench/one-row", {})]  # fmt: skip
    port = free_port()
    server = start_server(served, port)
    try:
        print(
            f"[{args.db}, {args.entities} entities, {PROCESSES * THREADS} connections, "
            f"{seconds:.0f} s each, gunicorn {os.cpu_count()} cores]"
        )
        measured = {}
        for label, path, headers in references + pages:
            load(port, path, headers, min(2.0, seconds / 5))  # warm the workers up
            measured[label] = load(port, path, headers, seconds)
        bare_rps = measured["bare view (no database)"][0]
        row_rps = measured["bare one-row read"][0]
        for label, (rps, p99, errors, _) in measured.items():
            ratio = (
                f" | {rps / row_rps:.2f} of the one-row read"
                if label not in dict((r[0], 1) for r in references)
                else ""
            )
            print(
                f"{label:38s} {rps:8.0f} req/s  p99 {p99:7.1f} ms  errors {errors:.2%}"
                f"{ratio} | bare view {bare_rps:.0f} req/s"
            )
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
