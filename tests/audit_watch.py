"""Audit by construction, checked on every test that uses the database.

A connection `execute_wrapper` watches each transaction a test makes (a service's transaction
is a savepoint inside the test's own; a write outside any is a transaction of its own) and
notes every write to a domain table: any model of any installed regulus app, found in the app
registry, so an app added later is watched without a line here. A transaction that commits
such a write made from the project's code (a frame of a `regulus.*` module other than models,
demo seeders and migrations; test code's own fixtures are not services) and wrote no audit
row is a violation; the test that caused it fails at teardown with the statement and the
project frame that made it. Rolled-back transactions are forgotten; writes declared
`unaudited(reason)` are not records.

Tests that commit for real (transaction=True, the browser tests) are not watched here: their
transactions are outermost, and PostgreSQL shows no statement where one ends.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

from regulus.core.audit import AUDIT_TABLES, domain_tables, unaudited_reason, written_tables

_SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\s+"?(\w+)"?')
# Modules of the project whose frames do not make a write a service's: model methods (a
# unit's path), demo seeders (fixtures of the tests and `make demo`), migrations, and the
# middleware that every request passes through (Django's own writes during a request, such
# as a login's last_login, are not the project's; a view's or a service's frame still is).
_NOT_SERVICES = re.compile(r"(\.models$|\.demo$|\.migrations\.|\.seed_demo$|\.middleware$)")


@dataclass
class Unit:
    """One transaction (a savepoint, or one statement outside any)."""

    name: str
    audited: bool = False
    writes: list[tuple[str, str, str]] = field(default_factory=list)  # table, where, sql


@dataclass
class Violation:
    table: str
    where: str
    sql: str

    def __str__(self) -> str:
        return f"{self.where} wrote {self.table} without an audit row: {self.sql[:200]}"


def service_frame() -> str | None:
    """The innermost frame of the project's code that is a service (see _NOT_SERVICES), as
    "module:function:line", or None when the write comes from tests or libraries only."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("regulus.") and not _NOT_SERVICES.search(module):
            return f"{module}:{frame.f_code.co_name}:{frame.f_lineno}"
        frame = frame.f_back  # type: ignore[assignment]
    return None


class TransactionWatcher:
    """The execute_wrapper. Install it inside the test's own transaction."""

    def __init__(self) -> None:
        self.open: list[Unit] = []
        self.rolled_back: set[str] = set()
        self.violations: list[Violation] = []
        self.tables = domain_tables()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        self.observe(sql, getattr(context.get("cursor"), "rowcount", -1))
        return result

    def observe(self, sql: str, rowcount: int) -> None:
        marker = _SAVEPOINT.match(sql)
        if marker:
            self._savepoint(marker.group(1).upper(), marker.group(2))
            return
        targets = written_tables(sql)
        if not targets or rowcount == 0:
            return
        unit = self.open[-1] if self.open else Unit("(autocommit)")
        if any(t in AUDIT_TABLES for t in targets):
            unit.audited = True
        domain = [t for t in targets if t in self.tables]
        if domain and not unaudited_reason():
            where = service_frame()
            if where is not None:
                unit.writes.extend((t, where, sql) for t in domain)
        if not self.open:
            self._close(unit)

    def _savepoint(self, verb: str, name: str) -> None:
        if verb == "SAVEPOINT":
            self.open.append(Unit(name))
        elif verb == "ROLLBACK TO SAVEPOINT":
            self.rolled_back.add(name)
        else:  # RELEASE: the savepoint ends, committed unless it was rolled back to
            while self.open:
                unit = self.open.pop()
                if unit.name == name:
                    break
            else:
                return  # a savepoint opened before the watcher was installed
            if name in self.rolled_back:
                self.rolled_back.discard(name)
                return
            if self.open:  # nested: its writes and rows belong to the enclosing transaction
                parent = self.open[-1]
                parent.writes += unit.writes
                parent.audited = parent.audited or unit.audited
            else:
                self._close(unit)

    def _close(self, unit: Unit) -> None:
        if unit.writes and not unit.audited:
            self.violations.extend(Violation(t, where, sql) for t, where, sql in unit.writes)
