"""The module navigation of the staff shell.

An entry appears only when its URL exists (an app not yet installed shows nothing, rather than
a link that goes nowhere) and the user holds its permission (core.permissions; empty = every
staff member): the page behind it would refuse anyone else."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from regulus.core.permissions import allows


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url_name: str
    permission: str = ""
    section: str = "业务"


NAV: tuple[NavItem, ...] = (
    NavItem("工作台", "speedometer2", "core:home", section="工作台"),
    NavItem("市场主体", "building", "registry:entity_list", "registry.entity_view"),
    NavItem("一件事一次办", "inboxes", "licensing:application_list", "licensing.application_view"),
    NavItem(
        "后置核查", "clipboard-check", "licensing:verification_list", "licensing.application_view"
    ),
    NavItem("事项与套餐", "list-check", "licensing:catalogue", "licensing.catalogue_view"),
    NavItem("一件事套餐维护", "collection", "licensing:bundle_list", "licensing.catalogue_manage"),
    NavItem("办件统计", "bar-chart", "licensing:stats", "licensing.application_view"),
    NavItem("数据导入", "upload", "registry:import_start", "registry.entity_import"),
    NavItem("单位与人员", "diagram-3", "core:staff_list", "core.staff_view", section="系统"),
    NavItem("角色与授权", "person-badge", "core:role_list", "core.roles_manage", section="系统"),
    NavItem("安全管理", "shield-lock", "core:security", "core.security_manage", section="系统"),
    NavItem("工作日历", "calendar3", "core:calendar", "core.calendar_view", section="系统"),
    NavItem("操作日志", "journal-text", "core:audit_list", "core.audit_view", section="系统"),
    NavItem("接口令牌", "key", "core:token_list", "core.token_issue", section="系统"),
    NavItem("接口文档", "braces", "api:openapi-view", "core.token_issue", section="系统"),
)  # fmt: skip


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAV:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if item.permission and not allows(user, item.permission):
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"item": item, "url": url, "active": active})
    return items
