"""Many rows at once, for the kernel's bulk work (the clocks' recomputation after a holiday edit
reaches every open item of every app).

`stage()` puts rows computed in Python into a temporary table of the transaction, in one go
(SQLite: one executemany of a prepared INSERT; PostgreSQL: one COPY),
so that the writes that follow are set-based statements joining it (UPDATE … FROM, INSERT …
SELECT): no Python per row beyond the staging, no CASE per row as Django's bulk_update
writes, no 999-parameter statements (perf-notes trap 1). Call inside a transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

# Column types both engines accept in a temporary table.
TYPES = {"bigint", "integer", "boolean", "date", "text"}


def stage(name: str, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]]) -> str:
    """Fill the temporary table `name` (created on first use in the connection, emptied
    otherwise) with the rows; columns are (name, type) with a type of TYPES, the first the
    primary key. Returns the table's quoted name for the statements that use it."""
    assert all(kind in TYPES for _, kind in columns), columns
    assert connection.in_atomic_block, "stage() needs the caller's transaction"
    quote = connection.ops.quote_name
    table = quote(name)
    definition = ", ".join(
        f"{quote(col)} {kind}" + (" PRIMARY KEY" if i == 0 else "")
        for i, (col, kind) in enumerate(columns)
    )
    names = ", ".join(quote(col) for col, _ in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({definition}) ON COMMIT DROP"
            )
            cur.execute(f"TRUNCATE {table}")
            with cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({definition})")
            cur.execute(f"DELETE FROM {table}")
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    return table


# SQLite: the page cache a bulk write gets (KiB, as PRAGMA cache_size takes it negative).
BULK_CACHE_KIB = 512 * 1024


@contextlib.contextmanager
def roomy_cache() -> Iterator[None]:
    """SQLite: raise the connection's page cache for the block. A transaction that dirties more
    pages than the cache holds (settings: 64 MiB) spills them into the WAL before it commits
    and writes them twice: the clocks' recomputation after a holiday edit rewrites the clock
    table, its history and the objects' deadline columns, 200 MiB at 200,000 open items. The
    cache is memory reserved as pages are used, given back when the setting is restored."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size={int(before)}")
