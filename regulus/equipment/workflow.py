"""The workflows of special equipment: the item's status with its use-registration clock, a
hazard to its removal, an order (责令整改 / 停运) through the unit's report and the re-check.

::

    equipment: in_use ──stop──▶ stopped ──resume──▶ in_use;  in_use / stopped ──scrap──▶ scrapped
      clock "registration": from first use, 30 days (SE Law Art 33), stopped when registered
    hazard:    open ──remove──▶ removed;  clock "removal": the hazard's own period
    order:     issued ──report──▶ reported ──recheck_pass──▶ closed (rectify) | passed (stop)
               reported ──recheck_fail──▶ issued;  passed ──lift──▶ lifted
      clock "rectification": the order's own period, from issue (again after a failed re-check)
      clock "recheck": 10 working days from the unit's report (Order 57 Art 30)

A stop order is lifted only from "passed": the state a passed re-check leads to, so lifting
without one is refused with the rule's own message (services.order_lift).
"""

from __future__ import annotations

from regulus.core.workflow import ClockSpec, Transition, Workflow
from regulus.equipment.models import Equipment, Hazard, Order

EDIT = "equipment.equipment_edit"
VIEW = "equipment.equipment_view"
CHECK = "equipment.check_record"
CHECK_VIEW = "equipment.check_view"
ES = Equipment.Status
HS = Hazard.State
OS = Order.State

EQUIPMENT_FLOW = Workflow(
    name="equipment.equipment",
    states=dict(ES.choices),
    final_states=(ES.SCRAPPED,),
    clocks={"registration": ClockSpec("equipment.use_registration")},
    view_permission=VIEW,
    state_field="status",
    deadline_field="registration_deadline",
    provisional_field="registration_deadline_provisional",
    transitions=[
        Transition("stop", "停用", (ES.IN_USE,), ES.STOPPED, permission=EDIT, style="warning"),
        Transition("resume", "恢复使用", (ES.STOPPED,), ES.IN_USE, permission=EDIT),
        Transition(
            "scrap",
            "报废",
            (ES.IN_USE, ES.STOPPED),
            ES.SCRAPPED,
            permission=EDIT,
            requires_note=True,
            style="danger",
        ),
    ],
)


def _removal_days(hazard: Hazard) -> int:
    return int(hazard.removal_days)


HAZARD_FLOW = Workflow(
    name="equipment.hazard",
    states=dict(HS.choices),
    final_states=(HS.REMOVED,),
    clocks={"removal": ClockSpec("equipment.hazard_removal", days=_removal_days)},
    view_permission=CHECK_VIEW,
    transitions=[
        Transition("remove", "确认隐患已消除", (HS.OPEN,), HS.REMOVED, permission=CHECK),
    ],
)


def _rectify_days(order: Order) -> int:
    return int(order.rectify_days)


def _stop_only(order: Order) -> str | None:
    if order.kind != Order.Kind.STOP:
        return "只有停止使用指令需要解除"
    return None


def _rectify_only(order: Order) -> str | None:
    if order.kind != Order.Kind.RECTIFY:
        return "停止使用指令复查合格后须办理解除"
    return None


def _stop_kind(order: Order) -> str | None:
    if order.kind != Order.Kind.STOP:
        return "责令整改指令复查合格即办结"
    return None


ORDER_FLOW = Workflow(
    name="equipment.order",
    states=dict(OS.choices),
    final_states=(OS.CLOSED, OS.LIFTED),
    clocks={
        "rectification": ClockSpec("equipment.rectification", days=_rectify_days),
        "recheck": ClockSpec("equipment.recheck"),
    },
    view_permission=CHECK_VIEW,
    transitions=[
        Transition(
            "report",
            "登记整改报告",
            (OS.ISSUED,),
            OS.REPORTED,
            permission=CHECK,
            stops=("rectification",),
            starts=("recheck",),
        ),
        Transition(
            "recheck_pass",
            "复查合格",
            (OS.REPORTED,),
            OS.CLOSED,
            permission=CHECK,
            guard=_rectify_only,
            style="success",
        ),
        Transition(
            "recheck_pass_stop",
            "复查合格",
            (OS.REPORTED,),
            OS.PASSED,
            permission=CHECK,
            guard=_stop_kind,
            stops=("recheck",),
            style="success",
        ),
        Transition(
            "recheck_fail",
            "复查不合格",
            (OS.REPORTED,),
            OS.ISSUED,
            permission=CHECK,
            stops=("recheck",),
            starts=("rectification",),
            requires_note=True,
            style="danger",
        ),
        Transition(
            "lift",
            "解除停用",
            (OS.PASSED,),
            OS.LIFTED,
            permission=CHECK,
            guard=_stop_only,
        ),
    ],
)

Equipment.workflow = EQUIPMENT_FLOW
Hazard.workflow = HAZARD_FLOW
Order.workflow = ORDER_FLOW
