"""Reads of 投诉举报 that pages and the API serve, always through the data scope. Personal data
of the complainant or reporter never leaves here unmasked: lists, exports, the entity page
and the public side read `person_masked`; only services.identity_reveal returns it whole."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse

from regulus.complaints.models import (
    FINAL_STATES,
    Item,
    OdrMember,
    ReporterNotice,
    RoutingRule,
    RuleVersion,
    Transfer,
)
from regulus.complaints.workflow import ITEM_FLOW
from regulus.core import clock, permissions
from regulus.core.clock_selectors import DUE_SOON, OVERDUE, due, with_overdue_flag
from regulus.core.masking import mask_person_name, mask_phone
from regulus.core.models import Clock, ClockRule
from regulus.core.plugins import Card, TimelineRow
from regulus.registry.rules import DISTRICTS

VIEW = "complaints.item_view"
S = Item.State


def person_masked(item: Item) -> str:
    """The complainant as lists show them: 匿名, or masked name and phone."""
    if item.anonymous:
        return "匿名"
    parts = [
        mask_person_name(item.person_name) if item.person_name else "",
        mask_phone(item.person_phone) if item.person_phone else "",
    ]
    return " ".join(p for p in parts if p) or "—"


def items_for(
    user: Any,
    *,
    state: str = "",
    kind: str = "",
    category: str = "",
    district: str = "",
    q: str = "",
    when: str = "",
    open_only: bool = False,
) -> QuerySet[Item]:
    items: QuerySet[Item] = Item.objects.visible_to(user)
    if state:
        items = items.filter(state=state)
    if kind:
        items = items.filter(kind=kind)
    if category:
        items = items.filter(category=category)
    if district:
        items = items.filter(district_code=district)
    if open_only:
        items = items.exclude(state__in=FINAL_STATES)
    if q:
        items = items.filter(
            Q(number=q.upper()) | Q(respondent_name__contains=q) | Q(respondent_uscc=q.upper())
        )
    if when in (OVERDUE, DUE_SOON):
        items = due(items, workflow=ITEM_FLOW, when=when)
    else:
        items = items.order_by("-received_at", "-pk")
    items = with_overdue_flag(items, workflow=ITEM_FLOW)
    # Lists show the complainant masked (name and phone, decrypted per row): the ID number
    # and the long texts are not read.
    return items.select_related("unit").defer("person_id_number", "facts", "request_text")


def dispatch_queue(user: Any) -> QuerySet[Item]:
    """The dispatcher's queue: items waiting to be routed in their scope, oldest first."""
    items = Item.objects.visible_to(user).filter(state=S.REGISTERED)
    return (
        with_overdue_flag(items, workflow=ITEM_FLOW)
        .select_related("unit")
        .order_by("received_at", "pk")
    )


def transfers_of(item: Item) -> list[Transfer]:
    return list(item.transfers.select_related("from_unit", "to_unit"))


def match_candidates(item: Item, user: Any, limit: int = 5) -> list[Any]:
    """Registered entities whose names match the respondent's as given (the registry's name
    search, in the user's scope), for the handler to confirm; none once matched."""
    from django.core.exceptions import ValidationError

    from regulus.registry import selectors as registry

    if item.entity_id is not None or len(item.respondent_name) < 2:
        return []
    try:
        filters = registry.EntityFilters.from_params({"q": item.respondent_name[:50]})
        found = registry.entity_search(user=user, filters=filters, per_page=limit, with_count=False)
    except ValidationError:
        return []
    return list(found.entities[:limit])


def respondent_history(item: Item, user: Any, limit: int = 10) -> list[Item]:
    """Other items in the user's scope against the same respondent (the registered entity,
    else the same name), newest first."""
    others = Item.objects.visible_to(user).exclude(pk=item.pk)
    if item.entity_id is not None:
        others = others.filter(entity_id=item.entity_id)
    elif item.respondent_name:
        others = others.filter(respondent_name=item.respondent_name)
    else:
        return []
    return list(others.order_by("-received_at", "-pk")[:limit])


def clusters(user: Any, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Respondents with COMPLAINTS_CLUSTER_THRESHOLD or more items in the user's scope
    received in the last COMPLAINTS_CLUSTER_DAYS days (by registered entity, else by the name
    given), most first: the cluster alert."""
    from django.conf import settings

    today = today or clock.today()
    since = today - dt.timedelta(days=settings.COMPLAINTS_CLUSTER_DAYS)
    rows = (
        Item.objects.visible_to(user)
        .filter(received_on__gt=since, received_on__lte=today)
        .exclude(respondent_name="")
        .order_by()
        .values("respondent_name", "entity_id")
        .annotate(count=Count("pk"))
        .filter(count__gte=settings.COMPLAINTS_CLUSTER_THRESHOLD)
        .order_by("-count", "respondent_name")
    )
    return [dict(r) for r in rows[:50]]


def dashboard_cards(user: Any) -> list[Card]:
    """Home cards: items waiting for dispatch (dispatchers) and overdue items in scope."""
    if not permissions.allows(user, VIEW):
        return []
    url = reverse("complaints:item_list")
    scoped = Item.objects.visible_to(user)
    cards = []
    if permissions.allows(user, "complaints.item_dispatch"):
        cards.append(
            Card(
                "complaints-queue",
                "投诉举报待分派",
                scoped.filter(state=S.REGISTERED).count(),
                reverse("complaints:dispatch_queue"),
            )
        )
    found = clusters(user)
    if found:
        cards.append(
            Card("complaints-cluster", "投诉举报聚集预警", len(found), reverse("complaints:stats"))
        )
    cards.append(
        Card(
            "complaints-overdue",
            "投诉举报超期件",
            due(scoped, workflow=ITEM_FLOW, when=OVERDUE).count(),
            f"{url}?when=overdue",
        )
    )
    return cards


def entity_timeline(entity: Any, user: Any) -> list[TimelineRow]:
    """The complaints and reports about the entity on its staff page: kind, category, state;
    never who filed them."""
    if not permissions.allows(user, VIEW):
        return []
    items = Item.objects.visible_to(user).filter(entity=entity).order_by("received_at", "pk")
    return [
        {
            "at": i.received_at,
            "actor_name": "12315",
            "unit_name": "",
            "title": f"{i.get_kind_display()}（{i.get_category_display()}）{i.number}："
            f"{i.get_state_display()}",
        }
        for i in items[:200]
    ]


# Clock rules of the 12315 platform, not of Order 20 or 121: the rule page lists them apart.
PLATFORM_RULES = ("complaints.odr",)


def platform_rules() -> list[dict[str, Any]]:
    """The 12315 platform's own clock rules (ODR), each version, 待核实 marked."""
    rows = ClockRule.objects.filter(code__in=PLATFORM_RULES).order_by("code", "-effective_from")
    return [{"rule": r, "unconfirmed": "待核实" in r.note} for r in rows]


def rule_versions() -> list[dict[str, Any]]:
    """The rule page: each version with the clock rules in force on its first day, the
    figures not yet confirmed by the official text marked (待核实)."""
    rules = list(
        ClockRule.objects.filter(code__startswith="complaints.")
        .exclude(code__in=PLATFORM_RULES)
        .order_by("code", "-effective_from")
    )
    result = []
    for version in RuleVersion.objects.order_by("valid_from"):
        clocks = []
        for code in dict.fromkeys(r.code for r in rules):
            rule = next(
                (r for r in rules if r.code == code and r.effective_from <= version.valid_from),
                None,
            )
            if rule is not None:
                unconfirmed = code in version.unconfirmed or "待核实" in rule.note
                clocks.append({"rule": rule, "unconfirmed": unconfirmed})
        result.append({"version": version, "clocks": clocks})
    return result


# -- counting ----------------------------------------------------------------------------------


def stats(user: Any, *, since: dt.date, until: dt.date) -> dict[str, Any]:
    """Items received in [since, until] in the user's scope: received, accepted, on-time rate
    (open overdue items count as late), satisfaction, by category and by district."""
    items = Item.objects.visible_to(user).filter(received_on__gte=since, received_on__lte=until)
    today = clock.today()
    total = items.count()
    accepted = items.filter(accepted_at__isnull=False).count()
    closed = items.filter(state__in=FINAL_STATES)
    closed_in_time = closed.filter(closed_in_time=True).count()
    closed_late = closed.filter(closed_in_time=False).count()
    open_overdue = items.exclude(state__in=FINAL_STATES).filter(deadline__lt=today).count()
    judged = closed_in_time + closed_late + open_overdue
    rated = items.filter(rating__isnull=False)
    satisfied = rated.filter(rating__gte=4).count()
    rated_count = rated.count()
    money = closed.aggregate(total=Sum("money_recovered_fen"))["total"] or 0
    odr = odr_counts(items)

    def grouped(field: str, labels: dict[str, str]) -> list[dict[str, Any]]:
        rows = (
            items.order_by()
            .values(field)
            .annotate(
                received=Count("pk"),
                accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
                closed=Count("pk", filter=Q(state__in=FINAL_STATES)),
                in_time=Count("pk", filter=Q(closed_in_time=True)),
            )
            .order_by("-received")
        )
        return [
            {
                "key": r[field],
                "label": labels.get(r[field], r[field]),
                **{k: r[k] for k in ("received", "accepted", "closed", "in_time")},
            }
            for r in rows
        ]

    return {
        "since": since,
        "until": until,
        "received": total,
        "accepted": accepted,
        "closed": closed.count(),
        "on_time_rate": round(100 * closed_in_time / judged, 1) if judged else None,
        "open_overdue": open_overdue,
        "satisfaction_rate": round(100 * satisfied / rated_count, 1) if rated_count else None,
        "rated": rated_count,
        "money_recovered": money / 100,
        **odr,
        "by_category": grouped("category", dict(Item.Category.choices)),
        "by_district": grouped("district_code", DISTRICTS),
        "by_kind": grouped("kind", dict(Item.Kind.choices)),
    }


def odr_counts(items: QuerySet[Item]) -> dict[str, Any]:
    """The complaints that went to the business's ODR: how many, settled, still running, the
    settled rate (of those ended) and the money the settlements recovered."""
    odr = items.filter(odr_member__isnull=False).aggregate(
        total=Count("pk"),
        settled=Count("pk", filter=Q(state=S.ODR_SETTLED)),
        running=Count("pk", filter=Q(state=S.ODR)),
        money=Sum("money_recovered_fen", filter=Q(state=S.ODR_SETTLED)),
    )
    ended = odr["total"] - odr["running"]
    return {
        "odr_total": odr["total"],
        "odr_settled": odr["settled"],
        "odr_running": odr["running"],
        "odr_settled_rate": round(100 * odr["settled"] / ended, 1) if ended else None,
        "odr_money_recovered": (odr["money"] or 0) / 100,
    }


def odr_members(user: Any, *, active_only: bool = False) -> QuerySet[OdrMember]:
    """The ODR units in the user's scope, current ones first."""
    members = OdrMember.objects.visible_to(user).select_related("entity", "unit")
    if active_only:
        members = members.filter(left_on__isnull=True)
    return members.annotate(
        running=Count("items", filter=Q(items__state=S.ODR)),
        handled=Count("items"),
    ).order_by(F("left_on").desc(nulls_first=True), "-joined_on", "-pk")


def yuan(fen: int | None) -> str | None:
    """An amount in fen as yuan with its two decimals ("399.00"), or None."""
    return f"{fen / 100:.2f}" if fen else None


def _odr_runs(ids: list[int]) -> dict[int, Clock]:
    """The latest ODR clock of each item, in one query."""
    from django.contrib.contenttypes.models import ContentType

    runs = Clock.objects.filter(
        content_type=ContentType.objects.get_for_model(Item), object_id__in=ids, name="odr"
    ).order_by("started_at", "pk")
    return {int(run.object_id): run for run in runs}  # the latest run of an item wins


def odr_stages(items: list[Item]) -> dict[int, dict[str, Any]]:
    """Each item's ODR stage as its pages show it: the business, its period and its answer;
    items that never went to ODR are left out. One query for the clocks of them all."""
    sent = [item for item in items if item.odr_member_id is not None]
    runs = _odr_runs([item.pk for item in sent])
    return {item.pk: _odr_stage(item, runs.get(item.pk)) for item in sent}


def odr_stage(item: Item) -> dict[str, Any] | None:
    return odr_stages([item]).get(item.pk)


def _odr_stage(item: Item, run: Clock | None) -> dict[str, Any]:
    member = item.odr_member
    return {
        "member": member,
        "entity_name": member.entity.name if member is not None else item.respondent_name,
        "started_on": run.start_date if run else None,
        "due": run.due_date if run else None,
        "provisional": bool(run and run.provisional),
        "running": item.state == S.ODR,
        "result": item.get_odr_result_display(),
        "note": item.odr_note,
        "answered_at": item.odr_answered_at,
        "answered_by": item.odr_answered_by,
        "recovered": yuan(item.money_recovered_fen)
        if item.state == S.ODR_SETTLED and item.money_recovered_fen
        else None,
    }


def odr_items_of(entity: Any) -> list[Item]:
    """The business's side (portal): the complaints in its ODR, then those it answered in
    the last 90 days."""
    since = clock.now() - dt.timedelta(days=90)
    return list(
        Item.objects.filter(entity=entity, odr_member__isnull=False)
        .filter(Q(state=S.ODR) | Q(odr_answered_at__gte=since))
        .select_related("unit", "odr_member__entity")
        .order_by(F("odr_answered_at").desc(nulls_first=True), "received_at", "pk")[:200]
    )


def export_rows(user: Any, *, since: dt.date, until: dt.date) -> list[list[Any]]:
    """The rows of the .xlsx export: no personal data of the complainant or reporter."""
    items = (
        Item.objects.visible_to(user)
        .filter(received_on__gte=since, received_on__lte=until)
        .select_related("unit")
        .order_by("received_at", "pk")
    )
    return [
        [
            i.number,
            i.get_kind_display(),
            i.get_channel_display(),
            i.get_category_display(),
            DISTRICTS.get(i.district_code, i.district_code),
            i.respondent_name,
            i.unit.name,
            i.get_state_display(),
            f"{i.received_on:%Y-%m-%d}",
            f"{i.deadline:%Y-%m-%d}" if i.deadline else "",
            {True: "是", False: "否", None: ""}[i.closed_in_time],
            i.rating or "",
        ]
        for i in items.iterator()
    ]


EXPORT_HEADER = [
    "受理编号",
    "类型",
    "来源渠道",
    "所属领域",
    "区县",
    "被投诉举报对象",
    "承办单位",
    "状态",
    "收到日期",
    "当前期限",
    "按期办结",
    "满意度",
]


def last_events(ids: list[int]) -> dict[int, dt.datetime]:
    """The time of each item's latest event (the feed's updated_datetime), one query."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max

    from regulus.core.models import TransitionEvent

    if not ids:
        return {}
    rows = (
        TransitionEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Item),
            object_id__in=[str(i) for i in ids],
        )
        .values("object_id")
        .annotate(last=Max("at"))
    )
    return {int(r["object_id"]): r["last"] for r in rows}


def routing_rules() -> QuerySet[RoutingRule]:
    """The routing table, city-wide configuration (not scoped: every unit routes by it)."""
    return RoutingRule.objects.select_related("unit").order_by("district_code", "category")


def notices_due(user: Any) -> QuerySet[ReporterNotice]:
    """Named reporters still to be told of the decision, in the user's scope."""
    return (
        ReporterNotice.objects.visible_to(user)
        .filter(state=ReporterNotice.State.DUE)
        .select_related("item", "unit")
        .order_by("deadline", "id")
    )


# -- similar items against the same respondent ------------------------------------------------

_NOT_TEXT = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    """The character bigrams of a text, punctuation and spaces removed, Latin letters folded:
    Chinese has no word boundaries, so two characters are the unit that matches
    "假冒立白洗衣液" with "立白洗衣液是假的" (no external service)."""
    letters = _NOT_TEXT.sub("", text or "").lower()
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def similarity(a: set[str], b: set[str]) -> float:
    """Dice's coefficient of two bigram sets: 1.0 the same, 0.0 nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class Similar:
    item: Item
    percent: int


def similar_items(user: Any, items: Iterable[Item]) -> dict[int, list[Similar]]:
    """For each item, the others in the user's scope against the same respondent (the
    registered entity, else the name given) received within COMPLAINTS_SIMILAR_DAYS either
    side whose facts are alike (COMPLAINTS_SIMILAR_PERCENT or more), most alike first: what
    the dispatcher sees before routing. One query for a whole page of items."""
    from django.conf import settings

    items = list(items)
    if not items:
        return {}
    days = dt.timedelta(days=settings.COMPLAINTS_SIMILAR_DAYS)
    floor = settings.COMPLAINTS_SIMILAR_PERCENT / 100
    entities = {i.entity_id for i in items if i.entity_id}
    names = {i.respondent_name for i in items if not i.entity_id and i.respondent_name}
    since = min(i.received_on for i in items) - days
    until = max(i.received_on for i in items) + days
    candidates = list(
        Item.objects.visible_to(user)
        .filter(received_on__gte=since, received_on__lte=until)
        .filter(Q(entity_id__in=entities) | Q(entity__isnull=True, respondent_name__in=names))
        .only("pk", "number", "kind", "state", "received_on", "facts", "entity_id",
              "respondent_name")
        .order_by("received_on", "pk")[:2000]
    )  # fmt: skip
    grams = {c.pk: bigrams(c.facts) for c in candidates}
    found: dict[int, list[Similar]] = {}
    for item in items:
        mine = bigrams(item.facts)
        same = [
            c
            for c in candidates
            if c.pk != item.pk
            and abs((c.received_on - item.received_on).days) <= days.days
            and (
                c.entity_id == item.entity_id
                if item.entity_id
                else (c.entity_id is None and c.respondent_name == item.respondent_name)
            )
        ]
        scored = [Similar(c, round(100 * similarity(mine, grams[c.pk]))) for c in same]
        alike = [s for s in scored if s.percent >= floor * 100]
        if alike:
            found[item.pk] = sorted(alike, key=lambda s: (-s.percent, s.item.pk))[:10]
    return found
