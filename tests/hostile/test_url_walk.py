"""No input produces a 500 on any page: a walk over every URL pattern of the URL conf.

For each persona (the anonymous public, a district handler, the city's system administrator)
and each route, the walk
- opens the route as a real object of the world names it (GET, then an empty POST), recording
  every query and form parameter the view reads;
- sends the hostile values (walk.HOSTILE_VALUES) in every query parameter the view reads;
- names each URL parameter with the hostile values its converter lets through;
- posts a 10 MB form, which must be refused with 413;
then posts every form the pages showed, as a browser would, with the hostile values typed into
its fields, and the hostile values in every field a view reads from a POST (hidden fields and
check boxes tampered with, fields no form sends).
Every answer must be below 500, and every refusal a Chinese page. At the end, no text column
of the database may hold a character core.text refuses: what the walk sent was refused or
cleaned, never stored. The API has its own walk (test_api_walk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import resolve

from regulus.portal.views import SESSION_KEY
from tests.hostile.walk import (
    HOSTILE_PATH_VALUES,
    TEN_MB,
    Failures,
    PageForm,
    client_for,
    hostile_rounds,
    nothing_expected,
    page_forms,
    recorded_keys,
    routes,
    stored_refused_text,
)

pytestmark = pytest.mark.django_db


def _is_413(response: Any) -> str | None:
    return None if response.status_code == 413 else f"answered {response.status_code}, not 413"


def _shown(data: dict[str, Any]) -> str:
    return repr(
        {key: str(value)[:24] for key, value in data.items() if key != "csrfmiddlewaretoken"}
    )


def _to_login(response: Any) -> bool:
    return response.status_code == 302 and "login/?next=" in response.get("Location", "")


def _walk(world: Any, persona: str) -> Failures:
    user = world.personas[persona]
    client = client_for(user)
    if user is None:
        # The browser that submitted both applications may follow them on the portal.
        session = client.session
        session[SESSION_KEY] = [world.application.number, world.issued.number]
        session.save()
    failures = Failures()
    big_form = b"a=" + b"x" * TEN_MB
    forms: dict[tuple[str, tuple[str, ...]], PageForm] = {}
    posting: list[tuple[str, str, set[str]]] = []
    for route in routes(exclude_prefixes=("api/v1/",)):
        real = world.real_kwargs(route.name, [name for name, _ in route.params])
        url = route.url(real)
        label = f"{persona} · {route.name or route.route}"
        with recorded_keys() as record:
            got = client.get(url)
        get_keys = record.of(got.wsgi_request.GET)
        failures.check(f"{label} GET {url}", got, expect=nothing_expected)
        for form in page_forms(got, url):
            # One of a kind: the calendar's delete buttons differ only by their date.
            kind = resolve(form.action.split("?")[0]).route
            forms.setdefault((kind, tuple(sorted(form.values))), form)
        with recorded_keys() as record:
            posted = client.post(url, {})
        post_keys = record.of(posted.wsgi_request.POST)
        failures.check(f"{label} POST {url}", posted, expect=nothing_expected)
        # A route that sends this persona to log in never runs its view: only its URL
        # (in the login page's "next") can carry anything hostile.
        guarded = _to_login(got) and _to_login(posted)
        get_allowed, post_allowed = got.status_code != 405, posted.status_code != 405
        for data in () if guarded or not get_allowed else hostile_rounds(get_keys):
            response = client.get(url, data)
            failures.check(f"{label} GET {url} {_shown(data)}", response, expect=nothing_expected)
        if post_allowed and post_keys and not guarded:
            posting.append((label, url, post_keys))
        for name, converter in route.params:
            for value in HOSTILE_PATH_VALUES[converter][: 1 if guarded else None]:
                hostile_url = route.url({**real, name: value})
                response = client.get(hostile_url) if get_allowed else client.post(hostile_url)
                failures.check(f"{label} {hostile_url}", response, expect=nothing_expected)
        if not guarded:
            response = client.post(url, big_form, content_type="application/x-www-form-urlencoded")
            failures.check(f"{label} POST 10 MB to {url}", response, expect=_is_413)
        if user is not None and route.name == "core:logout":
            client.force_login(user)
    # The pages' own forms, as a browser posts them, with hostile values typed in: the
    # branches a hidden field or a button chooses ("form=rule", "action=confirm") are taken.
    for form in forms.values():
        if user is not None and form.action.startswith("/logout/"):
            continue
        for data in form.submissions():
            response = client.post(form.action, data)
            shown = f"{persona} · form to {form.action} {_shown(data)}"
            failures.check(shown, response, expect=nothing_expected)
    # What a view reads from a POST, every field of it tampered with (hidden fields, the
    # values of check boxes), and what it reads that no form sends.
    for label, url, post_keys in posting:
        for data in hostile_rounds(post_keys):
            response = client.post(url, data)
            failures.check(f"{label} POST {url} {_shown(data)}", response, expect=nothing_expected)
    failures.close()
    return failures


@pytest.mark.parametrize("persona", ["anonymous", "district handler", "city handler", "city admin"])
def test_no_route_answers_500_or_stores_refused_text_for_hostile_input(world, persona):
    failures = _walk(world, persona)
    failures.items.extend(f"stored: {s}" for s in stored_refused_text())
    assert not failures.items, failures.report()


def test_the_walks_checks_can_fail(world, client):
    """The walk's two verdicts are real: a stored bidi override is found, a 500 is one."""
    world.entity.address = "五一大道\u202e1号"
    world.entity.save(update_fields=["address"])
    assert any("registry.Entity" in s and "U+202E" in s for s in stored_refused_text())
    failures = Failures()
    failures.check("page", client.get("/no-such-page/"), expect=nothing_expected)
    assert failures.items == []

    class Broken:
        status_code = 500

        def get(self, header: str, default: str = "") -> str:
            return default

    failures.check("broken", Broken(), expect=nothing_expected)
    failures.close()
    assert failures.items and "answered 500" in failures.items[0]
