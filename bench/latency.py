"""Page and query latency as the benches print it: median and p99 in milliseconds, and the
lifted rate limit of the portal's public entity page that the benches use as their reference."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

WARM_UP = 10


def lift_portal_entity_rate() -> None:
    """The public entity page is rate limited per address (30 a minute); a bench asks it
    hundreds of times from one client, so the limit is lifted (the limiter still runs).
    Call before Django reads its settings."""
    os.environ.setdefault("REGULUS_RATE_PORTAL_ENTITY", "1000000/m")


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def latency(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median ms, p99 ms) of fn over runs calls, after WARM_UP calls."""
    return latencies(fn, runs=runs)[0]


def latencies(*fns: Callable[[], object], runs: int) -> list[tuple[float, float]]:
    """(median ms, p99 ms) of each fn over runs calls, the calls taken in turn (a, b, a, b …)
    so that load from elsewhere on the machine falls on each alike; after WARM_UP calls of
    each."""
    for _ in range(WARM_UP):
        for fn in fns:
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, taken in zip(fns, samples, strict=True):
            started = time.perf_counter()
            fn()
            taken.append((time.perf_counter() - started) * 1000)
    return [(statistics.median(taken), p99(taken)) for taken in samples]
