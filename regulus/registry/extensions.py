"""What the registry adds to the platform (core.plugins): the entity list and the import in
the menu, the entity count on the home page, the demo city's entities, its API and pages."""

from regulus.core.plugins import AppExtension, Cards, DemoSeeder, Module, NavEntry, Pages
from regulus.registry import api, demo, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("市场主体", "building", "registry:entity_list", order=100),
        # The business's credential on the portal, for every app that lets it act there.
        NavEntry("企业填报码", "key", "registry:portal_code", order=110),
        # Last of the business entries: the import is an occasional task beside them all.
        NavEntry("数据导入", "upload", "registry:import_start", order=900),
    ),
    cards=Cards(order=100, for_user=selectors.dashboard_cards),
    seeder=DemoSeeder(demo.seed, after=("core",)),
    api_router=api.router,
    pages=Pages("registry/", urls),
    module=Module("市场主体登记", "登记、变更与查询，批量导入与导出"),
)
