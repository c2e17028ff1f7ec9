"""What enterprise credit adds to the platform (core.plugins): its pages in the menu, the
waiting credit hand-overs on the home page, the credit record on the entity's staff and public
pages, its API."""

from regulus.core.plugins import AppExtension, Cards, EntityProviders, Module, NavEntry, Pages
from regulus.credit import api, selectors, urls

extension = AppExtension(
    nav=(NavEntry("信用记录", "shield-check", "credit:record_list", order=300),),
    cards=Cards(order=300, for_user=selectors.dashboard_cards),
    entity=EntityProviders(
        credit_facts=selectors.entity_credit_facts,
        public_sections=selectors.entity_public_sections,
    ),
    api_router=api.router,
    pages=Pages("credit/", urls),
    module=Module("企业信用", "信用记录、年度报告、经营异常名录、信用风险分类"),
)
