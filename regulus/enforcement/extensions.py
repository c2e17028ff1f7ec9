"""What 行政处罚案件 adds to the platform (core.plugins): its pages in the menu, the clues to
verify and the overdue cases on the home page, its cases on the entity page's timeline, the
published decisions on the entity's public page and the portal, the demo cases, its API."""

from regulus.core.plugins import (
    AppExtension,
    Cards,
    DemoSeeder,
    EntityProviders,
    Module,
    NavEntry,
    Pages,
    PublicNavEntry,
    TargetExclusion,
)
from regulus.enforcement import api, demo, public, public_urls, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("案件线索", "search", "enforcement:clue_list", order=600),
        NavEntry("行政处罚案件", "briefcase", "enforcement:case_list", order=610),
        NavEntry("处罚信息公示", "broadcast", "enforcement:publication_queue", order=620),
        NavEntry("专项行动", "flag", "enforcement:campaign_list", order=630),
        NavEntry("执法统计", "bar-chart", "enforcement:stats", order=640),
    ),
    cards=Cards(order=600, for_user=selectors.dashboard_cards),
    entity=EntityProviders(
        timeline=selectors.entity_timeline, public_sections=selectors.public_sections
    ),
    seeder=DemoSeeder(demo.seed, after=("registry", "complaints", "inspections")),
    api_router=api.router,
    pages=Pages("enforcement/", urls),
    public_pages=Pages("portal/penalties/", public_urls, error_page=public.error_page),
    public_nav=(PublicNavEntry("行政处罚信息公示", "enforcement_public:list", order=700),),
    # An entity under investigation is not drawn for a spot check while its case runs.
    exclusions=(TargetExclusion("立案调查中", lambda _on: selectors.open_case_entity_ids()),),
    module=Module("行政处罚案件", "线索核查、立案、调查、审核、告知、听证、决定、送达、执行与公示"),
)
