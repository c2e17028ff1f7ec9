"""A measured run that leaves the data as it found it, so that runs alternate on the same rows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction whose work is undone at its end (and on an error, as any)."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def timed_rolled_back(fn: Callable[[], int], *, vacuum: Sequence[str] = ()) -> tuple[float, int]:
    """Seconds `fn` took inside a transaction and the rows it reports, the transaction rolled
    back; on PostgreSQL the tables in `vacuum` (all when empty) are vacuumed after, so the next
    run does not meet this one's dead rows."""
    from django.db import connection

    started = time.perf_counter()
    with rolled_back():
        count = fn()
        elapsed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in vacuum or ("",):
                cur.execute(f"VACUUM {table}".strip())
    return elapsed, count
