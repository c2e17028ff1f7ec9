"""Who may do what in the registry (core.permissions)."""

from regulus.core.permissions import BUSINESS, Permission, R, declare

PERMISSIONS = declare(
    Permission("registry.entity_view", "查看市场主体", BUSINESS),
    # Licensing registers a new business when it issues its certificate, under the issuing
    # step's own permission (registry.services.entity_create's `permission`).
    Permission("registry.entity_edit", "登记和变更市场主体", (R.HANDLER,)),
    Permission("registry.entity_export", "导出市场主体", BUSINESS),
    Permission("registry.entity_import", "导入市场主体", (R.HANDLER,)),
    # The credit app's class recompute (a sweep) sets the classes; a leader may set one by hand.
    Permission("registry.risk_class_set", "设定市场主体信用风险分类", (R.LEADER,)),
    # The window hands the code to the business (annual report, credit repair, ODR feedback).
    Permission(
        "registry.portal_code_manage", "发放企业填报码", (R.WINDOW_CLERK, R.HANDLER, R.LEADER)
    ),
)
