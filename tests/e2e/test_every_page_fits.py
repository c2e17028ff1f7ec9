"""Every staff and portal page of a small demo city, at a phone's width (390 px) and a desk's
(1366 px), in a real browser: the page body never scrolls sideways, no text is squeezed into
a box narrower than four characters (a name broken a character or two a line, a menu 办/理/进/度,
a button's label down the page), no chart's labels overlap or are cut off,
and no stored code (individual, submitted …) stands where its Chinese label belongs.

The pages are generated from the URL conf: each route of the staff apps and the portal is
opened with sample arguments from the demo city; a route answering 405 (a POST-only action),
a file or a redirect is no page. A new route whose arguments the table below cannot fill
fails the test until it gets its sample, so a new page is checked from the day it exists.
The README's phone-width screenshots are taken here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLResolver, get_resolver, resolve

from regulus.core import permissions
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import Role, User
from tests.demo_city import PORTAL_PHONE, seed_demo_city
from tests.e2e.conftest import login, screenshot
from tests.operation_log import stored_codes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
STAFF_NAMESPACES = (
    "core",
    "registry",
    "licensing",
    "inspections",
    "credit",
    "complaints",
    "enforcement",
    "equipment",
    "canteens",
)
PORTAL_NAMESPACES = (
    "portal",
    "inspections_public",
    "credit_public",
    "complaints_public",
    "enforcement_public",
    "equipment_public",
    "canteens_public",
)
# Pages seen once more with a query, which shows another side of them (a form, results).
WITH_QUERY = {
    "licensing:application_create": "?bundle=open-supermarket",
    "portal:entity_search": "?q=长沙",
    "registry:entity_list": "?q=长沙",
    "equipment:equipment_list": "?when=overdue",
    "canteens_public:search": "?district=430102",
    "inspections_public:visit_lookup": "?code=AAAAAAAA",
}
# The README's phone-width pictures: route → file name under docs/screenshots/.
PHONE_SHOTS = {
    "portal:home": "phone-portal-home",
    "registry:entity_list": "phone-registry-search",
    "licensing:application_detail": "phone-licensing-application",
    "core:staff_list": "phone-staff",
}


# Sample arguments: by route where a parameter's name means different things, else by name.
def _samples(city: dict[str, Any]) -> dict[str, dict[str, Callable[[], Any]]]:
    app = city["portal_application"]
    return {
        "core:staff_detail": {"pk": lambda: city["handler"].pk},
        "core:staff_edit": {"pk": lambda: city["handler"].pk},
        "core:staff_roles": {"pk": lambda: city["handler"].pk},
        "core:role_edit": {"pk": lambda: Role.objects.order_by("pk").first().pk},
        **{
            f"registry:{name}": {"pk": lambda: city["import_job"].pk}
            for name in ("import_job", "import_commit", "import_cancel", "import_errors")
        },
        "licensing:verification_detail": {"pk": lambda: city["verification"].pk},
        "credit:listing_detail": {"pk": lambda: city["listing"].pk},
        "credit:handover_take": {"pk": lambda: 1},
        "credit:listing_act": {"pk": lambda: city["listing"].pk, "action": lambda: "remove"},
        "complaints:routing_delete": {"pk": lambda: 1},
        "complaints:odr_member_withdraw": {"pk": lambda: 1},
        "credit:serious_detail": {"pk": lambda: city["serious"].pk},
        "credit:serious_act": {"pk": lambda: city["serious"].pk, "action": lambda: "notify"},
        "credit:repair_detail": {"pk": lambda: city["repair"].pk},
        "credit:repair_act": {"pk": lambda: city["repair"].pk, "action": lambda: "approve"},
        "credit:document_download": {"pk": lambda: city["credit_document"].pk},
        "licensing:matter_edit": {"code": lambda: city["matter"].code},
        "licensing:bundle_edit": {"code": lambda: city["bundle"].code},
        "portal:bundle_apply": {"code": lambda: city["bundle"].code},
        "licensing:certificate_page": {"number": lambda: city["issued"].number},
        "licensing:certificate_docx": {"number": lambda: city["issued"].number},
        "portal:certificate_verify": {"number": lambda: city["certificate"].number},
        "portal:entity_public": {"uscc": lambda: city["issued"].entity.uscc},
        "licensing:material_file": {"pk": lambda: city["material"].pk},
        "core:object_clocks": {
            "object_type": lambda: "licensing.application",
            "object_id": lambda: city["clocked"].pk,
        },
        "portal:application_material": {"pk": lambda: city["material"].pk},
        "portal:application_material_remove": {"pk": lambda: city["material"].pk},
        "licensing:material_remove": {"pk": lambda: city["material"].pk},
        **{
            f"complaints:{name}": {"number": lambda: city["complaint"].number}
            for name in ("item_detail", "item_act", "reporter_notify")
        },
        **{
            f"complaints_public:{name}": {"number": lambda: city["complaint"].number}
            for name in ("progress", "receipt", "rate", "odr_leave", "odr_business_answer")
        },
        "equipment:equipment_detail": {"pk": lambda: city["lift"].pk},
        "equipment:equipment_act": {"pk": lambda: city["lift"].pk, "action": lambda: "stop"},
        "equipment:check_detail": {"number": lambda: city["field_check"].number},
        "equipment:hazard_act": {"pk": lambda: city["hazard"].pk, "action": lambda: "remove"},
        "equipment:order_detail": {"number": lambda: city["order"].number},
        "equipment:order_act": {"number": lambda: city["order"].number},
        "equipment:campaign_detail": {"pk": lambda: city["campaign"].pk},
        "equipment_public:tag": {"code": lambda: city["lift"].tag_code},
        "canteens:canteen_detail": {"pk": lambda: city["canteen"].pk},
        "canteens:canteen_act": {"pk": lambda: city["canteen"].pk, "action": lambda: "meal"},
        "canteens_public:canteen": {"code": lambda: city["canteen"].public_code},
        "inspections:plan_detail": {"pk": lambda: city["inspection_plan"].pk},
        "inspections:task_create": {"pk": lambda: city["inspection_plan"].pk},
        "inspections:task_detail": {"number": lambda: city["inspection_task"].number},
        "inspections:target_result": {"pk": lambda: city["inspection_target"].pk},
        "inspections:rectification": {"pk": lambda: city["rectification"].pk},
        "inspections:result_file": {
            "pk": lambda: city["inspection_target"].pk,
            "file_pk": lambda: city["result_file"].pk,
        },
        "inspections_public:draw_page": {"number": lambda: city["inspection_task"].number},
        "inspections_public:draw_file": {
            "number": lambda: city["inspection_task"].number,
            "name": lambda: "targets.tsv",
        },
        "inspections_public:visit": {"code": lambda: city["visit_code"]},
        **{
            f"enforcement:{name}": {"number": lambda: city["clue"].number}
            for name in ("clue_detail", "clue_act")
        },
        **{
            f"enforcement:{name}": {"pk": lambda: city["case"].pk}
            for name in ("case_detail", "case_act", "publication_review")
        },
        "enforcement:inbox_take": {"pk": lambda: 1},
        "enforcement:document_file": {"pk": lambda: city["case"].documents.first().pk},
        "enforcement:campaign_detail": {"pk": lambda: city["enforcement_campaign"].pk},
        "enforcement_public:detail": {"pk": lambda: city["publication"].pk},
        "*": {
            "uscc": lambda: city["entity"].uscc,
            "number": lambda: app.number,
            "name": lambda: "accept",
            "action": lambda: "accept",
            "date": lambda: "2026-01-01",
            "code": lambda: city["matter"].code,
        },
    }


def _routes(namespaces: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(namespace:name, its path with <param> holes) of every route of the namespaces."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Any]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern), entry.namespace or namespace)
            elif namespace in namespaces and entry.name:
                yield f"{namespace}:{entry.name}", prefix + str(entry.pattern)

    yield from walk(get_resolver(), "/", "")


def _path(route: str, template: str, samples: dict[str, dict[str, Callable[[], Any]]]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        maker = samples.get(route, {}).get(name) or samples["*"].get(name)
        if maker is None:
            pytest.fail(f"没有 {route} 的参数 {name} 的样例：请在 _samples 中补充")
        return str(maker())

    return re.sub(r"<(?:\w+:)?(\w+)>", fill, template).replace("^", "").replace("$", "")


# What one page must hold to (tests/e2e/page_checks.js): run in the page, it returns the
# problems it found, in Chinese.
CHECKS_JS = (Path(__file__).parent / "page_checks.js").read_text(encoding="utf-8")


def _check(page: Any, url: str, width: int, problems: list[str]) -> None:
    page.goto(url)  # waits for the load event: scripts have run, charts are drawn
    found = page.evaluate(CHECKS_JS, {"codes": sorted(stored_codes())})
    problems.extend(f"{width}px {url}：{p}" for p in found)


def _pages(
    live_server: Any,
    context_for: Callable[[str], Any],
    city: dict[str, Any],
    namespaces: tuple[str, ...],
) -> Iterator[tuple[str, str]]:
    """(route, path) of the namespaces' pages: every route a GET answers with a page, asked
    in the browser context `context_for(path)` gives."""
    samples = _samples(city)
    for route, template in _routes(namespaces):
        path = _path(route, template, samples)
        answer = context_for(path).request.get(live_server.url + path, max_redirects=0)
        if answer.status in (301, 302, 405):  # a redirect or a POST-only action
            continue
        assert answer.status == 200, f"{route} {path} 答复 {answer.status}"
        if "text/html" not in answer.headers.get("content-type", ""):
            continue  # a file: a download, an uploaded material
        yield route, path
        if route in WITH_QUERY:
            yield route, path + WITH_QUERY[route]


# The logins that open the staff pages, in the order they are tried: the city's registration
# department (business pages), the bureau's leader (approvals, publication of penalties), the
# system administrator, the security administrator, the auditor.
STAFF_LOGINS = ("dengji", "shenpi", "fenpai", "leader", "admin", "security", "auditor")


class _StaffBrowsers:
    """One logged-in browser context per demo login, opened when a page first needs it."""

    def __init__(self, browser: Any, live_server: Any, errors: list[str]) -> None:
        self.browser, self.live_server, self.errors = browser, live_server, errors
        self.pages: dict[str, Any] = {}

    def context_for(self, path: str) -> Any:
        return self.page_for(path).context

    def page_for(self, path: str) -> Any:
        code = getattr(resolve(path.split("?")[0]).func, "permission", None)
        for username in STAFF_LOGINS:
            if code is None or permissions.allows(User.objects.get(username=username), code):
                return self._page(username)
        raise AssertionError(f"没有可以打开 {path} 的演示账号（权限 {code}）")

    def _page(self, username: str) -> Any:
        if username not in self.pages:
            context = self.browser.new_context(viewport=DESK, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
            login(page, self.live_server, username, DEMO_PASSWORD)
            page.wait_for_selector("[data-testid=user-name]")
            self.pages[username] = page
        return self.pages[username]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def test_every_page_fits_a_phone_and_a_desk(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BASE_URL = live_server.url
    city = seed_demo_city(applications=24, entities=40)
    problems: list[str] = []
    errors: list[str] = []
    visited = 0

    # No one sees every staff page (the three duties of 等保 2.0 are apart from the business
    # roles): each page is opened by the first of these demo logins its permission allows.
    staff_pages = _StaffBrowsers(browser, live_server, errors)
    for route, path in list(_pages(live_server, staff_pages.context_for, city, STAFF_NAMESPACES)):
        desk = staff_pages.page_for(path)
        for size in (DESK, PHONE):
            desk.set_viewport_size(size)
            _check(desk, live_server.url + path, size["width"], problems)
            if size is PHONE and route in PHONE_SHOTS:
                screenshot(desk, PHONE_SHOTS[route])
        visited += 1

    public = browser.new_context(viewport=DESK, locale="zh-CN")
    portal = public.new_page()
    portal.set_default_timeout(15_000)
    portal.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # The applicant's own pages open after a look-up by number and phone, as on the portal.
    app = city["portal_application"]
    portal.goto(f"{live_server.url}/portal/progress/")
    portal.fill("[name=number]", app.number)
    portal.fill("[name=phone]", PORTAL_PHONE)
    portal.click("button[type=submit]")
    portal.wait_for_url(f"**/portal/applications/{app.number}/")
    # The complainant's pages open after a look-up by number and query code.
    complaint = city["complaint"]
    portal.goto(f"{live_server.url}/portal/complaints/progress/")
    portal.fill("[name=number]", complaint.number)
    portal.fill("[name=code]", city["complaint_code"])
    portal.click("[data-testid=lookup]")
    portal.wait_for_url(f"**/portal/complaints/items/{complaint.number}/")
    for route, path in list(_pages(live_server, lambda _path: public, city, PORTAL_NAMESPACES)):
        for size in (DESK, PHONE):
            portal.set_viewport_size(size)
            _check(portal, live_server.url + path, size["width"], problems)
            if size is PHONE and route in PHONE_SHOTS:
                screenshot(portal, PHONE_SHOTS[route])
        visited += 1
    # The error pages, which no route lists (the login page is core:login).
    desk = staff_pages.page_for("/registry/entities/no-such-entity/")
    for page, path in ((desk, "/registry/entities/no-such-entity/"), (portal, "/portal/none/")):
        for size in (DESK, PHONE):
            page.set_viewport_size(size)
            _check(page, live_server.url + path, size["width"], problems)
        visited += 1

    staff_pages.close()
    public.close()
    assert visited >= 35, visited
    assert problems == [], "\n".join(problems)
    assert not [e for e in errors if "Content Security Policy" in e], errors
