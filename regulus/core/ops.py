"""What the operator's tools ask a running instance: is the process up (`/healthz`), may it
take traffic (`/readyz`), and its figures in Prometheus' text format (`/ops/metrics`).

- `/healthz` answers 200 as long as the process answers at all; it reads nothing, so a load
  balancer or systemd's watchdog restarting on it never restarts a process for a database
  outage (that would only add a restart storm to the outage).
- `/readyz` runs the readiness checks below and answers 200 when all pass, 503 with each
  failure named otherwise: nginx or a load balancer takes the server out of rotation, and the
  operator reads why.
- `/ops/metrics` is for the system administrator (core.metrics_view), signed in or with an
  API token (Prometheus' `authorization: credentials_file`). Every figure is read from the
  database or the disk at scrape time, so any worker of any server gives the same answer:
  nothing is counted in a process's memory (docs/scale-out.md: no process-local state).
  Request rates and latencies come from gunicorn's own statsd output and nginx
  (docs/deploy/README.md), not from here.

The thresholds are settings (docs/configuration.md): READY_QUEUE_MAX_SECONDS,
READY_DISK_MIN_MB.
"""

from __future__ import annotations

import functools
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from regulus.core import clock
from regulus.core.permissions import page


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"; the detail says which
        return Check("database", False, f"数据库不可达：{type(exc).__name__}: {exc}"[:300])
    return Check("database", True, "数据库可达")


# Once every migration is applied it stays so until the code changes (a deploy restarts the
# process), so the plan is worked out once per process and then only while something is
# missing: the check costs nothing on the hot path of a load balancer's polling.
_migrations_complete = False


def check_migrations() -> Check:
    global _migrations_complete
    if _migrations_complete:
        return Check("migrations", True, "迁移已全部执行")
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Check("migrations", False, f"无法读取迁移状态：{type(exc).__name__}"[:300])
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        return Check("migrations", False, f"有 {len(plan)} 个迁移未执行：{names}")
    _migrations_complete = True
    return Check("migrations", True, "迁移已全部执行")


def oldest_waiting_task_age() -> float | None:
    """Seconds the oldest task that is due has waited in the queue (None: nothing waits).
    A worker that died or hangs shows as this age growing: the queue is its heartbeat."""
    from django_tasks_db.models import DBTaskResult

    now = clock.now()
    oldest = (
        DBTaskResult.objects.filter(status="READY", run_after__lte=now)
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    return None if oldest is None else max(0.0, (now - oldest).total_seconds())


def check_task_queue() -> Check:
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return Check("task_queue", True, "任务在请求内执行（无后台队列）")
    try:
        age = oldest_waiting_task_age()
    except Exception as exc:
        return Check("task_queue", False, f"无法读取任务队列：{type(exc).__name__}"[:300])
    limit = settings.READY_QUEUE_MAX_SECONDS
    if age is not None and age > limit:
        return Check(
            "task_queue",
            False,
            f"最早的待执行任务已等待 {age:.0f} 秒（上限 {limit} 秒）：后台任务进程可能未运行",
        )
    return Check("task_queue", True, "后台任务队列正常")


def storage_paths() -> dict[str, Path]:
    """The directories the instance writes to: uploads, and the SQLite file's folder."""
    paths = {"media": Path(settings.MEDIA_ROOT)}
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    if database["ENGINE"].endswith("sqlite3"):
        paths["database"] = Path(str(database["NAME"])).parent
    return paths


def free_bytes(path: Path) -> int:
    """Free space of the file system that holds `path` (its nearest existing ancestor)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def check_disk() -> Check:
    minimum = settings.READY_DISK_MIN_MB * 1024 * 1024
    short = [
        f"{name}（{path}）剩余 {free_bytes(path) // (1024 * 1024)} MB"
        for name, path in storage_paths().items()
        if free_bytes(path) < minimum
    ]
    if short:
        limit = settings.READY_DISK_MIN_MB
        return Check("disk", False, f"磁盘空间不足（下限 {limit} MB）：" + "；".join(short))
    return Check("disk", True, "磁盘空间充足")


READINESS_CHECKS: tuple[Callable[[], Check], ...] = (
    check_database,
    check_migrations,
    check_task_queue,
    check_disk,
)


def readiness() -> list[Check]:
    checks = [check_database()]
    if not checks[0].ok:  # the others read the database: one cause, one line
        return checks
    return checks + [check() for check in READINESS_CHECKS[1:]]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    ready = all(c.ok for c in checks)
    return JsonResponse(
        {
            "status": "ready" if ready else "not_ready",
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
        },
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )


# -- metrics ---------------------------------------------------------------------------------


def _sample(name: str, value: float, labels: dict[str, str] | None = None) -> str:
    if labels:
        inner = ",".join(
            f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
            for k, v in labels.items()
        )
        return f"{name}{{{inner}}} {value:g}"
    return f"{name} {value:g}"


def _family(name: str, kind: str, help_text: str, samples: list[str]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *samples]


def _task_counts() -> dict[str, int]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def _database_bytes() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = Path(str(connection.settings_dict["NAME"]))
    return sum(p.stat().st_size for p in name.parent.glob(name.name + "*") if p.is_file())


def metrics_text() -> str:
    """Every figure, in the Prometheus text exposition format (version 0.0.4)."""
    from regulus.core.models import AuditChainHead, User

    started = time.monotonic()
    checks = readiness()
    head = AuditChainHead.objects.filter(pk=1).first()
    lines: list[str] = []
    lines += _family(
        "regulus_ready_check",
        "gauge",
        "1 when the readiness check passes, 0 when it fails (see /readyz)",
        [_sample("regulus_ready_check", int(c.ok), {"check": c.name}) for c in checks],
    )
    if checks[0].ok:
        lines += _family(
            "regulus_tasks",
            "gauge",
            "Background tasks in the queue table, by status",
            [_sample("regulus_tasks", n, {"status": s}) for s, n in sorted(_task_counts().items())],
        )
        age = oldest_waiting_task_age()
        lines += _family(
            "regulus_task_queue_oldest_seconds",
            "gauge",
            "Seconds the oldest due task has waited (0 when none waits)",
            [_sample("regulus_task_queue_oldest_seconds", round(age or 0.0, 1))],
        )
        lines += _family(
            "regulus_audit_chain_rows",
            "counter",
            "Rows in the operation log's chain",
            [_sample("regulus_audit_chain_rows", head.count if head else 0)],
        )
        lines += _family(
            "regulus_staff_active",
            "gauge",
            "Active staff accounts",
            [_sample("regulus_staff_active", User.objects.filter(is_active=True).count())],
        )
        lines += _family(
            "regulus_database_bytes",
            "gauge",
            "Size of the database on disk",
            [_sample("regulus_database_bytes", _database_bytes())],
        )
    lines += _family(
        "regulus_disk_free_bytes",
        "gauge",
        "Free space of the file systems the instance writes to",
        [
            _sample("regulus_disk_free_bytes", free_bytes(path), {"path": name})
            for name, path in storage_paths().items()
        ],
    )
    lines += _family(
        "regulus_metrics_scrape_seconds",
        "gauge",
        "Time this scrape took",
        [_sample("regulus_metrics_scrape_seconds", round(time.monotonic() - started, 4))],
    )
    return "\n".join(lines) + "\n"


def bearer_or_session(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page that a scraper may also call with `Authorization: Bearer <API token>`:
    the token's user stands in for the session's, and the page's own permission check
    follows (a revoked token is no user: the login redirect)."""
    from regulus.core.tokens import token_authenticate

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = token_authenticate(header[7:].strip())
            if user is None:
                return JsonResponse(
                    {"code": "unauthorized", "message": "令牌无效或已吊销", "fields": {}},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="regulus", error="invalid_token"'},
                    json_dumps_params={"ensure_ascii": False},
                )
            request.user = user
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@bearer_or_session
@page("core.metrics_view")
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(metrics_text(), content_type="text/plain; version=0.0.4; charset=utf-8")
