"""No input produces a 500 from the API, and every refusal has the one error shape: a walk over
every operation of the OpenAPI document.

For each persona (anonymous, a district handler and the city's system administrator, each
with a Bearer token) and each operation, the walk sends
- each path parameter as hostile values (slashes, markup, NUL, bidi override, zero-width,
  numbers far out of range);
- the query parameters in rounds of hostile values typed after their schema (strings, and
  for integers negative, huge and float numbers, for dates the years 1 and 9999);
- JSON bodies in rounds of hostile values for every property, bodies that are not objects,
  invalid JSON, a lone surrogate ("\\ud800"), NaN, and 10 MB (which must answer 413);
and fails on any 500, any error without {"code","message","fields"}, any English message.

Then the rule of core.text, for every text input of every operation: a string query
parameter or body property holding a bidi override, a zero-width or a control character
(NUL included) is refused with 422 naming that very field."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from itertools import product
from typing import Any

import pytest
from django.test import Client

from regulus.api import api
from regulus.core.tokens import token_issue
from tests.hostile.walk import (
    HOSTILE_PATH_VALUES,
    TEN_MB,
    Failures,
    nothing_expected,
    stored_refused_text,
)

pytestmark = pytest.mark.django_db

# Hostile values by JSON type (the query string carries them all as text).
STRING_VALUES = (
    "",
    "a/b/../../etc/passwd<script>alert(1)</script>'\"%",
    "名称\u202e\u200b\x85\x1b",
    "ab\x00cd",
    "-1",
    "99999999999999999999",
    "1e20",
    "0001-01-01",
    "9999-12-31",
    "长" * 300,
)
INTEGER_VALUES: tuple[Any, ...] = (5, -1, 0, 2**63, 99999999999999999999, 1e20, "1e20", "abc", None)
NUMBER_VALUES: tuple[Any, ...] = (-1, 1e308, "1e400", "abc", None)
DATE_VALUES = ("2026-01-05", "0001-01-01", "9999-12-31", "2026-13-40", "20260101", "")
BOOLEAN_VALUES: tuple[Any, ...] = ("maybe", 2, None)
# Text core.text refuses in any field.
REFUSED_TEXT = ("名称\u202e", "名\u200b称", "名称\x00", "名称\x85")
# Bodies that are no object of any schema, or no JSON an API takes.
ODD_BODIES = (b"[1]", b"null", b'"text"', b"{bad", b'{"a": NaN}', b'{"a": "\\ud800"}', b"\xff\xfe")


def _resolve(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _kind(schema: dict[str, Any], doc: dict[str, Any]) -> str:
    """The JSON type of a (possibly nullable) schema; "date" for a date string."""
    schema = _resolve(schema, doc)
    for option in schema.get("anyOf", []):
        option = _resolve(option, doc)
        if option.get("type") not in (None, "null"):
            schema = option
            break
    if schema.get("type") == "string" and schema.get("format") == "date":
        return "date"
    return str(schema.get("type", "string"))


def _values(kind: str) -> tuple[Any, ...]:
    return {
        "integer": INTEGER_VALUES,
        "number": NUMBER_VALUES,
        "date": DATE_VALUES,
        "boolean": BOOLEAN_VALUES,
        "array": ("not a list", [STRING_VALUES[1]] * 3, [None, 1]),
        "object": ("not an object", {"x": 1}),
    }.get(kind, STRING_VALUES)


def operations() -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path, operation, document) of every operation of the OpenAPI document."""
    doc = api.get_openapi_schema()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield method, path, op, doc


def _body_schema(op: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    return _resolve(content["schema"], doc) if content else None


def _text_properties(schema: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Each body property a person or a file fills with text, with the refused text it is
    sent (a list of such for an array of strings)."""
    found: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        kind = _kind(prop, doc)
        if kind == "string":
            found[name] = REFUSED_TEXT[len(found) % len(REFUSED_TEXT)]
        elif kind == "array" and _kind(_resolve(prop, doc).get("items", {}), doc) == "string":
            found[name] = [REFUSED_TEXT[len(found) % len(REFUSED_TEXT)]]
    return found


def _personas(world: Any) -> dict[str, dict[str, str]]:
    headers = {"anonymous": {}}
    for name in ("district handler", "city handler", "city admin"):
        _token, plain = token_issue(user=world.personas[name])
        headers[name] = {"Authorization": f"Bearer {plain}"}
    return headers


def _path(path: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _real_path_values(world: Any, op: dict[str, Any]) -> dict[str, Any]:
    real = {
        "uscc": world.entity.uscc,
        "staff_id": world.staff.pk,
        "object_type": "licensing.application",
        "object_id": world.reviewing.pk,
    }
    # A certificate is checked by its number, an application looked up by its own.
    real["number"] = (
        world.certificate.number if "certificate" in op["operationId"] else world.application.number
    )
    return {
        p["name"]: real.get(p["name"], "1") for p in op.get("parameters", []) if p["in"] == "path"
    }


def _query_rounds(typed: dict[str, tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Every combination of the parameters' values when they are few (a valid number beside
    the year 9999), else rounds in which each parameter meets each of its values."""
    names = list(typed)
    if math.prod(len(v) for v in typed.values()) <= 100:
        rounds = [dict(zip(names, combo, strict=True)) for combo in product(*typed.values())]
    else:
        rounds = [
            {name: values[(i + k) % len(values)] for k, (name, values) in enumerate(typed.items())}
            for i in range(max(len(v) for v in typed.values()))
        ]
    return [{k: _sendable(v) for k, v in r.items()} for r in rounds]


def _sendable(value: Any) -> Any:
    """A query value as a URL can carry it: None (alone or as an array's item) is empty."""
    if isinstance(value, list):
        return [_sendable(item) for item in value]
    return "" if value is None else value


def _refused_text_problem(response: Any, fields: list[str]) -> str | None:
    if response.status_code != 422:
        return f"refused text answered {response.status_code}, not 422"
    named = response.json()["fields"]
    # An array's item is named with its index ("paper_materials.0").
    missing = [f for f in fields if not any(n == f or n.startswith(f"{f}.") for n in named)]
    return f"refused text not named for {missing}: {named}" if missing else None


def _walk_operation(
    client: Client,
    headers: dict[str, str],
    label: str,
    method: str,
    path: str,
    op: dict[str, Any],
    doc: dict[str, Any],
    world: Any,
    failures: Failures,
) -> None:
    from urllib.parse import quote

    call = getattr(client, method)
    real = _real_path_values(world, op)
    url = _path(path, real)
    schema = _body_schema(op, doc)

    def send(target: str, *, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        if schema is None:
            return call(target, query or {}, headers=headers)
        if query:
            target += "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return call(target, raw, content_type="application/json", headers=headers)

    probe = send(url, body={})
    failures.check(f"{label} probe", probe, expect=nothing_expected)
    authenticated = probe.status_code != 401
    # A persona whose role the operation's permission refuses is answered 403 before anything
    # is read: the refused-text checks apply to those it lets in.
    permitted = authenticated and probe.status_code != 403
    params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
    for param in params:
        if param["in"] != "path":
            continue
        integer = _kind(param["schema"], doc) == "integer"
        for value in (*HOSTILE_PATH_VALUES["int"], "-1") if integer else HOSTILE_PATH_VALUES["str"]:
            target = _path(path, {**real, param["name"]: quote(value, safe="")})
            response = send(target, body={})
            failures.check(
                f"{label} {param['name']}={value[:20]!r}", response, expect=nothing_expected
            )
    query = [p for p in params if p["in"] == "query"]
    if query:
        typed = {p["name"]: _values(_kind(p["schema"], doc)) for p in query}
        for values in _query_rounds(typed):
            response = send(url, query=values, body={})
            failures.check(f"{label} ?{values}", response, expect=nothing_expected)
        for p in query:
            if _kind(p["schema"], doc) != "string" or not permitted:
                continue
            for text in REFUSED_TEXT:
                response = send(url, query={p["name"]: text}, body={})
                failures.check(
                    f"{label} ?{p['name']}={text!r}",
                    response,
                    expect=lambda r, name=p["name"]: _refused_text_problem(r, [name]),
                )
    if schema is None:
        return
    properties = {
        name: _values(_kind(prop, doc)) for name, prop in schema.get("properties", {}).items()
    }
    for i in range(max(len(values) for values in properties.values())):
        body = {
            name: values[(i + k) % len(values)]
            for k, (name, values) in enumerate(sorted(properties.items()))
        }
        response = send(url, body=body)
        failures.check(f"{label} body {str(body)[:120]}", response, expect=nothing_expected)
    for raw in ODD_BODIES:
        failures.check(f"{label} body {raw!r}", send(url, body=raw), expect=nothing_expected)
    # Who is asking is settled before a body is read: a stranger's 10 MB answers 401.
    too_big = (413,) if permitted else (403, 413) if authenticated else (401, 413)
    response = send(url, body=b'{"a": "' + b"x" * TEN_MB + b'"}')
    failures.check(
        f"{label} body of 10 MB",
        response,
        expect=lambda r: None if r.status_code in too_big else f"10 MB answered {r.status_code}",
    )
    text = _text_properties(schema, doc)
    if text and permitted:
        response = send(url, body=text)
        failures.check(
            f"{label} refused text in {sorted(text)}",
            response,
            expect=lambda r: _refused_text_problem(r, list(text)),
        )


def _walk(world: Any, persona: str) -> Failures:
    headers = _personas(world)[persona]
    client = Client(raise_request_exception=False)
    failures = Failures()
    for method, path, op, doc in operations():
        label = f"{persona} · {method.upper()} {path}"
        _walk_operation(client, headers, label, method, path, op, doc, world, failures)
    failures.close()
    return failures


@pytest.mark.parametrize("persona", ["anonymous", "district handler", "city handler", "city admin"])
def test_no_api_operation_answers_500_or_an_error_out_of_shape(world, persona):
    failures = _walk(world, persona)
    failures.items.extend(f"stored: {s}" for s in stored_refused_text())
    assert not failures.items, failures.report()
