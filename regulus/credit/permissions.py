"""Who may do what in enterprise credit (core.permissions)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

PERMISSIONS = declare(
    Permission("credit.record_view", "查看信用记录、年度报告和经营异常名录", BUSINESS),
    Permission("credit.record_take", "接收移交的信用信息", (R.HANDLER, R.LEADER)),
)
