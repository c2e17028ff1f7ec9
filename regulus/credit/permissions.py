"""Who may do what in enterprise credit (core.permissions)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

PERMISSIONS = declare(
    Permission("credit.record_view", "查看信用记录、年度报告和经营异常名录", BUSINESS),
    Permission("credit.record_take", "接收移交的信用信息", (R.HANDLER, R.LEADER)),
    Permission(
        "credit.report_enter", "录入个体工商户纸质年度报告", (R.WINDOW_CLERK, R.HANDLER, R.LEADER)
    ),
    Permission("credit.abnormal_manage", "列入、移出经营异常名录（状态）", (R.HANDLER, R.LEADER)),
    Permission(
        "credit.serious_manage", "提出严重违法失信名单、告知并记录陈述申辩", (R.HANDLER, R.LEADER)
    ),
    Permission("credit.serious_decide", "作出列入、移出严重违法失信名单决定", (R.LEADER,)),
    Permission("credit.repair_enter", "受理信用修复申请", (R.WINDOW_CLERK, R.HANDLER, R.LEADER)),
    Permission("credit.repair_decide", "作出信用修复决定", (R.HANDLER, R.LEADER)),
    Permission("credit.document_make", "制作信用决定文书", (R.HANDLER, R.LEADER)),
    Permission("credit.risk_view", "查看信用风险分类及其计分", BUSINESS),
    Permission("credit.risk_manage", "重新计算信用风险分类", (R.LEADER,)),
)
