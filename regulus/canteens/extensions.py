"""What 学校食堂 adds to the platform (core.plugins): its pages in the menu, the 明厨亮灶
counts on the home page, the canteen's standing on its operator's entity page, the demo
canteens, its API and the public 阳光食堂 pages for parents."""

from regulus.canteens import api, demo, public_urls, selectors, urls
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

extension = AppExtension(
    nav=(
        NavEntry("学校食堂", "cup-hot", "canteens:canteen_list", order=750),
        NavEntry("明厨亮灶覆盖率", "pie-chart", "canteens:coverage", order=760),
    ),
    cards=Cards(order=750, for_user=selectors.dashboard_cards),
    entity=EntityProviders(permits=selectors.entity_permits),
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("canteens/", urls),
    public_pages=Pages("portal/canteens/", public_urls),
    public_nav=(PublicNavEntry("阳光食堂", "canteens_public:search", order=810),),
    module=Module(
        "学校食堂（阳光食堂）",
        "标准化食堂创建、明厨亮灶、陪餐和每日自查、覆盖率",
        public_url_name="canteens_public:search",
    ),
)
