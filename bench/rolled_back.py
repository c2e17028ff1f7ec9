"""A measured run that leaves the data as it found it, so that runs alternate on the same rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence


class Rollback(Exception):
    """Raised inside a measured transaction to undo it."""


def timed_rolled_back(fn: Callable[[], int], *, vacuum: Sequence[str] = ()) -> tuple[float, int]:
    """Seconds `fn` took inside a transaction and the rows it reports, the transaction rolled
    back; on PostgreSQL the tables in `vacuum` (all when empty) are vacuumed after, so the next
    run does not meet this one's dead rows."""
    from django.db import connection, transaction

    started = time.perf_counter()
    elapsed, count = 0.0, 0
    try:
        with transaction.atomic():
            count = fn()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in vacuum or ("",):
                cur.execute(f"VACUUM {table}".strip())
    return elapsed, count
