"""What the generated walks share: the hostile values, the URL conf's routes, a client that
records which parameters a view reads, and the checks every answer must pass.

A walk never needs to be told a new route or a new parameter: routes come from the URL conf,
parameters from what each view reads on a first, harmless request (every QueryDict lookup is
recorded while it runs)."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.core.signals import got_request_exception
from django.db import models
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.datastructures import MultiValueDict

from regulus.core.text import refused_character

# Text of every kind the walks send where a view reads a parameter: nothing, slashes and a
# path, markup, NUL, bidi override and zero-width characters, C1 and escape controls, numbers
# too big for any column and negative ones, the first and last years a date can have, and a
# value far longer than any field. Each request gives each parameter another of them
# (`hostile_rounds`), so that every parameter meets every value and the parameters that choose
# a view's branch ("issue", "form", "action") are each left empty once.
HOSTILE_VALUES: tuple[str, ...] = (
    "",
    "a/b/../../etc/passwd<script>alert(1)</script>'\"%",
    "名称\u202e\u200b\x85\x1b",
    "-1",
    "99999999999999999999",
    "0001-01-01",
    "9999-12-31",
    "长" * 300,
)
# Values for a URL's own parameters, by converter: what its pattern lets through.
HOSTILE_PATH_VALUES: dict[str, tuple[str, ...]] = {
    "str": ("a/b", "<b>x</b>\u202e\u200b", "\x00", "9" * 25, "0001-01-01"),
    "int": ("0", "9" * 25),
    "slug": ("-", "9" * 25, "a" * 300),
    "path": ("a/b/../../etc/passwd", "\x00", "\u202e", "9" * 25),
}
TEN_MB = 10 * 1024 * 1024


# A NUL anywhere refuses the whole request before any view runs (core.middleware): it has a
# round of its own.
NUL = "ab\x00cd"


def hostile_rounds(
    keys: set[str], values: tuple[str, ...] = HOSTILE_VALUES
) -> list[dict[str, str]]:
    """One request's parameters a round: round i gives the k-th key the (i + k)-th value, so
    over len(values) rounds every key has had every value, in changing company; then a
    round of NUL in every key."""
    ordered = sorted(keys)
    rounds = [
        {key: values[(i + k) % len(values)] for k, key in enumerate(ordered)}
        for i in range(len(values))
    ]
    return [*rounds, dict.fromkeys(ordered, NUL)]


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Route:
    """A URL pattern of the URL conf, as its full route ("registry/entities/<str:uscc>/")."""

    route: str
    name: str

    @property
    def params(self) -> list[tuple[str, str]]:
        """(name, converter) of each URL parameter."""
        return [
            (m.group("name"), m.group("converter") or "str")
            for m in _CONVERTER.finditer(self.route)
        ]

    def url(self, values: dict[str, str]) -> str:
        def value(match: re.Match[str]) -> str:
            return quote(str(values[match.group("name")]), safe="")

        return "/" + _CONVERTER.sub(value, self.route)


def routes(*, exclude_prefixes: tuple[str, ...] = ()) -> list[Route]:
    """Every URL pattern of the URL conf (path() patterns; the admin's few regular
    expressions name only its own apps and models)."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and isinstance(p.pattern, RoutePattern):
                route = prefix + str(p.pattern)
                if not route.startswith(exclude_prefixes):
                    found.append(Route(route, namespace + (p.name or "")))

    walk(get_resolver().url_patterns, "", "")
    return found


class KeyRecord:
    """The parameters read from each QueryDict while a request ran."""

    def __init__(self) -> None:
        self.read: set[tuple[int, str]] = set()

    def add(self, source: object, key: object) -> None:
        if isinstance(key, str):
            self.read.add((id(source), key))

    def of(self, source: object) -> set[str]:
        """The keys read from this QueryDict (a request's GET or POST)."""
        return {key for ident, key in self.read if ident == id(source)}


@contextmanager
def recorded_keys() -> Iterator[KeyRecord]:
    """Which query and form parameters the views read while the block runs."""
    record = KeyRecord()
    get_item, get_list = MultiValueDict.__getitem__, MultiValueDict._getlist
    contains = QueryDict.__contains__

    def recording_getitem(self: MultiValueDict, key: str) -> Any:
        record.add(self, key)
        return get_item(self, key)

    def recording_getlist(self: MultiValueDict, key: str, *args: Any, **kwargs: Any) -> Any:
        record.add(self, key)
        return get_list(self, key, *args, **kwargs)

    def recording_contains(self: QueryDict, key: object) -> bool:
        record.add(self, key)
        return contains(self, key)

    MultiValueDict.__getitem__ = recording_getitem  # type: ignore[method-assign]
    MultiValueDict._getlist = recording_getlist  # type: ignore[method-assign]
    QueryDict.__contains__ = recording_contains  # type: ignore[method-assign,assignment]
    try:
        yield record
    finally:
        MultiValueDict.__getitem__ = get_item  # type: ignore[method-assign]
        MultiValueDict._getlist = get_list  # type: ignore[method-assign]
        QueryDict.__contains__ = contains  # type: ignore[method-assign]


class Failures:
    """What went wrong, collected over a whole walk so one run shows every route at fault."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._exception = ""
        got_request_exception.connect(self._on_exception)

    def _on_exception(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        self._exception = traceback.format_exc(limit=-3)

    def close(self) -> None:
        got_request_exception.disconnect(self._on_exception)

    def check(self, label: str, response: Any, *, expect: Callable[[Any], str | None]) -> None:
        problem = answer_problem(response) or expect(response)
        if problem:
            self.items.append(f"{label}: {problem}\n{self._exception}".strip())
        self._exception = ""

    def report(self) -> str:
        shown = "\n\n".join(self.items[:40])
        more = f"\n\n… and {len(self.items) - 40} more" if len(self.items) > 40 else ""
        return f"{len(self.items)} failures:\n\n{shown}{more}"


def answer_problem(response: Any) -> str | None:
    """Why an answer is wrong whatever was asked, or None: no 500, and every refusal is
    Chinese (an error page, or the API's {"code","message","fields"})."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if status < 400:
        return None
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        body = response.json()
        if not isinstance(body, dict) or set(body) != {"code", "message", "fields"}:
            return f"{status} without the error shape: {str(body)[:200]}"
        if not _CJK.search(body["message"]) or any(
            not _CJK.search(str(m)) for m in body["fields"].values()
        ):
            return f"{status} not in Chinese: {body}"
        return None
    text = response.content.decode("utf-8", "replace") if not response.streaming else ""
    if not _CJK.search(text):
        return f"{status} page not in Chinese: {text[:200]!r}"
    return None


def nothing_expected(response: Any) -> str | None:
    return None


def client_for(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def stored_refused_text() -> list[str]:
    """Every text value in the database holding a character core.text refuses (checked as
    multi-line text, the most lenient): the proof that nothing hostile got through."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("regulus."):
            continue
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not text_fields:
            continue
        for row in model._default_manager.values_list("pk", *text_fields):
            for name, value in zip(text_fields, row[1:], strict=True):
                for text in _strings(value):
                    char = refused_character(text, multiline=True)
                    if char is not None:
                        label = f"{model._meta.label}#{row[0]}.{name}"
                        found.append(f"{label} holds U+{ord(char):04X}: {text[:80]!r}")
    return found


def _strings(value: Any) -> Iterator[str]:
    """The strings of a column's value (a JSON value's keys and leaves included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@dataclass
class PageForm:
    """A form of a page as a browser would post it: its target, the values the page gives
    (hidden inputs, checked boxes, chosen options, the text already filled in), which of its
    fields a person types or chooses, and the named buttons that send it."""

    action: str
    values: dict[str, list[str]]
    typed: tuple[str, ...]
    buttons: tuple[tuple[str, str], ...]
    plain_submit: bool

    def submissions(self) -> list[dict[str, list[str]]]:
        """The page's values with hostile values in the typed fields (hostile_rounds), sent by
        each way of sending the form: its unnamed submit button, and a button of each name."""
        presses: list[dict[str, list[str]]] = [{}] if self.plain_submit or not self.buttons else []
        for name, value in dict(reversed(self.buttons)).items():
            presses.append({name: [value]})
        rounds = hostile_rounds(set(self.typed)) if self.typed else [{}]
        return [
            {**self.values, **{k: [v] for k, v in hostile.items()}, **press}
            for press in presses
            for hostile in rounds
        ]


class _FormParser(HTMLParser):
    TYPED = {"text", "search", "date", "number", "tel", "email", "url", "textarea", "select"}

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = a.get("action") or self.page_url
            self._form = {
                "action": action,
                "values": {},
                "typed": [],
                "buttons": [],
                "plain": False,
            }
        form = self._form
        submit = tag == "button" or (tag == "input" and a.get("type", "").lower() == "submit")
        if form is not None and submit and not a.get("name") and a.get("type") != "button":
            form["plain"] = True
        if form is not None and tag == "option" and self._select:
            values = form["values"]
            if "selected" in a or self._select not in values:
                values[self._select] = [a.get("value", "")]
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["values"].setdefault(name, []).append(a.get("value", "on"))
            elif kind in ("submit", "button", "image"):
                form["buttons"].append((name, a.get("value", "")))
            elif kind != "file":
                form["values"][name] = [a.get("value", "")]
                if kind in self.TYPED:
                    form["typed"].append(name)
        elif tag == "button":
            form["buttons"].append((name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = name
            form["values"][name] = [""]
            form["typed"].append(name)
        elif tag == "select":
            self._select = name
            form["typed"].append(name)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["values"][self._textarea] = [data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            f = self._form
            typed = tuple(dict.fromkeys(f["typed"]))
            self.forms.append(
                PageForm(f["action"], f["values"], typed, tuple(f["buttons"]), f["plain"])
            )
            self._form = None


def page_forms(response: Any, page_url: str) -> list[PageForm]:
    """The POST forms of an HTML answer."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    parser = _FormParser(page_url)
    parser.feed(response.content.decode("utf-8", "replace"))
    return parser.forms
