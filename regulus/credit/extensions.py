"""What enterprise credit adds to the platform (core.plugins): its pages in the menu, the
waiting credit hand-overs on the home page, the credit record on the entity's staff and public
pages, its API."""

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
from regulus.credit import api, demo, public_urls, selectors, urls

extension = AppExtension(
    nav=(
        NavEntry("信用记录", "shield-check", "credit:record_list", order=400),
        NavEntry("年度报告", "journal-check", "credit:report_rate", order=410),
        NavEntry("经营异常名录", "exclamation-octagon", "credit:listing_list", order=420),
        NavEntry("信用风险分类", "speedometer2", "credit:risk_changes", order=430),
        NavEntry("严重违法失信名单", "x-octagon", "credit:serious_list", order=435),
        NavEntry("信用修复", "arrow-repeat", "credit:repair_list", order=440),
        NavEntry("信用决定文书", "file-earmark-word", "credit:document_list", order=445),
    ),
    cards=Cards(order=400, for_user=selectors.dashboard_cards),
    entity=EntityProviders(
        credit_facts=selectors.entity_credit_facts,
        public_sections=selectors.entity_public_sections,
    ),
    # After the registry's entities; licensing (installed before credit) seeds first anyway, so
    # its hand-overs are there to take, and credit still seeds without it.
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("credit/", urls),
    public_pages=Pages("portal/annual-report/", public_urls),
    public_nav=(
        PublicNavEntry("企业年报", "credit_public:annual_report_file", order=450),
        PublicNavEntry("信用修复", "credit_public:repair_apply", order=455),
    ),
    module=Module(
        "企业信用", "信用记录、年度报告、经营异常名录、严重违法失信名单、信用修复、信用风险分类"
    ),
)
