"""Model instances from rows of a statement written once, for the few reads on the hot path of
every API call (token, search page, lookup by USCC).

The ORM takes about a millisecond of Python to compile a select_related query and build its
instances; on a search-as-you-type that is most of the request. A statement written once per
process, with its rows turned into instances here exactly as the ORM would (the backend's and
the fields' own converters: SQLite's decimals and aware datetimes, decrypted fields), costs a
fraction of that. Everything else keeps using the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


class RawColumns:
    """The columns of one model in a raw row, from `start` on, and how to convert them."""

    def __init__(self, model: type[Model], fields: Sequence[Field[Any, Any]], start: int = 0):
        self.model, self.start = model, start
        self.end = start + len(fields)
        self.attnames = [f.attname for f in fields]
        self.converters: list[tuple[int, list[Callable[..., Any]], Any]] = []
        for index, f in enumerate(fields):
            col = f.get_col(model._meta.db_table)
            own = f.get_db_converters(connection)  # type: ignore[attr-defined]  # not in the stubs
            funcs = connection.ops.get_db_converters(col) + own
            if funcs:
                self.converters.append((index, funcs, col))

    def select(self, alias: str) -> str:
        """The SELECT list of these columns for a table under `alias`."""
        quote = connection.ops.quote_name
        fields = {f.attname: f for f in self.model._meta.concrete_fields}
        return ", ".join(f"{alias}.{quote(fields[a].column)}" for a in self.attnames)

    def instance(self, row: Sequence[Any]) -> Any:
        values = list(row[self.start : self.end])
        for index, funcs, col in self.converters:
            value = values[index]
            for func in funcs:
                value = func(value, col, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)
