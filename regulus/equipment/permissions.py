"""Who may do what in 特种设备 (core.permissions). The workflow's transitions name these
(equipment.workflow)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

FIELD_STAFF = (R.HANDLER, R.LEADER, R.INSPECTOR)

PERMISSIONS = declare(
    Permission("equipment.equipment_view", "查看特种设备台账、检验和维保记录", FIELD_STAFF),
    Permission(
        "equipment.equipment_edit",
        "登记特种设备、录入使用登记、定期检验和维保记录、导入台账",
        (R.HANDLER, R.INSPECTOR),
    ),
    Permission("equipment.check_view", "查看现场检查、隐患和监察指令", FIELD_STAFF),
    Permission(
        "equipment.check_record",
        "录入现场检查、隐患，下达和复查监察指令",
        (R.HANDLER, R.INSPECTOR),
    ),
    Permission("equipment.escalate", "将隐患移送执法办案、标注重点单位", (R.HANDLER, R.LEADER)),
    Permission("equipment.campaign_manage", "组织专项整治", (R.HANDLER, R.LEADER)),
    Permission("equipment.stats_view", "查看和导出特种设备统计", FIELD_STAFF),
    Permission("equipment.rules_view", "查看特种设备检验周期和计时规则", BUSINESS),
)
