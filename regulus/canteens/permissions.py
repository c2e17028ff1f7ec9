"""Who may do what in 学校食堂 (core.permissions)."""

from regulus.core.permissions import Permission, R, declare

PERMISSIONS = declare(
    Permission(
        "canteens.canteen_view", "查看学校食堂、陪餐和自查记录", (R.HANDLER, R.LEADER, R.INSPECTOR)
    ),
    Permission(
        "canteens.canteen_edit",
        "登记学校食堂，录入标准化、明厨亮灶、陪餐和自查记录",
        (R.HANDLER, R.INSPECTOR),
    ),
    Permission(
        "canteens.stats_view", "查看和导出学校食堂覆盖率", (R.HANDLER, R.LEADER, R.INSPECTOR)
    ),
)
