"""The step deadlines (受理, 制证, 送达, 整改) are dated rule configuration: an application copies
them from the matters' rules in force on the day it is submitted, and a later rule change never
moves its deadlines.

March 2026 has no holiday: from Monday 03-02, working day 5 is 03-09; from Wednesday 03-04,
day 1 is 03-05, day 3 is 03-09, day 5 is 03-11, day 8 is 03-16 and day 15 is 03-25.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from regulus.core.models import TransitionEvent
from regulus.licensing import services
from regulus.licensing.models import Application, Matter, MatterRule, VerificationTask
from tests.licensing.conftest import submit

S = Application.State
STEPS = ("acceptance_days", "issue_days", "delivery_days", "rectification_days")


def at(day: str) -> time_machine.travel:
    """10:00 in Shanghai on the day."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=False)


def rule_add(actor, code: str, effective_from: str, **steps) -> MatterRule:
    """A new rule for the matter from the day, keeping its statutory and promised days."""
    matter = Matter.objects.get(code=code)
    day = dt.date.fromisoformat(effective_from)
    current = matter.rule_on(day)
    return services.matter_rule_add(
        actor=actor,
        matter=matter,
        effective_from=day,
        statutory_days=current.statutory_days,
        promised_days=current.promised_days,
        **steps,
    )


def steps_of(obj) -> tuple[int, ...]:
    return tuple(getattr(obj, f) for f in STEPS)


def test_catalogue_rules_get_the_default_step_days(catalogue):
    # 行政许可法 Art 32 (5), the service promise (1, 3), the rectification period (10).
    assert {steps_of(r) for r in MatterRule.objects.all()} == {(5, 1, 3, 10)}


def test_acceptance_deadline_follows_the_rule_in_force_at_submission(supermarket, city_admin):
    rule_add(city_admin, "SP-XS", "2026-03-03", acceptance_days=8)
    with at("2026-03-02"):
        before = submit(supermarket)
    with at("2026-03-04"):
        after = submit(supermarket)
    assert before.acceptance_days == 5 and before.deadline == dt.date(2026, 3, 9)
    assert after.acceptance_days == 8 and after.deadline == dt.date(2026, 3, 16)


def test_bundle_takes_the_longest_step_days_of_its_matters(supermarket, city_admin):
    rule_add(city_admin, "SP-XS", "2026-03-01", acceptance_days=8, issue_days=1)
    rule_add(city_admin, "YLQX-2BA", "2026-03-01", acceptance_days=3, issue_days=2)
    rule_add(city_admin, "REG-SL", "2026-03-01", delivery_days=4, rectification_days=12)
    with at("2026-03-02"):
        app = submit(supermarket)
    assert steps_of(app) == (8, 2, 4, 12)
    assert steps_of(Application.objects.get(pk=app.pk)) == (8, 2, 4, 12)


def test_rule_change_does_not_move_a_running_application_deadline(
    supermarket, window_clerk, handler, city_admin
):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
    assert app.deadline == dt.date(2026, 3, 9)
    for code in ("REG-SL", "SP-XS", "YLQX-2BA"):
        rule_add(
            city_admin,
            code,
            "2026-03-03",
            acceptance_days=8,
            issue_days=4,
            delivery_days=6,
            rectification_days=20,
        )
    with at("2026-03-04"):
        app.refresh_from_db()
        assert app.deadline == dt.date(2026, 3, 9)  # the acceptance deadline stays
        services.application_accept(application=app, actor=window_clerk)
        services.application_transition(application=app, name="approve", actor=handler)
        assert app.deadline == dt.date(2026, 3, 5)  # issue: 1 working day, as copied
        services.certificate_issue(application=app, actor=window_clerk)
        app.refresh_from_db()
        assert app.deadline == dt.date(2026, 3, 9)  # delivery: 3 working days, as copied
        newer = submit(supermarket, actor=window_clerk)
    assert steps_of(app) == (5, 1, 3, 10)
    assert steps_of(newer) == (8, 4, 6, 20)
    assert newer.deadline == dt.date(2026, 3, 16)


def test_resubmission_restarts_the_acceptance_days_copied_at_submission(
    supermarket, window_clerk, city_admin
):
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk)
    rule_add(city_admin, "SP-XS", "2026-03-03", acceptance_days=8)
    with at("2026-03-04"):
        services.correction_request(
            application=app,
            actor=window_clerk,
            items=[{"key": "layout", "name": "经营场所平面布局图", "problem": "未标明功能区"}],
        )
        services.application_resubmit(application=app, actor=window_clerk)
    assert app.state == S.SUBMITTED
    assert app.deadline == dt.date(2026, 3, 11)


def test_issue_and_delivery_deadlines_follow_the_rule(
    supermarket, window_clerk, handler, city_admin
):
    rule_add(city_admin, "SP-XS", "2026-03-01", issue_days=3, delivery_days=5)
    with at("2026-03-04"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        services.application_accept(application=app, actor=window_clerk)
        services.application_transition(application=app, name="approve", actor=handler)
        assert app.deadline == dt.date(2026, 3, 9)
        services.certificate_issue(application=app, actor=window_clerk)
    app.refresh_from_db()
    assert app.state == S.ISSUED and app.deadline == dt.date(2026, 3, 11)


def test_rectification_deadline_comes_from_the_rule(supermarket, window_clerk, handler, city_admin):
    rule_add(city_admin, "SP-XS", "2026-03-01", rectification_days=15)
    with at("2026-03-02"):
        app = submit(supermarket, actor=window_clerk, path="commitment")
        services.application_fast_track(application=app, actor=handler)
    # A later change of the rule does not reach an application already submitted.
    rule_add(city_admin, "SP-XS", "2026-03-03", rectification_days=20)
    task = VerificationTask.objects.get(application=app)
    with at("2026-03-04"):
        services.verification_order_rectification(
            task=task, actor=handler, findings="现场无冷藏设施", order="配置冷藏设施"
        )
    assert task.state == VerificationTask.State.RECTIFYING
    assert task.deadline == dt.date(2026, 3, 25)
    event = TransitionEvent.objects.get(object_id=str(task.pk), transition="order_rectification")
    assert "（15个工作日内）" in event.note


def test_negative_step_days_rejected_with_field_message(catalogue, city_admin):
    matter = Matter.objects.get(code="SP-XS")
    count = matter.rules.count()
    with pytest.raises(ValidationError) as exc:
        services.matter_rule_add(
            actor=city_admin,
            matter=matter,
            effective_from=dt.date(2027, 1, 1),
            statutory_days=10,
            promised_days=5,
            acceptance_days=-1,
            rectification_days=-3,
        )
    errors = exc.value.message_dict
    assert errors["acceptance_days"] == ["受理时限（工作日）不能为负数"]
    assert errors["rectification_days"] == ["整改期限（工作日）不能为负数"]
    assert matter.rules.count() == count


def test_step_days_left_out_carry_over_from_the_rule_before(catalogue, city_admin):
    rule_add(city_admin, "SP-XS", "2027-01-01", acceptance_days=4, delivery_days=2)
    later = rule_add(city_admin, "SP-XS", "2027-06-01", issue_days=2)
    assert steps_of(later) == (4, 2, 2, 10)


def test_rows_without_step_days_get_the_former_limits_from_the_database(supermarket):
    """Applications older than the step columns (and rows written by raw SQL) keep the limits
    that were constants before: the columns' database defaults."""
    app = submit(supermarket)
    skip = {"id", "number", *STEPS}
    columns = [f.column for f in Application._meta.concrete_fields if f.name not in skip]
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO licensing_application (number, {names}) "
            f"SELECT %s, {names} FROM licensing_application WHERE id = %s",
            ["YJSOLD0000001", app.pk],
        )
    old = Application.objects.get(number="YJSOLD0000001")
    assert steps_of(old) == (5, 1, 3, 10)


def test_rule_page_shows_and_accepts_the_step_days(client, city_admin, catalogue):
    client.force_login(city_admin)
    page = client.get("/licensing/catalogue/SP-XS/").content.decode()
    for text in ("受理时限（工作日）", "第三十二条", "制证时限（工作日）", "整改期限（工作日）"):
        assert text in page
    response = client.post(
        "/licensing/catalogue/SP-XS/",
        {
            "form": "rule",
            "effective_from": "2027-01-01",
            "statutory_days": "10",
            "promised_days": "5",
            "verification_days": "30",
            "acceptance_days": "4",
            "issue_days": "2",
            "delivery_days": "5",
            "rectification_days": "15",
        },
    )
    assert response.status_code == 302
    rule = Matter.objects.get(code="SP-XS").rules.get(effective_from=dt.date(2027, 1, 1))
    assert steps_of(rule) == (4, 2, 5, 15)
    page = client.get("/licensing/catalogue/SP-XS/").content.decode()
    assert "<td>4</td><td>2</td><td>5</td><td>15</td>" in page


def test_rule_form_names_the_field_of_a_bad_step_value(client, city_admin, catalogue):
    client.force_login(city_admin)
    count = MatterRule.objects.count()
    base = {
        "form": "rule",
        "effective_from": "2027-01-01",
        "statutory_days": "10",
        "promised_days": "5",
    }
    page = client.post("/licensing/catalogue/SP-XS/", base | {"acceptance_days": "-1"})
    assert "受理时限（工作日）不能为负数" in page.content.decode()
    page = client.post("/licensing/catalogue/SP-XS/", base | {"delivery_days": "三"})
    assert "送达时限（工作日）应为整数" in page.content.decode()
    assert MatterRule.objects.count() == count


def test_application_page_shows_the_copied_step_days(client, handler, supermarket, city_admin):
    rule_add(city_admin, "SP-XS", "2026-03-01", acceptance_days=7)
    with at("2026-03-02"):
        app = submit(supermarket, path="commitment")
    client.force_login(handler)
    page = client.get(app.get_absolute_url()).content.decode()
    assert "受理 7、制证 1、送达 3 个工作日；承诺不实整改 10 个工作日" in page


def test_api_matter_list_shows_the_step_days_of_the_rule_in_force(
    client, handler, catalogue, city_admin
):
    rule_add(city_admin, "SP-XS", "2026-03-03", acceptance_days=6)
    with at("2026-03-02"):
        client.force_login(handler)
        before = client.get("/api/v1/licensing/matters").json()
    with at("2026-03-04"):
        client.force_login(handler)
        after = client.get("/api/v1/licensing/matters").json()
    food_before = next(m for m in before if m["code"] == "SP-XS")
    food_after = next(m for m in after if m["code"] == "SP-XS")
    assert [food_before[f] for f in STEPS] == [5, 1, 3, 10]
    assert [food_after[f] for f in STEPS] == [6, 1, 3, 10]
