"""The portal's rate limits per client address: wrong number + phone lookups, submissions,
uploads and certificate checks; a refused request gets a Chinese 429 and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from regulus.core.audit import verify_chain
from regulus.core.models import AuditLog
from regulus.licensing import services
from regulus.licensing.models import Application, ApplicationMaterial
from tests.licensing.conftest import pdf, submit
from tests.portal.test_portal import form_data

# 10:05 in Changsha (UTC+8): 55 minutes before the hourly window turns.
AT_1005 = dt.datetime(2026, 9, 28, 2, 5, tzinfo=dt.UTC)
WRONG_PHONE = "13900000000"
RIGHT_PHONE = "13812345678"  # tests.licensing.conftest.submit


@pytest.fixture
def clock_at_1005():
    with time_machine.travel(AT_1005, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(supermarket, clock_at_1005):
    return submit(supermarket)


def lookup(client, app, phone, **meta):
    return client.post("/portal/progress/", {"number": app.number, "phone": phone}, **meta)


def api_lookup(client, app, phone, **meta):
    return client.post(
        "/api/v1/portal/progress",
        {"number": app.number, "phone": phone},
        content_type="application/json",
        **meta,
    )


def media_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def test_progress_lookup_blocks_after_ten_wrong_phones_in_an_hour(client, app):
    for _ in range(10):
        response = lookup(client, app, WRONG_PHONE)
        assert response.status_code == 200
        assert "未找到该申请" in response.content.decode()
    # The eleventh try is refused even with the right phone: a blocked address learns nothing.
    refused = lookup(client, app, RIGHT_PHONE)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(55 * 60)
    page = refused.content.decode()
    assert "办理进度查询失败次数过多，请于约55分钟后再试" in page
    assert "同一网络地址每小时办理进度查询失败不超过10次" in page
    assert "11:00" in page  # when to come back, in Changsha time
    assert "长沙市市场监督管理局 政务服务" in page  # the portal's look
    # Nothing changed: the browser did not gain access to the application.
    assert client.get(f"/portal/applications/{app.number}/").status_code == 404


def test_correct_lookups_are_never_counted(client, app):
    for _ in range(30):
        assert lookup(client, app, RIGHT_PHONE).status_code == 302
    for _ in range(10):
        assert lookup(client, app, WRONG_PHONE).status_code == 200
    assert lookup(client, app, WRONG_PHONE).status_code == 429


def test_progress_api_shares_the_lookup_limit_and_answers_429_in_the_error_shape(client, app):
    for _ in range(9):
        lookup(client, app, WRONG_PHONE)
    assert api_lookup(client, app, WRONG_PHONE).status_code == 404  # the tenth failure
    assert api_lookup(client, app, RIGHT_PHONE).status_code == 429
    refused = api_lookup(client, app, RIGHT_PHONE)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(55 * 60)
    body = refused.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "too_many_requests"
    assert "办理进度查询失败次数过多，请于约55分钟后再试" in body["message"]


def test_limit_resets_after_its_window(client, app, clock_at_1005):
    for _ in range(10):
        lookup(client, app, WRONG_PHONE)
    assert lookup(client, app, RIGHT_PHONE).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=54, seconds=59))  # 10:59:59
    assert lookup(client, app, RIGHT_PHONE).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=55))  # 11:00, a new window
    assert lookup(client, app, RIGHT_PHONE).status_code == 302
    for _ in range(10):
        assert lookup(client, app, WRONG_PHONE).status_code == 200


def test_refused_requests_do_not_extend_the_block(client, app, clock_at_1005):
    for _ in range(10):
        lookup(client, app, WRONG_PHONE)
    for _ in range(20):
        assert lookup(client, app, WRONG_PHONE).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=55))
    for _ in range(10):
        assert lookup(client, app, WRONG_PHONE).status_code == 200


def test_other_addresses_are_not_affected(client, app):
    for _ in range(10):
        lookup(client, app, WRONG_PHONE)
    assert lookup(client, app, WRONG_PHONE).status_code == 429
    neighbour = client.__class__()
    assert lookup(neighbour, app, WRONG_PHONE, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert lookup(neighbour, app, RIGHT_PHONE, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_forwarded_for_is_ignored_without_trusted_proxies(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(10):  # a script writing a new X-Forwarded-For each time
        lookup(client, app, WRONG_PHONE, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    refused = lookup(client, app, WRONG_PHONE, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert refused.status_code == 429


def test_forwarded_for_used_only_behind_configured_proxies(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx on 127.0.0.1 appends the client's address
    for i in range(10):
        # The client prepends a made-up address each time; nginx appends the real one.
        xff = f"192.0.2.{i}, 203.0.113.5"
        assert lookup(client, app, WRONG_PHONE, HTTP_X_FORWARDED_FOR=xff).status_code == 200
    blocked = lookup(client, app, RIGHT_PHONE, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.5")
    assert blocked.status_code == 429
    # Another citizen behind the same nginx, even one who writes the blocked address in front.
    other = lookup(
        client.__class__(), app, RIGHT_PHONE, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7"
    )
    assert other.status_code == 302


def test_block_is_audited_once_per_window(client, app, clock_at_1005):
    for _ in range(10):
        lookup(client, app, WRONG_PHONE)
    for _ in range(5):
        assert lookup(client, app, WRONG_PHONE).status_code == 429
    assert api_lookup(client, app, WRONG_PHONE).status_code == 429
    rows = AuditLog.objects.filter(action=AuditLog.Action.THROTTLED)
    assert rows.count() == 1
    row = rows.get()
    assert row.actor is None and row.object_type == "core.throttle"
    assert row.object_id == "portal_lookup_failure" and row.object_repr == "127.0.0.1"
    assert "办理进度查询失败次数达到上限" in row.summary
    assert row.changes["count"] == 10 and row.changes["window_seconds"] == 3600
    # The next window's block is a new pattern: one more row.
    clock_at_1005.move_to(AT_1005 + dt.timedelta(hours=1))
    for _ in range(12):
        lookup(client, app, WRONG_PHONE)
    assert rows.count() == 2
    assert verify_chain().ok


def test_submission_limit_refuses_without_creating_an_application(
    client, supermarket, settings, media_root, clock_at_1005
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_submit": (2, 3600)}
    for _ in range(2):
        assert client.post("/portal/apply/open-supermarket/", form_data(supermarket)).status_code
    assert Application.objects.count() == 2
    files_before = media_files(media_root)
    refused = client.post("/portal/apply/open-supermarket/", form_data(supermarket))
    assert refused.status_code == 429
    assert "提交申请次数过多，请于约55分钟后再试" in refused.content.decode()
    assert "本次请求未被处理" in refused.content.decode()
    assert Application.objects.count() == 2
    assert media_files(media_root) == files_before


def test_forms_sent_back_with_errors_do_not_count_toward_the_submission_limit(
    client, supermarket, settings, clock_at_1005
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_submit": (1, 3600)}
    for _ in range(3):
        page = client.post(
            "/portal/apply/open-supermarket/", form_data(supermarket, contact_phone="123")
        )
        assert page.status_code == 200 and "11位手机号码" in page.content.decode()
    assert client.post("/portal/apply/open-supermarket/", form_data(supermarket)).status_code == 302
    assert client.post("/portal/apply/open-supermarket/", form_data(supermarket)).status_code == 429
    assert Application.objects.count() == 1


def test_upload_limit_refuses_without_storing_the_file(
    client, app, window_clerk, settings, media_root
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_upload": (2, 3600)}
    services.correction_request(
        application=app,
        actor=window_clerk,
        items=[{"key": "layout", "name": "经营场所平面布局图", "problem": "不清晰"}],
    )
    lookup(client, app, RIGHT_PHONE)
    url = f"/portal/applications/{app.number}/upload/"
    # A rejected file (no file chosen) does not count.
    assert client.post(url, {"key": "layout"}).status_code == 302
    for name in ("布局图1.pdf", "布局图2.pdf"):
        assert client.post(url, {"key": "layout", "file": pdf(name)}).status_code == 302
    stored = ApplicationMaterial.objects.filter(application=app).count()
    files_before = media_files(media_root)
    refused = client.post(url, {"key": "layout", "file": pdf("布局图3.pdf")})
    assert refused.status_code == 429
    assert "上传材料次数过多" in refused.content.decode()
    assert ApplicationMaterial.objects.filter(application=app).count() == stored
    assert media_files(media_root) == files_before


def test_certificate_checks_are_limited_per_address_per_minute(
    client, catalogue, settings, clock_at_1005
):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_certificate": (3, 60)}
    assert client.get("/portal/certificates/", {"number": "DZ1"}).status_code == 302
    assert client.get("/portal/certificates/DZ1/").status_code == 404
    assert client.get("/api/v1/portal/certificates/DZ2").status_code == 404
    assert client.get("/portal/certificates/DZ3/").status_code == 404
    refused = client.get("/portal/certificates/DZ4/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"  # 10:05:00 exactly: the whole minute
    assert "证照核验次数过多，请于约1分钟后再试" in refused.content.decode()
    api = client.get("/api/v1/portal/certificates/DZ4")
    assert api.status_code == 429 and api.json()["code"] == "too_many_requests"
    assert api["Retry-After"] == "60"
    # The search form itself is not a check.
    assert client.get("/portal/certificates/").status_code == 200


def test_a_limit_set_off_never_refuses(client, catalogue, settings, clock_at_1005):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_certificate": (1, 60)}
    assert client.get("/portal/certificates/DZ1/").status_code == 404
    assert client.get("/portal/certificates/DZ1/").status_code == 429
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_certificate": None}
    for _ in range(5):
        assert client.get("/portal/certificates/DZ1/").status_code == 404
