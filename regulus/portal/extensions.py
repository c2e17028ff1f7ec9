"""What the public portal adds to the platform (core.plugins): its pages, with errors shown
in its own look, its API, and its entry on the login page."""

from regulus.core.plugins import AppExtension, Module, Pages, PublicNavEntry
from regulus.portal import api, urls, views

extension = AppExtension(
    api_router=api.router,
    pages=Pages("portal/", urls, error_page=views.error_page),
    public_nav=(
        PublicNavEntry("一件事一次办", "portal:home", order=100),
        PublicNavEntry("办理进度", "portal:progress_lookup", order=200),
        PublicNavEntry("证照核验", "portal:certificate_search", order=300),
        PublicNavEntry("企业信息查询", "portal:entity_search", order=400),
    ),
    module=Module(
        "公众服务门户",
        "网上申请、进度查询、证书核验、企业信息查询",
        public_url_name="portal:home",
    ),
)
