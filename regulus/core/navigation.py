"""The module navigation of the staff shell.

An entry appears only when its URL exists (an app not yet installed shows nothing, rather than
a link that goes nowhere) and the user may open it: the permission the page behind it declares
(core.permissions.page), or the one the entry names itself."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import NoReverseMatch, resolve, reverse

from regulus.core.permissions import allows


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    url_name: str
    permission: str = ""  # when empty, the permission of the page at url_name
    section: str = "业务"


NAV: tuple[NavItem, ...] = (
    NavItem("工作台", "speedometer2", "core:home", section="工作台"),
    NavItem("市场主体", "building", "registry:entity_list"),
    NavItem("一件事一次办", "inboxes", "licensing:application_list"),
    NavItem("后置核查", "clipboard-check", "licensing:verification_list"),
    NavItem("事项与套餐", "list-check", "licensing:catalogue"),
    NavItem("一件事套餐维护", "collection", "licensing:bundle_list"),
    NavItem("办件统计", "bar-chart", "licensing:stats"),
    NavItem("数据导入", "upload", "registry:import_start"),
    NavItem("单位与人员", "diagram-3", "core:staff_list", section="系统"),
    NavItem("角色与授权", "person-badge", "core:role_list", section="系统"),
    NavItem("安全管理", "shield-lock", "core:security", section="系统"),
    NavItem("工作日历", "calendar3", "core:calendar", section="系统"),
    NavItem("操作日志", "journal-text", "core:audit_list", section="系统"),
    NavItem("接口令牌", "key", "core:token_list", section="系统"),
    # The API's documentation is public; its entry is for those who may hold a token.
    NavItem("接口文档", "braces", "api:openapi-view", "core.token_issue", section="系统"),
)


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAV:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        code = item.permission or page_permission(url)
        if code and not allows(user, code):
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"item": item, "url": url, "active": active})
    return items


@functools.cache
def page_permission(url: str) -> str | None:
    """The permission the page at this address declares (None: every staff member)."""
    return getattr(resolve(url).func, "permission", None)
