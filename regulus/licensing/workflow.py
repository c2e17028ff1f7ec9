"""The licensing workflows: who may do what, in which state, and the deadline each step starts.

Application (one per bundle application)::

    submitted ──accept──▶ review ⇄ onsite_check (schedule_check / complete_check)
    submitted ──request_correction (ONCE, 一次性告知)──▶ correction ──resubmit──▶ submitted
    submitted ──not_accept──▶ not_accepted;  submitted / correction ──withdraw──▶ withdrawn
    review ──approve──▶ approved ──issue──▶ issued ──deliver──▶ delivered
    review ──refuse──▶ refused;  issued / delivered ──revoke (false commitment)──▶ revoked
Verification task (后置核查, commitment path)::

    pending ──confirm──▶ passed
    pending ──order_rectification──▶ rectifying ──confirm_rectified──▶ rectified
                                          └──revoke_permit──▶ revoked
    pending ──revoke_permit──▶ revoked
"""

from __future__ import annotations

from typing import Any

from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.licensing.models import Application, VerificationTask

S = Application.State
# The permissions (licensing.permissions) the steps need.
HANDLE = "licensing.application_handle"
DECIDE = "licensing.application_decide"
CHECK = "licensing.check_record"
VIEW = "licensing.application_view"


def _correction_once(app: Application) -> str | None:
    if app.correction_count >= 1:
        return "已发出一次性补正告知，不得再次要求补正（一次性告知原则）"
    return None


def _check_needed(app: Application) -> str | None:
    if not app.onsite_check_required or app.is_commitment:
        return "本申请无需现场核查（告知承诺或所含事项均不需核查）"
    return None


def _ready_to_approve(app: Application) -> str | None:
    if app.onsite_check_required and not app.is_commitment:
        check = getattr(app, "joint_check", None) if _has_check(app) else None
        if check is None or check.done_at is None:
            return "须先完成联合现场核查，方可作出准予许可决定"
        if check.result != "pass":
            return "联合现场核查结论为不符合，不能准予许可"
    return None


def _has_check(app: Application) -> bool:
    from regulus.licensing.models import JointCheck

    try:
        return app.joint_check is not None
    except JointCheck.DoesNotExist:
        return False


def _check_scheduled(app: Application) -> str | None:
    if not _has_check(app):
        return "尚未安排联合现场核查"
    return None


def _commitment_only(app: Application) -> str | None:
    if not app.is_commitment:
        return "只有告知承诺办理的许可因承诺不实撤销"
    return None


# The clocks. Their periods come from the application's own copy of the matter rules in force
# on the day it was submitted (models.MatterRule), so a later rule change never moves them;
# their unit, legal basis, longest extension and pause grounds from the clock rules
# (core.ClockRule, loaded from catalogue.CLOCK_RULES), the version in force when each starts.


def _acceptance_days(app: Application) -> int:
    """行政许可法 Art 32: accept, or give the one-time notice of corrections."""
    return int(app.acceptance_days)


def _review_days(app: Application) -> int:
    return int(app.promised_days)


def _issue_days(app: Application) -> int:
    """Issue the certificate after approval (the bureau's service promise)."""
    return int(app.issue_days)


def _delivery_days(app: Application) -> int:
    """Deliver the certificate after issuance (the bureau's service promise)."""
    return int(app.delivery_days)


def _verification_days(task: VerificationTask) -> int:
    """The longest post-approval check period of the application's matters."""
    return max(int(i.verification_days) for i in task.application.items.all())


def _rectification_days(task: VerificationTask) -> int:
    """The rectification period ordered after a false commitment."""
    return int(task.application.rectification_days)


APPLICATION_CLOCKS = {
    "acceptance": ClockSpec("licensing.acceptance", days=_acceptance_days),
    # 行政许可法 Art 45: testing, appraisal, expert review and hearings do not count (paused by
    # hand, core.clock_pause); Art 42: twenty days, ten more with the approval of the bureau's
    # head (core.clock_extend, approved by a holder of core.clock_approve).
    "review": ClockSpec("licensing.review", days=_review_days, pausable=True, extendable=True),
    "issue": ClockSpec("licensing.issue", days=_issue_days),
    "delivery": ClockSpec("licensing.delivery", days=_delivery_days),
}

VERIFICATION_CLOCKS = {
    "verification": ClockSpec("licensing.verification", days=_verification_days),
    "rectification": ClockSpec(
        "licensing.rectification", days=_rectification_days, extendable=True
    ),
}


APPLICATION_FLOW = Workflow(
    name="licensing.application",
    states=dict(S.choices),
    final_states=(S.NOT_ACCEPTED, S.REFUSED, S.DELIVERED, S.REVOKED, S.WITHDRAWN),
    clocks=APPLICATION_CLOCKS,
    view_permission=VIEW,
    transitions=[
        Transition(
            "request_correction",
            "一次性告知补正",
            (S.SUBMITTED,),
            S.CORRECTION,
            permission=HANDLE,
            stops=("acceptance",),
            guard=_correction_once,
            requires_note=True,
            style="warning",
        ),
        Transition(
            "resubmit",
            "补正后重新提交",
            (S.CORRECTION,),
            S.SUBMITTED,
            permission=HANDLE,
            applicant=True,
            starts=("acceptance",),
        ),
        Transition(
            "accept",
            "受理",
            (S.SUBMITTED,),
            S.REVIEW,
            permission=HANDLE,
            stops=("acceptance",),
            starts=("review",),
            style="success",
        ),
        Transition(
            "not_accept",
            "不予受理",
            (S.SUBMITTED,),
            S.NOT_ACCEPTED,
            permission=HANDLE,
            requires_note=True,
            style="danger",
        ),
        Transition(
            "withdraw",
            "申请人撤回",
            (S.SUBMITTED, S.CORRECTION),
            S.WITHDRAWN,
            permission=HANDLE,
            applicant=True,
            style="secondary",
        ),
        Transition(
            "schedule_check",
            "安排联合现场核查",
            (S.REVIEW,),
            S.ONSITE_CHECK,
            permission=DECIDE,
            guard=_check_needed,
        ),
        Transition(
            "complete_check",
            "录入核查结论",
            (S.ONSITE_CHECK,),
            S.REVIEW,
            permission=CHECK,
            guard=_check_scheduled,
        ),
        Transition(
            "approve",
            "准予许可",
            (S.REVIEW,),
            S.APPROVED,
            permission=DECIDE,
            stops=("review",),
            starts=("issue",),
            guard=_ready_to_approve,
            style="success",
        ),
        Transition(
            "refuse",
            "不予许可",
            (S.REVIEW,),
            S.REFUSED,
            permission=DECIDE,
            requires_note=True,
            style="danger",
        ),
        Transition(
            "issue",
            "制发证照",
            (S.APPROVED,),
            S.ISSUED,
            permission=HANDLE,
            stops=("issue",),
            starts=("delivery",),
            style="success",
        ),
        Transition("deliver", "送达证照", (S.ISSUED,), S.DELIVERED, permission=HANDLE),
        Transition(
            "revoke",
            "撤销许可（承诺不实）",
            (S.ISSUED, S.DELIVERED),
            S.REVOKED,
            permission=DECIDE,
            requires_note=True,
            guard=_commitment_only,
            style="danger",
        ),
    ],
)
Application.workflow = APPLICATION_FLOW

# Transitions with their own service (forms with more than a note); the detail page links
# them to their forms instead of a plain button.
SERVICE_TRANSITIONS = {
    "request_correction",
    "schedule_check",
    "complete_check",
    "issue",
    "deliver",
    "revoke",
    "accept",
    "resubmit",
}

V = VerificationTask.State

VERIFICATION_FLOW = Workflow(
    name="licensing.verification",
    states=dict(V.choices),
    final_states=(V.PASSED, V.RECTIFIED, V.REVOKED),
    clocks=VERIFICATION_CLOCKS,
    view_permission=VIEW,
    transitions=[
        Transition(
            "confirm",
            "核查属实",
            (V.PENDING,),
            V.PASSED,
            permission=CHECK,
            style="success",
        ),
        Transition(
            "order_rectification",
            "承诺不实，责令整改",
            (V.PENDING,),
            V.RECTIFYING,
            permission=CHECK,
            requires_note=True,
            stops=("verification",),
            starts=("rectification",),
            style="warning",
        ),
        Transition(
            "confirm_rectified",
            "整改到位",
            (V.RECTIFYING,),
            V.RECTIFIED,
            permission=CHECK,
            style="success",
        ),
        Transition(
            "revoke_permit",
            "撤销许可",
            (V.PENDING, V.RECTIFYING),
            V.REVOKED,
            permission=DECIDE,
            requires_note=True,
            style="danger",
        ),
    ],
)
VerificationTask.workflow = VERIFICATION_FLOW


def open_states() -> list[str]:
    return APPLICATION_FLOW.open_states()


def state_badge(state: str) -> str:
    badges: dict[str, str] = {
        S.SUBMITTED: "primary",
        S.CORRECTION: "warning",
        S.REVIEW: "info",
        S.ONSITE_CHECK: "info",
        S.APPROVED: "success",
        S.ISSUED: "success",
        S.DELIVERED: "secondary",
        S.REFUSED: "danger",
        S.NOT_ACCEPTED: "danger",
        S.REVOKED: "dark",
        S.WITHDRAWN: "light",
    }
    return badges.get(state, "secondary")


def available(app: Any, actor: Any) -> list[Transition]:
    return APPLICATION_FLOW.available(app, actor)
