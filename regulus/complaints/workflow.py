"""The workflow of a 12315 item: who may do what, in which state, and the clocks it runs.

::

    registered (待分派) ──dispatch──▶ pending (待受理) ──return_to_dispatch──▶ registered
    registered / pending ──refer_out (outside the bureau's remit)──▶ referred
    pending ──accept_complaint──▶ mediating ──mediated / mediation_failed / terminate──▶ final
    pending ──accept_report──▶ verifying ──to_clue / no_case──▶ final
    pending ──answer (enquiry, suggestion)──▶ answered;  pending ──not_accept──▶ not_accepted
    registered ──to_odr (complaint, ODR member, consent)──▶ odr (经营者和解中)
    odr ──odr_settled──▶ odr_settled;  odr ──odr_failed──▶ registered

Transfers between units keep the state (services.item_transfer). The clocks run under the
rule version in force on the day the item was received (ClockSpec.rule_day), whenever they
start: an item received on 2026-04-14 keeps Order 20's periods though accepted later.
- acceptance: from receipt, decide to accept or not (Order 20 Art 14: 7 working days);
- mediation: from acceptance (Order 20 Arts 20-21: 45 working days; Order 121 Art 23(5):
  60 days), testing and appraisal excluded (paused by hand, core.clock_pause);
- verification: a report's verification (Order 2 Art 18: 15 working days, +15 approved,
  testing and appraisal excluded).
- odr: the business's period to settle (12315 ODR: 10 working days); the acceptance clock is
  paused meanwhile (ground "odr") and resumes when the ODR ends without settlement.

The ODR transitions are `applicant` too: the business (portal code), the consumer (progress
page) and `regulus tick` (overdue) fire them through complaints.services, which checks who
they are; staff need the permission named.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from regulus.complaints.models import FINAL_STATES, Item, ReporterNotice
from regulus.core.workflow import ClockSpec, Transition, Workflow

S = Item.State
K = Item.Kind
VIEW = "complaints.item_view"
DISPATCH = "complaints.item_dispatch"
HANDLE = "complaints.item_handle"
ODR_HANDLE = "complaints.odr_handle"


def _received_on(item: Item) -> dt.date:
    return item.received_on


def _kind_is(*kinds: str) -> Any:
    labels = "、".join(K(k).label for k in kinds)

    def guard(item: Item) -> str | None:
        if item.kind not in kinds:
            return f"此操作仅适用于{labels}（本件为{item.get_kind_display()}）"
        return None

    return guard


def odr_problem(item: Item) -> str | None:
    """A complaint goes to the business's ODR only with the consumer's consent, against a
    registered entity that is an active ODR member, and once."""
    from regulus.complaints.models import OdrMember

    if item.kind != K.COMPLAINT:
        return f"经营者和解（ODR）仅适用于投诉（本件为{item.get_kind_display()}）"
    if not item.odr_consent:
        return "投诉人未同意先由经营者通过ODR和解，不能转经营者和解"
    if item.odr_result:
        return f"本件已经过经营者和解（{item.get_odr_result_display()}），不再转经营者和解"
    if item.entity_id is None:
        return "被投诉人尚未匹配登记的市场主体，不能转经营者和解"
    if OdrMember.active_for(item.entity_id) is None:
        return "被投诉人不是ODR单位（或已退出），不能转经营者和解"
    return None


ITEM_CLOCKS = {
    "acceptance": ClockSpec("complaints.acceptance", rule_day=_received_on),
    "mediation": ClockSpec("complaints.mediation", pausable=True, rule_day=_received_on),
    "verification": ClockSpec(
        "complaints.verification", pausable=True, extendable=True, rule_day=_received_on
    ),
    # The business's own period, beside the bureau's paused acceptance clock (one open main
    # clock per object: this one is not main, so the item's deadline column is empty in ODR;
    # services.odr_overdue reads the clock table's index).
    "odr": ClockSpec("complaints.odr", label="经营者和解期限（ODR）", main=False),
}

ITEM_FLOW = Workflow(
    name="complaints.item",
    states=dict(S.choices),
    final_states=FINAL_STATES,
    clocks=ITEM_CLOCKS,
    view_permission=VIEW,
    transitions=[
        Transition("dispatch", "分派", (S.REGISTERED,), S.PENDING, permission=DISPATCH),
        Transition(
            "refer_out",
            "移送其他部门",
            (S.REGISTERED, S.PENDING),
            S.REFERRED,
            permission=DISPATCH,
            requires_note=True,
            style="secondary",
        ),
        Transition(
            "return_to_dispatch",
            "退回分派",
            (S.PENDING,),
            S.REGISTERED,
            permission=HANDLE,
            requires_note=True,
            style="warning",
        ),
        Transition(
            "accept_complaint",
            "受理投诉并组织调解",
            (S.PENDING,),
            S.MEDIATING,
            permission=HANDLE,
            stops=("acceptance",),
            starts=("mediation",),
            guard=_kind_is(K.COMPLAINT),
            style="success",
        ),
        Transition(
            "accept_report",
            "受理举报并核查",
            (S.PENDING,),
            S.VERIFYING,
            permission=HANDLE,
            stops=("acceptance",),
            starts=("verification",),
            guard=_kind_is(K.REPORT),
            style="success",
        ),
        Transition(
            "answer",
            "答复",
            (S.PENDING,),
            S.ANSWERED,
            permission=HANDLE,
            requires_note=True,
            guard=_kind_is(K.ENQUIRY, K.SUGGESTION),
            style="success",
        ),
        Transition(
            "not_accept",
            "不予受理",
            (S.PENDING,),
            S.NOT_ACCEPTED,
            permission=HANDLE,
            requires_note=True,
            guard=_kind_is(K.COMPLAINT, K.REPORT),
            style="danger",
        ),
        Transition(
            "mediated",
            "调解成功",
            (S.MEDIATING,),
            S.MEDIATED,
            permission=HANDLE,
            requires_note=True,
            style="success",
        ),
        Transition(
            "mediation_failed",
            "调解不成",
            (S.MEDIATING,),
            S.MEDIATION_FAILED,
            permission=HANDLE,
            requires_note=True,
            style="warning",
        ),
        Transition(
            "terminate",
            "终止调解",
            (S.MEDIATING,),
            S.TERMINATED,
            permission=HANDLE,
            requires_note=True,
            style="secondary",
        ),
        Transition(
            "to_odr",
            "转经营者和解（ODR）",
            (S.REGISTERED,),
            S.ODR,
            permission=DISPATCH,
            applicant=True,
            pauses=("acceptance",),
            pause_reason="odr",
            starts=("odr",),
            guard=odr_problem,
            style="info",
        ),
        Transition(
            "odr_settled",
            "经营者和解成功",
            (S.ODR,),
            S.ODR_SETTLED,
            permission=ODR_HANDLE,
            applicant=True,
            requires_note=True,
            style="success",
        ),
        Transition(
            "odr_failed",
            "未和解，转入受理",
            (S.ODR,),
            S.REGISTERED,
            permission=ODR_HANDLE,
            applicant=True,
            requires_note=True,
            stops=("odr",),
            resumes=("acceptance",),
            style="warning",
        ),
        Transition(
            "to_clue",
            "核查属实，移交立案线索",
            (S.VERIFYING,),
            S.CLUE,
            permission=HANDLE,
            requires_note=True,
            style="danger",
        ),
        Transition(
            "no_case",
            "核查不予立案",
            (S.VERIFYING,),
            S.NO_CASE,
            permission=HANDLE,
            requires_note=True,
            style="secondary",
        ),
    ],
)
Item.workflow = ITEM_FLOW

# Transitions with their own form (more than a note): the detail page shows their forms.
FORM_TRANSITIONS = {
    "dispatch",
    "not_accept",
    "mediated",
    "mediation_failed",
    "terminate",
    "to_clue",
    "to_odr",
    "odr_settled",
    "odr_failed",
}


def state_badge(state: str) -> str:
    badges: dict[str, str] = {
        S.REGISTERED: "primary",
        S.PENDING: "warning",
        S.MEDIATING: "info",
        S.VERIFYING: "info",
        S.NOT_ACCEPTED: "danger",
        S.CLUE: "danger",
        S.MEDIATED: "success",
        S.ANSWERED: "success",
        S.ODR: "info",
        S.ODR_SETTLED: "success",
    }
    return badges.get(state, "secondary")


# -- telling a named reporter the decision (Order 20 Art 31) ----------------------------------


def _notice_rule_day(notice: Any) -> dt.date:
    return notice.item.received_on  # type: ignore[no-any-return]


NOTICE_FLOW = Workflow(
    name="complaints.reporter_notice",
    states=dict(ReporterNotice.State.choices),
    final_states=(ReporterNotice.State.NOTIFIED,),
    clocks={
        "notice": ClockSpec(
            "complaints.reporter_notice", label="实名举报人告知期限", rule_day=_notice_rule_day
        )
    },
    view_permission=VIEW,
    transitions=[
        Transition(
            "notify",
            "告知举报人",
            (ReporterNotice.State.DUE,),
            ReporterNotice.State.NOTIFIED,
            permission=HANDLE,
            requires_note=True,
            style="success",
        )
    ],
)
ReporterNotice.workflow = NOTICE_FLOW  # type: ignore[attr-defined]
