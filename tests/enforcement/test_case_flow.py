"""The case on its clocks: every transition and guard, the hearing, the decision and its
hand-over to credit, service, payment with the late charge, closing, the simple procedure."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import clock
from regulus.core.clock_services import open_clocks
from regulus.core.models import Handover
from regulus.enforcement import selectors, services
from regulus.enforcement.models import Case, Document, Matter
from tests.enforcement.conftest import MONDAY, file_case, to_notified

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def at(days: int):
    return time_machine.travel(MONDAY + dt.timedelta(days=days), tick=False)


@pytest.fixture
def case(handler, colleague, leader, matter):
    with at(0):
        return file_case(handler, colleague, leader, matter)


def test_legal_review_runs_10_working_days_and_the_reviewer_may_not_investigate(
    case, handler, reviewer
):
    with at(1):
        services.case_step(actor=handler, case=case, name="finish_investigation", note="终结")
        services.case_step(actor=handler, case=case, name="submit_review")
    review = open_clocks(case)["legal_review"]
    assert review.due_date == dt.date(2026, 3, 17)  # Tue 03-03 + 10 working days
    with pytest.raises(PermissionDenied):
        services.case_step(actor=handler, case=case, name="review_pass", note="自审")
    with at(2):
        services.case_step(actor=reviewer, case=case, name="review_pass", note="事实清楚")
    assert case.state == Case.State.REVIEWED and case.reviewer == reviewer


def test_only_the_case_officers_move_the_case(case, outsider, city_handler):
    with pytest.raises(PermissionDenied):
        services.case_step(actor=city_handler, case=case, name="finish_investigation", note="x")


def test_a_fine_above_the_matter_ceiling_is_refused(case, handler, reviewer):
    with pytest.raises(ValidationError) as refused, at(1):
        to_notified(case, handler, reviewer, fine="30000000")
    assert "超过“销售假冒注册商标的商品”的罚款上限" in refused.value.message_dict["fine"][0]
    assert Case.objects.get(pk=case.pk).notified_on is None


def test_a_decision_without_the_prior_notice_is_refused(case, leader):
    with pytest.raises(ValidationError):
        services.case_decide(actor=leader, case=case, outcome="penalty", kinds=["warning"])


def test_the_hearing_request_window_is_5_working_days_and_pauses_the_decision_clock(
    case, handler, reviewer, leader, host
):
    with at(1):  # ¥150,000 for an organisation: above the hearing threshold (¥100,000)
        to_notified(case, handler, reviewer, fine="150000")
    window = open_clocks(case)["hearing_request"]
    assert window.due_date == dt.date(2026, 3, 10)  # Tue 03-03 + 5 working days
    with at(5):  # still in the window: no decision yet
        with pytest.raises(ValidationError):
            services.case_decide(
                actor=leader, case=case, outcome="penalty", kinds=["fine"], fine="150000"
            )
        services.case_step(actor=handler, case=case, name="request_hearing")
    case.refresh_from_db()
    assert case.deadline is None  # the decision clock is paused for the hearing
    with at(6):
        with pytest.raises(ValidationError) as early:
            services.case_schedule_hearing(
                actor=host, case=case, hearing_on="2026-03-10", place="听证室", host=host
            )
        assert "7日前" in early.value.message_dict["hearing_on"][0]
        services.case_schedule_hearing(
            actor=host, case=case, hearing_on="2026-03-16", place="芙蓉区局三楼听证室", host=host
        )
    with at(14):
        services.case_step(actor=host, case=case, name="hold_hearing", note="当事人到场陈述")
    case.refresh_from_db()
    # paused 03-07 … 03-16, both days not counted (10 days): 05-31 + 10 → 06-10 (Wed)
    assert case.deadline == dt.date(2026, 6, 10)
    assert Document.objects.filter(case=case, kind="hearing").count() == 1


def test_a_hearing_requested_after_the_window_is_refused(case, handler, reviewer):
    with at(1):
        to_notified(case, handler, reviewer, fine="150000")
    with at(9), pytest.raises(ValidationError) as late:  # 03-11: the window closed on 03-10
        services.case_step(actor=handler, case=case, name="request_hearing")
    assert "已届满" in str(late.value)


def decided(case, handler, reviewer, leader, **kw):
    with at(1):
        to_notified(case, handler, reviewer)
    with at(10):
        services.case_decide(
            actor=leader,
            case=case,
            outcome="penalty",
            kinds=["fine", "confiscation"],
            fine="50000",
            confiscated="3000",
            **kw,
        )
    return case


def test_the_decision_is_numbered_and_handed_to_credit(case, handler, reviewer, leader):
    decided(case, handler, reviewer, leader)
    assert case.decision_number == "芙市监处罚〔2026〕1号"
    record = Handover.objects.get(kind="credit", topic="enforcement.penalty")
    assert record.data == {
        "decision_number": "芙市监处罚〔2026〕1号",
        "decided_on": "2026-03-12",
        "penalty_kinds": ["fine", "confiscation"],
        "fine_fen": 5_000_000,
        "confiscated_fen": 300_000,
        "serious": False,
        "legal_basis": case.matter.penalty_basis,
        "public": True,
    }


def test_a_heavier_penalty_needs_collective_discussion(case, handler, reviewer, leader):
    with at(1):
        to_notified(case, handler, reviewer)
    with at(10), pytest.raises(ValidationError) as refused:
        services.case_decide(
            actor=leader,
            case=case,
            outcome="penalty",
            kinds=["fine"],
            fine="50000",
            aggravated=True,
        )
    assert "集体讨论" in str(refused.value)
    with at(10):
        services.case_step(actor=leader, case=case, name="discuss", note="局务会集体讨论")
        services.case_decide(
            actor=leader,
            case=case,
            outcome="penalty",
            kinds=["fine"],
            fine="50000",
            aggravated=True,
        )
    assert Handover.objects.get(topic="enforcement.penalty").data["serious"] is True


def test_a_decision_heavier_than_notified_is_refused(case, handler, reviewer, leader):
    with at(1):
        to_notified(case, handler, reviewer)
    with at(10), pytest.raises(ValidationError):
        services.case_decide(
            actor=leader, case=case, outcome="penalty", kinds=["fine"], fine="60000"
        )


def test_a_service_date_before_the_decision_is_refused(case, handler, reviewer, leader):
    decided(case, handler, reviewer, leader)
    with at(11), pytest.raises(ValidationError) as refused:
        services.case_serve(actor=handler, case=case, served_on="2026-03-11", method="direct")
    assert "不得早于决定日期" in refused.value.message_dict["served_on"][0]


def test_late_charge_is_3_percent_a_day_capped_at_the_fine(case, handler, reviewer, leader):
    decided(case, handler, reviewer, leader)
    with at(11):
        services.case_serve(actor=handler, case=case, served_on="2026-03-13", method="direct")
    payment_due = open_clocks(case)["payment"].due_date
    assert payment_due == dt.date(2026, 3, 28) or payment_due == dt.date(2026, 3, 30)
    two_days_late = payment_due + 2 * DAY
    assert services.late_charge_fen(case, two_days_late) == 5_000_000 * 6 // 100
    assert services.late_charge_fen(case, payment_due + 100 * DAY) == 5_000_000
    assert services.late_charge_fen(case, payment_due) == 0


def test_a_payment_larger_than_owed_is_refused_and_paying_in_full_allows_closing(
    case, handler, reviewer, leader
):
    decided(case, handler, reviewer, leader)
    with at(11):
        services.case_serve(actor=handler, case=case, served_on="2026-03-13", method="direct")
        with pytest.raises(ValidationError) as refused:
            services.payment_record(
                actor=handler, case=case, amount="53000.01", paid_on="2026-03-13", receipt="R1"
            )
        assert "超过应缴金额" in refused.value.message_dict["amount"][0]
        services.payment_record(
            actor=handler, case=case, amount="53000", paid_on="2026-03-13", receipt="R1"
        )
        with pytest.raises(ValidationError):  # not yet published
            services.case_close(actor=leader, case=case)
        services.publication_publish(actor=leader, case=case)
        services.case_close(actor=leader, case=case)
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.paid_fen == 5_300_000
    kinds = set(Document.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {"filing", "notice", "decision", "service", "closing"}


def test_simple_procedure_stays_within_its_limits(handler, colleague, rules):
    matter = Matter.objects.get(code="price-unmarked")
    with pytest.raises(ValidationError) as refused:
        services.case_simple_penalty(
            actor=handler,
            party_name="张小明",
            party_kind="individual",
            matter=matter,
            officers=[handler, colleague],
            kinds=["fine"],
            fine="200.01",
            facts="未明码标价",
        )
    assert "200.00元" in refused.value.message_dict["fine"][0]
    case = services.case_simple_penalty(
        actor=handler,
        party_name="张小明",
        party_kind="individual",
        matter=matter,
        officers=[handler, colleague],
        kinds=["fine"],
        fine="200",
        facts="未明码标价",
    )
    assert case.procedure == Case.Procedure.SIMPLE and case.state == Case.State.SERVED


def test_transfer_to_the_police_ends_the_case_and_its_clocks(case, leader):
    services.case_step(
        actor=leader, case=case, name="transfer_police", note="涉嫌销售假冒注册商标的商品罪"
    )
    assert case.state == Case.State.TRANSFERRED
    assert open_clocks(case) == {}


def test_open_case_entity_ids_lists_entities_with_a_case_not_closed(
    handler, colleague, leader, matter
):
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "长沙市芙蓉区洁亮日化店")
    clue = services.clue_register(
        actor=handler,
        source="own",
        party_name=entity.name,
        domain="ip",
        title="假冒",
        entity=entity,
    )
    services.clue_propose(
        actor=handler,
        clue=clue,
        file_case=True,
        findings="属实",
        matter=matter,
        officers=[handler, colleague],
        party_kind="organisation",
        violation_on="2026-01-02",
    )
    services.clue_decide(actor=leader, clue=clue, approve=True)
    assert list(selectors.open_case_entity_ids()) == [entity.pk]
    # The spot-check target list leaves it out, through the exclusion this app declares.
    from regulus.core.plugins import target_exclusions

    (under_case,) = [e for e in target_exclusions() if e.label == "立案调查中"]
    assert list(under_case.entity_ids(clock.today())) == [entity.pk]


def test_below_the_hearing_threshold_no_hearing_may_be_requested(case, handler, reviewer):
    with at(1):
        to_notified(case, handler, reviewer, fine="50000")
    with at(2), pytest.raises(ValidationError) as refused:
        services.case_step(actor=handler, case=case, name="request_hearing")
    assert "未达到听证标准" in str(refused.value)


def test_the_api_moves_a_case_only_for_its_officers(client, case, handler, city_handler, outsider):
    url = f"/api/v1/enforcement/cases/{case.pk}/steps"
    body = {"name": "finish_investigation", "note": "证据已固定"}
    client.force_login(outsider)
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(city_handler)  # sees the whole city, but is not an officer of the case
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"]
    client.force_login(handler)
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == "investigated"
    assert "submit_review" in answer.json()["transitions"]
    bad = client.post(url, {"name": "decide"}, content_type="application/json")
    assert bad.status_code in (403, 422) and set(bad.json()) == {"code", "message", "fields"}


def test_electronic_service_needs_the_partys_consent(case, handler, reviewer, leader):
    decided(case, handler, reviewer, leader)
    with at(11):
        with pytest.raises(ValidationError) as refused:
            services.case_serve(
                actor=handler, case=case, served_on="2026-03-13", method="electronic"
            )
        assert "须经当事人同意" in refused.value.message_dict["method"][0]
        services.case_serve(
            actor=handler, case=case, served_on="2026-03-13", method="electronic", consent=True
        )
    assert case.state == Case.State.SERVED


def test_notice_service_takes_effect_30_days_after_the_notice(case, handler, reviewer, leader):
    decided(case, handler, reviewer, leader)
    with at(11):
        services.case_serve(actor=handler, case=case, served_on="2026-03-13", method="notice")
    assert case.served_on == dt.date(2026, 4, 12)
    # 15 days from 04-12 is 04-27 (Mon)
    assert open_clocks(case)["payment"].due_date == dt.date(2026, 4, 27)
