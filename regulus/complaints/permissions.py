"""Who may do what in 投诉举报 (core.permissions). The workflow's transitions name these
(complaints.workflow)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

# Who works on 12315 items at all: registers, routes, handles and reads them.
ITEM_STAFF = (R.DISPATCHER, R.WINDOW_CLERK, R.HANDLER, R.LEADER)

PERMISSIONS = declare(
    Permission("complaints.item_view", "查看投诉举报件（个人信息脱敏）", ITEM_STAFF),
    Permission(
        "complaints.item_register",
        "登记电话、来访、来信和平台转办的投诉举报",
        (R.DISPATCHER, R.WINDOW_CLERK, R.HANDLER),
    ),
    Permission("complaints.item_dispatch", "分派和转办投诉举报件", (R.DISPATCHER,)),
    Permission(
        "complaints.item_handle",
        "受理、不予受理、调解、核查、答复和退回投诉举报件",
        (R.HANDLER, R.LEADER),
    ),
    # Order 20 Art 33: the reporter's identity is kept confidential; only the handler and
    # their leader see it, and every view is logged.
    Permission("complaints.identity_view", "查看投诉举报人身份和联系方式", (R.HANDLER, R.LEADER)),
    Permission(
        "complaints.stats_view", "查看和导出投诉举报统计", (R.DISPATCHER, R.HANDLER, R.LEADER)
    ),
    Permission("complaints.rules_view", "查看投诉举报规则版本和时限", BUSINESS),
    Permission("complaints.routing_view", "查看投诉举报分派规则", (R.ADMIN, *ITEM_STAFF)),
    Permission(
        "complaints.routing_manage", "维护投诉举报分派规则（区域×领域→承办单位）", (R.ADMIN,)
    ),
    # 12315 ODR (在线消费纠纷解决): the businesses that settle complaints directly first.
    Permission("complaints.odr_view", "查看ODR单位（在线消费纠纷解决）", (R.ADMIN, *ITEM_STAFF)),
    Permission(
        "complaints.odr_manage",
        "登记和撤销ODR单位（在线消费纠纷解决）",
        (R.ADMIN, R.DISPATCHER, R.LEADER),
    ),
    Permission(
        "complaints.odr_handle",
        "登记经营者和解（ODR）的结果",
        (R.DISPATCHER, R.HANDLER, R.LEADER),
    ),
)
