"""Rate limits per client address, counted in Django's cache (Redis or the database cache).

A limit is named in `settings.THROTTLE_RATES` (count per period, from the environment) and
described here by a `Limit` that says, in Chinese, what it counts. Counting is in fixed windows
aligned to the epoch (10 an hour: 10:00–11:00, 11:00–12:00, …); the counter's key holds the
window, so a window's count can never leak into the next one, whatever the cache's TTL.

    attempt = throttle.hit(request, SUBMISSIONS)   # raises Throttled over the limit
    application = create(...)
    if application is None:
        attempt.refund()                           # only applications created count

`hit` counts first and checks after (one atomic increment), so concurrent requests cannot
slip past the limit together; a refused request is taken back off the count, so it changes
nothing and the block ends when its window does. The first refusal in a window is written to
the audit log (actor none, like a failed login), later ones in the same window are not.
`count` counts without refusing and leaves the decision to the caller (`attempt.over`,
`attempt.refuse()`): the portal's progress lookup refuses a wrong pair over the limit but
lets a correct one through (portal.limits). A limit can count per address and `subject` (an
application number, a phone), each subject its own counter; the subject is kept in the key
only as a keyed hash.

Increments are atomic. With Redis (or any cache with an atomic incr) the counter is a cache
entry: `cache.add` creates it, `cache.incr` adds. Django's database cache is no place for it
(its incr is get-then-set, a race that also resets the entry's expiry, and every set counts
the whole table to decide whether to cull), so without Redis a counter is a row of its own
table (models.ThrottleCounter), added to by one INSERT … ON CONFLICT … RETURNING. On SQLite
that statement needs the database's single write lock, which an entity import holds for
minutes: it waits for it at most LOCK_WAIT_MS, and a request that cannot be counted in that
time is served uncounted (like a request when the cache is down) rather than kept waiting.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import OperationalError, connection
from django.http import HttpRequest

from regulus.core import clock
from regulus.core.audit import unaudited
from regulus.core.context import IPAddress, client_address_of
from regulus.core.crypto import keyed_hash
from regulus.core.models import ThrottleCounter

logger = logging.getLogger(__name__)

# A counter outlives its window by this much, so a refund at the window's very end still
# finds it; the key names the window, so the margin never extends a count.
EXPIRY_MARGIN_SECONDS = 60


@dataclass(frozen=True)
class Limit:
    """A named limit. `name` is its key in settings.THROTTLE_RATES; `what` says in Chinese what
    is counted (办理进度查询失败, 提交申请 …), for the refusal message and the audit log; `why`
    tells the refused person, in Chinese, what the limit protects (the 429 page)."""

    name: str
    what: str
    why: str = ""


class Throttled(Exception):
    """A request refused because its address reached a limit in the current window."""

    def __init__(self, *, limit: Limit, count: int, seconds: int, retry_after: int) -> None:
        self.limit = limit
        self.count = count
        self.seconds = seconds
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.limit.what}次数过多，请于约{duration_text(self.retry_after)}后再试"

    @property
    def rule(self) -> str:
        return f"同一网络地址每{period_text(self.seconds)}{self.limit.what}不超过{self.count}次"


@dataclass
class Attempt:
    """A counted request; `refund()` takes it back off the count (it should not have counted:
    a lookup that found the application, a form sent back with errors). `over`: the count
    went past the limit; `refuse()` then takes it back and raises Throttled."""

    key: str
    expires_in: int
    limit: Limit | None = None
    address: str = ""
    count: int = 0
    seconds: int = 0
    retry_after: int = 0
    over: bool = False
    subject_label: str = ""
    refunded: bool = False

    def refund(self) -> None:
        if self.key and not self.refunded:
            self.refunded = True
            try:
                _add(self.key, -1, self.expires_in)
            except Exception:
                logger.exception("Rate limit counter %s not refunded: the cache failed", self.key)

    def refuse(self) -> None:
        """Refuse the request: take it off the count (a refused request changes nothing, so
        the block ends with its window), audit the first refusal of the window, raise."""
        assert self.limit is not None and self.over
        self.refund()
        refused = Throttled(
            limit=self.limit, count=self.count, seconds=self.seconds, retry_after=self.retry_after
        )
        try:
            first_refusal = _add(f"{self.key}:audited", 1, self.expires_in) == 1
        except Exception:
            logger.exception("Rate limit %s: the refusal could not be marked", self.limit.name)
            first_refusal = False
        if first_refusal:  # audited once a window
            _audit_block(refused, address=self.address, subject_label=self.subject_label)
        raise refused


NOT_COUNTED = Attempt(key="", expires_in=0)


def duration_text(seconds: int) -> str:
    """约N分钟 / 约N秒: minutes rounded up, seconds only under a minute."""
    if seconds < 60:
        return f"{max(seconds, 1)}秒"
    return f"{math.ceil(seconds / 60)}分钟"


def period_text(seconds: int) -> str:
    for size, unit in ((86400, "天"), (3600, "小时"), (60, "分钟")):
        if seconds % size == 0:
            n = seconds // size
            return unit if n == 1 else f"{n}{unit}"
    return f"{seconds}秒"


def client_ip(request: HttpRequest) -> IPAddress | None:
    return client_address_of(request.META)


def client_address(request: HttpRequest) -> str:
    """What a limit counts by: the client's IPv4 address, or its IPv6 /64 network (the block
    one subscriber is given, who could otherwise take a new address for every request)."""
    ip = client_ip(request)
    if ip is None:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def is_exempt(request: HttpRequest) -> bool:
    """The client is in settings.THROTTLE_EXEMPT_NETWORKS (the service hall's terminals)."""
    ip = client_ip(request)
    return ip is not None and any(
        ip in ipaddress.ip_network(network, strict=False)
        for network in settings.THROTTLE_EXEMPT_NETWORKS
    )


def hit(
    request: HttpRequest, limit: Limit, *, subject: str = "", subject_label: str = ""
) -> Attempt:
    """Count one request of `limit` from the request's address (and `subject`, if given);
    raise Throttled if that goes over the limit (the refused request is not counted). A limit
    set to `off`, or a client in settings.THROTTLE_EXEMPT_NETWORKS, counts nothing."""
    attempt = count(request, limit, subject=subject, subject_label=subject_label)
    if attempt.over:
        attempt.refuse()
    return attempt


def hit_all(request: HttpRequest, limits: Sequence[tuple[Limit, str, str]]) -> list[Attempt]:
    """`hit` each (limit, subject, subject_label) in turn; when one refuses, those counted
    before it are taken back, so that the refused request counted nothing anywhere."""
    attempts: list[Attempt] = []
    try:
        for limit, subject, label in limits:
            attempts.append(hit(request, limit, subject=subject, subject_label=label))
    except Throttled:
        for attempt in attempts:
            attempt.refund()
        raise
    return attempts


def count(
    request: HttpRequest, limit: Limit, *, subject: str = "", subject_label: str = ""
) -> Attempt:
    """Count one request of `limit` without refusing it: the attempt says whether it went
    over (`over`), and the caller refuses (`refuse()`) or refunds it. `subject_label` names
    the subject in the audit row of a refusal (never a phone number in clear)."""
    rate = settings.THROTTLE_RATES.get(limit.name)
    if rate is None or is_exempt(request):
        return NOT_COUNTED
    allowed, seconds = rate
    address = client_address(request)
    now = clock.now().timestamp()
    window = int(now // seconds)
    retry_after = max(1, math.ceil((window + 1) * seconds - now))
    key = f"{settings.THROTTLE_KEY_PREFIX}:{limit.name}:{window}:{address}"
    if subject:
        # The subject as a keyed hash: no phone number in the cache or the counter table.
        key += ":" + keyed_hash(f"{limit.name}:{subject}")[:24]
    expires_in = retry_after + EXPIRY_MARGIN_SECONDS
    try:
        used = _add(key, 1, expires_in)
    except OperationalError as exc:
        # SQLite's write lock is held (an import) or the database is unreachable: served
        # uncounted, with one line in the log rather than a traceback a request.
        logger.warning("Rate limit %s not counted: %s", limit.name, exc)
        return NOT_COUNTED
    except Exception:
        # The cache is down: serve the public rather than refuse everyone; the log says why.
        logger.exception("Rate limit %s not counted: the cache failed", limit.name)
        return NOT_COUNTED
    return Attempt(
        key=key, expires_in=expires_in, limit=limit, address=address, count=allowed,
        seconds=seconds, retry_after=retry_after, over=used > allowed,
        subject_label=subject_label,
    )  # fmt: skip


def _audit_block(refused: Throttled, *, address: str, subject_label: str = "") -> None:
    from regulus.core.audit import audit_record
    from regulus.core.models import AuditLog

    about = f"（{subject_label}）" if subject_label else ""
    changes: dict[str, Any] = {
        "limit": refused.limit.name,
        "address": address,
        "count": refused.count,
        "window_seconds": refused.seconds,
        "retry_after_seconds": refused.retry_after,
    }
    if subject_label:
        changes["subject"] = subject_label
    audit_record(
        actor=None,
        action=AuditLog.Action.THROTTLED,
        object_type="core.throttle",
        object_id=refused.limit.name,
        object_repr=address,
        summary=f"地址{address}{refused.limit.what}{about}次数达到上限（{refused.rule}），"
        f"暂停约{duration_text(refused.retry_after)}",
        changes=changes,
    )


def _backend() -> BaseCache:
    return caches["default"]


def _add(key: str, delta: int, expires_in: int) -> int:
    """Atomically add delta to the counter at key (created at 0, expiring in expires_in
    seconds); the counter's new value (0 for a refund of a counter that is gone)."""
    backend = _backend()
    if isinstance(backend, DatabaseCache):
        return _table_add(key, delta, expires_in)
    if delta > 0 and backend.add(key, delta, expires_in):
        return delta
    try:
        return int(backend.incr(key, delta))
    except ValueError:  # expired between add and incr
        return delta if delta > 0 and backend.add(key, delta, expires_in) else 0


def _table_add(key: str, delta: int, expires_in: int) -> int:
    table = ThrottleCounter._meta.db_table
    if delta > 0:
        expires = connection.ops.adapt_datetimefield_value(
            clock.now() + dt.timedelta(seconds=expires_in)
        )
        sql = (
            f"INSERT INTO {table} (name, hits, expires_at) VALUES (%s, %s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET hits = {table}.hits + excluded.hits "
            "RETURNING hits"
        )
        params: list[Any] = [key, delta, expires]
    else:
        sql = f"UPDATE {table} SET hits = hits + %s WHERE name = %s RETURNING hits"
        params = [delta, key]
    with (
        unaudited("访问频次计数：当前时间窗的计数，不是业务记录；封禁本身另有审计记录"),
        _short_lock_wait(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# How long a count waits for SQLite's write lock (see the module's docstring).
LOCK_WAIT_MS = 200


@contextlib.contextmanager
def _short_lock_wait() -> Iterator[None]:
    """SQLite outside a transaction: wait at most LOCK_WAIT_MS for the write lock, then
    restore the connection's own busy timeout. (Inside a transaction the lock was taken at
    its BEGIN IMMEDIATE already; PostgreSQL locks only the counter's row.)"""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    # The connection's own timeout (settings: OPTIONS "timeout", seconds), restored after.
    usual = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")
