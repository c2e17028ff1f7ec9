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


def lookup(client, app, phone, *, number=None, **meta):
    number = app.number if number is None else number
    return client.post("/portal/progress/", {"number": number, "phone": phone}, **meta)


def api_lookup(client, app, phone, **meta):
    return client.post(
        "/api/v1/portal/progress",
        {"number": app.number, "phone": phone},
        content_type="application/json",
        **meta,
    )


def guess(client, i, **meta):
    """A wrong pair that names another application number and another phone each time, as a
    script spreading its guesses does: only the address's own counts see it twice."""
    data = {"number": f"YJS20250101{i:05d}", "phone": f"1390000{i:04d}"}
    return client.post("/portal/progress/", data, **meta)


def guesses(client, n, start=0, **meta):
    for i in range(start, start + n):
        response = guess(client, i, **meta)
        assert response.status_code == 200, i
        assert "未找到该申请" in response.content.decode()


def media_files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def test_wrong_pairs_over_ten_an_hour_are_refused_with_a_chinese_429(client, app):
    guesses(client, 10)
    refused = guess(client, 10)
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(55 * 60)
    page = refused.content.decode()
    assert "办理进度查询失败次数过多，请于约55分钟后再试" in page
    assert "同一网络地址每小时办理进度查询失败不超过10次" in page
    assert "手机号码一致的查询不受此限制" in page  # what this limit protects, and how not to hit it
    assert "11:00" in page  # when to come back, in Changsha time
    assert "长沙市市场监督管理局 政务服务" in page  # the portal's look


def test_a_correct_pair_passes_from_an_address_over_its_limit(client, app):
    # Others behind the same address (a family, an office, a carrier's NAT) guessed wrong ten
    # times: the applicant with the right number and phone is still answered.
    guesses(client, 10)
    assert guess(client, 10).status_code == 429
    found = lookup(client, app, RIGHT_PHONE)
    assert found.status_code == 302
    assert client.get(f"/portal/applications/{app.number}/").status_code == 200
    assert api_lookup(client.__class__(), app, RIGHT_PHONE).status_code == 200
    # … and the wrong pairs stay refused, without telling whether they were close.
    assert guess(client, 11).status_code == 429
    assert lookup(client, app, WRONG_PHONE).status_code == 429


def test_guessing_the_phone_of_one_application_is_held_to_five_tries(client, app, supermarket):
    for i in range(5):
        response = lookup(client, app, f"1390000{i:04d}")
        assert response.status_code == 200 and "未找到该申请" in response.content.decode()
    # The sixth try at this application is refused before the lookup, even with its phone:
    # a refusal that depends on the pair would tell the guesser when they are right.
    refused = lookup(client, app, RIGHT_PHONE)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "对同一申请编号的查询失败次数过多" in page
    assert "同一网络地址每小时对同一申请编号的查询失败不超过5次" in page
    assert client.get(f"/portal/applications/{app.number}/").status_code == 404
    # Another application from the same address, and this one from another address, pass.
    other = submit(supermarket, contact_phone="13700001111")
    assert lookup(client, other, "13700001111").status_code == 302
    assert lookup(client.__class__(), app, RIGHT_PHONE, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_guessing_the_numbers_of_one_phone_is_held_to_five_tries(client, app):
    # Application numbers are sequential: a script that knows someone's phone walks them.
    for i in range(5):
        assert lookup(client, app, RIGHT_PHONE, number=f"YJS20250101{i:05d}").status_code == 200
    refused = lookup(client, app, RIGHT_PHONE)
    assert refused.status_code == 429
    assert "以同一手机号码的查询失败次数过多" in refused.content.decode()


def test_an_address_at_the_ceiling_is_refused_every_lookup(client, app, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_lookup_ceiling": (14, 3600)}
    guesses(client, 10)
    for i in range(10, 14):  # over the address limit: refused, but still counted as guesses
        assert guess(client, i).status_code == 429
    refused = lookup(client, app, RIGHT_PHONE)
    assert refused.status_code == 429
    assert "同一网络地址每小时办理进度查询失败不超过14次" in refused.content.decode()
    assert "远超正常使用" in refused.content.decode()


def test_correct_lookups_are_never_counted(client, app):
    for _ in range(30):
        assert lookup(client, app, RIGHT_PHONE).status_code == 302
    guesses(client, 10)
    assert guess(client, 10).status_code == 429
    for _ in range(10):  # nor do they count on the number or the phone
        assert lookup(client, app, RIGHT_PHONE).status_code == 302


def test_progress_api_shares_the_lookup_limit_and_answers_429_in_the_error_shape(client, app):
    guesses(client, 9)
    assert api_lookup(client, app, WRONG_PHONE).status_code == 404  # the tenth failure
    refused = api_lookup(client, app, "13900000001")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(55 * 60)
    body = refused.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "too_many_requests"
    assert "办理进度查询失败次数过多，请于约55分钟后再试" in body["message"]
    answer = api_lookup(client, app, RIGHT_PHONE)
    assert answer.status_code == 200 and answer.json()["number"] == app.number


def test_limit_resets_after_its_window(client, app, clock_at_1005):
    guesses(client, 10)
    assert guess(client, 10).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=54, seconds=59))  # 10:59:59
    assert guess(client, 11).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=55))  # 11:00, a new window
    guesses(client, 10, start=20)


def test_refused_requests_do_not_extend_the_block(client, app, clock_at_1005):
    guesses(client, 10)
    for i in range(10, 30):
        assert guess(client, i).status_code == 429
    clock_at_1005.move_to(AT_1005 + dt.timedelta(minutes=55))
    guesses(client, 10, start=30)


def test_other_addresses_are_not_affected(client, app):
    guesses(client, 10)
    assert guess(client, 10).status_code == 429
    neighbour = client.__class__()
    assert guess(neighbour, 10, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(10):  # a script writing a new X-Forwarded-For each time
        guess(client, i, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    refused = guess(client, 10, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert refused.status_code == 429


def test_forwarded_for_used_only_behind_configured_proxies(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx on 127.0.0.1 appends the client's address
    for i in range(10):
        # The client prepends a made-up address each time; nginx appends the real one.
        xff = f"192.0.2.{i}, 203.0.113.5"
        assert guess(client, i, HTTP_X_FORWARDED_FOR=xff).status_code == 200
    assert guess(client, 10, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.5").status_code == 429
    # Another citizen behind the same nginx, even one who writes the blocked address in front.
    other = guess(client.__class__(), 10, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7")
    assert other.status_code == 200


def test_block_is_audited_once_per_window(client, app, clock_at_1005):
    guesses(client, 10)
    for i in range(10, 15):
        assert guess(client, i).status_code == 429
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
    for i in range(20, 32):
        guess(client, i)
    assert rows.count() == 2
    assert verify_chain().ok


def test_a_guessed_application_is_audited_by_its_number_never_the_phone_in_clear(client, app):
    for i in range(5):
        lookup(client, app, f"1390000{i:04d}")
    for _ in range(3):
        assert lookup(client, app, RIGHT_PHONE).status_code == 429
    row = AuditLog.objects.get(action=AuditLog.Action.THROTTLED)
    assert row.object_id == "portal_lookup_number_failure"
    assert row.changes["subject"] == f"申请编号{app.number}"
    assert app.number in row.summary
    for i in range(5):
        lookup(client, app, RIGHT_PHONE, number=f"YJS20250101{i:05d}")
    assert lookup(client, app, RIGHT_PHONE, number="YJS2025010100009").status_code == 429
    row = AuditLog.objects.get(object_id="portal_lookup_phone_failure")
    assert row.changes["subject"] == "手机号码138****5678"
    assert RIGHT_PHONE not in str(AuditLog.objects.values_list("summary", "changes"))


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


def test_the_enterprise_lookup_429_page_speaks_of_its_own_limit(client, catalogue, settings):
    # It was copied from the progress lookup's and spoke of misused application numbers.
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "portal_entity": (1, 60)}
    assert client.get("/portal/entities/", {"q": "鑫达"}).status_code == 200
    refused = client.get("/portal/entities/", {"q": "鑫达"})
    page = refused.content.decode()
    assert refused.status_code == 429 and "企业信息查询次数过多" in page
    assert "批量抓取企业登记信息" in page and "申请编号" not in page


def test_each_limit_of_the_portal_says_what_it_protects_in_words_of_its_own():
    from regulus.core.throttle import Limit
    from regulus.portal import limits

    whys = [v.why for v in vars(limits).values() if isinstance(v, Limit)]
    assert len(whys) == 8 and all(whys) and len(set(whys)) == len(whys)
