"""What 双随机、一公开 adds to the platform (core.plugins): its pages in the menu, the
inspector's own targets on the home page, the published results on the entity's public page,
the demo year, its API, and the public draw pages on the portal."""

from regulus.core.plugins import (
    AppExtension,
    Cards,
    DemoSeeder,
    EntityProviders,
    Module,
    NavEntry,
    Pages,
    PublicNavEntry,
)
from regulus.inspections import api, demo, public_urls, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("抽查任务", "shuffle", "inspections:task_list", order=300),
        NavEntry("我的抽查", "phone", "inspections:my_tasks", order=310),
        NavEntry("抽查结果公示", "megaphone", "inspections:publication_list", order=320),
        NavEntry("抽查计划", "calendar-check", "inspections:plan_list", order=330),
        NavEntry("抽查事项清单", "card-checklist", "inspections:item_list", order=340),
        NavEntry("检查人员名录库", "person-badge", "inspections:inspector_list", order=350),
        NavEntry("抽查统计", "graph-up", "inspections:stats", order=360),
        NavEntry("责令整改", "clipboard-check", "inspections:rectification_list", order=365),
        NavEntry("下级报备计划", "journal-check", "inspections:plans_filed", order=370),
    ),
    cards=Cards(order=300, for_user=selectors.dashboard_cards),
    entity=EntityProviders(public_sections=selectors.entity_public_sections),
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("inspections/", urls),
    public_pages=Pages("portal/checks/", public_urls),
    public_nav=(PublicNavEntry("双随机抽取公示", "inspections_public:draw_list", order=500),),
    module=Module("双随机、一公开", "抽查事项、两库、计划任务、可重算的抽取、检查结果与公示"),
)
