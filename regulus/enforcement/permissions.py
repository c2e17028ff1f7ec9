"""Who may do what in 行政处罚案件 (core.permissions). The workflows' transitions name these
(enforcement.workflow). The legal reviewer (法制审核员) and the hearing officer (听证主持人)
read cases to do their step; the leader approves filing, non-filing, decisions and closing."""

from regulus.core.permissions import Permission, R, declare

CASE_READERS = (R.HANDLER, R.INSPECTOR, R.LEADER, R.LEGAL_REVIEWER, R.HEARING_OFFICER)

PERMISSIONS = declare(
    Permission("enforcement.case_view", "查看案件线索和行政处罚案件", CASE_READERS),
    Permission(
        "enforcement.clue_handle",
        "登记、接收和核查案件线索，提出立案或不予立案意见",
        (R.HANDLER, R.INSPECTOR, R.LEADER),
    ),
    Permission("enforcement.clue_approve", "批准立案或不予立案", (R.LEADER,)),
    Permission(
        "enforcement.case_handle",
        "调查取证、告知、送达、登记缴款等案件办理（本案办案人员）",
        (R.HANDLER, R.INSPECTOR, R.LEADER),
    ),
    Permission("enforcement.case_review", "案件法制审核", (R.LEGAL_REVIEWER,)),
    Permission("enforcement.hearing_hold", "主持听证", (R.HEARING_OFFICER, R.LEADER)),
    Permission("enforcement.case_decide", "集体讨论、作出处罚决定、批准结案和移送", (R.LEADER,)),
    Permission("enforcement.publish", "审核并公示行政处罚信息（核对原文与脱敏文本）", (R.LEADER,)),
    Permission("enforcement.campaign_manage", "设立专项行动", (R.LEADER,)),
    Permission(
        "enforcement.stats_view", "查看和导出行政处罚统计", (R.HANDLER, R.LEADER, R.INSPECTOR)
    ),
)
