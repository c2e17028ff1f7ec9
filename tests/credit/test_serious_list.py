"""The serious-violation list (严重违法失信名单, SAMR Order 44; domain.md §3): a serious penalty
handed over by enforcement becomes a candidate, never a listing; the party is notified and
may state its case within the statement clock; the unit decides; the period, the early-removal
day and the legal representative's bar come from the rule version; expiry removes it; the
2014 three-year rule makes candidates only for listings whose three years ran out before
2024-05-01."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from regulus.core import calendar
from regulus.core.models import CalendarYear, Clock
from regulus.core.tick import SYSTEM_ACTOR
from regulus.credit import selectors, services
from regulus.credit.models import (
    AbnormalListing,
    AbnormalRule,
    CreditRecord,
    SeriousGround,
    SeriousListing,
)
from tests.credit.conftest import send_penalty
from tests.credit.test_annual_reports import at

D = dt.date
S = SeriousListing.State


@pytest.fixture(autouse=True)
def holidays(db):
    for year in (2026,):
        if not CalendarYear.objects.filter(year=year).exists():
            calendar.load_year_from_package(year)


def take() -> None:
    services.credit_handovers_take_all(actor=SYSTEM_ACTOR)


def test_a_serious_penalty_becomes_a_candidate_on_the_worklist_not_a_listing(entity_a, handler):
    send_penalty(entity_a)
    with at("2026-03-03"):
        take()
    record = CreditRecord.objects.get()
    assert record.category == "penalty" and record.public
    candidate = SeriousListing.objects.get()
    assert (candidate.state, candidate.ground, candidate.record) == (
        S.CANDIDATE,
        SeriousGround.HEAVY_PENALTY,
        record,
    )
    assert "芙市监处罚〔2026〕18号" in candidate.evidence
    assert "罚款500,000.00元" in candidate.evidence
    assert list(selectors.serious_for(handler, state=S.CANDIDATE)) == [candidate]


def test_a_penalty_not_marked_serious_is_recorded_without_a_candidate(entity_a):
    send_penalty(entity_a, serious=False)
    take()
    assert CreditRecord.objects.get().category == "penalty"
    assert not SeriousListing.objects.exists()


def test_penalty_publication_runs_three_months_for_a_low_fine_and_three_years_otherwise(
    entity_a, entity_b, bureau
):
    send_penalty(entity_a, penalty_kinds=["fine"], fine_fen=200_000, serious=False)
    send_penalty(entity_b, decision_number="天市监处罚〔2026〕3号", serious=False)
    send_penalty(
        entity_a,
        source=bureau["city"],
        decision_number="芙市监处罚〔2026〕19号",
        penalty_kinds=["warning"],
        fine_fen=0,
        serious=False,
    )
    take()
    low = CreditRecord.objects.get(source_number="芙市监处罚〔2026〕18号")
    high = CreditRecord.objects.get(source_number="天市监处罚〔2026〕3号")
    warning = CreditRecord.objects.get(source_number="芙市监处罚〔2026〕19号")
    assert low.publish_until == D(2026, 6, 2)
    assert high.publish_until == D(2029, 3, 2)
    # Order 45 Art 2: a warning alone is not published.
    assert (warning.public, warning.publish_until) == (False, None)


def test_the_listing_waits_for_notice_and_the_statement_period(entity_a, handler, leader):
    send_penalty(entity_a)
    take()
    candidate = SeriousListing.objects.get()
    with at("2026-03-03"):
        with pytest.raises(ValidationError, match="不能执行"):
            services.serious_decide(listing=candidate, actor=leader)
        services.serious_notify(listing=candidate, actor=handler)
    candidate.refresh_from_db()
    assert candidate.state == S.NOTIFIED
    assert candidate.notice_number.startswith("严重失信告字〔2026〕")
    # Five working days from Tuesday 3 March: Tuesday 10 March.
    assert candidate.deadline == D(2026, 3, 10)
    assert Clock.objects.get(object_id=candidate.pk).due_date == D(2026, 3, 10)
    with at("2026-03-10"), pytest.raises(ValidationError, match="陈述申辩期限至2026-03-10"):
        services.serious_decide(listing=candidate, actor=leader)
    with at("2026-03-11"):
        services.serious_decide(listing=candidate, actor=leader)
    candidate.refresh_from_db()
    assert candidate.state == S.LISTED
    assert candidate.decision_number.startswith("严重失信列字〔2026〕")
    assert (candidate.listed_on, candidate.listed_until) == (D(2026, 3, 11), D(2029, 3, 11))
    assert (candidate.early_from, candidate.bar_until) == (D(2027, 3, 11), D(2029, 3, 11))
    assert candidate.legal_representative == "陈凯旋"


def test_a_statement_lets_the_decision_come_before_the_period_ends(entity_a, handler, leader):
    send_penalty(entity_a)
    take()
    listing = SeriousListing.objects.get()
    with at("2026-03-03"):
        services.serious_notify(listing=listing, actor=handler)
        with pytest.raises(ValidationError, match="陈述申辩意见"):
            services.serious_hear(listing=listing, actor=handler, statement="  ")
        services.serious_hear(listing=listing, actor=handler, statement="已全部整改，请求从轻")
        services.serious_decide(listing=listing, actor=leader)
    listing.refresh_from_db()
    assert (listing.state, listing.statement) == (S.LISTED, "已全部整改，请求从轻")
    assert not Clock.objects.filter(object_id=listing.pk, status="running").exists()


def test_only_a_leader_decides_and_the_outsider_sees_nothing(entity_a, handler, outsider):
    send_penalty(entity_a)
    take()
    listing = SeriousListing.objects.get()
    with at("2026-03-03"):
        services.serious_notify(listing=listing, actor=handler)
    with at("2026-03-20"), pytest.raises(PermissionDenied):
        services.serious_decide(listing=listing, actor=handler)
    assert not selectors.serious_for(outsider).exists()


def test_a_dismissal_needs_its_reason(entity_a, leader):
    send_penalty(entity_a)
    take()
    listing = SeriousListing.objects.get()
    with pytest.raises(ValidationError, match="须填写理由"):
        services.serious_dismiss(listing=listing, actor=leader, reason="")
    services.serious_dismiss(listing=listing, actor=leader, reason="处罚决定已被撤销")
    listing.refresh_from_db()
    assert listing.state == S.DISMISSED


def test_staff_propose_false_information_with_evidence_once(entity_a, handler):
    with pytest.raises(ValidationError, match="证据"):
        services.serious_propose(
            entity=entity_a, ground=SeriousGround.FALSE_INFO, evidence="", actor=handler
        )
    services.serious_propose(
        entity=entity_a,
        ground=SeriousGround.FALSE_INFO,
        evidence="2025年度报告虚报从业人数和资产，核查报告附后",
        actor=handler,
    )
    with pytest.raises(ValidationError, match="不能重复"):
        services.serious_propose(
            entity=entity_a,
            ground=SeriousGround.FALSE_INFO,
            evidence="再次提出",
            actor=handler,
        )
    with pytest.raises(ValidationError, match="列入事由"):
        services.serious_propose(
            entity=entity_a, ground=SeriousGround.ABNORMAL_3Y, evidence="手工提出", actor=handler
        )


def listed(entity, handler, leader) -> SeriousListing:
    send_penalty(entity)
    take()
    listing = SeriousListing.objects.get(entity=entity)
    with at("2026-03-03"):
        services.serious_notify(listing=listing, actor=handler)
    with at("2026-03-11"):
        services.serious_decide(listing=listing, actor=leader)
    listing.refresh_from_db()
    return listing


def test_the_sweep_removes_the_listing_the_day_after_its_period(entity_a, handler, leader):
    listing = listed(entity_a, handler, leader)
    out = io.StringIO()
    with at("2029-03-11"):
        call_command("tick", "--only", "credit.serious_expiry", stdout=out)
    listing.refresh_from_db()
    assert listing.state == S.LISTED
    with at("2029-03-12"):
        call_command("tick", "--only", "credit.serious_expiry", stdout=out)
        call_command("tick", "--only", "credit.serious_expiry", stdout=out)
    listing.refresh_from_db()
    assert (listing.state, listing.removed_on) == (S.REMOVED, D(2029, 3, 12))
    assert listing.removal_number.startswith("严重失信移字〔2029〕")


def test_the_public_page_shows_the_listing_and_its_removal_never_a_candidate(
    entity_a, entity_b, handler, leader
):
    listing = listed(entity_a, handler, leader)
    section = selectors.serious_public_section(entity_a)
    assert [row[1] for row in section.rows] == [listing.decision_number]
    assert "陈凯旋" in section.rows[0][5]
    send_penalty(entity_b, decision_number="天市监处罚〔2026〕3号")
    take()
    assert selectors.serious_public_section(entity_b).rows == []
    with at("2026-03-20"):
        services.serious_remove(listing=listing, actor=leader, reason="处罚决定被依法撤销")
    assert "处罚决定被依法撤销" in selectors.serious_public_section(entity_a).rows[0][7]


def make_old_listing(entity, listed_on: dt.date) -> AbnormalListing:
    rule = AbnormalRule.objects.get(valid_from=D(2014, 10, 1))
    from regulus.core.audit import audited

    with audited(actor="测试") as audit:
        listing = AbnormalListing.objects.create(
            entity=entity,
            unit=entity.unit,
            kind=AbnormalListing.Kind.LIST,
            ground="unreachable",
            evidence="住所无法联系",
            rule=rule,
            listed_on=listed_on,
            decision_number=f"旧列字{listed_on:%Y%m%d}",
            listed_by="测试",
        )
        audit.record(action="create", obj=listing, summary="测试数据", changes={})
    return listing


def test_the_2014_three_year_rule_makes_candidates_only_before_2024_05_01(
    entity_a, handler, bureau
):
    from tests.registry.conftest import make_entity

    old = make_old_listing(entity_a, D(2020, 6, 1))  # three years: 2023-06-01, rule in force
    late = make_old_listing(make_entity(handler, "长沙市芙蓉区迟列有限公司"), D(2021, 6, 1))
    with at("2026-03-03"):
        assert services.serious_candidates_from_abnormal(actor=handler) == 1
        assert services.serious_candidates_from_abnormal(actor=handler) == 0
    candidate = SeriousListing.objects.get()
    assert (candidate.abnormal, candidate.ground) == (old, SeriousGround.ABNORMAL_3Y)
    assert not SeriousListing.objects.filter(abnormal=late).exists()
