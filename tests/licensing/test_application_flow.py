"""The application workflow: each transition, its guards, its event and audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.models import AuditLog, TransitionEvent
from regulus.licensing import services
from regulus.licensing.models import Application, Certificate, VerificationTask
from regulus.registry.models import Entity
from tests.licensing.conftest import submit

S = Application.State


def events(app):
    return list(
        TransitionEvent.objects.filter(
            object_id=str(app.pk), workflow="licensing.application"
        ).values_list("transition", flat=True)
    )


def test_submit_copies_limits_and_starts_acceptance_deadline(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    assert app.number.startswith("YJS")
    assert app.state == S.SUBMITTED
    assert app.unit.division_code == "430102"
    assert app.items.count() == 3
    assert app.statutory_days == max(i.statutory_days for i in app.items.all())
    assert app.deadline is not None
    assert app.visits == 1
    assert events(app) == [""]


def test_normal_path_needs_the_joint_check_before_approval(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk)
    services.application_accept(application=app, actor=window_clerk)
    assert app.state == S.REVIEW
    with pytest.raises(ValidationError, match="联合现场核查"):
        services.application_transition(application=app, name="approve", actor=handler)
    app.refresh_from_db()
    assert app.state == S.REVIEW
    check = services.joint_check_schedule(
        application=app,
        actor=handler,
        scheduled_on=dt.date.today() + dt.timedelta(days=2),
        inspectors=[handler],
    )
    assert "食品经营安全监督管理科" in check.departments
    with pytest.raises(ValidationError, match=r"只核查一次|不能执行"):
        services.joint_check_schedule(
            application=app, actor=handler, scheduled_on=dt.date.today(), inspectors=[handler]
        )
    services.joint_check_complete(
        application=app, actor=handler, result="pass", findings="场所、设施与承诺一致"
    )
    assert app.state == S.REVIEW
    services.application_transition(application=app, name="approve", actor=handler, note="符合")
    cert = services.certificate_issue(application=app, actor=window_clerk)
    app.refresh_from_db()
    assert app.state == S.ISSUED
    assert app.entity is not None and Entity.objects.filter(uscc=app.uscc).exists()
    assert len(cert.items) == 3
    services.certificate_deliver(
        application=app, actor=window_clerk, method="mail", tracking_number="SF1234567890"
    )
    app.refresh_from_db()
    assert app.state == S.DELIVERED and app.visits == 1
    assert events(app) == [
        "",
        "accept",
        "schedule_check",
        "complete_check",
        "approve",
        "issue",
        "deliver",
    ]
    assert (
        AuditLog.objects.filter(object_type="licensing.application", action="transition").count()
        == 6
    )


def test_transition_fired_twice_changes_nothing_the_second_time(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    services.application_accept(application=app, actor=window_clerk)
    count = TransitionEvent.objects.count()
    stale = Application.objects.get(pk=app.pk)
    stale.state = S.SUBMITTED  # a second browser tab still showing the old state
    with pytest.raises(ValidationError, match="当前状态为“审查中”，不能执行“受理”"):
        services.application_accept(application=stale, actor=window_clerk)
    assert TransitionEvent.objects.count() == count
    assert Application.objects.get(pk=app.pk).state == S.REVIEW


def test_transition_out_of_order_is_refused(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    with pytest.raises(ValidationError, match="不能执行“制发证照”"):
        services.certificate_issue(application=app, actor=window_clerk)
    with pytest.raises(ValidationError, match="不能执行“送达证照”"):
        services.certificate_deliver(application=app, actor=window_clerk, method="pickup")
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED
    assert not Certificate.objects.exists()


def test_window_clerk_may_not_decide(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk, path="commitment")
    services.application_accept(application=app, actor=window_clerk)
    with pytest.raises(PermissionDenied):
        services.application_transition(application=app, name="approve", actor=window_clerk)


def test_refusal_needs_a_reason_and_completes_the_application(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk)
    services.application_accept(application=app, actor=window_clerk)
    with pytest.raises(ValidationError, match="须填写理由"):
        services.application_transition(application=app, name="refuse", actor=handler)
    services.application_transition(
        application=app, name="refuse", actor=handler, note="经营场所不符合要求"
    )
    app.refresh_from_db()
    assert app.state == S.REFUSED and app.completed_at is not None and app.deadline is None


def test_not_accepted_with_reason(supermarket, window_clerk):
    app = submit(supermarket, actor=window_clerk)
    services.application_transition(
        application=app, name="not_accept", actor=window_clerk, note="不属于本机关职权范围"
    )
    app.refresh_from_db()
    assert app.state == S.NOT_ACCEPTED and app.decision_note == "不属于本机关职权范围"


def test_applicant_may_withdraw_before_acceptance(supermarket):
    app = submit(supermarket)
    services.application_transition(application=app, name="withdraw", actor=None, actor_name="张三")
    assert Application.objects.get(pk=app.pk).state == S.WITHDRAWN


def test_commitment_path_issues_the_same_day_and_opens_the_post_check(
    supermarket, window_clerk, handler
):
    with time_machine.travel(dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.UTC), tick=False):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        assert app.commitment_signed_at is not None and app.commitment_signer == "张三"
        cert = services.application_fast_track(application=app, actor=handler)
    app.refresh_from_db()
    assert app.state == S.ISSUED and app.same_day and app.working_days_taken == 0
    assert cert.status == Certificate.Status.VALID
    task = VerificationTask.objects.get(application=app)
    # 30 working days after 2026-09-28: the plain week gives 11-09; National Day takes five
    # weekdays (10-01, 10-02, 10-05..10-07) and the make-up Saturday 10-10 gives one back.
    assert task.deadline == dt.date(2026, 11, 13)
    assert events(app) == ["", "accept", "approve", "issue"]


def test_fast_track_refused_when_a_prior_check_is_needed(supermarket, window_clerk, handler):
    app = submit(supermarket, actor=window_clerk)
    with pytest.raises(ValidationError, match="现场核查"):
        services.application_fast_track(application=app, actor=handler)
    assert Application.objects.get(pk=app.pk).state == S.SUBMITTED


def test_existing_entity_skips_registration(catalogue, window_clerk, bureau):
    from regulus.core import ids

    entity = Entity.objects.create(
        uscc=ids.make_uscc("9", "1", "430102", ids.make_org_code("12345678")),
        name="长沙市芙蓉区老字号药房有限公司",
        kind="enterprise",
        established_on=dt.date(2020, 1, 1),
        district_code="430102",
        unit=bureau["district_a"],
        address="芙蓉区解放路2号",
    )
    from tests.licensing.conftest import all_files

    bundle = catalogue["open-pharmacy"]
    app = services.application_submit(
        actor=window_clerk,
        channel="window",
        bundle=bundle,
        entity=entity,
        contact_name="李四",
        contact_phone="13900001111",
        files=all_files(bundle, new_business=False),
    )
    assert app.uscc == entity.uscc
    assert "REG-SL" not in set(app.items.values_list("matter__code", flat=True))
    assert app.materials_count == len(all_files(bundle, new_business=False))
