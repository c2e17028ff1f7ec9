"""The workflows of enforcement: the clue, the case and the seizure, as explicit transition
tables (core.workflow). Every move writes one TransitionEvent and one audit row.

Clue::

    verifying ──propose_filing──▶ proposed_filing ──approve_filing (leader)──▶ filed
    verifying ──propose_not_filing──▶ proposed_not_filing ──approve_not_filing──▶ not_filed
    proposed_* ──send_back──▶ verifying

  clock: verification (Order 2 Art 18: 15 working days, +15 approved, testing paused).

Case (ordinary procedure)::

    investigating ─finish_investigation─▶ investigated ─submit_review─▶ reviewing
    reviewing ─review_pass (legal reviewer)─▶ reviewed ─notify─▶ notified
    reviewing ─review_return─▶ investigating
    notified ─request_hearing─▶ hearing_requested ─schedule_hearing─▶ hearing_scheduled
    hearing_scheduled ─hold_hearing─▶ heard
    notified / heard ─discuss─▶ discussed
    notified / heard / discussed ─decide─▶ decided ─serve─▶ served ─close─▶ closed
    served ─apply_court─▶ court ─close─▶ closed
    investigating … reviewed ─transfer_police─▶ transferred;  ─withdraw─▶ withdrawn

  clocks: decision (main: Order 2 Art 64, 90 days from filing, +30 approved, paused for the
  hearing, testing, appraisal and service by notice), legal_review (10 working days),
  hearing_request (5 working days after the notice), service (7 working days), payment
  (15 days), publication (Order 45 Art 9: 20 working days from the decision).

Seizure: active ─release / dispose─▶ released / disposed; clock seizure (30 days, +30).
"""

from __future__ import annotations

import datetime as dt

from regulus.core import clock
from regulus.core.clock_services import open_clocks
from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.enforcement.models import Case, Clue, Seizure

VIEW = "enforcement.case_view"
CLUE_HANDLE = "enforcement.clue_handle"
CLUE_APPROVE = "enforcement.clue_approve"
HANDLE = "enforcement.case_handle"
REVIEW = "enforcement.case_review"
HEARING = "enforcement.hearing_hold"
DECIDE = "enforcement.case_decide"

CS = Clue.State
S = Case.State

CLUE_FLOW = Workflow(
    name="enforcement.clue",
    states=dict(CS.choices),
    final_states=(CS.FILED, CS.NOT_FILED),
    clocks={
        "verification": ClockSpec(
            "enforcement.verification", pausable=True, extendable=True, rule_day=None
        )
    },
    view_permission=VIEW,
    transitions=[
        Transition(
            "propose_filing",
            "核查完毕，提请立案",
            (CS.VERIFYING,),
            CS.PROPOSED_FILING,
            permission=CLUE_HANDLE,
            requires_note=True,
            style="danger",
        ),
        Transition(
            "propose_not_filing",
            "核查完毕，提请不予立案",
            (CS.VERIFYING,),
            CS.PROPOSED_NOT_FILING,
            permission=CLUE_HANDLE,
            requires_note=True,
            style="secondary",
        ),
        Transition(
            "send_back",
            "退回继续核查",
            (CS.PROPOSED_FILING, CS.PROPOSED_NOT_FILING),
            CS.VERIFYING,
            permission=CLUE_APPROVE,
            requires_note=True,
            style="warning",
        ),
        Transition(
            "approve_filing",
            "批准立案",
            (CS.PROPOSED_FILING,),
            CS.FILED,
            permission=CLUE_APPROVE,
            style="success",
        ),
        Transition(
            "approve_not_filing",
            "批准不予立案",
            (CS.PROPOSED_NOT_FILING,),
            CS.NOT_FILED,
            permission=CLUE_APPROVE,
            requires_note=True,
            style="secondary",
        ),
    ],
)
Clue.workflow = CLUE_FLOW


def hearing_window_open(case: Case, today: dt.date | None = None) -> bool:
    """The party may still ask for a hearing: the 5-working-day clock after the notice runs."""
    window = open_clocks(case).get("hearing_request")
    day = today or clock.today()
    return window is not None and window.due_date is not None and day <= window.due_date


def hearing_right(case: Case) -> bool:
    """行政处罚法 Art 63: a hearing for a larger fine or confiscation (thresholds of the case's
    procedure rule by party kind), suspension or revocation."""
    rule = case.rule
    kinds = set(case.intended_kinds)
    if kinds & {"suspension", "revocation"}:
        return True
    threshold = (
        rule.hearing_individual_min_fen
        if case.party_kind == Case.PartyKind.INDIVIDUAL
        else rule.hearing_org_min_fen
    )
    return max(case.intended_fine_fen, case.intended_confiscated_fen) >= threshold


def _hearing_may_be_requested(case: Case) -> str | None:
    if not hearing_right(case):
        return (
            "拟作出的处罚未达到听证标准"
            "（较大数额罚款、没收较大数额违法所得、责令停产停业、吊销许可证件）"
        )
    if not hearing_window_open(case):
        return "听证申请期限（告知后五个工作日）已届满，不能再申请听证"
    return None


def _may_decide(case: Case) -> str | None:
    if case.notified_on is None:
        return "未经告知不得作出行政处罚决定（行政处罚法第四十四条、第六十二条）"
    if case.state == S.NOTIFIED and hearing_window_open(case):
        return "陈述、申辩和听证申请期限尚未届满，不能作出决定"
    if case.serious and case.state != S.DISCUSSED:
        return "拟作出较重的行政处罚，须经集体讨论决定（行政处罚法第五十七条第二款）"
    return None


def _money_due(case: Case) -> str | None:
    return None if case.money_due_fen > 0 else "本案没有应缴纳的罚没款"


def _no_money_due(case: Case) -> str | None:
    return "本案有应缴纳的罚没款，送达后进入执行" if case.money_due_fen > 0 else None


def _may_apply_court(case: Case) -> str | None:
    """行政处罚法 Art 66/72: an approved instalment or deferral plan that is kept is not
    enforced by the court; a missed instalment makes the rest due and enforceable."""
    plan = case.payment_plans.filter(state="approved").order_by("-id").first()
    if plan is None:
        return None
    today = clock.today()
    paid = list(case.payments.filter(paid_on__lte=today).values_list("paid_on", "principal_fen"))
    if plan.missed_on(paid, today) is None:
        return "已批准分期（延期）缴纳且没有逾期未缴的一期，不能申请强制执行"
    return None


def _may_close(case: Case) -> str | None:
    if case.state == S.SERVED and case.paid_fen < case.money_due_fen:
        return "罚没款尚未缴清，不能结案（可申请法院强制执行）"
    if publication_required(case) and not hasattr(case, "publication"):
        return "应公示的行政处罚决定尚未公示，不能结案"
    return None


def publication_required(case: Case) -> bool:
    """Order 45 Arts 2, 4: decisions of the ordinary procedure are published, warnings aside;
    nothing is published when the party is a minor (domain.md §5, masking rule)."""
    return (
        case.procedure == Case.Procedure.ORDINARY
        and case.outcome == Case.Outcome.PENALTY
        and bool(set(case.penalty_kinds) - {"warning"})
        and not case.party_minor
    )


CASE_FLOW = Workflow(
    name="enforcement.case",
    states=dict(S.choices),
    final_states=(S.CLOSED, S.TRANSFERRED, S.WITHDRAWN),
    clocks={
        "decision": ClockSpec(
            "enforcement.decision",
            pausable=True,
            extendable=True,
            further_extension="案情特别复杂或者有其他特殊情况，经延期仍不能作出处理决定的，"
            "由负责人集体讨论决定继续延期并确定合理期限（《市场监督管理行政处罚程序规定》第六十四条）",
        ),
        "legal_review": ClockSpec("enforcement.legal_review", main=False),
        "hearing_request": ClockSpec("enforcement.hearing_request", main=False),
        "service": ClockSpec("enforcement.service"),
        "payment": ClockSpec("enforcement.payment"),
        "publication": ClockSpec("enforcement.publication", main=False),
    },
    view_permission=VIEW,
    transitions=[
        Transition(
            "finish_investigation",
            "调查终结",
            (S.INVESTIGATING,),
            S.INVESTIGATED,
            permission=HANDLE,
            requires_note=True,
        ),
        Transition(
            "submit_review",
            "提交法制审核",
            (S.INVESTIGATED,),
            S.REVIEWING,
            permission=HANDLE,
            starts=("legal_review",),
        ),
        Transition(
            "review_pass",
            "法制审核通过",
            (S.REVIEWING,),
            S.REVIEWED,
            permission=REVIEW,
            stops=("legal_review",),
            requires_note=True,
            style="success",
        ),
        Transition(
            "review_return",
            "法制审核退回补充调查",
            (S.REVIEWING,),
            S.INVESTIGATING,
            permission=REVIEW,
            stops=("legal_review",),
            requires_note=True,
            style="warning",
        ),
        Transition(
            "notify",
            "送达行政处罚告知书",
            (S.REVIEWED,),
            S.NOTIFIED,
            permission=HANDLE,
            starts=("hearing_request",),
        ),
        Transition(
            "request_hearing",
            "当事人申请听证",
            (S.NOTIFIED,),
            S.HEARING_REQUESTED,
            permission=HANDLE,
            stops=("hearing_request",),
            pauses=("decision",),
            pause_reason="hearing",
            guard=_hearing_may_be_requested,
        ),
        Transition(
            "schedule_hearing",
            "通知听证",
            (S.HEARING_REQUESTED,),
            S.HEARING_SCHEDULED,
            permission=HEARING,
        ),
        Transition(
            "hold_hearing",
            "举行听证",
            (S.HEARING_SCHEDULED,),
            S.HEARD,
            permission=HEARING,
            resumes=("decision",),
            requires_note=True,
        ),
        Transition(
            "discuss",
            "集体讨论",
            (S.NOTIFIED, S.HEARD),
            S.DISCUSSED,
            permission=DECIDE,
            stops=("hearing_request",),
            requires_note=True,
        ),
        Transition(
            "decide",
            "作出处理决定",
            (S.NOTIFIED, S.HEARD, S.DISCUSSED),
            S.DECIDED,
            permission=DECIDE,
            stops=("decision", "hearing_request"),
            starts=("service",),
            guard=_may_decide,
            style="danger",
        ),
        Transition(
            "serve",
            "送达决定书（进入执行）",
            (S.DECIDED,),
            S.SERVED,
            permission=HANDLE,
            stops=("service",),
            starts=("payment",),
            guard=_money_due,
        ),
        Transition(
            "serve_no_payment",
            "送达决定书",
            (S.DECIDED,),
            S.SERVED,
            permission=HANDLE,
            stops=("service",),
            guard=_no_money_due,
        ),
        Transition(
            "apply_court",
            "申请人民法院强制执行",
            (S.SERVED,),
            S.COURT,
            permission=DECIDE,
            stops=("payment",),
            guard=_may_apply_court,
            requires_note=True,
            style="warning",
        ),
        Transition(
            "close",
            "批准结案",
            (S.SERVED, S.COURT),
            S.CLOSED,
            permission=DECIDE,
            guard=_may_close,
            style="success",
        ),
        Transition(
            "transfer_police",
            "涉嫌犯罪移送公安机关",
            (S.INVESTIGATING, S.INVESTIGATED, S.REVIEWING, S.REVIEWED),
            S.TRANSFERRED,
            permission=DECIDE,
            requires_note=True,
            style="danger",
        ),
        Transition(
            "withdraw",
            "撤销立案",
            (S.INVESTIGATING, S.INVESTIGATED),
            S.WITHDRAWN,
            permission=DECIDE,
            requires_note=True,
            style="secondary",
        ),
    ],
)
Case.workflow = CASE_FLOW

# Transitions with a form of their own on the case page (more than a note).
FORM_TRANSITIONS = {"notify", "schedule_hearing", "decide", "serve", "serve_no_payment"}

SZ = Seizure.State
SEIZURE_FLOW = Workflow(
    name="enforcement.seizure",
    states=dict(SZ.choices),
    final_states=(SZ.RELEASED, SZ.DISPOSED),
    clocks={"seizure": ClockSpec("enforcement.seizure", pausable=True, extendable=True)},
    view_permission=VIEW,
    transitions=[
        Transition(
            "release",
            "解除查封扣押",
            (SZ.ACTIVE,),
            SZ.RELEASED,
            permission=HANDLE,
            requires_note=True,
        ),
        Transition(
            "dispose",
            "依处罚决定处理",
            (SZ.ACTIVE,),
            SZ.DISPOSED,
            permission=DECIDE,
            requires_note=True,
        ),
    ],
)
Seizure.workflow = SEIZURE_FLOW

OPEN_CASE_STATES = tuple(s for s in S.values if s not in CASE_FLOW.final_states)


def state_badge(state: str) -> str:
    badges: dict[str, str] = {
        S.CLOSED: "success",
        S.TRANSFERRED: "danger",
        S.WITHDRAWN: "secondary",
        S.DECIDED: "warning",
        S.SERVED: "info",
        CS.FILED: "success",
        CS.NOT_FILED: "secondary",
        CS.VERIFYING: "info",
    }
    return badges.get(state, "primary")
