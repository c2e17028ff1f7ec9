"""Who may do what in 一件事一次办 (core.permissions). The workflow's transitions name these
(licensing.workflow); the public applicant's own steps are open to them there."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

# Who works on applications at all: reads them, their materials (applicants' ID documents
# among them), their counts and their post-approval checks.
APPLICATION_STAFF = (R.WINDOW_CLERK, R.HANDLER, R.LEADER, R.INSPECTOR)

PERMISSIONS = declare(
    Permission("licensing.application_view", "查看办件、申请材料和办件统计", APPLICATION_STAFF),
    Permission("licensing.application_submit", "窗口录入申请", (R.WINDOW_CLERK, R.HANDLER)),
    Permission(
        "licensing.application_handle",
        "受理、补正告知、不予受理、制证和送达",
        (R.WINDOW_CLERK, R.HANDLER, R.LEADER),
    ),
    Permission(
        "licensing.application_decide",
        "作出许可决定、安排联合核查、当场办结和撤销许可",
        (R.HANDLER, R.LEADER),
    ),
    Permission(
        "licensing.material_remove",
        "在审查开始前删除误传的申请材料",
        (R.WINDOW_CLERK, R.HANDLER, R.LEADER),
    ),
    Permission(
        "licensing.check_record", "录入现场核查和后置核查结论", (R.HANDLER, R.LEADER, R.INSPECTOR)
    ),
    Permission("licensing.catalogue_view", "查看事项清单和一件事", (R.ADMIN, *BUSINESS)),
    Permission("licensing.catalogue_manage", "维护事项清单、时限规则和一件事套餐", (R.ADMIN,)),
)
