"""What 投诉举报 adds to the platform (core.plugins): its pages in the menu, the dispatch
queue and overdue items on the home page, its items on the entity page's timeline (never who
filed them), the demo items, its API, its staff pages and its public pages on the portal."""

from regulus.complaints import api, demo, public, public_urls, selectors, urls
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
        NavEntry("投诉举报", "megaphone", "complaints:item_list", order=500),
        NavEntry("投诉举报分派", "signpost-split", "complaints:dispatch_queue", order=510),
        NavEntry("投诉举报统计", "graph-up", "complaints:stats", order=520),
        NavEntry("投诉举报规则", "journal-text", "complaints:rules", order=530),
        NavEntry("投诉举报分派规则", "diagram-3", "complaints:routing", order=535),
        NavEntry("实名举报人告知", "chat-left-text", "complaints:reporter_notices", order=540),
        NavEntry("ODR单位", "shop", "complaints:odr_members", order=545),
    ),
    cards=Cards(order=500, for_user=selectors.dashboard_cards),
    entity=EntityProviders(timeline=selectors.entity_timeline),
    seeder=DemoSeeder(demo.seed, after=("registry",)),
    api_router=api.router,
    pages=Pages("complaints/", urls),
    public_pages=Pages("portal/complaints/", public_urls, error_page=public.error_page),
    public_nav=(
        PublicNavEntry("投诉举报", "complaints_public:file", order=600),
        PublicNavEntry("投诉举报进度", "complaints_public:lookup", order=610),
        PublicNavEntry("经营者ODR和解", "complaints_public:odr_business", order=620),
    ),
    module=Module("12315投诉举报", "投诉、举报、咨询登记，分派、受理、调解、核查与回访"),
)
