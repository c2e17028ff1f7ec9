"""Nobody outside district A reaches district A's data, by any route the platform has.

Generated from the URL conf and the OpenAPI document: every staff page and every API operation
that takes an object key is asked, for an object of district A (the factory
`district_a_objects` in tests/test_authorization_everywhere.py), by each outsider: district B's
handler, district B's window clerk, the security auditor, an anonymous visitor and a revoked
API token. The only answers allowed are refusals that say nothing of the object: 403 or 404
(anonymous or a revoked token: the login page, or the API's 401), and never one of A's
markers (numbers, USCCs, names) in the body. Then every list, search, count and export,
pages and API, is asked by the same outsiders with each of A's markers in every parameter the
view reads (recorded on a first request, tests/hostile/walk.py): none of A's rows comes back.
Last, the people who do see A's rows (A's handler, a city-wide handler) find no reporter's
identity and no full ID number in any list or export.

A route added later is covered without new test code; a route with an object key that the
factory has no object for fails the run (`out_of_scope_kwargs`, `api_out_of_scope_kwargs`):
an app adds its objects to the factory and its route to OUT_OF_SCOPE / API_OUT_OF_SCOPE.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regulus.core.tokens import token_issue, token_revoke
from tests.conftest import make_staff
from tests.hostile.walk import recorded_keys
from tests.test_authorization_everywhere import (
    CONVERTER,
    api_operations,
    api_out_of_scope_kwargs,
    out_of_scope_kwargs,
    staff_pages,
)

pytestmark = pytest.mark.django_db

REFUSED = {403, 404}
LOGIN = "/login/"


@pytest.fixture
def outsiders(bureau, outsider, auditor, handler) -> dict[str, Any]:
    """Who must see nothing of district A: a user, None (anonymous), or a revoked token."""
    window_b = make_staff("window_b", bureau["district_b"], "窗口受理人员", full_name="窗口小李")
    token, plain = token_issue(user=handler, name="已吊销")
    token_revoke(token=token, actor=handler)
    return {
        "district B handler": outsider,
        "district B window clerk": window_b,
        "auditor": auditor,
        "anonymous": None,
        "revoked token": f"Bearer {plain}",
    }


def client_as(who: Any) -> Client:
    client = Client(raise_request_exception=False)
    if isinstance(who, str):
        client.defaults["HTTP_AUTHORIZATION"] = who
    elif who is not None:
        client.force_login(who)
    return client


def body_text(response: Any) -> str:
    """What an answer shows, as text: HTML or JSON, or the cells of an xlsx or docx."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # an Office file: the text of its XML parts
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        text += json.dumps(json.loads(raw or b"null"), ensure_ascii=False)
    return text


def leaked(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m and m in text]


def refusal_problem(who: Any, response: Any, api: bool) -> str | None:
    status = response.status_code
    if status in REFUSED:
        return None
    if who is None or isinstance(who, str):  # not signed in: the login page, or the API's 401
        if api and status == 401:
            return None
        if not api and status == 302 and response["Location"].startswith(LOGIN):
            return None
    return f"answered {status}"


def api_cases() -> list[tuple[str, str, Any]]:
    return [(m, p, op) for m, p, op in api_operations() if "{" in p]


def _openapi_bodies() -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) → the JSON schema of its request body, references resolved one level."""
    from regulus.api import api

    document = api.get_openapi_schema()
    schemas = document.get("components", {}).get("schemas", {})
    bodies = {}
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            content = spec.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            ref = schema.get("$ref", "")
            if ref:
                schema = schemas.get(ref.rsplit("/", 1)[1], {})
            bodies[(method.upper(), path)] = schema
    return bodies


def sample_body(schema: dict[str, Any]) -> str:
    sample: dict[str, Any] = {}
    for name in schema.get("required", []):
        prop = schema.get("properties", {}).get(name, {})
        if "enum" in prop:
            sample[name] = prop["enum"][0]
        elif prop.get("format") in ("date", "date-time"):
            sample[name] = "2026-01-05" if prop["format"] == "date" else "2026-01-05T09:00:00+08:00"
        else:
            sample[name] = {"integer": 1, "number": 1, "boolean": True, "array": [],
                            "object": {}}.get(prop.get("type", "string"), "approve")  # fmt: skip
    return json.dumps(sample)


def test_no_outsider_reaches_an_object_of_district_a(client, outsiders, district_a_objects):
    o = district_a_objects
    problems, asked = [], 0
    for name, route, _view in staff_pages():
        if not CONVERTER.search(route):
            continue
        kwargs = out_of_scope_kwargs(name, route, o)
        if kwargs is None:
            continue
        url = reverse(name, kwargs=kwargs)
        for label, who in outsiders.items():
            c = client_as(who)
            response = c.get(url)
            if response.status_code == 405:  # a form's target: POST only
                response = c.post(url)
            problem = refusal_problem(who, response, api=False)
            problem = problem or (
                f"shows {leaked(body_text(response), o['markers'])}"
                if leaked(body_text(response), o["markers"])
                else None
            )
            if problem:
                problems.append(f"{label}: GET {url}: {problem}")
            asked += 1
    bodies = _openapi_bodies()
    for method, path, _op in api_cases():
        kwargs = api_out_of_scope_kwargs(path, o)
        if kwargs is None:
            continue
        url = path.format(**kwargs)
        body = sample_body(bodies.get((method, path), {}))
        for label, who in outsiders.items():
            response = client_as(who).generic(method, url, body, content_type="application/json")
            problem = refusal_problem(who, response, api=True)
            if not problem and leaked(body_text(response), o["markers"]):
                problem = f"shows {leaked(body_text(response), o['markers'])}"
            if problem:
                problems.append(f"{label}: {method} {url}: {problem}")
            asked += 1
    assert problems == [], f"{len(problems)} of {asked} requests reached district A:\n" + "\n".join(
        problems
    )
    assert asked >= 5 * 40


def list_routes() -> list[tuple[str, str]]:
    """Every staff page without an object key (lists, searches, counts, exports) as a URL."""
    return [
        (name, reverse(name))
        for name, route, _view in staff_pages()
        if not CONVERTER.search(route) and name != "core:metrics"
    ]


def api_lists() -> list[str]:
    return ["/api/v1" + p.removeprefix("/api/v1") for m, p, _op in api_operations()
            if m == "GET" and "{" not in p]  # fmt: skip


def decoy(marker: str) -> str:
    """A value shaped like the marker that names nothing (its first two characters changed)."""
    return ("无此" if re.match(r"[\u4e00-\u9fff]", marker) else "ZQ") + marker[2:]


def shown_rows(client: Client, url: str, markers: list[str]) -> list[tuple[Any, list[str]]]:
    """(answer, the markers it shows as rows): the page as is, then with each marker in every
    parameter the view read. A search page writes the words searched for back into its form
    and links: a marker counts as shown when it appears more often than a decoy of the same
    shape does in the answer to the same request with the decoy (which matches no row)."""
    with recorded_keys() as record:
        first = client.get(url)
    answers = [(first, leaked(body_text(first), markers))]
    keys = record.of(first.wsgi_request.GET)
    for marker in markers if keys else []:
        answer = client.get(url, dict.fromkeys(keys, marker))
        times = body_text(answer).count(marker)
        if times:  # the control request only when there is something to explain
            control = client.get(url, dict.fromkeys(keys, decoy(marker)))
            times -= body_text(control).count(decoy(marker))
        answers.append((answer, [marker] if times > 0 else []))
    return answers


def test_no_list_search_count_or_export_shows_an_outsider_a_row_of_district_a(
    outsiders, district_a_objects
):
    o = district_a_objects
    problems, asked = [], 0
    urls = [url for _name, url in list_routes()] + api_lists()
    for label, who in outsiders.items():
        for url in urls:
            # A client for each page: a message one page adds (未找到 …) shows on the next.
            for response, found in shown_rows(client_as(who), url, o["markers"]):
                asked += 1
                if response.status_code >= 500:
                    problems.append(f"{label}: {url}: answered {response.status_code}")
                if found:
                    query = response.wsgi_request.GET.urlencode()[:80]
                    problems.append(f"{label}: {url}?{query}: shows {found}")
    assert problems == [], "\n".join(problems)
    assert asked >= len(urls) * len(outsiders)


def test_no_list_or_export_shows_a_reporters_identity_or_a_full_id_number(
    handler, city_handler, district_a_objects
):
    o = district_a_objects
    problems, seen_rows = [], 0
    urls = [url for _name, url in list_routes()] + api_lists()
    for who in (handler, city_handler):
        for url in urls:
            for response, shown in shown_rows(client_as(who), url, o["markers"]):
                seen_rows += bool(shown)
                found = leaked(body_text(response), o["confidential"])
                if found:
                    query = response.wsgi_request.GET.urlencode()[:80]
                    problems.append(f"{who.username}: {url}?{query}: shows {found}")
    assert problems == [], "\n".join(problems)
    assert seen_rows > 0, "the holders of district A see its rows in some list"
