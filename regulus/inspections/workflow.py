"""A drawn target's way from its check to its publication (一公开), and the clock of it: the
result is published within 20 working days of the check (domain.md §1; the rule version
`inspections.publication`, core.ClockRule, seeded by migration 0003); and a rectification
order's way from the order to its re-check, on two clocks (migration 0006)."""

from __future__ import annotations

from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.inspections.models import Rectification, Target

T = Target.State

TARGET_FLOW = Workflow(
    name="inspections.target",
    states=dict(T.choices),
    final_states=(T.PUBLISHED,),
    clocks={"publication": ClockSpec("inspections.publication")},
    view_permission="inspections.view",
    transitions=[
        Transition(
            "check",
            "录入检查结果",
            (T.ASSIGNED,),
            T.CHECKED,
            permission="inspections.result_enter",
            starts=("publication",),
        ),
        Transition(
            "publish",
            "公示检查结果",
            (T.CHECKED,),
            T.PUBLISHED,
            permission="inspections.publish",
            style="success",
        ),
    ],
)
Target.workflow = TARGET_FLOW  # type: ignore[attr-defined]


R = Rectification.State

# The order starts its rectification clock when it is made (services.results); the entity's
# report stops it and starts the recheck clock; the re-check closes the order or escalates it.
RECTIFICATION_FLOW = Workflow(
    name="inspections.rectification",
    states=dict(R.choices),
    final_states=(R.CLOSED, R.ESCALATED),
    clocks={
        "rectification": ClockSpec("inspections.rectification"),
        "recheck": ClockSpec("inspections.recheck"),
    },
    view_permission="inspections.view",
    transitions=[
        Transition(
            "report",
            "登记整改报告",
            (R.ORDERED,),
            R.REPORTED,
            permission="inspections.result_enter",
            stops=("rectification",),
            starts=("recheck",),
        ),
        Transition(
            "pass",
            "复查合格",
            (R.ORDERED, R.REPORTED),
            R.CLOSED,
            permission="inspections.result_enter",
            style="success",
        ),
        Transition(
            "fail",
            "复查不合格，移交执法",
            (R.ORDERED, R.REPORTED),
            R.ESCALATED,
            permission="inspections.result_enter",
            style="danger",
        ),
    ],
)
Rectification.workflow = RECTIFICATION_FLOW  # type: ignore[attr-defined]
