"""What the kernel adds to the platform, declared as every app declares it (core.plugins):
the home page and the system pages of the menu, the staff and audit cards, the demo bureau,
the kernel's API and pages."""

from regulus.core import api, demo, selectors, urls
from regulus.core.plugins import AppExtension, Cards, DemoSeeder, NavEntry, Pages

extension = AppExtension(
    nav=(
        NavEntry("工作台", "speedometer2", "core:home", order=0, section="工作台"),
        NavEntry("单位与人员", "diagram-3", "core:staff_list", order=10, section="系统"),
        NavEntry("工作日历", "calendar3", "core:calendar", order=20, section="系统"),
        NavEntry("计时规则", "stopwatch", "core:clock_rules", order=22, section="系统"),
        NavEntry("角色与授权", "person-badge", "core:role_list", order=12, section="系统"),
        NavEntry("安全管理", "shield-lock", "core:security", order=14, section="系统"),
        NavEntry("操作日志", "journal-text", "core:audit_list", order=30, section="系统"),
        NavEntry("接口令牌", "key", "core:token_list", order=40, section="系统"),
        # The API's documentation is public; its entry is for those who may hold a token.
        NavEntry(
            "接口文档",
            "braces",
            "api:openapi-view",
            order=50,
            section="系统",
            permission="core.token_issue",
        ),
    ),
    cards=Cards(order=0, for_user=selectors.core_cards),
    seeder=DemoSeeder(demo.seed),
    api_router=api.router,
    pages=Pages("", urls),
)
