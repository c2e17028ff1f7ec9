"""The serious-violation list's procedure and credit repair's decision, as transition tables
with their legal clocks (core.workflow):

- the serious-violation list (SAMR Order 44): a candidate is examined; the unit notifies the
  party in writing of the intended listing, which starts the statement clock
  (`credit.serious_statement`: the party may state its case and ask for a hearing); the
  decision is made once the party has stated its case or the period has run out; the listing
  ends by removal (the period over, or early by repair). A candidate may be dismissed.
- credit repair (国市监信规〔2021〕3号): the decision clock (`credit.repair_decision`) runs from
  the application to the decision (approve or refuse, a refusal with its reason).
Both clock rules are seeded by migration 0009; their periods are unconfirmed (domain.md §3)
and marked so on the rule."""

from __future__ import annotations

from typing import Any

from regulus.core import clock
from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.credit.models import RepairApplication, SeriousListing

S = SeriousListing.State


def _statement_period_over(listing: Any) -> str | None:
    """The decision waits for the party's statement, or for its period to run out."""
    if listing.state == S.NOTIFIED and listing.deadline and clock.today() <= listing.deadline:
        return f"陈述申辩期限至{listing.deadline:%Y-%m-%d}，期满或当事人陈述申辩后方可作出决定"
    return None


SERIOUS_FLOW = Workflow(
    name="credit.serious",
    states=dict(S.choices),
    final_states=(S.DISMISSED, S.REMOVED),
    clocks={"statement": ClockSpec("credit.serious_statement", label="陈述申辩期限")},
    view_permission="credit.record_view",
    transitions=[
        Transition(
            "notify",
            "告知拟列入",
            (S.CANDIDATE,),
            S.NOTIFIED,
            permission="credit.serious_manage",
            starts=("statement",),
        ),
        Transition(
            "hear",
            "记录陈述申辩",
            (S.NOTIFIED,),
            S.HEARD,
            permission="credit.serious_manage",
            stops=("statement",),
            requires_note=True,
        ),
        Transition(
            "decide",
            "作出列入决定",
            (S.NOTIFIED, S.HEARD),
            S.LISTED,
            permission="credit.serious_decide",
            stops=("statement",),
            guard=_statement_period_over,
            style="danger",
        ),
        Transition(
            "dismiss",
            "不予列入",
            (S.CANDIDATE, S.NOTIFIED, S.HEARD),
            S.DISMISSED,
            permission="credit.serious_decide",
            requires_note=True,
            style="secondary",
        ),
        Transition(
            "remove",
            "移出",
            (S.LISTED,),
            S.REMOVED,
            permission="credit.serious_decide",
            requires_note=True,
        ),
    ],
)
SeriousListing.workflow = SERIOUS_FLOW  # type: ignore[attr-defined]

R = RepairApplication.State

REPAIR_FLOW = Workflow(
    name="credit.repair",
    states=dict(R.choices),
    final_states=(R.APPROVED, R.REFUSED),
    clocks={"decision": ClockSpec("credit.repair_decision", label="信用修复决定期限")},
    view_permission="credit.record_view",
    transitions=[
        Transition(
            "approve",
            "准予修复",
            (R.APPLIED,),
            R.APPROVED,
            permission="credit.repair_decide",
            style="success",
        ),
        Transition(
            "refuse",
            "不予修复",
            (R.APPLIED,),
            R.REFUSED,
            permission="credit.repair_decide",
            requires_note=True,
            style="danger",
        ),
    ],
)
RepairApplication.workflow = REPAIR_FLOW  # type: ignore[attr-defined]
