"""Every write of 双随机、一公开 (one function each, permission first, one audited block)."""

from regulus.inspections.services.draws import (
    Verdict,
    draw_run,
    published_files,
    verify,
    withdrawal_draw,
)
from regulus.inspections.services.lists import conflict_declare, inspector_enrol, item_create
from regulus.inspections.services.rectifications import (
    rectification_recheck,
    rectification_report,
)
from regulus.inspections.services.results import result_enter, result_publish
from regulus.inspections.services.tasks import (
    plan_create,
    plan_file,
    source_confirmed,
    source_enter,
    task_create,
    task_freeze,
    visit_merge,
)
from regulus.inspections.services.visits import visit_code_show, visit_rate

__all__ = [
    "Verdict",
    "conflict_declare",
    "draw_run",
    "inspector_enrol",
    "item_create",
    "plan_create",
    "plan_file",
    "published_files",
    "rectification_recheck",
    "rectification_report",
    "result_enter",
    "result_publish",
    "source_confirmed",
    "source_enter",
    "task_create",
    "task_freeze",
    "verify",
    "visit_code_show",
    "visit_merge",
    "visit_rate",
    "withdrawal_draw",
]
