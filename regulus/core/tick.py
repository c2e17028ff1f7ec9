"""Periodic sweeps: `regulus tick` runs every registered sweep once. Cron or a systemd timer
starts it every minute (docs/install.md); there is no scheduler daemon.

A sweep is a function of no arguments that returns a SweepResult. An app registers its sweeps
in its own `sweeps.py` with the `sweep` decorator::

    # regulus/<app>/sweeps.py
    from regulus.core.tick import SweepResult, sweep

    @sweep("<app>.expired_drafts", "清除过期的草稿", pending=_anything_due)
    def expired_drafts() -> SweepResult:
        ...
        return SweepResult(changed, f"清除过期草稿 {changed} 件")

`registered()` first imports the `sweeps` module of every installed app (as the admin finds
each app's `admin.py`), so core never imports a domain app and dependencies keep pointing one
way. The order is INSTALLED_APPS order, then the order of definition in the module.

Every sweep keeps these rules:
- Idempotent: it selects what is due now and changes it so that it is due no longer; a run
  straight after finds nothing and changes nothing.
- The runner calls it inside a transaction of its own: a sweep that fails rolls back alone and
  the next one still runs. Files are removed in `transaction.on_commit`, after the rows that
  point to them have changed for good.
- Every change is audited, with SYSTEM_ACTOR as the actor.
- `pending` (optional) is a cheap read that says whether anything is due. When it says no, the
  runner opens no transaction. An idle minute then writes nothing, and on SQLite it does not
  wait for the single write lock, which an entity import may hold for minutes.

Overlap: cron starts a tick every minute whether or not the last one has finished, so a run
takes a lock first. A run that finds the lock taken does nothing and exits 0 (`tick_lock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils.module_loading import autodiscover_modules

# The actor of the audit rows and timeline events that sweeps write.
SYSTEM_ACTOR = "系统（定时任务）"

# pg_try_advisory_lock key of `regulus tick`: "regulus" in ASCII. Advisory locks are scoped to
# one database, so two installations on one PostgreSQL server do not block each other.
PG_LOCK_KEY = 0x72_65_67_75_6C_75_73


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did: how many items it changed, and one line of Chinese for the log."""

    changed: int
    summary: str


@dataclass(frozen=True)
class Sweep:
    name: str
    label: str
    func: Callable[[], SweepResult]
    pending: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Outcome:
    sweep: Sweep
    result: SweepResult | None = None
    error: str = ""  # the traceback of a failed sweep
    busy: bool = False  # SQLite: another writer held the write lock for the whole busy timeout
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.error)


_REGISTRY: dict[str, Sweep] = {}


def sweep(
    name: str, label: str, *, pending: Callable[[], bool] | None = None
) -> Callable[[Callable[[], SweepResult]], Callable[[], SweepResult]]:
    """Register the decorated function as the sweep `name` (`<app>.<what>`)."""

    def register(func: Callable[[], SweepResult]) -> Callable[[], SweepResult]:
        existing = _REGISTRY.get(name)
        if existing is not None and (existing.func.__module__, existing.func.__qualname__) != (
            func.__module__,
            func.__qualname__,
        ):
            raise ValueError(f"sweep {name!r} is registered twice")
        _REGISTRY[name] = Sweep(name=name, label=label, func=func, pending=pending)
        return func

    return register


def registered() -> list[Sweep]:
    """Every sweep of the installed apps, in INSTALLED_APPS order."""
    autodiscover_modules("sweeps")
    return list(_REGISTRY.values())


def sweep_run(item: Sweep) -> Outcome:
    """Run one sweep in its own transaction. Never raises: a failure becomes the Outcome's
    error, so the caller can go on with the next sweep."""
    started = time.monotonic()
    try:
        if item.pending is not None and not item.pending():
            result = SweepResult(0, "无待处理事项")
        else:
            with transaction.atomic():
                result = item.func()
    except OperationalError as exc:
        seconds = time.monotonic() - started
        if connection.vendor == "sqlite" and "locked" in str(exc):
            # Another writer (an entity import runs in one long transaction) held SQLite's
            # write lock for the whole busy timeout. Nothing was changed; the next minute's
            # run tries again.
            return Outcome(item, busy=True, seconds=seconds)
        return Outcome(item, error=traceback.format_exc(), seconds=seconds)
    except Exception:
        return Outcome(item, error=traceback.format_exc(), seconds=time.monotonic() - started)
    return Outcome(item, result=result, seconds=time.monotonic() - started)


# -- the lock ----------------------------------------------------------------------------------


@contextlib.contextmanager
def tick_lock() -> Iterator[bool]:
    """Hold the tick lock for the block: yields True, or False when another run holds it.

    PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection of its
    own. Every app server reaches the same database, so a run on one server keeps out a run on
    another. The lock belongs to the session, so the server releases it when the process dies.
    It needs a real session: connect tick directly to PostgreSQL, or through PgBouncer in
    session mode (transaction pooling would share the session with other clients).

    SQLite: an exclusive flock(2) on a file beside the database file. SQLite means one machine
    (the database is a local file), so an OS lock reaches every process that can open the
    database. The kernel releases it when the process dies: no expiry to set against the
    slowest sweep, and no stale lock after a kill -9. It writes nothing to the database, so
    taking it never waits behind an import that holds SQLite's write lock. A lock row in a
    table or the cache's add() would need that write lock, and would need an expiry time.
    """
    if connection.vendor == "postgresql":
        with _pg_advisory_lock() as held:
            yield held
    else:
        with _file_lock(lock_file()) as held:
            yield held


@contextlib.contextmanager
def _pg_advisory_lock() -> Iterator[bool]:
    lock_connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with lock_connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [PG_LOCK_KEY])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with lock_connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
    finally:
        lock_connection.close()


def lock_file() -> Path:
    """SQLite: the tick's lock file. TICK_LOCK_FILE if set, else `<database file>.tick-lock`
    (or var/tick.lock for an in-memory database)."""
    configured = getattr(settings, "TICK_LOCK_FILE", "")
    if configured:
        return Path(configured)
    name = str(connection.settings_dict.get("NAME") or "")
    if name and ":memory:" not in name and not name.startswith("file:"):
        return Path(name + ".tick-lock")
    return Path(settings.VAR_DIR) / "tick.lock"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            held = False
        else:
            held = True
        try:
            yield held
        finally:
            if held:
                fcntl.flock(handle, fcntl.LOCK_UN)
