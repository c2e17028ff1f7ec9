"""Legal clocks (core.clock_services): rule versions, pause and resume, approved extensions,
stopping, recomputation after the holiday table changes, the overdue / due-soon query, and
every bad input refused with a message naming the rule and nothing changed.

The object is a licensing application (its review clock: 行政许可法 Art 42/45, pausable for
testing, appraisal, expert review and hearings, extensible by 10 working days with a leader's
approval). March 2026 has no holiday: accepted Monday 03-02 with 5 promised working days, the
review clock runs out on Monday 03-09.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict

from regulus.core import clock_selectors, clock_services
from regulus.core import services as core_services
from regulus.core.clock_selectors import DUE_SOON, OVERDUE, due
from regulus.core.models import (
    AuditLog,
    CalendarDay,
    Clock,
    ClockExtension,
    ClockHistory,
    ClockPause,
    ClockRule,
)
from regulus.core.workflow import timeline
from regulus.licensing import services
from regulus.licensing.models import Application, Bundle
from regulus.licensing.workflow import APPLICATION_FLOW
from tests.conftest import make_staff
from tests.licensing.conftest import submit

D = dt.date
pytestmark = pytest.mark.django_db


def at(day: str) -> time_machine.travel:
    """10:00 in Shanghai on the day."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T02:00:00+00:00"), tick=False)


@pytest.fixture
def supermarket(bureau, settings, tmp_path):
    from regulus.core import calendar
    from regulus.core.models import CalendarYear
    from regulus.licensing.catalogue import catalogue_ensure

    settings.MEDIA_ROOT = tmp_path
    catalogue_ensure()
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)
    return Bundle.objects.get(code="open-supermarket")


@pytest.fixture
def leader(bureau):
    return make_staff("leader_a", bureau["district_a"], "县区局领导", full_name="周局长")


def accepted(bundle, clerk, day="2026-03-02") -> Application:
    with at(day):
        app = submit(bundle, actor=clerk)
        services.application_accept(application=app, actor=clerk)
    return app


def review_clock(app) -> Clock:
    return Clock.objects.get(object_id=app.pk, name="review", status__in=["running", "paused"])


class Unchanged:
    """Asserts that a refused call changed nothing: the clock's row, its pauses, extensions and
    history, the object's deadline, the operation log."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.before = self.state()

    def state(self):
        c = Clock.objects.get(pk=self.clock.pk)
        app = Application.objects.get(pk=c.object_id)
        return (
            model_to_dict(c),
            (app.deadline, app.deadline_provisional),
            ClockPause.objects.filter(clock=c).count(),
            list(ClockPause.objects.filter(clock=c).values_list("to_date", flat=True)),
            ClockExtension.objects.filter(clock=c).count(),
            ClockHistory.objects.filter(clock=c).count(),
            AuditLog.objects.count(),
        )

    def check(self):
        assert self.state() == self.before


# -- rule versions -------------------------------------------------------------------------------


def test_clock_started_before_its_rule_takes_effect_is_refused_and_nothing_changes(
    supermarket, window_clerk
):
    ClockRule.objects.filter(code="licensing.acceptance").update(effective_from=D(2026, 6, 1))
    apps, audits = Application.objects.count(), AuditLog.objects.count()
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        submit(supermarket, actor=window_clerk)
    assert (
        "“受理期限”的计时规则自 2026-06-01 起施行，不能从 2026-03-02 起算" in exc.value.messages[0]
    )
    assert (Application.objects.count(), AuditLog.objects.count()) == (apps, audits)


def test_clock_keeps_the_rule_version_in_force_when_it_started(supermarket, window_clerk):
    old = ClockRule.objects.get(code="licensing.review")
    new = ClockRule.objects.create(
        code="licensing.review", name="审查期限", effective_from=D(2026, 3, 10), unit="working",
        legal_basis="新规则", max_extension_days=5, pause_reasons=["testing"],
    )  # fmt: skip
    before = accepted(supermarket, window_clerk, "2026-03-04")
    after = accepted(supermarket, window_clerk, "2026-03-12")
    assert review_clock(before).rule == old and review_clock(after).rule == new
    assert review_clock(before).rule.max_extension_days == 10


def test_a_clock_with_a_rule_day_takes_the_version_of_that_day_not_of_its_start(
    supermarket, window_clerk
):
    """ClockSpec.rule_day: a complaint keeps the rules of the day it was received, whenever
    its later clocks start."""
    import dataclasses

    old = ClockRule.objects.get(code="licensing.review")
    new = ClockRule.objects.create(
        code="licensing.review", name="审查期限", effective_from=D(2026, 3, 10), unit="calendar",
        legal_basis="新规则",
    )  # fmt: skip
    app = accepted(supermarket, window_clerk, "2026-03-04")
    spec = APPLICATION_FLOW.clocks["review"]
    pinned = dataclasses.replace(spec, rule_day=lambda obj: D(2026, 3, 4))
    assert clock_services.new_clock(app, "review", spec, start=D(2026, 3, 12)).rule == new
    started = clock_services.new_clock(app, "review", pinned, start=D(2026, 3, 12))
    assert (started.rule, started.unit, started.start_date) == (old, "working", D(2026, 3, 12))
    early = dataclasses.replace(spec, rule_day=lambda obj: D(2001, 1, 1))
    with pytest.raises(ValidationError, match="不能从 2001-01-01 起算"):
        clock_services.new_clock(app, "review", early, start=D(2026, 3, 12))


# -- pause and resume ----------------------------------------------------------------------------


def test_pause_and_resume_move_the_date_by_the_paused_days(supermarket, window_clerk, handler):
    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    assert clock.due_date == D(2026, 3, 9) and app.deadline == D(2026, 3, 9)
    with at("2026-03-04"):
        clock_services.clock_pause(
            clock=clock, actor=handler, reason="testing", note="送省质检院检验"
        )
    app.refresh_from_db()
    clock.refresh_from_db()
    assert (clock.status, clock.due_date, app.deadline) == ("paused", None, None)
    with at("2026-03-20"):
        # Paused: not overdue, though its date would have passed.
        assert not due(Application.objects.all(), workflow=APPLICATION_FLOW, when=OVERDUE)
    with at("2026-03-06"):
        clock_services.clock_resume(clock=clock, actor=handler, note="收到检验报告")
    # 03-04…03-06 do not count: 03-03, 03-09, 03-10, 03-11, 03-12.
    app.refresh_from_db()
    clock.refresh_from_db()
    assert (clock.status, clock.due_date, app.deadline) == (
        "running",
        D(2026, 3, 12),
        D(2026, 3, 12),
    )
    pause = ClockPause.objects.get(clock=clock)
    assert (pause.from_date, pause.to_date, pause.paused_by_name) == (
        D(2026, 3, 4),
        D(2026, 3, 6),
        handler.display_name,
    )
    kinds = list(ClockHistory.objects.filter(clock=clock).values_list("kind", flat=True))
    assert kinds == ["start", "pause", "resume"]
    # The rows are about the pause, and name the application and its clock.
    rows = AuditLog.objects.filter(object_type="core.clockpause", object_id=str(pause.pk))
    assert {row.object_repr for row in rows} == {f"{app}的审查期限"}
    summaries = [row.summary for row in rows]
    assert any(
        s.startswith("中止计时：审查期限，自 2026-03-04 起（检验、检测、检疫）") for s in summaries
    )
    assert any(s.startswith("恢复计时：审查期限，中止 2026-03-04 至 2026-03-06") for s in summaries)
    titles = [row["title"] for row in timeline(app, APPLICATION_FLOW)]
    assert "中止计时：审查期限" in titles and "恢复计时：审查期限" in titles
    view = clock_selectors.main_clock(clock_selectors.object_clocks(app))
    assert view.trace.paused_days == (D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6))
    assert view.trace.deadline.date == clock.due_date


def test_a_backdated_pause_counts_from_its_own_day(supermarket, window_clerk, handler):
    app = accepted(supermarket, window_clerk)
    with at("2026-03-05"):
        clock_services.clock_pause(
            clock=review_clock(app), actor=handler, reason="appraisal", note="委托鉴定",
            since=D(2026, 3, 3),
        )  # fmt: skip
        clock_services.clock_resume(clock=review_clock(app), actor=handler)
    # 03-03…03-05 paused: 03-06, 03-09, 03-10, 03-11, 03-12.
    assert review_clock(app).due_date == D(2026, 3, 12)


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("2026-03-05", "已自 2026-03-04 起中止，中止期间不得重叠"),  # paused already
    ],
)
def test_a_pause_overlapping_the_open_one_is_refused(
    supermarket, window_clerk, handler, since, message
):
    app = accepted(supermarket, window_clerk)
    with at("2026-03-04"):
        clock_services.clock_pause(
            clock=review_clock(app), actor=handler, reason="testing", note="送检"
        )
    clock = review_clock(app)
    unchanged = Unchanged(clock)
    with at("2026-03-05"), pytest.raises(ValidationError) as exc:
        clock_services.clock_pause(
            clock=clock, actor=handler, reason="testing", note="再次送检",
            since=D.fromisoformat(since),
        )  # fmt: skip
    assert message in exc.value.message_dict["since"][0]
    unchanged.check()


def test_a_pause_overlapping_a_closed_one_is_refused(supermarket, window_clerk, handler):
    app = accepted(supermarket, window_clerk)
    with at("2026-03-05"):
        clock_services.clock_pause(
            clock=review_clock(app), actor=handler, reason="testing", note="送检",
            since=D(2026, 3, 3),
        )  # fmt: skip
        clock_services.clock_resume(clock=review_clock(app), actor=handler, on=D(2026, 3, 4))
        clock = review_clock(app)
        unchanged = Unchanged(clock)
        with pytest.raises(ValidationError) as exc:
            clock_services.clock_pause(
                clock=clock, actor=handler, reason="hearing", note="听证", since=D(2026, 3, 4)
            )
    assert "中止期间不得重叠：已有中止期间 2026-03-03 至 2026-03-04" in exc.value.messages[0]
    unchanged.check()


def test_resume_without_a_pause_is_refused(supermarket, window_clerk, handler):
    clock = review_clock(accepted(supermarket, window_clerk))
    unchanged = Unchanged(clock)
    with at("2026-03-04"), pytest.raises(ValidationError, match="未中止，无需恢复计时"):
        clock_services.clock_resume(clock=clock, actor=handler)
    unchanged.check()


@pytest.mark.parametrize(
    ("day", "kwargs", "field", "message"),
    [
        (
            "2026-03-04",
            {"reason": "notice_service"},
            "reason",
            "可中止的事由为：检验、检测、检疫、鉴定、专家评审、听证",
        ),
        ("2026-03-04", {"note": " "}, "note", "请写明中止的具体情况"),
        ("2026-03-04", {"since": D(2026, 3, 5)}, "since", "中止日不能晚于今天"),
        ("2026-03-04", {"since": D(2026, 3, 2)}, "since", "中止日应晚于起算日 2026-03-02"),
        ("2026-03-12", {}, "since", "已于 2026-03-09 届满，届满后不能中止"),
    ],
)
def test_bad_pauses_are_refused_naming_the_rule(
    supermarket, window_clerk, handler, day, kwargs, field, message
):
    clock = review_clock(accepted(supermarket, window_clerk))
    unchanged = Unchanged(clock)
    args = {"reason": "testing", "note": "送检"} | kwargs
    with at(day), pytest.raises(ValidationError) as exc:
        clock_services.clock_pause(clock=clock, actor=handler, **args)
    assert message in exc.value.message_dict[field][0]
    unchanged.check()


def test_pause_and_extension_need_their_permissions_and_a_declared_clock(
    supermarket, window_clerk, leader
):
    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    unchanged = Unchanged(clock)
    with at("2026-03-04"):
        with pytest.raises(PermissionDenied, match="无权中止和恢复计时"):
            clock_services.clock_pause(clock=clock, actor=window_clerk, reason="testing", note="x")
        with pytest.raises(PermissionDenied, match="无权登记经批准的期限延长"):
            clock_services.clock_extend(
                clock=clock, actor=window_clerk, days=2, approver=leader, document="批1",
                reason="复杂",
            )  # fmt: skip
    unchanged.check()
    with at("2026-03-02"):
        fresh = submit(supermarket, actor=window_clerk)
    acceptance = Clock.objects.get(object_id=fresh.pk, name="acceptance")
    with at("2026-03-03"), pytest.raises(PermissionDenied, match="“受理期限”不可由工作人员中止"):
        clock_services.clock_pause(clock=acceptance, actor=leader, reason="testing", note="x")


# -- extensions ----------------------------------------------------------------------------------


def test_an_approved_extension_moves_the_date_within_the_rule(
    supermarket, window_clerk, handler, leader
):
    app = accepted(supermarket, window_clerk)
    with at("2026-03-05"):
        extension = clock_services.clock_extend(
            clock=review_clock(app), actor=handler, days=6, approver=leader,
            document="芙市监延〔2026〕3号", reason="需组织专家论证",
        )  # fmt: skip
    clock = review_clock(app)
    app.refresh_from_db()
    # 5 + 6 = 11 working days after 03-02: 03-17.
    assert (clock.extension_days, clock.due_date, app.deadline) == (
        6,
        D(2026, 3, 17),
        D(2026, 3, 17),
    )
    assert (extension.approver, extension.document) == (leader, "芙市监延〔2026〕3号")
    audit = AuditLog.objects.get(object_type="core.clockextension", object_id=str(extension.pk))
    assert audit.object_repr == f"{app}的审查期限"
    assert audit.summary.startswith("延长期限：审查期限 延长 6 个工作日，批准人 周局长")
    assert audit.changes["due_date"] == ["2026-03-09", "2026-03-17"]
    view = clock_selectors.main_clock(clock_selectors.object_clocks(app))
    assert len(view.trace.counted) == 11 and view.trace.deadline.date == D(2026, 3, 17)
    assert view.can_extend_more == 4


@pytest.mark.parametrize(
    ("day", "kwargs", "field", "message"),
    [
        ("2026-03-10", {}, "__all__", "已于 2026-03-09 届满，届满后不能延长"),
        ("2026-03-05", {"approver": None}, "approver", "延长须经批准：请选择批准人"),
        ("2026-03-05", {"approver": "handler"}, "approver", "延长须经批准：批准人应为局领导"),
        ("2026-03-05", {"document": ""}, "document", "延长须经批准：请填写批准文书的文号"),
        ("2026-03-05", {"reason": " "}, "reason", "请填写延长理由"),
        ("2026-03-05", {"days": 11}, "days", "最多延长 10 个工作日（已延长 0 个，还可延长 10 个）"),
        ("2026-03-05", {"days": 0}, "days", "延长天数应为正整数"),
    ],
)
def test_bad_extensions_are_refused_naming_the_rule(
    supermarket, window_clerk, handler, leader, day, kwargs, field, message
):
    clock = review_clock(accepted(supermarket, window_clerk))
    unchanged = Unchanged(clock)
    args = {"days": 3, "approver": leader, "document": "批1", "reason": "复杂"} | kwargs
    if args["approver"] == "handler":
        args["approver"] = handler
    with at(day), pytest.raises(ValidationError) as exc:
        clock_services.clock_extend(clock=clock, actor=handler, **args)
    assert message in exc.value.message_dict[field][0]
    unchanged.check()


def test_extensions_add_up_to_what_the_rule_allows(supermarket, window_clerk, handler, leader):
    clock = review_clock(accepted(supermarket, window_clerk))
    with at("2026-03-04"):
        clock_services.clock_extend(
            clock=clock, actor=handler, days=7, approver=leader, document="批1", reason="复杂"
        )
        unchanged = Unchanged(clock)
        with pytest.raises(ValidationError) as exc:
            clock_services.clock_extend(
                clock=clock, actor=handler, days=4, approver=leader, document="批2", reason="再延"
            )
    assert "已延长 7 个，还可延长 3 个" in exc.value.message_dict["days"][0]
    unchanged.check()


# -- further extension by collective decision -----------------------------------------------------

FURTHER = "经延期仍不能办结的，由负责人集体讨论决定继续延长"


@pytest.fixture
def further_ground(monkeypatch):
    """The review clock declares a collective further extension (licensing's does not)."""
    spec = APPLICATION_FLOW.clocks["review"]
    clocks = dict(APPLICATION_FLOW.clocks)
    clocks["review"] = replace(spec, further_extension=FURTHER)
    monkeypatch.setattr(APPLICATION_FLOW, "clocks", clocks)


def collective(clock, handler, leader, days=5, document="集体讨论记录〔2026〕2号"):
    return clock_services.clock_extend(
        clock=clock, actor=handler, days=days, approver=leader, document=document,
        reason="案情特别复杂", collective=True,
    )  # fmt: skip


def test_the_cap_holds_without_a_declared_further_ground(
    supermarket, window_clerk, handler, leader
):
    clock = review_clock(accepted(supermarket, window_clerk))
    with at("2026-03-04"):
        clock_services.clock_extend(
            clock=clock, actor=handler, days=10, approver=leader, document="批1", reason="复杂"
        )
        unchanged = Unchanged(clock)
        with pytest.raises(ValidationError) as exc:
            collective(clock, handler, leader)
    assert "没有集体讨论决定继续延长的依据" in exc.value.message_dict["days"][0]
    unchanged.check()


def test_a_collective_extension_waits_until_the_approved_ones_reach_the_cap(
    supermarket, window_clerk, handler, leader, further_ground
):
    clock = review_clock(accepted(supermarket, window_clerk))
    with at("2026-03-04"):
        clock_services.clock_extend(
            clock=clock, actor=handler, days=7, approver=leader, document="批1", reason="复杂"
        )
        unchanged = Unchanged(clock)
        with pytest.raises(ValidationError) as exc:
            collective(clock, handler, leader)
    assert "还可经批准延长 3 个工作日" in exc.value.message_dict["days"][0]
    unchanged.check()


def test_a_collective_extension_goes_beyond_the_cap_with_its_record(
    supermarket, window_clerk, handler, leader, further_ground
):
    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    with at("2026-03-04"):
        clock_services.clock_extend(
            clock=clock, actor=handler, days=10, approver=leader, document="批1", reason="复杂"
        )
        for kwargs, field, message in [
            ({"document": " "}, "document", "请填写集体讨论记录的编号"),
            ({"days": 0}, "days", "延长天数应为正整数"),
            ({"days": 3651}, "days", "继续延长的天数应为1至3650之间的整数"),
        ]:
            unchanged = Unchanged(clock)
            with pytest.raises(ValidationError) as exc:
                collective(clock, handler, leader, **kwargs)
            assert message in exc.value.message_dict[field][0]
            unchanged.check()
        with pytest.raises(ValidationError) as exc:
            collective(clock, handler, handler)
        assert "批准人应为局领导" in exc.value.message_dict["approver"][0]
        extension = collective(clock, handler, leader)
        # The ordinary cap still holds after the collective extension.
        with pytest.raises(ValidationError):
            clock_services.clock_extend(
                clock=clock, actor=handler, days=1, approver=leader, document="批2", reason="再延"
            )
    clock = review_clock(app)
    app.refresh_from_db()
    # 5 + 10 + 5 = 20 working days after 03-02: 03-30.
    assert (clock.extension_days, clock.due_date, app.deadline) == (
        15,
        D(2026, 3, 30),
        D(2026, 3, 30),
    )
    audit = AuditLog.objects.get(object_type="core.clockextension", object_id=str(extension.pk))
    assert "经负责人集体讨论决定，批准人 周局长，文书 集体讨论记录〔2026〕2号" in audit.summary
    assert audit.changes["collective"] is True
    note = ClockHistory.objects.filter(clock=clock).order_by("-id").first().note
    assert "周局长集体讨论决定" in note


# -- stopping ------------------------------------------------------------------------------------


def test_a_stopped_clock_keeps_its_date_and_cannot_be_stopped_twice(
    supermarket, window_clerk, handler
):
    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    with at("2026-03-10"):
        clock_services.clock_stop(clock=clock, actor=handler, note="审查完毕")
        clock.refresh_from_db()
        assert (clock.status, clock.stopped_on, clock.due_date) == (
            "stopped",
            D(2026, 3, 10),
            D(2026, 3, 9),
        )
        assert (
            ClockHistory.objects.filter(clock=clock).last().note.startswith("超过届满日 2026-03-09")
        )
        app.refresh_from_db()
        assert app.deadline is None
        unchanged = Unchanged(clock)
        with pytest.raises(ValidationError, match="已于 2026-03-10 结束计时"):
            clock_services.clock_stop(clock=clock, actor=handler)
        unchanged.check()


# -- recomputation after the holiday table changes -----------------------------------------------


def test_a_holiday_added_moves_open_clocks_and_records_it_leaving_others_alone(
    supermarket, window_clerk, handler, city_admin
):
    crossing = accepted(supermarket, window_clerk, "2026-03-02")  # review due 03-09
    later = accepted(supermarket, window_clerk, "2026-03-10")  # due 03-17, starts after 03-05
    stopped = accepted(supermarket, window_clerk, "2026-03-02")
    paused = accepted(supermarket, window_clerk, "2026-03-02")
    with at("2026-03-03"):
        clock_services.clock_stop(clock=review_clock(stopped), actor=handler)
        clock_services.clock_pause(
            clock=review_clock(paused), actor=handler, reason="testing", note="送检"
        )
        stopped_clock = Clock.objects.get(object_id=stopped.pk, name="review")
        paused_before = model_to_dict(review_clock(paused))
        stopped_before = model_to_dict(stopped_clock)
        later_before = model_to_dict(review_clock(later))
        audits = AuditLog.objects.count()
        core_services.calendar_day_set(
            actor=city_admin, date=D(2026, 3, 5), kind="holiday", name="假日"
        )
    crossing.refresh_from_db()
    assert review_clock(crossing).due_date == D(2026, 3, 10) == crossing.deadline
    history = ClockHistory.objects.filter(clock=review_clock(crossing)).last()
    assert (history.kind, history.due_before, history.due_after) == (
        "recompute",
        D(2026, 3, 9),
        D(2026, 3, 10),
    )
    assert history.actor_name == city_admin.display_name
    assert "2026-03-05 设为法定节假日（休息）" in history.note
    assert model_to_dict(review_clock(later)) == later_before
    assert model_to_dict(Clock.objects.get(pk=stopped_clock.pk)) == stopped_before
    assert model_to_dict(review_clock(paused)) == paused_before
    # The day's own audit row, and one for the recomputation.
    rows = AuditLog.objects.order_by("id")[audits:]
    assert [r.object_type for r in rows] == ["core.calendarday", "core.clock"]
    assert rows[1].changes == {"checked": 1, "changed": 1}
    # The trace shows the new holiday; removing it moves the clock back.
    view = clock_selectors.main_clock(clock_selectors.object_clocks(crossing))
    assert (D(2026, 3, 5), "假日") in view.trace.holidays
    with at("2026-03-03"):
        core_services.calendar_day_delete(
            actor=city_admin, day=CalendarDay.objects.get(date=D(2026, 3, 5))
        )
    assert review_clock(crossing).due_date == D(2026, 3, 9)


def test_a_resumed_clock_counts_the_table_as_it_is(supermarket, window_clerk, handler, city_admin):
    paused = accepted(supermarket, window_clerk, "2026-03-02")
    with at("2026-03-03"):
        clock_services.clock_pause(
            clock=review_clock(paused), actor=handler, reason="testing", note="送检"
        )
        core_services.calendar_day_set(actor=city_admin, date=D(2026, 3, 6), kind="holiday")
        clock_services.clock_resume(clock=review_clock(paused), actor=handler)
    # 03-03 paused, 03-06 a holiday: 03-04, 03-05, 03-09, 03-10, 03-11.
    assert review_clock(paused).due_date == D(2026, 3, 11)


# -- the overdue / due-soon query ----------------------------------------------------------------


def test_due_lists_overdue_and_due_soon_main_clocks_and_named_clocks(supermarket, window_clerk):
    late = accepted(supermarket, window_clerk, "2026-03-02")  # review due 03-09
    soon = accepted(supermarket, window_clerk, "2026-03-06")  # due 03-13
    far = accepted(supermarket, window_clerk, "2026-03-16")  # due 03-23
    everyone = Application.objects.all()
    with at("2026-03-10"):
        assert list(due(everyone, workflow=APPLICATION_FLOW, when=OVERDUE)) == [late]
        # Due within 3 working days of Tuesday 03-10: up to Friday 03-13.
        assert list(due(everyone, workflow=APPLICATION_FLOW, when=DUE_SOON)) == [soon]
        named = due(everyone, workflow=APPLICATION_FLOW, when=OVERDUE, clock_name="review")
        assert list(named) == [late]
        assert not due(everyone, workflow=APPLICATION_FLOW, when=OVERDUE, clock_name="acceptance")
    assert far.deadline == D(2026, 3, 23)


def test_the_clock_page_and_api_show_the_trace_in_scope_only(
    client, supermarket, window_clerk, handler, outsider
):
    app = accepted(supermarket, window_clerk)
    url = f"/clocks/licensing.application/{app.pk}/"
    client.force_login(handler)
    with at("2026-03-04"):
        page = client.get(url).content.decode()
        body = client.get(f"/api/v1/clocks/licensing.application/{app.pk}").json()
    assert "《行政许可法》第四十二条" in page and "届满日：2026-03-09。" in page
    review = next(c for c in body if c["name"] == "review")
    assert review["due_date"] == "2026-03-09" and review["days_left"] == 3
    assert review["counted_days"] == [
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2026-03-09",
    ]
    assert review["trace"][-1] == "届满日：2026-03-09。"
    assert [c["name"] for c in body] == ["review", "acceptance"]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    api = client.get(f"/api/v1/clocks/licensing.application/{app.pk}")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    for bad in ("core.user/1", "nope.model/1"):
        assert client.get(f"/api/v1/clocks/{bad}").status_code == 404
    # A number beyond any key is refused at the edge (core.schemas.Id), naming the field.
    beyond = client.get(f"/api/v1/clocks/licensing.application/{10**30}")
    assert beyond.status_code == 422 and "object_id" in beyond.json()["fields"]


def test_the_clocks_of_an_application_need_the_permission_to_read_applications(
    client, supermarket, window_clerk, bureau, city_admin
):
    """core.clock_view lets a business role open the kernel's clocks page; the workflow's
    view_permission (licensing.application_view) decides whose objects: a city-wide legal
    reviewer sees no application's clocks, and the system administrator no business data."""
    app = accepted(supermarket, window_clerk)
    reviewer = make_staff("fazhi_a", bureau["city"], "法制审核员", full_name="郑明辉")
    path = f"licensing.application/{app.pk}"
    for user in (reviewer, city_admin):
        client.force_login(user)
        assert client.get(f"/clocks/{path}/").status_code == 403
        answer = client.get(f"/api/v1/clocks/{path}")
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden"


def test_the_clock_page_pauses_and_names_a_bad_input(client, supermarket, window_clerk, handler):
    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    url = f"/clocks/licensing.application/{app.pk}/"
    client.force_login(handler)
    with at("2026-03-04"):
        page = client.get(url).content.decode()
        assert 'data-testid="pause-form"' in page and 'data-testid="extend-form"' in page
        response = client.post(
            url, {"clock": clock.pk, "action": "pause", "reason": "testing", "since": "2026-03-04",
                  "note": "送检"}, follow=True,
        )  # fmt: skip
        assert "已中止“审查期限”" in response.content.decode()
        response = client.post(
            url, {"clock": clock.pk, "action": "pause", "reason": "testing", "since": "2026-03-04",
                  "note": "再送检"}, follow=True,
        )  # fmt: skip
    assert "中止日：“审查期限”已自 2026-03-04 起中止，中止期间不得重叠" in response.content.decode()
    assert ClockPause.objects.filter(clock=clock).count() == 1
    with at("2026-03-04"):
        huge = str(10**30)
        assert client.post(url, {"clock": huge, "action": "pause"}).status_code == 404
        response = client.post(
            url,
            {"clock": clock.pk, "action": "extend", "days": huge, "approver": huge},
            follow=True,
        )
    assert "延长天数：请填写延长天数（正整数）" in response.content.decode()


def test_a_clock_stopped_while_the_recompute_ran_is_left_alone(supermarket, window_clerk, handler):
    """The recompute reads the clocks, then writes a batch: a clock that a transition stopped
    in between keeps its date, gets no history row and does not touch its object."""
    from django.db import transaction

    from regulus.core import clock_recompute

    app = accepted(supermarket, window_clerk)
    clock = review_clock(app)
    with at("2026-03-03"):
        clock_services.clock_stop(clock=clock, actor=handler)
    row = (clock.pk, clock.content_type_id, app.pk, True, "2026-03-09", "2026-03-10", False, "x")
    with transaction.atomic():
        assert clock_recompute._write([row], actor=handler) == 0
    clock.refresh_from_db()
    app.refresh_from_db()
    assert (clock.status, clock.due_date, app.deadline) == ("stopped", D(2026, 3, 9), None)
    assert not ClockHistory.objects.filter(clock=clock, kind="recompute").exists()


def test_a_transition_pauses_and_resumes_the_clocks_it_names(supermarket, window_clerk, handler):
    """A workflow whose on-site check is a testing pause of the review clock (a transition's
    pauses and resumes; licensing's own check does not pause)."""

    from regulus.core.workflow import Transition, Workflow, transition_fire

    flow = Workflow(
        name="test.paused_check",
        states=APPLICATION_FLOW.states,
        clocks={"review": APPLICATION_FLOW.clocks["review"]},
        transitions=[
            Transition("hold", "送检", ("review",), "onsite_check", "licensing.application_decide",
                       pauses=("review",), pause_reason="testing"),
            Transition("release", "检验完毕", ("onsite_check",), "review",
                       "licensing.application_decide", resumes=("review",)),
        ],
    )  # fmt: skip
    app = accepted(supermarket, window_clerk)
    with at("2026-03-04"):
        transition_fire(obj=app, name="hold", actor=handler, workflow=flow, note="送省质检院")
    assert (review_clock(app).status, app.deadline) == ("paused", None)
    with at("2026-03-06"):
        transition_fire(obj=app, name="release", actor=handler, workflow=flow)
    assert (review_clock(app).due_date, app.deadline) == (D(2026, 3, 12), D(2026, 3, 12))
    kinds = ClockHistory.objects.filter(clock=review_clock(app)).values_list("kind", flat=True)
    assert list(kinds) == ["start", "pause", "resume"]
    # The pause rules hold for a transition too: an expired clock is not paused.
    late = accepted(supermarket, window_clerk)
    unchanged = Unchanged(review_clock(late))
    with at("2026-03-12"), pytest.raises(ValidationError, match="届满后不能中止"):
        transition_fire(obj=late, name="hold", actor=handler, workflow=flow)
    unchanged.check()


def test_a_transition_may_pause_a_clock_on_its_start_day_a_hand_may_not(
    supermarket, window_clerk, handler
):
    """A step that is not the clock's own (a complaint sent to the business's ODR the day it
    arrives) pauses from the start day, which is never counted anyway; a pause by hand still
    begins after it."""
    from regulus.core.workflow import Transition, Workflow, transition_fire

    flow = Workflow(
        name="test.paused_at_once",
        states=APPLICATION_FLOW.states,
        clocks={"review": APPLICATION_FLOW.clocks["review"]},
        transitions=[
            Transition("hold", "送检", ("review",), "onsite_check", "licensing.application_decide",
                       pauses=("review",), pause_reason="testing"),
        ],
    )  # fmt: skip
    app = accepted(supermarket, window_clerk)
    other = accepted(supermarket, window_clerk)
    with at("2026-03-02"):
        transition_fire(obj=app, name="hold", actor=handler, workflow=flow, note="当日送检")
        with pytest.raises(ValidationError, match="中止日应晚于起算日"):
            clock_services.clock_pause(
                clock=review_clock(other), actor=handler, reason="testing", note="送检"
            )
    pause = ClockPause.objects.get(clock=review_clock(app))
    assert (pause.from_date, review_clock(app).status) == (D(2026, 3, 2), "paused")
    assert review_clock(other).status == "running"
