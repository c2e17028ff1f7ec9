"""Instalments and deferral of payment (行政处罚法 Art 66), and the decision clock's further
extension by collective decision (Order 2 Art 64)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.core import clock_services
from regulus.core.clock_services import open_clocks
from regulus.core.clocks import due_date
from regulus.core.models import AuditLog, Clock
from regulus.core.templatetags.clocks import clocks_url
from regulus.enforcement import services
from regulus.enforcement.models import Case, PaymentPlan
from tests.enforcement.conftest import MONDAY, file_case, to_notified

pytestmark = pytest.mark.django_db
D = dt.date
# Fine 50,000 yuan and confiscated gains 3,000 yuan: 5,300,000 fen owed.
SCHEDULE = [
    {"due_on": "2026-04-15", "amount_fen": 2_000_000},
    {"due_on": "2026-05-15", "amount_fen": 2_000_000},
    {"due_on": "2026-06-15", "amount_fen": 1_300_000},
]


def on(day: str):
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


@pytest.fixture
def served(handler, colleague, leader, reviewer, matter):
    """Decided on 03-12, served on 03-13: the payment clock runs to 03-30 (03-28 a Saturday)."""
    with time_machine.travel(MONDAY, tick=False):
        case = file_case(handler, colleague, leader, matter)
    with on("2026-03-03"):
        to_notified(case, handler, reviewer)
    with on("2026-03-12"):
        services.case_decide(
            actor=leader, case=case, outcome="penalty", kinds=["fine", "confiscation"],
            fine="50000", confiscated="3000",
        )  # fmt: skip
    with on("2026-03-13"):
        services.case_serve(actor=handler, case=case, served_on="2026-03-13", method="direct")
    assert open_clocks(case)["payment"].due_date == D(2026, 3, 30)
    return case


def apply(case, handler, schedule=SCHEDULE, kind="instalments"):
    return services.payment_plan_apply(
        actor=handler, case=case, kind=kind, reason="经营困难，无力一次缴清", schedule=schedule
    )


def test_a_kept_schedule_runs_no_late_charge_and_a_missed_instalment_makes_the_rest_due(
    served, handler, leader
):
    case = served
    with on("2026-03-20"):
        plan = apply(case, handler)
        services.payment_plan_decide(
            actor=leader, case=case, approve=True, document="芙市监分缴〔2026〕1号"
        )
    plan.refresh_from_db()
    assert plan.state == PaymentPlan.State.APPROVED and plan.decided_on == D(2026, 3, 20)
    # The schedule replaces the 15-day payment clock.
    assert "payment" not in open_clocks(case)
    stopped = Clock.objects.filter(object_id=case.pk, name="payment").latest("id")
    assert stopped.status == Clock.Status.STOPPED
    # Past the old deadline, nothing runs on the parts not yet due.
    assert services.late_charge_fen(case, D(2026, 4, 10)) == 0
    with on("2026-04-15"):
        services.payment_record(
            actor=handler, case=case, amount="20000", paid_on="2026-04-15", receipt="R1"
        )
        case.refresh_from_db()
        with pytest.raises(ValidationError) as kept:
            services.case_step(actor=leader, case=case, name="apply_court", note="申请强制执行")
        assert "没有逾期未缴的一期" in str(kept.value)
    assert services.late_charge_fen(case, D(2026, 5, 15)) == 0
    # The second instalment is missed on 05-15: the rest is due, the charge runs from 05-16 on
    # the fine left (5,000,000 - (2,000,000 - 300,000 confiscated) = 3,300,000 fen), 3 % a day.
    assert services.plan_missed_on(plan, D(2026, 5, 20)) == D(2026, 5, 15)
    assert services.late_charge_fen(case, D(2026, 5, 20)) == 3_300_000 * 30 * 5 // 1000
    assert services.owed(case, D(2026, 5, 20)) == {
        "principal": 3_300_000,
        "late_charge": 495_000,
        "total": 3_795_000,
    }
    standing = [r["standing"] for r in services.plan_rows(plan, D(2026, 5, 20))]
    assert standing == ["已缴清", "逾期未缴清", "未到期"]
    with on("2026-05-20"):
        services.case_step(actor=leader, case=case, name="apply_court", note="逾期未缴")
    case.refresh_from_db()
    assert case.state == Case.State.COURT


def test_an_instalment_paid_early_counts_against_the_next_ones(served, handler, leader):
    case = served
    with on("2026-03-20"):
        plan = apply(case, handler)
        services.payment_plan_decide(actor=leader, case=case, approve=True, document="批1")
        services.payment_record(
            actor=handler, case=case, amount="40000", paid_on="2026-03-20", receipt="R1"
        )
    assert services.plan_missed_on(plan, D(2026, 6, 1)) is None
    assert services.late_charge_fen(case, D(2026, 6, 1)) == 0
    assert services.late_charge_fen(case, D(2026, 6, 17)) == 1_300_000 * 30 * 2 // 1000


def test_a_deferral_is_one_later_date_for_all_that_is_owed(served, handler, leader):
    case = served
    with on("2026-03-20"):
        apply(case, handler, [{"due_on": "2026-06-30", "amount_fen": 5_300_000}], "deferral")
        services.payment_plan_decide(actor=leader, case=case, approve=True, document="批2")
    assert services.late_charge_fen(case, D(2026, 6, 30)) == 0
    assert services.late_charge_fen(case, D(2026, 7, 1)) == 5_000_000 * 30 // 1000


@pytest.mark.parametrize(
    ("kind", "schedule", "message"),
    [
        ("instalments", SCHEDULE[:2], "应等于尚欠罚没款 53,000.00元"),
        ("deferral", SCHEDULE, "延期缴纳只有一期"),
        ("instalments", [{"due_on": "2026-06-30", "amount_fen": 5_300_000}], "至少两期"),
        ("instalments", [SCHEDULE[1], SCHEDULE[0], SCHEDULE[2]], "第2期的缴纳日期应晚于第1期"),
        ("instalments", [{**SCHEDULE[0], "due_on": "2026-03-20"}, *SCHEDULE[1:]], "应在今天之后"),
        ("instalments", [{**SCHEDULE[0], "amount_fen": 0}, *SCHEDULE[1:]], "金额应大于0"),
        ("instalments", [{**SCHEDULE[0], "due_on": "4月15日"}, *SCHEDULE[1:]], "应为日期"),
        ("instalments", [], "请填写缴纳计划"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_rule(served, handler, kind, schedule, message):
    with on("2026-03-20"), pytest.raises(ValidationError) as refused:
        apply(served, handler, schedule, kind)
    assert message in refused.value.message_dict["schedule"][0]
    assert not PaymentPlan.objects.exists()


def test_the_application_comes_within_the_payment_period_once_at_a_time(served, handler, outsider):
    with on("2026-03-31"), pytest.raises(ValidationError) as late:
        apply(served, handler)
    assert "缴款期限届满前申请" in str(late.value)
    with on("2026-03-20"):
        with pytest.raises(PermissionDenied):
            apply(served, outsider)
        apply(served, handler)
        with pytest.raises(ValidationError) as twice:
            apply(served, handler)
    assert "不能重复申请" in str(twice.value)


def test_only_a_leader_decides_and_a_refusal_leaves_the_payment_period_running(
    served, handler, leader
):
    case = served
    with on("2026-03-20"):
        apply(case, handler)
        with pytest.raises(PermissionDenied):
            services.payment_plan_decide(actor=handler, case=case, approve=True, document="批1")
        with pytest.raises(ValidationError) as no_document:
            services.payment_plan_decide(actor=leader, case=case, approve=True)
        assert "批准文书文号" in no_document.value.message_dict["document"][0]
        with pytest.raises(ValidationError) as no_reason:
            services.payment_plan_decide(actor=leader, case=case, approve=False)
        assert "不予批准的理由" in no_reason.value.message_dict["note"][0]
        services.payment_plan_decide(actor=leader, case=case, approve=False, note="无困难证明")
    assert open_clocks(case)["payment"].due_date == D(2026, 3, 30)
    assert services.late_charge_fen(case, D(2026, 4, 1)) == 5_000_000 * 30 * 2 // 1000
    audit = AuditLog.objects.filter(object_type="enforcement.paymentplan").latest("id")
    assert audit.summary.startswith("不予批准分期缴纳")
    with on("2026-03-21"):  # refused: the party may apply again while the period runs
        apply(case, handler)


def test_the_case_page_records_and_approves_a_schedule(client, served, handler, leader):
    case = served
    url = f"/enforcement/cases/{case.pk}/"
    with on("2026-03-20"):
        client.force_login(handler)
        page = client.get(url).content.decode()
        assert 'data-testid="act-plan_apply"' in page
        body = {
            "kind": "instalments",
            "reason": "经营困难",
            "schedule": "2026-04-15 20000\n2026-05-15，20,000\n\n2026-06-15  13000.00",
        }
        first = client.post(f"{url}act/plan_apply/", body, follow=True).content.decode()
        assert "已办理" in first
        bad = client.post(f"{url}act/plan_apply/", body, follow=True)
        assert "不能重复申请" in bad.content.decode()
        client.force_login(leader)
        assert 'data-testid="act-plan_approve"' in client.get(url).content.decode()
        client.post(f"{url}act/plan_approve/", {"document": "芙市监分缴〔2026〕2号"})
        page = client.get(url).content.decode()
    plan = PaymentPlan.objects.get(case=case)
    assert plan.state == "approved" and plan.instalments[1] == (D(2026, 5, 15), 2_000_000)
    assert 'data-testid="payment-plan"' in page and "芙市监分缴〔2026〕2号" in page


def test_the_page_names_the_line_of_a_bad_schedule(client, served, handler):
    url = f"/enforcement/cases/{served.pk}/"
    client.force_login(handler)
    with on("2026-03-20"):
        body = {"kind": "instalments", "reason": "困难", "schedule": "2026-04-15 100\n下月 100"}
        answer = client.post(f"{url}act/plan_apply/", body, follow=True)
    assert "缴纳计划第2行的缴纳日期应为日期" in answer.content.decode()
    assert not PaymentPlan.objects.exists()


def test_the_api_applies_and_decides_with_the_one_error_shape(
    client, served, handler, leader, outsider
):
    base = f"/api/v1/enforcement/cases/{served.pk}/payment-plan"
    with on("2026-03-20"):
        client.force_login(outsider)
        body = {"kind": "instalments", "reason": "困难", "schedule": SCHEDULE}
        hidden = client.post(base, body, content_type="application/json")
        assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
        client.force_login(handler)
        bad = client.post(
            base,
            {"kind": "instalments", "reason": "困难", "schedule": SCHEDULE[:1]},
            content_type="application/json",
        )
        assert bad.status_code == 422 and set(bad.json()) == {"code", "message", "fields"}
        body = {"kind": "instalments", "reason": "困难", "schedule": SCHEDULE}
        answer = client.post(base, body, content_type="application/json")
        assert answer.status_code == 200
        assert answer.json()["payment_plan"]["state"] == "applied"
        refused = client.post(
            f"{base}/decision",
            {"approve": True, "document": "批3"},
            content_type="application/json",
        )
        assert refused.status_code == 403
        client.force_login(leader)
        answer = client.post(
            f"{base}/decision",
            {"approve": True, "document": "批3"},
            content_type="application/json",
        )
    plan = answer.json()["payment_plan"]
    assert answer.status_code == 200 and (plan["state"], plan["document"]) == ("approved", "批3")
    assert plan["schedule"][0] == {"due_on": "2026-04-15", "amount_fen": 2_000_000}


# -- the decision clock beyond +30 days ------------------------------------------------------------


def test_the_decision_clock_goes_beyond_30_days_only_by_collective_decision(
    client, handler, colleague, leader, matter
):
    with time_machine.travel(MONDAY, tick=False):
        case = file_case(handler, colleague, leader, matter)
    decision = open_clocks(case)["decision"]
    first_due = decision.due_date
    with on("2026-05-20"):
        client.force_login(handler)
        page = client.get(clocks_url(case)).content.decode()
        assert 'data-testid="extend-form"' in page and "extend-further-form" not in page
        with pytest.raises(ValidationError) as early:
            clock_services.clock_extend(
                clock=decision, actor=handler, days=10, approver=leader,
                document="集体讨论记录1", reason="案情特别复杂", collective=True,
            )  # fmt: skip
        assert "还可经批准延长 30 个" in early.value.message_dict["days"][0]
        clock_services.clock_extend(
            clock=decision, actor=handler, days=30, approver=leader,
            document="芙市监延〔2026〕1号", reason="案情复杂",
        )  # fmt: skip
        with pytest.raises(ValidationError):  # the approved +30 is the cap
            clock_services.clock_extend(
                clock=decision, actor=handler, days=1, approver=leader,
                document="芙市监延〔2026〕2号", reason="再延",
            )  # fmt: skip
        page = client.get(clocks_url(case)).content.decode()
        assert "extend-further-form" in page and "第六十四条" in page
        client.post(
            clocks_url(case),
            {
                "clock": decision.pk, "action": "extend_further", "days": "20",
                "approver": leader.pk, "document": "局务会集体讨论记录〔2026〕5号",
                "reason": "需等待异地协查结果",
            },
        )  # fmt: skip
    decision.refresh_from_db()
    assert decision.extension_days == 50
    assert first_due == due_date(D(2026, 3, 2), 90, unit="calendar").date
    assert decision.due_date == due_date(D(2026, 3, 2), 90 + 50, unit="calendar").date
    audit = AuditLog.objects.filter(object_type="core.clockextension").latest("id")
    assert "经负责人集体讨论决定" in audit.summary and "〔2026〕5号" in audit.summary
    api = f"/api/v1/clocks/enforcement.case/{case.pk}/decision/extend"
    body = {"days": 10, "approver_id": leader.pk, "document": "集体讨论记录6", "reason": "再议"}
    with on("2026-05-21"):
        client.force_login(handler)  # the session's idle limit runs on the moved clock too
        capped = client.post(api, body, content_type="application/json")
        assert capped.status_code == 422 and "最多延长 30 个" in capped.json()["message"]
        further = client.post(api, {**body, "collective": True}, content_type="application/json")
    assert further.status_code == 200 and further.json()["extension_days"] == 60
