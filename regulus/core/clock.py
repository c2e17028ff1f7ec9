"""The one clock. Everything that asks "what time is it" asks here, so tests move it
(time-machine) and deadlines are computed in the bureau's time zone."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar

from django.utils import timezone

# The moment the clock of this context is held at (clock.held_at), or None: the real time. A
# context variable, so that no other thread or request ever sees it.
_held: ContextVar[dt.datetime | None] = ContextVar("regulus_clock_held", default=None)


def now() -> dt.datetime:
    held = _held.get()
    return timezone.now() if held is None else held


def today() -> dt.date:
    return timezone.localdate(now())


@contextlib.contextmanager
def held_at(moment: dt.datetime) -> Iterator[None]:
    """Run the block with the clock reading `moment` throughout.

    For writing a demo's history through the real services (regulus.licensing.demo): every
    time and date they record (events, audit rows, numbers, deadlines, certificates, new
    entities) is then that of the step's own day. Never in request handling."""
    token = _held.set(moment)
    try:
        yield
    finally:
        _held.reset(token)
