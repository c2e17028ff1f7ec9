"""Serving in production: `regulus serve` refuses debug, a weak key and missing migrations;
/healthz and /readyz say what a load balancer needs; every answer carries its request id and
every log record names it; the metrics are the system administrator's, by session or token."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regulus.core import clock, ops
from regulus.core.logsafe import JsonFormatter, RequestIdFilter
from regulus.core.tokens import token_issue, token_revoke

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "REGULUS_FIELD_KEY": "0123456789abcdef0123456789abcdef",
    "REGULUS_AUDIT_KEY": "ab" * 32,
    "REGULUS_SECRET_KEY": "k" * 10 + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
}


def _settings_in_production(**overrides: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, not under pytest (TESTING off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGULUS_")}
    env.update(PRODUCTION_ENV, **overrides)
    return subprocess.run(
        [sys.executable, "-c", "import regulus.settings"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_settings_start_with_a_strong_key():
    assert _settings_in_production().returncode == 0


@pytest.mark.parametrize(
    "key",
    ["", "short-key", "a" * 60, "regulus-dev-only-secret-key-never-use-in-production-0123456789"],
    ids=["missing", "short", "repetitive", "development"],
)
def test_production_settings_refuse_a_missing_short_or_default_key(key):
    result = _settings_in_production(REGULUS_SECRET_KEY=key)
    assert result.returncode != 0
    assert "REGULUS_SECRET_KEY" in result.stderr


def test_serve_refuses_to_start_with_debug_on(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="REGULUS_DEBUG"):
        call_command("serve", "--check")


def test_serve_refuses_testing_settings_and_names_the_gunicorn_command(settings, capsys):
    settings.TESTING = True
    with pytest.raises(CommandError, match="REGULUS_TESTING"):
        call_command("serve", "--check")
    settings.TESTING = False
    call_command("serve", "--check", "--workers", "3", "--bind", "127.0.0.1:9999")
    out = capsys.readouterr().out
    assert "gunicorn -c python:regulus.gunicorn_conf regulus.wsgi" in out
    assert "--workers 3" in out and "127.0.0.1:9999" in out


def test_serve_refuses_unapplied_migrations(settings, monkeypatch):
    settings.TESTING = False
    missing = ops.Check("migrations", False, "有 1 个迁移未执行：core.9999_x")
    monkeypatch.setattr("regulus.core.management.commands.serve.check_migrations", lambda: missing)
    with pytest.raises(CommandError, match="regulus migrate"):
        call_command("serve", "--check")


def test_workers_follow_the_cores_within_the_ceiling(monkeypatch):
    from regulus.core.management.commands import serve

    monkeypatch.setattr(serve, "available_cores", lambda: 2)
    assert serve.default_workers() == 5
    monkeypatch.setattr(serve, "available_cores", lambda: 64)
    assert serve.default_workers() == 16


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_passes_every_check_on_a_working_instance(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert set(response.json()["checks"]) == {"database", "migrations", "task_queue", "disk"}


def test_readyz_fails_on_a_stalled_task_queue(client, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = DBTaskResult.objects.create(
        status="READY", args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
        queue_name="default", backend_name="default", run_after=clock.now(),
    )  # fmt: skip
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=clock.now() - dt.timedelta(seconds=settings.READY_QUEUE_MAX_SECONDS + 60)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    check = response.json()["checks"]["task_queue"]
    assert not check["ok"] and "后台任务进程可能未运行" in check["detail"]


def test_readyz_fails_when_the_disk_is_nearly_full(client, settings):
    settings.READY_DISK_MIN_MB = 10**12  # more than any disk has free
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "磁盘空间不足" in response.json()["checks"]["disk"]["detail"]


def test_readyz_fails_when_the_database_is_unreachable(client, monkeypatch):
    def broken() -> ops.Check:
        return ops.Check("database", False, "数据库不可达：OperationalError")

    monkeypatch.setattr(ops, "check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json()["checks"]) == ["database"]


def test_every_answer_carries_a_request_id_and_keeps_a_proxys(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    given = "0f" * 16
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\r\nforged")["X-Request-ID"]
    assert forged != "x\r\nforged" and len(forged) == 32


def test_json_log_lines_are_one_line_with_the_request_id():
    record = logging.LogRecord(
        "regulus.x", logging.WARNING, __file__, 1, "坏\r\n伪造 %s", ("\u202e",), None
    )
    RequestIdFilter().filter(record)
    line = JsonFormatter().format(record)
    assert "\n" not in line and "\r" not in line and "\u202e" not in line
    entry = json.loads(line)
    assert entry["message"] == "坏\r\n伪造 \u202e" and entry["request_id"] == "-"
    assert entry["level"] == "WARNING" and entry["logger"] == "regulus.x"


def test_metrics_are_the_system_administrators(client, city_admin, handler, auditor):
    client.force_login(city_admin)
    response = client.get("/ops/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'regulus_ready_check{check="database"} 1' in text
    assert "# TYPE regulus_audit_chain_rows counter" in text
    for other in (handler, auditor):
        client.force_login(other)
        assert client.get("/ops/metrics").status_code == 403
    client.logout()
    assert client.get("/ops/metrics").status_code == 302  # the login page


def test_metrics_take_a_token_and_refuse_a_revoked_one(client, city_admin):
    token, plain = token_issue(user=city_admin, name="Prometheus")
    response = client.get("/ops/metrics", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200 and b"regulus_tasks" in response.content
    token_revoke(token=token, actor=city_admin)
    response = client.get("/ops/metrics", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 401
