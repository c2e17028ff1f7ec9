"""Licensing on the kernel's clocks: each step's deadline is its clock's date (unchanged for the
user), every page that shows such a date says how it was computed, and the staff extend a
rectification period with a leader's approval on the clocks page.

March 2026 has no holiday: submitted Monday 03-02, the acceptance clock (5 working days) runs
out on 03-09.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from regulus.core import clock_services
from regulus.core.models import AuditLog, Clock, ClockExtension, ClockHistory
from regulus.licensing import services
from regulus.licensing.models import VerificationTask
from tests.conftest import make_staff
from tests.licensing.conftest import submit

D = dt.date
pytestmark = pytest.mark.django_db


def at(day: str) -> time_machine.travel:
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=False)


@pytest.fixture
def leader(bureau):
    return make_staff("leader_a", bureau["district_a"], "县区局领导", full_name="周局长")


def clocks_of(obj) -> list[tuple[str, str]]:
    rows = Clock.objects.filter(object_id=obj.pk, content_type__model=obj._meta.model_name)
    return list(rows.order_by("id").values_list("name", "status"))


def test_each_step_runs_its_own_clock_in_turn(supermarket, window_clerk, handler):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        assert clocks_of(app) == [("acceptance", "running")]
        services.application_accept(application=app, actor=window_clerk)
        services.application_transition(application=app, name="approve", actor=handler)
        services.certificate_issue(application=app, actor=window_clerk)
    assert clocks_of(app) == [
        ("acceptance", "stopped"),
        ("review", "stopped"),
        ("issue", "stopped"),
        ("delivery", "running"),
    ]
    task = VerificationTask.objects.get(application=app)
    assert clocks_of(task) == [("verification", "running")]
    app.refresh_from_db()
    assert app.deadline == Clock.objects.get(object_id=app.pk, name="delivery").due_date


def test_detail_list_and_portal_pages_say_how_the_deadline_was_computed(
    client, supermarket, window_clerk, handler
):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk)
    client.force_login(handler)
    with at("2026-03-03"):
        detail = client.get(app.get_absolute_url()).content.decode()
        listing = client.get("/licensing/applications/?open=1").content.decode()
    assert "2026-03-09，剩余 4 个工作日" in detail
    assert 'data-testid="clock-trace"' in detail and "《行政许可法》第三十二条" in detail
    assert "计入的工作日（5天）：03-03、03-04、03-05、03-06、03-09。" in detail
    assert f'href="/clocks/licensing.application/{app.pk}/"' in listing


def test_the_applicant_sees_the_trace_without_staff_names(
    client, supermarket, window_clerk, handler, leader
):
    with at("2026-03-02"):
        app = submit(supermarket)
        services.application_accept(application=app, actor=window_clerk)
    with at("2026-03-03"):
        clock = Clock.objects.get(object_id=app.pk, name="review")
        clock_services.clock_extend(
            clock=clock, actor=handler, days=2, approver=leader, document="芙延〔2026〕1号",
            reason="需专家论证",
        )  # fmt: skip
        response = client.post(
            "/portal/progress/", {"number": app.number, "phone": "13812345678"}, follow=True
        )
    page = response.content.decode()
    assert response.status_code == 200 and "计算依据" in page
    assert "延长：2 个工作日" in page and "经批准延长期限，届满日 2026-03-11" in page
    for secret in ("周局长", "芙延〔2026〕1号", handler.display_name):
        assert secret not in page


def test_the_rectification_period_is_extended_with_a_leaders_approval(
    client, supermarket, window_clerk, handler, leader
):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        services.application_fast_track(application=app, actor=handler)
        task = VerificationTask.objects.get(application=app)
        services.verification_order_rectification(
            task=task, actor=handler, findings="无冷藏设施", order="配置冷藏设施"
        )
    task.refresh_from_db()
    assert task.deadline == D(2026, 3, 16)  # 10 working days
    clock = Clock.objects.get(object_id=task.pk, name="rectification", status="running")
    url = f"/clocks/licensing.verificationtask/{task.pk}/"
    client.force_login(window_clerk)
    with at("2026-03-05"):
        page = client.get(url).content.decode()
        assert "extend-form" not in page  # the window clerk may not record extensions
        refused = client.post(url, {"clock": clock.pk, "action": "extend", "days": "5"})
        assert refused.status_code == 403
        client.force_login(handler)
        page = client.get(url).content.decode()
        assert "extend-form" in page and "pause-form" not in page  # 整改期限 is not pausable
        assert f'value="{leader.pk}"' in page  # the district's leader approves
        response = client.post(
            url,
            {"clock": clock.pk, "action": "extend", "days": "5", "approver": str(leader.pk),
             "document": "芙市监延〔2026〕7号", "reason": "设备采购周期"},
            follow=True,
        )  # fmt: skip
        detail = client.get(f"/licensing/verifications/{task.pk}/").content.decode()
    assert "已登记“整改期限”的延长" in response.content.decode()
    task.refresh_from_db()
    assert task.deadline == D(2026, 3, 23)
    assert ClockExtension.objects.get(clock=clock).approver == leader
    assert ClockHistory.objects.filter(clock=clock, kind="extend").exists()
    assert AuditLog.objects.filter(
        summary__startswith="延长期限：整改期限 延长 5 个工作日"
    ).exists()
    assert "整改期限" in detail and "芙市监延〔2026〕7号" in detail


def test_the_review_clock_is_paused_for_testing_on_the_clocks_page(
    client, supermarket, window_clerk, handler
):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk)
        services.application_accept(application=app, actor=window_clerk)
    clock = Clock.objects.get(object_id=app.pk, name="review")
    client.force_login(handler)
    url = f"/clocks/licensing.application/{app.pk}/"
    with at("2026-03-04"):
        client.post(
            url,
            {"clock": clock.pk, "action": "pause", "reason": "testing", "since": "2026-03-04",
             "note": "送省质检院"},
        )  # fmt: skip
        detail = client.get(app.get_absolute_url()).content.decode()
        assert "中止中（自 2026-03-04 起，检验、检测、检疫）" in detail
        listing = client.get("/licensing/applications/?overdue=1").content.decode()
    with at("2026-03-09"):
        client.force_login(handler)  # the session of 03-04 has expired
        client.post(url, {"clock": clock.pk, "action": "resume", "on": "2026-03-06"})
    app.refresh_from_db()
    assert app.deadline == D(2026, 3, 12)
    assert app.number not in listing
