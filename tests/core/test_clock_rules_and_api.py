"""The clock rules page (core.clock_rule_view / core.clock_rule_manage) and the clock writes of
the API: a new rule version only from a day after today, withdrawn only before it is in force,
never moving a clock already started; pause, resume and extend through the API under the same
services, permissions and data scope as the clocks page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import clock_services
from regulus.core.models import AuditLog, Clock, ClockRule
from tests.core import test_clocks
from tests.core.test_clocks import accepted, at, review_clock

D = dt.date
# The application and the leader of the clock tests (fixtures).
supermarket, leader = test_clocks.supermarket, test_clocks.leader
pytestmark = pytest.mark.django_db


def new_version(actor, **overrides):
    values = dict(
        actor=actor, code="licensing.review", effective_from=D(2026, 4, 1), days=None,
        unit="working", legal_basis="《行政许可法》第四十二条（修订）", max_extension_days=15,
        pause_reasons=["testing", "hearing"], note="",
    )  # fmt: skip
    values.update(overrides)
    return clock_services.clock_rule_version_add(**values)


def test_a_new_rule_version_applies_to_clocks_started_after_it_not_before(
    supermarket, window_clerk, city_admin
):
    before = accepted(supermarket, window_clerk, "2026-03-04")
    with at("2026-03-05"):
        version = new_version(city_admin, effective_from=D(2026, 3, 10))
    after = accepted(supermarket, window_clerk, "2026-03-12")
    assert review_clock(before).rule != version and review_clock(after).rule == version
    assert review_clock(after).rule.max_extension_days == 15
    row = AuditLog.objects.filter(object_type="core.clockrule").latest("pk")
    assert "新增计时规则版本" in row.summary


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"effective_from": D(2026, 3, 5)}, "effective_from", "施行日期应晚于今天"),
        ({"effective_from": D(2026, 3, 1)}, "effective_from", "施行日期应晚于今天"),
        ({"days": 10}, "days", "期限由办件自身的时限规则给出"),
        ({"unit": "fortnight"}, "unit", "计算单位应为"),
        ({"legal_basis": "  "}, "legal_basis", "请填写法律依据"),
        ({"max_extension_days": -1}, "max_extension_days", "最长可延长应为0至3650"),
        ({"pause_reasons": ["weather"]}, "pause_reasons", "只能从所列事由中选择"),
    ],
)
def test_a_bad_rule_version_is_refused_naming_the_field_and_nothing_changes(
    supermarket, city_admin, overrides, field, words
):
    rows, audits = ClockRule.objects.count(), AuditLog.objects.count()
    with at("2026-03-05"), pytest.raises(ValidationError) as exc:
        new_version(city_admin, **overrides)
    assert words in " ".join(exc.value.message_dict[field])
    assert (ClockRule.objects.count(), AuditLog.objects.count()) == (rows, audits)


def test_a_version_of_an_unknown_rule_or_a_second_on_the_same_day_is_refused(
    supermarket, city_admin
):
    with at("2026-03-05"):
        new_version(city_admin)
        with pytest.raises(ValidationError) as exc:
            new_version(city_admin)
        assert "2026-04-01 施行的版本已经存在" in exc.value.message_dict["effective_from"][0]
        with pytest.raises(ValidationError) as exc:
            new_version(city_admin, code="nope.rule")
        assert "没有编码为“nope.rule”的计时规则" in exc.value.message_dict["code"][0]


def test_only_the_system_administrator_enters_or_withdraws_a_version(
    supermarket,
    handler,
    leader,
):
    for actor in (handler, leader):
        with at("2026-03-05"), pytest.raises(PermissionDenied):
            new_version(actor)


def test_a_version_is_withdrawn_before_it_is_in_force_never_after(supermarket, city_admin):
    with at("2026-03-05"):
        version = new_version(city_admin)
    with at("2026-04-01"), pytest.raises(ValidationError) as exc:
        clock_services.clock_rule_version_withdraw(actor=city_admin, rule=version)
    assert "已经施行，不能撤回" in exc.value.messages[0]
    with at("2026-03-31"):
        clock_services.clock_rule_version_withdraw(actor=city_admin, rule=version)
    assert not ClockRule.objects.filter(pk=version.pk).exists()


def test_the_rules_page_lists_versions_and_takes_a_new_one_naming_a_bad_field(
    client, supermarket, city_admin, handler
):
    client.force_login(handler)
    page = client.get("/clock-rules/").content.decode()
    assert 'data-testid="rule-licensing.review"' in page and "现行" in page
    assert "保存新版本" not in page  # a handler reads the rules, the administrator edits them
    assert client.post("/clock-rules/", {"code": "licensing.review"}).status_code == 403
    client.force_login(city_admin)
    with at("2026-03-05"):
        form = {
            "action": "add", "code": "licensing.review", "effective_from": "2026-03-05",
            "unit": "working", "legal_basis": "新依据", "max_extension_days": "abc",
        }  # fmt: skip
        body = client.post("/clock-rules/", form, follow=True).content.decode()
        assert "施行日期应晚于今天（2026-03-05）" in body and "最长可延长应为0至3650" in body
        form.update(effective_from="2026-05-01", max_extension_days="5")
        body = client.post("/clock-rules/", form, follow=True).content.decode()
    assert "已录入审查期限（2026-05-01起）" in body and "待施行" in body
    assert ClockRule.objects.filter(code="licensing.review").count() == 2


def test_the_api_pauses_resumes_and_extends_a_clock_in_scope_only(
    client,
    supermarket,
    window_clerk,
    handler,
    leader,
    outsider,
):
    app = accepted(supermarket, window_clerk)
    base = f"/api/v1/clocks/licensing.application/{app.pk}/review"
    client.force_login(handler)
    with at("2026-03-04"):
        paused = client.post(
            f"{base}/pause", {"reason": "testing", "note": "送检"}, content_type="application/json"
        )
        assert paused.status_code == 200 and paused.json()["status"] == "paused"
        again = client.post(
            f"{base}/pause",
            {"reason": "testing", "note": "再送检"},
            content_type="application/json",
        )
        assert again.status_code == 422 and "中止期间不得重叠" in again.json()["message"]
    with at("2026-03-06"):
        client.force_login(handler)  # the session's idle limit runs on the moved clock too
        resumed = client.post(f"{base}/resume", {}, content_type="application/json")
        assert resumed.status_code == 200 and resumed.json()["due_date"] == "2026-03-12"
        extended = client.post(
            f"{base}/extend",
            {"days": 3, "approver_id": leader.pk, "document": "芙市监许延〔2026〕1号",
             "reason": "现场核查"},
            content_type="application/json",
        )  # fmt: skip
    assert extended.status_code == 200 and extended.json()["extension_days"] == 3
    assert review_clock(app).due_date == D(2026, 3, 17)
    with at("2026-03-06"):
        client.force_login(outsider)
        hidden = client.post(f"{base}/resume", {}, content_type="application/json")
    assert hidden.status_code == 404
    with at("2026-03-06"):
        client.force_login(handler)
        missing = client.post(
            f"/api/v1/clocks/licensing.application/{app.pk}/nope/resume",
            {},
            content_type="application/json",
        )
    assert missing.status_code == 404


def test_the_api_lists_rules_with_the_state_of_each_version(client, supermarket, city_admin):
    with at("2026-03-05"):
        new_version(city_admin)
        client.force_login(city_admin)
        body = client.get("/api/v1/clock-rules").json()
    review = next(f for f in body if f["code"] == "licensing.review")
    assert [v["state"] for v in review["versions"]] == ["upcoming", "current"]
    assert Clock.objects.count() == 0 and review["open_clocks"] == 0
