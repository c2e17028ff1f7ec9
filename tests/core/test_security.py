"""Login hardening of 等保 2.0: passwords, lockout, idle expiry, CSP, audited logins."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from regulus.core.crypto import keyed_hash, sm4_decrypt, sm4_encrypt
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import AuditLog, User

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(handler):
    assert handler.password.startswith("argon2")


@pytest.mark.parametrize("password", ["alllowercase", "lowercase123", "ABCDEFGHIJ12"])
def test_passwords_with_fewer_than_three_classes_are_rejected_with_the_rule(password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert "password_classes" in [e.code for e in exc.value.error_list]
    assert any("至少3类" in m for m in exc.value.messages)


def test_passwords_shorter_than_eight_are_rejected():
    with pytest.raises(ValidationError) as exc:
        validate_password("Ab1!xyz")
    assert "password_too_short" in [e.code for e in exc.value.error_list]


def test_password_with_three_classes_is_accepted():
    validate_password("Shiju2026x")


def test_account_locks_after_five_failed_logins(client, handler):
    for _ in range(5):
        client.post("/login/", {"username": handler.username, "password": "wrong"})
    response = client.post("/login/", {"username": handler.username, "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED).count() >= 5


def test_failed_login_records_the_client_by_the_trusted_proxy_rule(client, handler, settings):
    # One rule for the client's address everywhere: the lockout's record of an attempt, the
    # operation log and the portal's limits (behind one proxy: the rightmost forwarded entry).
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        "/login/",
        {"username": handler.username, "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
        HTTP_X_REAL_IP="1.2.3.4",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    assert AuditLog.objects.get(action=AuditLog.Action.LOGIN_FAILED).ip == "203.0.113.7"


def test_failed_login_shows_chinese_message_and_is_audited(client, handler):
    response = client.post("/login/", {"username": handler.username, "password": "wrong"})
    assert "用户名或密码错误" in response.content.decode()
    row = AuditLog.objects.get(action=AuditLog.Action.LOGIN_FAILED)
    assert row.object_repr == handler.username


def test_logout_is_audited_and_needs_post(client, handler):
    client.force_login(handler)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert AuditLog.objects.filter(action=AuditLog.Action.LOGOUT, actor=handler).exists()
    assert client.get("/").status_code == 302


def test_idle_session_expires_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_pages_carry_a_csp_without_inline_script(client, handler):
    client.force_login(handler)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()


def test_pages_load_nothing_from_outside_the_host(client, handler):
    client.force_login(handler)
    html = client.get("/").content.decode()
    assert "http://" not in html.replace("http://testserver", "") and "https://" not in html


def test_sm4_round_trip_and_ciphertext_differs_each_time():
    a, b = sm4_encrypt("11010519491231002X"), sm4_encrypt("11010519491231002X")
    assert a != b and sm4_decrypt(a) == sm4_decrypt(b) == "11010519491231002X"


def test_keyed_hash_is_stable_and_not_the_plain_value():
    assert keyed_hash("11010519491231002X") == keyed_hash("11010519491231002X")
    assert "11010519491231002X" not in keyed_hash("11010519491231002X")


def test_createsuperuser_noinput_gets_whole_city_scope(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root@2026x")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", "--noinput")
    from regulus.core.scope import scope_unit_ids

    assert scope_unit_ids(User.objects.get(username="root")) is None


def test_expired_session_is_told_in_chinese(client, handler):
    client.force_login(handler)
    session_key = client.session.session_key
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=session_key).delete()  # what expiry does
    response = client.get("/staff/", follow=True)
    assert "登录已过期" in response.content.decode()
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and "过期" in api.json()["message"]
