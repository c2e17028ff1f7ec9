"""A fragment htmx fetched is never the page a browser shows for its URL: over every route of
the URL conf, every answer varies on HX-Request and no answer to an htmx request may be
stored (regulus.core.htmx). Issue 18, defect 1: the search list's fragment was cached under
the page's URL, and Back showed a bare table."""

from __future__ import annotations

import pytest
from django.utils.cache import cc_delim_re

from regulus.core.htmx import wants_fragment
from tests.hostile.walk import client_for, routes

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"}


def _varies_on_hx_request(response) -> bool:  # type: ignore[no-untyped-def]
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", ""))}
    return "hx-request" in vary


@pytest.mark.parametrize("persona", ["anonymous", "city handler", "city admin"])
def test_every_route_varies_on_hx_request_and_never_stores_an_htmx_answer(world, persona):
    client = client_for(world.personas[persona])
    problems = []
    for route in routes():
        url = route.url(world.real_kwargs(route.name, [name for name, _ in route.params]))
        plain = client.get(url)
        fragment = client.get(url, headers=HTMX)
        if not (_varies_on_hx_request(plain) and _varies_on_hx_request(fragment)):
            problems.append(f"{url}: no Vary: HX-Request")
        if "no-store" not in fragment.get("Cache-Control", ""):
            problems.append(f"{url}: an htmx answer without Cache-Control: no-store")
        if route.name == "core:logout":
            client = client_for(world.personas[persona])
    assert not problems, "\n".join(problems)


def test_the_search_list_answers_htmx_with_its_fragment_and_a_browser_with_the_page(client, world):
    client.force_login(world.personas["district handler"])
    url = "/registry/entities/?q=便利"
    fragment = client.get(url, headers=HTMX).content.decode()
    page = client.get(url).content.decode()
    assert "<html" not in fragment and 'data-testid="entity-table"' in fragment
    assert "<html" in page and 'data-testid="entity-table"' in page


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        # htmx lost the page from its history cache and asks for it again: the whole page.
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
        ({}, False),
    ],
)
def test_only_a_plain_htmx_request_gets_a_fragment(rf, headers, fragment):
    request = rf.get("/registry/entities/", headers=headers)
    assert wants_fragment(request) is fragment
