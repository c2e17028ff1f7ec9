"""The one clock: held at a moment for one context only (the demo's history)."""

from __future__ import annotations

import datetime as dt
import threading

from regulus.core import clock


def test_a_held_clock_reads_its_moment_in_its_own_context_only():
    moment = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    seen_elsewhere: list[dt.datetime] = []
    with clock.held_at(moment):
        assert clock.now() == moment and clock.today() == dt.date(2026, 3, 2)
        other = threading.Thread(target=lambda: seen_elsewhere.append(clock.now()))
        other.start()
        other.join()
        with clock.held_at(moment + dt.timedelta(days=1)):
            assert clock.today() == dt.date(2026, 3, 3)
        assert clock.now() == moment
    assert seen_elsewhere[0] != moment
    assert clock.now() != moment
