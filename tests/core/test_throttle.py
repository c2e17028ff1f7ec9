"""regulus.core.throttle: the client's address, fixed windows, atomic counters on each cache
backend, and the rate settings that fail loudly."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, connections
from django.test import RequestFactory

from regulus.core import throttle
from regulus.core.models import ThrottleCounter
from regulus.core.throttle import Limit, Throttled
from regulus.settings import env_rate

LIMIT = Limit("test_limit", "测试操作")
AT_1000 = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.UTC)  # 10:00:00 in Changsha
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def request(remote="127.0.0.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.fixture
def rate(settings):
    def set_rate(count, seconds):
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, LIMIT.name: (count, seconds)}

    return set_rate


# The Redis of a scaled-out deployment (REDIS_URL); the tests use its database 15 and keys
# of their own (THROTTLE_KEY_PREFIX), and are skipped where no Redis runs.
REDIS_TEST_URL = os.environ.get("REGULUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL,
    }
}


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["database", "locmem", "redis"])
def backend(request, settings, db):
    """The database cache (the default: counters in their own table), the local-memory cache
    (atomic incr like Redis) and Redis itself (REDIS_URL in production)."""
    if request.param == "locmem":
        settings.CACHES = LOCMEM
    if request.param == "redis":
        if not redis_available():
            pytest.skip(f"no Redis at {REDIS_TEST_URL}")
        settings.CACHES = REDIS
    return request.param


def test_client_address_is_remote_addr_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(request("10.0.0.1", "203.0.113.5")) == "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # the client wrote 192.0.2.1
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.9", "203.0.113.5"),  # a balancer, then nginx
        (2, "203.0.113.5", "127.0.0.1"),  # fewer entries than proxies: only the peer
        (1, "", "127.0.0.1"),
        (1, "192.0.2.1, not-an-address", "127.0.0.1"),
    ],
)
def test_forwarded_for_entry_counted_is_nth_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert throttle.client_address(request("127.0.0.1", forwarded)) == expected


def test_ipv6_clients_are_counted_by_their_64_network(settings):
    a = throttle.client_address(request("2001:db8:1:2:aaaa::1"))
    b = throttle.client_address(request("2001:db8:1:2:bbbb::2"))
    c = throttle.client_address(request("2001:db8:1:3::1"))
    assert a == b == "2001:db8:1:2::/64" and c != a
    assert throttle.client_address(request("::ffff:10.0.0.7")) == "10.0.0.7"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10/h", (10, 3600)), ("120/m", (120, 60)), ("30/15m", (30, 900)), ("5/d", (5, 86400)),
     (" OFF ", None)],
)  # fmt: skip
def test_rate_setting_reads_count_per_period(monkeypatch, raw, expected):
    monkeypatch.setenv("REGULUS_RATE_X", raw)
    assert env_rate("REGULUS_RATE_X", "1/h") == expected


@pytest.mark.parametrize("raw", ["10", "10/hour", "0/h", "-1/h", "ten/h", "10/0m", "10/xh"])
def test_rate_setting_fails_loudly_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("REGULUS_RATE_X", raw)
    with pytest.raises(ImproperlyConfigured, match="REGULUS_RATE_X must be COUNT/PERIOD"):
        env_rate("REGULUS_RATE_X", "1/h")


def test_limit_refuses_the_request_over_the_count_in_its_window(backend, rate):
    rate(3, 3600)
    with time_machine.travel(AT_1000 + dt.timedelta(minutes=20), tick=False):
        for _ in range(3):
            throttle.hit(request(), LIMIT)
        with pytest.raises(Throttled) as refused:
            throttle.hit(request(), LIMIT)
    assert refused.value.retry_after == 40 * 60
    assert refused.value.message == "测试操作次数过多，请于约40分钟后再试"
    assert refused.value.rule == "同一网络地址每小时测试操作不超过3次"


def test_limit_resets_after_its_window(backend, rate):
    rate(2, 3600)
    with time_machine.travel(AT_1000 + dt.timedelta(minutes=59), tick=False) as traveller:
        throttle.hit(request(), LIMIT)
        throttle.hit(request(), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request(), LIMIT)
        traveller.move_to(AT_1000 + dt.timedelta(minutes=60))
        throttle.hit(request(), LIMIT)
        throttle.hit(request(), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request(), LIMIT)


def test_refund_takes_the_attempt_off_the_count(backend, rate):
    rate(1, 3600)
    with time_machine.travel(AT_1000, tick=False):
        for _ in range(5):
            attempt = throttle.hit(request(), LIMIT)
            attempt.refund()
            attempt.refund()  # a second refund is a no-op
        throttle.hit(request(), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request(), LIMIT)


def test_other_addresses_are_not_affected(backend, rate):
    rate(1, 60)
    with time_machine.travel(AT_1000, tick=False):
        throttle.hit(request("10.0.0.1"), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request("10.0.0.1"), LIMIT)
        throttle.hit(request("10.0.0.2"), LIMIT)


def test_exempt_networks_are_never_counted(backend, rate, settings):
    rate(1, 60)
    settings.THROTTLE_EXEMPT_NETWORKS = ["10.8.0.0/16", "2001:db8:aa::/48"]
    with time_machine.travel(AT_1000, tick=False):
        for address in ("10.8.3.4", "2001:db8:aa:1::9"):
            for _ in range(3):
                assert throttle.hit(request(address), LIMIT) is throttle.NOT_COUNTED
        throttle.hit(request("10.9.0.1"), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request("10.9.0.1"), LIMIT)


def test_counter_row_expires_at_the_end_of_its_window(db, rate):
    """Without Redis a counter is a row of its own table, expiring with its window (plus the
    refund margin), whatever the time of the first hit in it."""
    rate(5, 3600)
    with time_machine.travel(AT_1000 + dt.timedelta(minutes=10), tick=False):
        for _ in range(3):
            attempt = throttle.hit(request(), LIMIT)
    counter = ThrottleCounter.objects.get(name=attempt.key)
    expected = AT_1000 + dt.timedelta(hours=1, seconds=throttle.EXPIRY_MARGIN_SECONDS)
    assert counter.hits == 3 and abs((counter.expires_at - expected).total_seconds()) < 2


def test_expired_counters_are_swept_and_live_ones_kept(db, rate):
    from django.core.management import call_command

    rate(5, 60)
    with time_machine.travel(AT_1000, tick=False):
        old = throttle.hit(request(), LIMIT)
    with time_machine.travel(AT_1000 + dt.timedelta(minutes=5), tick=False):
        live = throttle.hit(request(), LIMIT)
        call_command("tick", "--only", "core.expired_throttle_counters", stdout=io.StringIO())
    assert list(ThrottleCounter.objects.values_list("name", flat=True)) == [live.key]
    assert old.key != live.key


def test_a_count_that_cannot_take_the_write_lock_serves_the_request_uncounted(rate, monkeypatch):
    rate(1, 60)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(throttle, "_table_add", locked)
    assert throttle.hit(request(), LIMIT) is throttle.NOT_COUNTED


def test_cache_failure_serves_the_request_uncounted(rate, monkeypatch):
    rate(1, 60)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttle, "_add", broken)
    for _ in range(3):
        assert throttle.hit(request(), LIMIT) is throttle.NOT_COUNTED


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_without_redis_are_all_counted(rate):
    """Eight threads, 25 hits each: no increment is lost to a read-modify-write race (on
    PostgreSQL the row lock; SQLite's in-memory test database cannot take concurrent writers)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with concurrent connections")
    rate(1000, 3600)
    attempts: list[throttle.Attempt] = []
    lock = threading.Lock()

    def worker():
        try:
            for _ in range(25):
                attempt = throttle.hit(request(), LIMIT)
                with lock:
                    attempts.append(attempt)
        finally:
            connections.close_all()

    with time_machine.travel(AT_1000 + dt.timedelta(minutes=5), tick=True):
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(attempts) == 200
        counter = ThrottleCounter.objects.get(name=attempts[0].key)
        assert counter.hits == 200
        counter.delete()


def test_concurrent_hits_on_redis_are_all_counted(rate, settings, db):
    """Eight threads, 25 hits each, on Redis: its INCR is atomic, so all 200 count."""
    if not redis_available():
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    settings.CACHES = REDIS
    rate(1000, 3600)
    attempts: list[throttle.Attempt] = []
    lock = threading.Lock()

    def worker():
        for _ in range(25):
            attempt = throttle.hit(request(), LIMIT)
            with lock:
                attempts.append(attempt)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(attempts) == 200
    assert caches["default"].get(attempts[0].key) == 200


def test_operation_log_address_follows_the_trusted_proxy_rule(settings):
    # The audit log records the same client the limits count: a header the client could
    # write itself (X-Real-IP, or X-Forwarded-For with no trusted proxy) is never believed.
    from regulus.core.context import client_ip

    spoofed = {
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_X_REAL_IP": "1.2.3.4",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    }
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(spoofed) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip({**spoofed, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}) == "203.0.113.9"


@pytest.mark.django_db(transaction=True)
def test_sqlite_count_waits_briefly_for_the_write_lock_then_restores_the_timeout(rate):
    # An entity import holds SQLite's write lock for minutes: a count waits LOCK_WAIT_MS for
    # it, not the connection's 20 s, and the connection gets its own timeout back.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock")
    rate(5, 60)
    throttle.hit(request(), LIMIT)
    seen = []
    with throttle._short_lock_wait(), connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        seen.append(cursor.fetchone()[0])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        seen.append(cursor.fetchone()[0])
    assert seen == [throttle.LOCK_WAIT_MS, 20000]


@pytest.mark.django_db
def test_postgresql_counters_table_writes_no_wal():
    # The counters are a cache: UNLOGGED spares each counted request a WAL flush.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's unlogged tables")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_throttlecounter'")
        assert cursor.fetchone()[0] == "u"


def test_count_says_over_without_refusing_and_refuse_takes_the_request_back(backend, rate):
    rate(1, 3600)
    with time_machine.travel(AT_1000, tick=False):
        assert not throttle.count(request(), LIMIT).over
        over = throttle.count(request(), LIMIT)
        assert over.over  # the caller decides: served, or refused
        with pytest.raises(Throttled):
            over.refuse()
        # Refused, it no longer counts: the next request is over by one again, not by two.
        assert throttle.count(request(), LIMIT).over


def test_each_subject_is_counted_apart_and_kept_only_as_a_hash(backend, rate):
    rate(1, 3600)
    with time_machine.travel(AT_1000, tick=False):
        first = throttle.hit(request(), LIMIT, subject="13812345678")
        throttle.hit(request(), LIMIT, subject="13900000000")
        with pytest.raises(Throttled):
            throttle.hit(request(), LIMIT, subject="13812345678")
    assert "13812345678" not in first.key


def test_hit_all_takes_back_the_counts_made_before_the_limit_that_refuses(backend, settings):
    other = Limit("test_other", "其他操作")
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, LIMIT.name: (2, 3600),
                               other.name: (1, 3600)}  # fmt: skip
    with time_machine.travel(AT_1000, tick=False):
        throttle.hit(request(), other)
        for _ in range(3):
            with pytest.raises(Throttled):
                throttle.hit_all(request(), [(LIMIT, "", ""), (other, "", "")])
        # LIMIT counted none of the three refused requests.
        throttle.hit(request(), LIMIT)
        throttle.hit(request(), LIMIT)
        with pytest.raises(Throttled):
            throttle.hit(request(), LIMIT)
