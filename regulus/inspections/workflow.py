"""A drawn target's way from its check to its publication (一公开), and the clock of it: the
result is published within 20 working days of the check (domain.md §1; the rule version
`inspections.publication`, core.ClockRule, seeded by migration 0003)."""

from __future__ import annotations

from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.inspections.models import Target

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
