"""Writing many rows of a model at once, for the kernel's bulk work (the clocks' recomputation
after a holiday edit reaches every open item of every app).

Django's bulk_update writes a CASE expression a row, and bulk_create caps SQLite statements at
999 parameters (perf-notes trap 1). Here: on PostgreSQL one statement a batch over unnest()
arrays, on SQLite one executemany of a prepared statement. Call inside a transaction; the
caller writes the audit row of what it changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _array_type(field: models.Field[Any, Any]) -> str:
    """The PostgreSQL type of a column's values in an unnest() array."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    db_type = str(target.db_type(connection))
    return "text" if db_type.startswith("varchar") else db_type


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [_field(model, name) for name in fields]


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """UPDATE the model's table SET fields WHERE pk, for rows of (pk, *values)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = _field(model, model._meta.pk.name)  # type: ignore[union-attr]
    columns = _columns(model, fields)
    if connection.vendor == "postgresql":
        types = [_array_type(f) for f in (pk, *columns)]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        names = ", ".join(f"c{i}" for i in range(len(types)))
        sets = ", ".join(f"{quote(f.column)} = v.c{i + 1}" for i, f in enumerate(columns))
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} t SET {sets} FROM unnest({arrays}) AS v({names}) "
                f"WHERE t.{quote(pk.column)} = v.c0",
                [list(values) for values in zip(*rows, strict=True)],
            )
        return
    sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table} SET {sets} WHERE {quote(pk.column)} = %s",
            [(*row[1:], row[0]) for row in rows],
        )


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT rows of values for the fields (a foreign key by its name, its id as the value)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = _columns(model, fields)
    names = ", ".join(quote(f.column) for f in columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{_array_type(f)}[]" for f in columns)
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",
                [list(values) for values in zip(*rows, strict=True)],
            )
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
