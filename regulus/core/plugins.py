"""How an app plugs itself into the platform: one declaration in the app's own folder.

Every installed app may have a module `extensions.py` that defines `extension`, an
`AppExtension` naming what the app adds to the platform::

    # regulus/licensing/extensions.py
    from regulus.core.plugins import AppExtension, Cards, NavEntry, Pages
    from regulus.licensing import api, selectors, urls

    extension = AppExtension(
        nav=(NavEntry("一件事一次办", "inboxes", "licensing:application_list", order=200),),
        cards=Cards(order=200, for_user=selectors.dashboard_cards),
        pages=Pages("licensing/", urls),
        api_router=api.router,
        ...
    )

`declarations()` imports the `extensions` module of every installed app, in INSTALLED_APPS
order, as Django's admin finds each app's `admin.py` and `regulus tick` each app's `sweeps.py`.
An app without the module adds nothing, an app not installed is never imported, and the kernel
(core, registry) never names an app above it. Adding an app is its folder and one line in
INSTALLED_APPS (docs/app-guide.md).

Who reads which part:
- `nav`: the staff shell's menu (core.navigation), sorted by section, then by `order`;
- `cards`: the home page's cards (core.selectors.dashboard_cards), sorted by `order`;
- `entity`: the registry's entity pages (permits, timeline, credit facts) and the entity's
  public page (its sections);
- `seeder`: `regulus seed_demo`, each seeder after the apps it names in `after`;
- `api_router`: the API at /api/v1/ (regulus/api.py), in INSTALLED_APPS order, so the
  OpenAPI document's order is stable;
- `pages`, `public_pages`: the URL conf (regulus/urls.py), and the error pages of requests
  under the prefix; `public_nav`: the portal's menu;
- `module`: the login page's list of installed modules;
- `exclusions`: entities to leave out of random selection, each with its ground (an open
  enforcement case): the app that draws (spot checks) applies every declared one.
Menu entries and cards are shown in the order they declare, never in import order: two
entries that claim the same place are a configuration error, raised at start-up.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_script_prefix
from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from ninja import Router

# The sections of the staff menu, top to bottom. A menu entry names one of them.
NAV_SECTIONS = ("工作台", "业务", "系统")


@dataclass(frozen=True)
class NavEntry:
    """One entry of the staff menu.

    icon: a Bootstrap Icons name without its "bi-" prefix ("inboxes").
    url_name: the page it opens ("licensing:application_list"), a URL without arguments.
    order: its place within its section; the first apps use hundreds (registry 100,
    licensing 200, …), so an app fits its entries between others without renumbering them.
    permission: the permission (core.permissions) a user needs to see it; empty = the one
    the page at url_name declares, so an entry and its page cannot disagree.
    """

    label: str
    icon: str
    url_name: str
    order: int
    section: str = "业务"
    permission: str = ""

    def __post_init__(self) -> None:
        if self.section not in NAV_SECTIONS:
            raise ValueError(f"menu entry {self.label!r}: unknown section {self.section!r}")


@dataclass(frozen=True)
class Card:
    """One figure on the home page: a count in the user's scope and the list it opens."""

    key: str  # unique on the page; the tests find the card by it (data-testid="stat-<key>")
    label: str
    value: int
    url: str


@dataclass(frozen=True)
class Cards:
    """An app's home-page cards: `for_user(user)` returns them (counts within the user's
    data scope; cheap, since the home page asks every app), placed by `order`."""

    order: int
    for_user: Callable[[Any], list[Card]]


@dataclass(frozen=True)
class Permit:
    """A licence or permit an entity holds, as its pages list them."""

    name: str  # the permitted item ("食品经营许可")
    kind: str  # how it was granted (许可, 备案, 告知承诺 …)
    number: str  # the certificate's number
    status: str  # 有效, 已撤销, 已过期 …
    valid_until: str = ""  # "" = no end (长期)
    url: str = ""  # where it is verified or read; "" if nowhere


@dataclass(frozen=True)
class CreditFact:
    """One fact of an entity's credit record, as the staff entity page lists it: a listing on
    the abnormal-operations or serious-dishonesty list and its removal, a penalty, a spot-check
    result, an annual report filed or missed, a credit repair. Newest first, by `on`."""

    on: dt.date  # when it took effect (the decision's, listing's or report's date)
    category: str  # 经营异常名录, 严重违法失信名单, 行政处罚, 抽查检查, 年度报告 …
    title: str  # one line: what and why ("列入：未按规定报送2025年度年度报告")
    authority: str  # who decided it (the unit's name)
    adverse: bool  # counts against the entity (a listing, a penalty): shown in red
    status: str = ""  # where it stands now: 在列, 已移出, 公示中, 已修复 …
    until: dt.date | None = None  # the end of its listing or publication, where a rule sets one
    number: str = ""  # the decision's document number
    url: str = ""  # the page staff read it on; "" if none


# A row of an entity's timeline, as core/_timeline.html shows it: "at" (an aware datetime),
# "actor_name", "unit_name", "title", optionally "detail" and "date_only" (the time unknown).
TimelineRow = dict[str, Any]


@dataclass(frozen=True)
class PublicSection:
    """A part of an entity's public page (the portal's 企业信息查询, as the national publicity
    system shows an enterprise): a titled table of what the law says is public, masked by the
    publication rules. `order` places it among the apps' sections (permits 100, annual
    reports 200, spot checks 300, penalties 400, listings 500 …)."""

    order: int
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    empty: str = "暂无"  # what the page says when there are no rows
    note: str = ""  # one line under the title: the rule it is published under, a period


@dataclass(frozen=True)
class EntityProviders:
    """What an app adds to the registry's entity pages. Each is a function of (entity, user).

    permits: the licences it granted. Also on the public entity page, called with user None:
    it returns then only what the public may see.
    timeline: its events about the entity, oldest first.
    credit_facts: the entity's credit facts it holds (staff entity page only).
    public_sections: a function of the entity alone: its sections of the entity's public
    page (never personal data unmasked, never what the rules keep from the public).
    """

    permits: Callable[[Any, Any], Iterable[Permit]] | None = None
    timeline: Callable[[Any, Any], Iterable[TimelineRow]] | None = None
    credit_facts: Callable[[Any, Any], Iterable[CreditFact]] | None = None
    public_sections: Callable[[Any], Iterable[PublicSection]] | None = None


class Seed(Protocol):
    def __call__(self, *, entities: int, log: Callable[[str], None]) -> object: ...


@dataclass(frozen=True)
class DemoSeeder:
    """An app's part of `regulus seed_demo`: `seed(entities=N, log=print)` loads its demo data
    once (a second run finds it and adds nothing). It runs after the seeders of the apps
    named in `after` (app labels), whose data it builds on."""

    seed: Seed
    after: tuple[str, ...] = ()


class ErrorPage(Protocol):
    def __call__(
        self, request: HttpRequest, status: int, title: str, exception: Exception | None
    ) -> HttpResponse: ...


@dataclass(frozen=True)
class Pages:
    """An app's pages: its URL module mounted at `prefix` ("licensing/"; "" for the kernel's).
    The module sets `app_name`, the namespace of its URL names. `error_page`, if given, shows
    the 403/404/500 of requests under the prefix in the app's own look (the public portal has
    no staff menu); other requests get the kernel's error page."""

    prefix: str
    urls: ModuleType
    error_page: ErrorPage | None = None


@dataclass(frozen=True)
class PublicNavEntry:
    """One entry of the public portal's menu: a page open to everyone, placed by `order`
    (the portal's own pages 100–400; an app's public pages after them)."""

    label: str
    url_name: str
    order: int


@dataclass(frozen=True)
class Module:
    """The app as the login page lists it among the installed modules. `public_url_name`: a
    page open to the public (the portal's home), linked from the login page."""

    name: str
    description: str
    public_url_name: str = ""


@dataclass(frozen=True)
class TargetExclusion:
    """Entities an app asks random selection to leave out (an entity under an open enforcement
    case is not drawn for a spot check while the case runs). `label` names the ground in
    Chinese (立案调查中); `entity_ids(on)` returns the ids of the entities excluded on the day
    `on` (the first check day): a queryset of ids (`.values("pk")` or `values_list("pk",
    flat=True)`, kept a subquery, so a million-row table is never read into memory) or any
    iterable of ints. Called each time a target list is built; it must not write."""

    label: str
    entity_ids: Callable[[dt.date], Iterable[int]]


@dataclass(frozen=True)
class AppExtension:
    """Everything an app adds to the platform. Each part is optional."""

    nav: tuple[NavEntry, ...] = ()
    cards: Cards | None = None
    entity: EntityProviders = EntityProviders()
    seeder: DemoSeeder | None = None
    api_router: Router | None = None
    pages: Pages | None = None
    # The app's pages for the public, mounted under the portal's prefix ("portal/checks/"):
    # they show their errors in the portal's look, and extend "portal/base.html".
    public_pages: Pages | None = None
    public_nav: tuple[PublicNavEntry, ...] = ()
    module: Module | None = None
    # Entities to leave out of random selection (read by the app that selects, e.g. spot
    # checks' target list), each with its ground.
    exclusions: tuple[TargetExclusion, ...] = ()


def declarations() -> dict[str, AppExtension]:
    """The installed apps' declarations by app label, in INSTALLED_APPS order."""
    return _load(tuple(config.name for config in apps.get_app_configs()))


@functools.cache
def _load(installed: tuple[str, ...]) -> dict[str, AppExtension]:
    # Keyed by the installed apps, so a test that changes INSTALLED_APPS sees its own set.
    found: dict[str, AppExtension] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "extensions"):
            continue
        module = importlib.import_module(f"{config.name}.extensions")
        extension = getattr(module, "extension", None)
        if not isinstance(extension, AppExtension):
            raise ImproperlyConfigured(
                f"{config.name}.extensions must define `extension = AppExtension(...)`"
            )
        found[config.label] = extension
    validate(found)
    return found


def validate(found: dict[str, AppExtension]) -> None:
    """Refuse, at start-up, declarations that would leave an order to chance: two menu
    entries of a section, two card groups or two page prefixes in one place (ordered by
    import order, or shadowing each other), and seeders after an unknown app or in a circle."""
    seeding_order(found)
    taken: dict[tuple[str, ...], str] = {}
    for label, extension in found.items():
        places: list[tuple[tuple[str, ...], str]] = [
            (("nav", e.section, str(e.order)), f"{label}: {e.label}") for e in extension.nav
        ]
        if extension.cards is not None:
            places.append((("cards", str(extension.cards.order)), f"{label}: cards"))
        for mount in (extension.pages, extension.public_pages):
            if mount is not None:
                places.append((("pages", mount.prefix), f"{label}: pages {mount.prefix}"))
        places += [
            (("public_nav", str(e.order)), f"{label}: {e.label}") for e in extension.public_nav
        ]
        for place, owner in places:
            if place in taken:
                raise ImproperlyConfigured(
                    f"{owner} and {taken[place]} claim the same place {place[1:]}"
                )
            taken[place] = owner


def nav_entries() -> list[NavEntry]:
    """Every app's menu entries, by section, then by their declared order."""
    entries = [entry for ext in declarations().values() for entry in ext.nav]
    return sorted(entries, key=lambda e: (NAV_SECTIONS.index(e.section), e.order))


def card_groups() -> list[Cards]:
    """Every app's home-page cards, in their declared order."""
    groups = [ext.cards for ext in declarations().values() if ext.cards is not None]
    return sorted(groups, key=lambda c: c.order)


def entity_providers() -> list[EntityProviders]:
    """Every app's entity-page providers, in INSTALLED_APPS order."""
    return [ext.entity for ext in declarations().values()]


def api_routers() -> list[Router]:
    return [ext.api_router for ext in declarations().values() if ext.api_router is not None]


def page_mounts() -> list[Pages]:
    """Every app's staff and public pages, in INSTALLED_APPS order."""
    return [
        mount
        for ext in declarations().values()
        for mount in (ext.pages, ext.public_pages)
        if mount is not None
    ]


def public_nav_entries() -> list[PublicNavEntry]:
    """The public portal's menu: every app's entries in their declared order."""
    entries = [entry for ext in declarations().values() for entry in ext.public_nav]
    return sorted(entries, key=lambda e: e.order)


def error_page_for(path: str) -> ErrorPage | None:
    """The error page of the app whose pages hold `path` (the longest matching prefix among
    the apps that show their own), or None for the kernel's."""
    root = get_script_prefix()
    owners = [p for p in page_mounts() if p.error_page and path.startswith(root + p.prefix)]
    if not owners:
        return None
    return max(owners, key=lambda p: len(p.prefix)).error_page


def target_exclusions() -> list[TargetExclusion]:
    """Every app's exclusions from random selection, in INSTALLED_APPS order."""
    return [item for ext in declarations().values() for item in ext.exclusions]


def modules() -> list[Module]:
    """The installed modules as the login page lists them, in INSTALLED_APPS order."""
    return [ext.module for ext in declarations().values() if ext.module is not None]


def demo_seeders() -> list[tuple[str, DemoSeeder]]:
    """(app label, seeder) in the order `regulus seed_demo` runs them."""
    return seeding_order(declarations())


def seeding_order(found: dict[str, AppExtension]) -> list[tuple[str, DemoSeeder]]:
    """The seeders, each after those of the apps it names in `after`; otherwise in the order
    of `found` (INSTALLED_APPS). An `after` naming an app that is not installed, or a cycle,
    is a configuration error."""
    seeders = {label: ext.seeder for label, ext in found.items() if ext.seeder is not None}
    for label, seeder in seeders.items():
        for before in seeder.after:
            if before not in found:
                raise ImproperlyConfigured(
                    f"{label}'s demo seeder runs after {before!r}, which is not an installed app"
                )
    ordered: list[tuple[str, DemoSeeder]] = []
    done: set[str] = set()
    while len(ordered) < len(seeders):
        ready = [
            label
            for label, seeder in seeders.items()
            if label not in done and all(b in done or b not in seeders for b in seeder.after)
        ]
        if not ready:
            waiting = sorted(set(seeders) - done)
            raise ImproperlyConfigured(f"demo seeders wait for each other: {waiting}")
        done.add(ready[0])
        ordered.append((ready[0], seeders[ready[0]]))
    return ordered
