"""The module navigation of the staff shell.

An entry appears only when its URL exists (an app not yet installed shows nothing, rather than
a link that goes nowhere) and the user holds one of its roles (empty = every staff member)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url_name: str
    roles: tuple[str, ...] = ()
    section: str = "业务"


NAV: tuple[NavItem, ...] = (
    NavItem("工作台", "speedometer2", "core:home", section="工作台"),
    NavItem("市场主体", "building", "registry:entity_list"),
    NavItem("一件事一次办", "inboxes", "licensing:application_list"),
    NavItem("后置核查", "clipboard-check", "licensing:verification_list"),
    NavItem("事项与套餐", "list-check", "licensing:catalogue"),
    NavItem("一件事套餐维护", "collection", "licensing:bundle_list", ("admin",)),
    NavItem("办件统计", "bar-chart", "licensing:stats"),
    NavItem("数据导入", "upload", "registry:import_start", ("admin", "handler")),
    NavItem("单位与人员", "diagram-3", "core:staff_list", section="系统"),
    NavItem("工作日历", "calendar3", "core:calendar", section="系统"),
    NavItem("操作日志", "journal-text", "core:audit_list", ("admin", "auditor"), section="系统"),
    NavItem("接口令牌", "key", "core:token_list", section="系统"),
    NavItem("接口文档", "braces", "api:openapi-view", section="系统"),
)


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAV:
        if item.roles and not user.has_role(*item.roles):  # type: ignore[attr-defined]
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"item": item, "url": url, "active": active})
    return items
