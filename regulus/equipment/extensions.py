"""What 特种设备 adds to the platform (core.plugins): its pages in the menu, the overdue and
due-soon items and open hazards on the home page, the using unit's fleet and its checks on
the entity page, the demo register, its API, its sweeps (sweeps.py) and the public tag
check on the portal."""

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
from regulus.equipment import api, demo, public_urls, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("特种设备台账", "building-gear", "equipment:equipment_list", order=700),
        NavEntry("超期预警", "alarm", "equipment:warning_list", order=705),
        NavEntry("现场检查", "clipboard-check", "equipment:check_list", order=710),
        NavEntry("隐患与指令", "exclamation-triangle", "equipment:hazard_list", order=715),
        NavEntry("专项整治", "flag", "equipment:campaign_list", order=720),
        NavEntry("重点单位", "star", "equipment:key_unit_list", order=725),
        NavEntry("特种设备统计", "bar-chart", "equipment:stats", order=730),
        NavEntry("检验周期规则", "journal-text", "equipment:rules", order=740),
    ),
    cards=Cards(order=700, for_user=selectors.dashboard_cards),
    entity=EntityProviders(permits=selectors.entity_fleet, timeline=selectors.entity_timeline),
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("equipment/", urls),
    public_pages=Pages("portal/equipment/", public_urls),
    public_nav=(PublicNavEntry("特种设备查询", "equipment_public:lookup", order=800),),
    module=Module(
        "特种设备安全监察",
        "设备台账、定期检验到期预警、现场检查、隐患与指令、专项整治、扫码查验",
        public_url_name="equipment_public:lookup",
    ),
)
