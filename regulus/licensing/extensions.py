"""What licensing adds to the platform (core.plugins): its pages in the menu, the open and
overdue applications on the home page, the permits and application steps on the entity page,
the demo applications, its API and pages."""

from regulus.core.plugins import (
    AppExtension,
    Cards,
    DemoSeeder,
    EntityProviders,
    Module,
    NavEntry,
    Pages,
)
from regulus.licensing import api, demo, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("一件事一次办", "inboxes", "licensing:application_list", order=200),
        NavEntry("后置核查", "clipboard-check", "licensing:verification_list", order=210),
        NavEntry("事项与套餐", "list-check", "licensing:catalogue", order=220),
        NavEntry("一件事套餐维护", "collection", "licensing:bundle_list", order=230),
        NavEntry("办件统计", "bar-chart", "licensing:stats", order=240),
    ),
    cards=Cards(order=200, for_user=selectors.dashboard_cards),
    entity=EntityProviders(permits=selectors.entity_permits, timeline=selectors.entity_timeline),
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("licensing/", urls),
    module=Module("一件事一次办", "事项与套餐、申请受理、承诺审批、证照与核查"),
)
