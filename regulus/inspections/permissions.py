"""Who may do what in 双随机、一公开 (core.permissions). Entering a result needs the
permission and, beyond it, being assigned to the target (services.result_enter checks)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

PERMISSIONS = declare(
    Permission("inspections.view", "查看抽查事项、名录库、抽查计划和任务", BUSINESS),
    Permission(
        "inspections.lists_manage",
        "维护抽查事项清单和执法检查人员名录库",
        (R.HANDLER, R.LEADER),
    ),
    Permission(
        "inspections.plan_manage",
        "编制抽查计划和任务、冻结名录库、抽取和回避",
        (R.HANDLER, R.LEADER),
    ),
    Permission("inspections.source_enter", "录入公共随机源", (R.HANDLER, R.LEADER)),
    Permission(
        "inspections.result_enter", "录入检查结果（仅限被抽中的检查人员）", (R.INSPECTOR, R.HANDLER)
    ),
    Permission("inspections.publish", "公示抽查结果", (R.HANDLER, R.LEADER)),
)
