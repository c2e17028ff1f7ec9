"""Login lockout per username and client address, with a higher ceiling per username: one
person's mistakes, or an attacker typing a colleague's username, lock that username at that
address only; a guess spread over many addresses locks it everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import AuditLog

pytestmark = pytest.mark.django_db

OFFICE = "10.0.0.1"
HOME = "10.0.0.2"
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def login(client, username, password, address):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, address, times):
    for _ in range(times):
        response = login(client, username, "wrong", address)
        assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()


@pytest.fixture
def at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_five_failures_lock_the_username_at_that_address_only(client, handler, colleague, at_t0):
    fail(client, handler.username, OFFICE, 4)
    locked = login(client, handler.username, "wrong", OFFICE)  # the fifth
    assert locked.status_code == 429
    refused = login(client, handler.username, DEMO_PASSWORD, OFFICE)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "从本机所在网络地址登录失败5次" in page and "其他地址不受影响" in page
    # The same user from another address, and a colleague from the same office, log in.
    assert login(client.__class__(), handler.username, DEMO_PASSWORD, HOME).status_code == 302
    assert login(client.__class__(), colleague.username, DEMO_PASSWORD, OFFICE).status_code == 302


def test_anyone_typing_a_colleagues_username_locks_it_only_where_they_sit(client, handler, at_t0):
    fail(client, handler.username, "192.0.2.66", 4)
    assert login(client, handler.username, "wrong", "192.0.2.66").status_code == 429
    assert login(client, handler.username, DEMO_PASSWORD, "192.0.2.66").status_code == 429
    assert login(client.__class__(), handler.username, DEMO_PASSWORD, OFFICE).status_code == 302


def test_failures_from_many_addresses_lock_the_username_everywhere_at_its_ceiling(
    client, handler, settings, at_t0
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    for n in range(3):
        fail(client, handler.username, f"198.51.100.{n}", 4 if n < 2 else 3)  # 4 an address
    # The twelfth failure in all locks the username, at a fourth address and everywhere.
    assert login(client.__class__(), handler.username, "wrong", "198.51.100.9").status_code == 429
    refused = login(client.__class__(), handler.username, DEMO_PASSWORD, OFFICE)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "该账号在各处登录失败共12次，已锁定15分钟" in page and "任何地址均不能登录" in page


def test_a_lock_ends_with_its_cool_off(client, handler, at_t0):
    fail(client, handler.username, OFFICE, 4)
    login(client, handler.username, "wrong", OFFICE)
    assert login(client, handler.username, DEMO_PASSWORD, OFFICE).status_code == 429
    at_t0.move_to(T0 + dt.timedelta(minutes=16))
    assert login(client, handler.username, DEMO_PASSWORD, OFFICE).status_code == 302


def test_a_login_clears_the_failures_at_its_own_address_only(client, handler, settings, at_t0):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 9
    fail(client, handler.username, OFFICE, 4)
    fail(client, handler.username, HOME, 4)
    assert login(client, handler.username, DEMO_PASSWORD, OFFICE).status_code == 302
    # HOME's four still count: one more locks the username there, not at the office.
    assert login(client.__class__(), handler.username, "wrong", HOME).status_code == 429
    assert login(client.__class__(), handler.username, DEMO_PASSWORD, OFFICE).status_code == 302


def test_lockouts_are_audited_with_which_lock(client, handler, settings, at_t0):
    fail(client, handler.username, OFFICE, 4)
    login(client, handler.username, "wrong", OFFICE)
    login(client, handler.username, DEMO_PASSWORD, OFFICE)
    rows = list(AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED).order_by("id"))
    assert len(rows) == 6 and all(r.object_repr == handler.username for r in rows)
    assert all(r.ip == OFFICE for r in rows)
    assert [r.summary for r in rows[:4]] == [f"用户名“{handler.username}”登录失败"] * 4
    for row in rows[4:]:  # the failure that locked, and the attempt refused while locked
        assert "已暂停从此地址登录15分钟" in row.summary
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    login(client.__class__(), handler.username, "wrong", HOME)
    last = AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED).latest("id")
    assert "该账号在各处登录失败共6次，已锁定15分钟" in last.summary


def test_lockout_settings_fail_loudly(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import regulus.settings

    monkeypatch.setenv("REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT", "5")
    with pytest.raises(ImproperlyConfigured, match="REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT"):
        importlib.reload(regulus.settings)
    monkeypatch.delenv("REGULUS_LOGIN_ACCOUNT_FAILURE_LIMIT")
    importlib.reload(regulus.settings)
