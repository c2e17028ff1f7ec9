"""Clues: every source, the verification clock, the leader's decision and its grounds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core.clock_services import clock_extend, clock_pause, open_clocks
from regulus.core.models import Handover
from regulus.enforcement import selectors, services
from regulus.enforcement.models import Case, Clue
from tests.enforcement.conftest import MONDAY, file_case, make_clue

pytestmark = pytest.mark.django_db


@time_machine.travel(MONDAY, tick=False)
def test_verification_clock_runs_15_working_days_from_receipt(handler, rules):
    clue = make_clue(handler)
    clue.refresh_from_db()
    # 2026-03-02 (Mon) + 15 working days = 2026-03-23 (Mon)
    assert clue.deadline == dt.date(2026, 3, 23)
    assert clue.state == Clue.State.VERIFYING


def test_verification_clock_skips_the_qingming_holiday(handler, rules):
    with time_machine.travel(dt.datetime(2026, 4, 1, 10, tzinfo=MONDAY.tzinfo), tick=False):
        clue = make_clue(handler)
    clue.refresh_from_db()
    # 15 working days from Wed 2026-04-01; 04-06 is a holiday → 2026-04-23
    assert clue.deadline == dt.date(2026, 4, 23)


def test_testing_pauses_and_an_approved_extension_moves_the_clock(handler, leader, rules):
    with time_machine.travel(MONDAY, tick=False):
        clue = make_clue(handler)
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        clock = open_clocks(clue)["verification"]
        clock_extend(
            clock=clock,
            actor=leader,
            days=15,
            approver=leader,
            document="芙市监延〔2026〕1号",
            reason="涉案商品需鉴定",
        )
    clue.refresh_from_db()
    assert clue.deadline == dt.date(2026, 4, 14)  # 30 working days after 03-02
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        clock_pause(
            clock=open_clocks(clue)["verification"],
            actor=handler,
            reason="testing",
            note="送检至省产品质量监督检验院",
        )
    clue.refresh_from_db()
    assert clue.deadline is None  # paused: not running out


def test_a_leader_approves_filing_and_a_case_is_filed_with_two_officers(
    handler, colleague, leader, matter
):
    with time_machine.travel(MONDAY, tick=False):
        case = file_case(handler, colleague, leader, matter)
    assert case.state == Case.State.INVESTIGATING
    assert case.officers.count() == 2
    assert case.number == "芙市监立〔2026〕1号"
    assert case.clue.state == Clue.State.FILED
    # 90 days from 2026-03-02 is Sunday 05-31: a period ending on a rest day runs to Monday
    assert case.deadline == dt.date(2026, 6, 1)


def test_filing_needs_two_officers(handler, leader, matter):
    clue = make_clue(handler)
    with pytest.raises(ValidationError) as refused:
        services.clue_propose(
            actor=handler,
            clue=clue,
            file_case=True,
            findings="属实",
            matter=matter,
            officers=[handler],
            party_kind="organisation",
            violation_on="2026-01-01",
        )
    assert "不得少于两人" in refused.value.message_dict["officers"][0]
    clue.refresh_from_db()
    assert clue.state == Clue.State.VERIFYING


@time_machine.travel(MONDAY, tick=False)
def test_filing_past_the_limitation_period_is_refused(handler, colleague, leader, matter):
    clue = make_clue(handler)
    with pytest.raises(ValidationError) as refused:
        services.clue_propose(
            actor=handler,
            clue=clue,
            file_case=True,
            findings="属实",
            matter=matter,
            officers=[handler, colleague],
            party_kind="organisation",
            violation_on="2023-12-31",
        )
    assert "追责时效2年" in refused.value.message_dict["violation_on"][0]
    assert not Case.objects.exists()


def test_not_filing_takes_a_ground_with_its_legal_basis(handler, leader, rules):
    clue = make_clue(handler)
    with pytest.raises(ValidationError):
        services.clue_propose(
            actor=handler, clue=clue, file_case=False, findings="轻微", ground="made_up"
        )
    services.clue_propose(
        actor=handler, clue=clue, file_case=False, findings="已改正", ground="first_slight"
    )
    services.clue_decide(actor=leader, clue=clue, approve=True)
    clue.refresh_from_db()
    assert clue.state == Clue.State.NOT_FILED
    assert clue.not_filing_ground == "first_slight"


def test_only_a_leader_approves_filing(handler, colleague, matter, leader):
    clue = make_clue(handler)
    services.clue_propose(
        actor=handler, clue=clue, file_case=False, findings="已改正", ground="first_slight"
    )
    with pytest.raises(PermissionDenied):
        services.clue_decide(actor=colleague, clue=clue, approve=True)


def test_a_clue_handed_over_by_a_spot_check_is_taken_once(handler, rules, bureau):
    from regulus.core.audit import audited
    from regulus.core.handover import handover_send
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "长沙市芙蓉区某超市")
    with audited(actor="测试") as audit:
        record = handover_send(
            audit=audit,
            kind=Handover.Kind.CLUE,
            topic="inspections.problem_found",
            topic_label="双随机抽查发现问题",
            source=entity,
            unit=bureau["district_a"],
            occurred_on=dt.date(2026, 3, 1),
            title="抽查发现问题：某超市",
            entity=entity,
        )
    assert list(selectors.clue_inbox(handler)) == [record]
    clue = services.clue_from_handover(actor=handler, handover=record, domain="food")
    assert clue.source == Clue.Source.SPOT_CHECK and clue.entity == entity
    assert list(selectors.clue_inbox(handler)) == []
    with pytest.raises(ValidationError):
        services.clue_from_handover(actor=handler, handover=record)


def test_the_outsider_sees_no_clue_of_another_district(handler, outsider, rules):
    make_clue(handler)
    assert selectors.clue_list(handler).count() == 1
    assert selectors.clue_list(outsider).count() == 0
