"""`regulus tick`: every registered sweep once, each in its own transaction, one failing sweep
never stopping the others, never two runs at once, and nothing changed by a second run."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from regulus.core import tick
from regulus.core.models import AuditLog, OrgUnit, TransitionEvent

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


@pytest.fixture(autouse=True)
def tick_lock_file(settings, tmp_path):
    """Each test its own lock file (parallel test processes must not block each other)."""
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")


def run_tick(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("tick", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def session_expiring(seconds: int = 60) -> str:
    store = SessionStore()
    store["seen"] = True
    store.set_expiry(seconds)
    store.create()
    assert store.session_key is not None
    return store.session_key


@pytest.fixture
def registered_only(monkeypatch):
    """Replace the registry with the given sweeps (the real ones are discovered first, so that
    discovery adds none of them afterwards)."""
    tick.registered()

    def use(*sweeps: tick.Sweep) -> None:
        monkeypatch.setattr(tick, "_REGISTRY", {s.name: s for s in sweeps})

    return use


def real(name: str) -> tick.Sweep:
    return next(s for s in tick.registered() if s.name == name)


def test_tick_lists_the_sweeps_of_every_app():
    out, _ = run_tick("--list")
    for name in (
        "core.expired_sessions",
        "registry.stale_import_jobs",
        "registry.expired_import_previews",
        "core.provisional_clocks",
    ):
        assert name in out


def test_core_knows_no_domain_app_the_apps_register_their_sweeps():
    core = Path(tick.__file__).parent
    for name in ("tick.py", "sweeps.py", "management/commands/tick.py"):
        text = (core / name).read_text(encoding="utf-8")
        assert "regulus.licensing" not in text and "regulus.registry" not in text


@pytest.mark.django_db
def test_expired_sessions_are_cleared_with_one_audit_row():
    with time_machine.travel(T0, tick=False):
        old, fresh = session_expiring(60), session_expiring(4 * 3600)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        out, _ = run_tick("--only", "core.expired_sessions")
    assert set(Session.objects.values_list("session_key", flat=True)) == {fresh}
    assert old not in out and "清除过期会话 1 个" in out
    row = AuditLog.objects.get(object_type="sessions.session")
    assert row.actor_name == tick.SYSTEM_ACTOR and row.changes == {"count": 1}


@pytest.mark.django_db
def test_expired_sessions_wait_an_hour_so_the_log_gets_a_row_an_hour_not_a_minute():
    with time_machine.travel(T0, tick=False):
        session_expiring(60)
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        run_tick("--only", "core.expired_sessions")
    assert Session.objects.count() == 1
    assert not AuditLog.objects.filter(object_type="sessions.session").exists()
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        run_tick("--only", "core.expired_sessions")
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_tick_twice_changes_nothing_the_second_time():
    with time_machine.travel(T0, tick=False):
        session_expiring(60)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        first, _ = run_tick()
        audits, events = AuditLog.objects.count(), TransitionEvent.objects.count()
        second, _ = run_tick()
    assert "清除过期会话 1 个" in first
    assert "清除过期会话" not in second and second.count("无待处理事项") == len(tick.registered())
    assert (AuditLog.objects.count(), TransitionEvent.objects.count()) == (audits, events)


@pytest.mark.django_db
def test_a_failing_sweep_does_not_stop_the_others(registered_only):
    def boom() -> tick.SweepResult:
        OrgUnit.objects.create(name="半途写入", kind=OrgUnit.Kind.STATION)
        raise RuntimeError("sweep exploded")

    registered_only(tick.Sweep("test.boom", "always fails", boom), real("core.expired_sessions"))
    with time_machine.travel(T0, tick=False):
        session_expiring(60)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError, match=r"1 项清理任务失败：test\.boom"):
            call_command("tick", stdout=out, stderr=err)
    assert "RuntimeError: sweep exploded" in err.getvalue()
    assert not OrgUnit.objects.filter(name="半途写入").exists()  # its own transaction, undone
    assert Session.objects.count() == 0  # the next sweep ran
    assert "清除过期会话 1 个" in out.getvalue()


@pytest.mark.django_db
def test_tick_does_not_overlap_itself():
    with time_machine.travel(T0, tick=False):
        session_expiring(60)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        with tick.tick_lock() as held:
            assert held
            out, _ = run_tick()  # as cron starts it while the last run is still going
        assert "上一次 tick 仍在运行，本次跳过" in out
        assert Session.objects.count() == 1
        out, _ = run_tick()  # the lock is free again
    assert Session.objects.count() == 0 and "本次跳过" not in out


@pytest.mark.django_db
def test_a_sweep_with_nothing_pending_opens_no_transaction(registered_only):
    def never() -> tick.SweepResult:
        raise AssertionError("must not run")

    registered_only(tick.Sweep("test.idle", "idle", never, pending=lambda: False))
    out, _ = run_tick()
    assert "test.idle: 无待处理事项" in out


@pytest.mark.django_db
def test_a_sweep_that_finds_sqlite_locked_is_retried_next_minute_not_failed(registered_only):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock")

    def locked() -> tick.SweepResult:
        raise OperationalError("database is locked")

    registered_only(tick.Sweep("test.locked", "locked", locked))
    _, err = run_tick()  # no CommandError: the next minute's run tries again
    assert "test.locked: 数据库正被其他写入" in err


@pytest.mark.django_db
def test_only_runs_the_named_sweep_and_refuses_an_unknown_name():
    out, _ = run_tick("--only", "core.expired_sessions")
    assert "core.expired_sessions" in out and "registry." not in out
    with pytest.raises(CommandError, match="没有名为“nope”的清理任务"):
        run_tick("--only", "nope")


@pytest.mark.django_db
def test_quiet_tick_prints_only_what_changed():
    with time_machine.travel(T0, tick=False):
        session_expiring(60)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        out, _ = run_tick("--verbosity", "0")
        # The sessions cleared, and the audit row that says so anchored (the day's first).
        assert out.count("\n") == 2 and "core.expired_sessions: 清除过期会话 1 个" in out
        assert "core.audit_anchor: 锚定操作日志链头：2026-03-02 1 " in out
        out, _ = run_tick("--verbosity", "0")
    assert out == ""


def test_sqlite_lock_file_lies_beside_the_database(settings, monkeypatch):
    settings.TICK_LOCK_FILE = ""
    monkeypatch.setitem(connection.settings_dict, "NAME", "/srv/regulus/regulus.sqlite3")
    assert str(tick.lock_file()) == "/srv/regulus/regulus.sqlite3.tick-lock"
