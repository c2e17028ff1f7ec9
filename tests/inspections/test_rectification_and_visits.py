"""Problems found → a rectification order on its clock, the entity's report starting the
recheck clock, the re-check closing or escalating it (the CLUE hand-over); and 亮码检查: the
code on the inspector's screen, the entity's portal page, one rating with the verification
code, counted in the year's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from regulus.core.models import AuditLog, Handover
from regulus.inspections import selectors, services
from regulus.inspections.models import ItemResult, Rectification, Target, VisitRating
from regulus.registry.selectors import public_sections

CHECK_DAY = dt.date(2026, 3, 30)


def _assigned(drawn):
    target = Target.objects.filter(task=drawn).order_by("position").first()
    return target, target.assignments.filter(active=True).first().inspector.user


def _problem(target, inspector, frozen_clock, *, requirement="限期完善进货查验记录"):
    frozen_clock.move_to(dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC))
    items = list(target.task.items.all())
    services.result_enter(
        actor=inspector,
        target=target,
        codes={items[0].pk: "A", items[1].pk: "1"},
        notes={items[0].pk: "进货查验记录缺失"},
        checked_on=CHECK_DAY,
        disposal="rectify",
        requirement=requirement,
    )
    return Rectification.objects.get(target=target)


def test_a_rectification_order_runs_15_working_days_across_qingming_and_sends_no_clue(
    drawn, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    # From Monday 30 March: 15 working days, 6 April (清明) not counted → 21 April.
    assert order.state == Rectification.State.ORDERED
    assert order.deadline == dt.date(2026, 4, 21)
    assert "进货查验" not in order.problems and "发现问题待后续处理" in order.problems
    assert not Handover.objects.filter(kind=Handover.Kind.CLUE).exists()


def test_rectify_needs_a_requirement_and_nothing_is_saved_without_it(drawn, holidays, frozen_clock):
    target, inspector = _assigned(drawn)
    with pytest.raises(ValidationError, match="整改要求"):
        _problem(target, inspector, frozen_clock, requirement="  ")
    target.refresh_from_db()
    assert target.state == Target.State.ASSIGNED and not Rectification.objects.exists()


def test_the_report_starts_the_10_day_recheck_clock_and_a_pass_closes_the_order(
    drawn, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    frozen_clock.move_to(dt.datetime(2026, 4, 10, 9, tzinfo=dt.UTC))
    services.rectification_report(actor=inspector, order=order, reported_on=dt.date(2026, 4, 10))
    order.refresh_from_db()
    assert order.state == Rectification.State.REPORTED
    assert order.deadline == dt.date(2026, 4, 24)  # Fri 10 April + 10 working days
    services.rectification_recheck(
        actor=inspector,
        order=order,
        passed=True,
        notes="进货查验记录已补齐",
        rechecked_on=dt.date(2026, 4, 10),
    )
    order.refresh_from_db()
    assert order.state == Rectification.State.CLOSED and order.deadline is None
    assert not Handover.objects.filter(kind=Handover.Kind.CLUE).exists()


def test_a_passed_recheck_publishes_the_problems_as_rectified_on_order(
    drawn, handler, holidays, frozen_clock
):
    """Code E (发现问题经责令已改正) replaces the problem code, even once published; the item
    found in order keeps its code, and the target still counts as one with problems found."""
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    services.result_publish(actor=handler, target=target)
    services.rectification_recheck(
        actor=inspector, order=order, passed=True, notes="已整改", rechecked_on=CHECK_DAY
    )
    codes = ItemResult.objects.filter(target=target).values_list("code", flat=True)
    assert sorted(codes) == ["1", "E"]
    section = next(s for s in public_sections(target.entity) if s.title == "抽查检查结果信息")
    assert "发现问题经责令已改正" in section.rows[0][1]
    assert "发现问题待后续处理" not in section.rows[0][1]
    row = AuditLog.objects.filter(object_type="inspections.itemresult").latest("id")
    assert row.changes == {"code": ["A", "E"]}
    assert selectors.year_stats(handler, 2026)["total"]["problems"] == 1


def test_a_passed_recheck_keeps_obstruction_and_falsified_information_codes(
    drawn, holidays, frozen_clock
):
    """8 (不配合检查情节严重) and C (公示信息弄虚作假) are conduct an order does not cure."""
    target, inspector = _assigned(drawn)
    frozen_clock.move_to(dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC))
    items = list(target.task.items.all())
    services.result_enter(
        actor=inspector,
        target=target,
        codes={items[0].pk: "A", items[1].pk: "C"},
        notes={items[0].pk: "进货查验记录缺失", items[1].pk: "公示的从业人数与实际不符"},
        checked_on=CHECK_DAY,
        disposal="rectify",
        requirement="限期完善进货查验记录",
    )
    order = Rectification.objects.get(target=target)
    services.rectification_recheck(
        actor=inspector, order=order, passed=True, notes="已整改", rechecked_on=CHECK_DAY
    )
    codes = ItemResult.objects.filter(target=target).values_list("code", flat=True)
    assert sorted(codes) == ["C", "E"]


def test_a_failed_recheck_escalates_with_the_clue_hand_over(drawn, holidays, frozen_clock):
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    frozen_clock.move_to(dt.datetime(2026, 4, 22, 9, tzinfo=dt.UTC))
    services.rectification_recheck(
        actor=inspector,
        order=order,
        passed=False,
        notes="逾期仍未整改",
        rechecked_on=dt.date(2026, 4, 22),
    )
    order.refresh_from_db()
    assert order.state == Rectification.State.ESCALATED
    clue = Handover.objects.get(kind=Handover.Kind.CLUE)
    assert clue.topic == "inspections.problem_found"
    assert clue.data["items"][0]["notes"] == "进货查验记录缺失"
    assert clue.data["rectification"]["deadline"] == "2026-04-21"
    assert clue.data["rectification"]["recheck_notes"] == "逾期仍未整改"
    assert set(ItemResult.objects.filter(target=target).values_list("code", flat=True)) == {
        "1",
        "A",
    }


def test_the_inspectors_home_page_counts_the_orders_waiting_for_their_recheck(
    drawn, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    cards = {c.key: c.value for c in selectors.dashboard_cards(inspector)}
    assert cards["inspections-rechecks"] == 1
    services.rectification_recheck(
        actor=inspector, order=order, passed=True, notes="已整改", rechecked_on=CHECK_DAY
    )
    cards = {c.key: c.value for c in selectors.dashboard_cards(inspector)}
    assert cards["inspections-rechecks"] == 0


def test_only_an_assigned_inspector_rechecks(drawn, holidays, frozen_clock, bureau):
    from tests.inspections.conftest import enrol

    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    other = enrol(bureau["station_a"], "周敏", "430102199").user
    with pytest.raises(ValidationError, match="抽中检查该对象的检查人员"):
        services.rectification_recheck(
            actor=other, order=order, passed=True, notes="已整改", rechecked_on=CHECK_DAY
        )
    order.refresh_from_db()
    assert order.state == Rectification.State.ORDERED


def test_the_inspector_works_the_order_on_the_phone_page(
    client, drawn, holidays, frozen_clock, outsider
):
    target, inspector = _assigned(drawn)
    order = _problem(target, inspector, frozen_clock)
    client.force_login(inspector)
    url = reverse("inspections:rectification", args=[order.pk])
    assert url in client.get(reverse("inspections:my_tasks")).text
    page = client.get(url)
    assert page.status_code == 200 and "2026-04-21" in page.text
    client.post(url, {"action": "pass", "notes": "已整改", "rechecked_on": "2026-03-30"})
    order.refresh_from_db()
    assert order.state == Rectification.State.CLOSED
    client.force_login(outsider)
    assert client.get(url).status_code == 404


# -- 亮码检查 -----------------------------------------------------------------------------------


def _shown(target, inspector):
    services.visit_code_show(actor=inspector, target=target)
    target.refresh_from_db()
    return target


def test_the_visit_page_shows_the_task_inspectors_and_items_to_whoever_has_the_code(
    client, drawn, frozen_clock
):
    target, inspector = _assigned(drawn)
    target = _shown(target, inspector)
    assert len(target.visit_code) == 8
    page = client.get(reverse("inspections_public:visit", args=[target.visit_code]))
    assert page.status_code == 200
    number = target.assignments.filter(active=True).first().inspector.number
    assert number in page.text and drawn.title in page.text and "企业公示信息检查" in page.text
    assert "检查结束后" in page.text  # not yet rateable
    lookup = client.get(reverse("inspections_public:visit_lookup"), {"code": target.visit_code})
    assert lookup.status_code == 302
    assert client.get(reverse("inspections_public:visit", args=["ABCDEFGH"])).status_code == 404


def test_only_an_assigned_inspector_shows_the_code(drawn, colleague, frozen_clock):
    target, _inspector = _assigned(drawn)
    with pytest.raises(ValidationError):
        services.visit_code_show(actor=colleague, target=target)
    target.refresh_from_db()
    assert target.visit_code == ""


def test_one_rating_per_visit_and_only_with_the_verification_code(
    client, drawn, handler, holidays, frozen_clock
):
    target, inspector = _assigned(drawn)
    target = _shown(target, inspector)
    frozen_clock.move_to(dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC))
    items = target.task.items.all()
    services.result_enter(
        actor=inspector,
        target=target,
        codes={i.pk: "1" for i in items},
        checked_on=dt.date(2026, 3, 16),
    )
    target.refresh_from_db()
    assert len(target.rating_code) == 6
    url = reverse("inspections_public:visit", args=[target.visit_code])
    wrong = "000000" if target.rating_code != "000000" else "111111"
    page = client.post(url, {"score": "5", "rating_code": wrong})
    assert "评价验证码不正确" in page.text and not VisitRating.objects.exists()
    client.post(url, {"score": "4", "rating_code": target.rating_code, "comment": "态度好"})
    assert VisitRating.objects.get(target=target).score == 4
    with pytest.raises(ValidationError, match="只能评价一次"):
        services.visit_rate(target=target, rating_code=target.rating_code, score=1, comment="")
    assert VisitRating.objects.count() == 1
    stats = selectors.year_stats(handler, 2026)
    assert stats["total"]["rated"] == 1 and stats["total"]["rating_avg"] == 4.0


def test_wrong_codes_are_limited_per_address(client, drawn, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "inspections_visit_failure": (2, 3600)}
    url = reverse("inspections_public:visit_lookup")
    assert client.get(url, {"code": "AAAAAAAA"}).status_code == 200
    assert client.get(url, {"code": "AAAAAAAB"}).status_code == 200
    assert client.get(url, {"code": "AAAAAAAC"}).status_code == 429
