"""Reads from a PostgreSQL streaming replica, when there is one (REPLICA_DATABASE_URL).

What goes to the replica: the reads of a GET or HEAD request (lists, searches, dashboards,
the pages a person reads) made outside any transaction. What stays on the primary:

- every write (`db_for_write` is always the primary, also for an object read from the
  replica: Django would otherwise save it where it came from);
- every read inside a transaction: a service reads what it is about to change in its
  `audited(...)` block, and must read it current, locked where it locks;
- every request other than GET and HEAD, whatever it reads;
- read-your-writes: a request that writes (any non-GET/HEAD) sets a short cookie
  (REPLICA_STICKY_SECONDS, longer than the replica's lag is allowed to grow before the
  monitoring alerts), and while it lasts the same browser or API client reads from the primary,
  so the page after "保存" shows what was saved;
- answers streamed after the view returned (exports) read from the primary.

Without REPLICA_DATABASE_URL the router sends everything to the primary and the middleware
(core.middleware.ReplicaReadsMiddleware) sets nothing. docs/scale-out.md has the set-up and
the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
STICKY_COOKIE = "regulus_primary"
SAFE_METHODS = ("GET", "HEAD")

_reads_from_replica: ContextVar[bool] = ContextVar("regulus_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: the replica for reads the middleware allows, outside
    transactions; the primary for everything else."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _reads_from_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: the same objects

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by itself


@contextmanager
def replica_reads(*, allowed: bool) -> Iterator[None]:
    """Within the block, the router may send reads to the replica (allowed) or may not
    (core.middleware.ReplicaReadsMiddleware decides per request)."""
    token = _reads_from_replica.set(allowed)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


def read_connection() -> Any:
    """The connection a raw read should use (core.rawrows' statements, the search index):
    the replica where the router would send an ORM read, else the primary."""
    if _reads_from_replica.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return connections[REPLICA]
    return connections[DEFAULT_DB_ALIAS]
