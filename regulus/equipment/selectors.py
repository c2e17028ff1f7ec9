"""Reads of 特种设备 that pages and the API serve, always through the data scope (the public
tag check reads one item by its tag code and shows only what the tag shows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from regulus.core import clock
from regulus.core.ids import division_name
from regulus.core.permissions import allows
from regulus.core.plugins import Card, Permit, TimelineRow
from regulus.equipment.models import (
    TAG_ALPHABET,
    TAG_LENGTH,
    Campaign,
    Category,
    Compound,
    Equipment,
    FieldCheck,
    Hazard,
    Inspection,
    IntervalRule,
    KeyUnit,
    Maintenance,
    Order,
    OverdueWarning,
)
from regulus.equipment.services import rule_days

VIEW = "equipment.equipment_view"
CHECK_VIEW = "equipment.check_view"
DUE, OVERDUE = "due", "overdue"
WHEN_LABELS = {DUE: "30日内到期", OVERDUE: "超期未检"}
FLEET_ON_PAGE = 20
LIST_FIELDS = (
    "tag_code",
    "category",
    "kind",
    "registration_number",
    "district_code",
    "address",
    "status",
    "last_inspected_on",
    "last_result",
    "next_due_on",
    "overdue",
    "registration_deadline",
    "using_entity__uscc",
    "using_entity__name",
    "compound__name",
)


def due_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Today and the last day of the due-soon window (the inspection request's lead time)."""
    today = today or clock.today()
    return today, today + dt.timedelta(days=rule_days("equipment.inspection_request", today))


def _when_filter(when: str, today: dt.date) -> Q:
    if when == OVERDUE:
        return Q(status=Equipment.Status.IN_USE, next_due_on__lt=today)
    if when == DUE:
        _today, until = due_window(today)
        return Q(status=Equipment.Status.IN_USE, next_due_on__gte=today, next_due_on__lte=until)
    return Q()


def equipment_list(
    *,
    user: Any,
    when: str = "",
    district: str = "",
    compound: int | None = None,
    using_entity: int | None = None,
    category: str = "",
    status: str = "",
    q: str = "",
) -> QuerySet[Equipment]:
    """The register in the user's scope, by due date (the district lists' query: an index
    range on (district, status, next_due_on, id))."""
    rows = Equipment.objects.visible_to(user).filter(_when_filter(when, clock.today()))
    if district:
        rows = rows.filter(district_code=district)
    if compound:
        rows = rows.filter(compound_id=compound)
    if using_entity:
        rows = rows.filter(using_entity_id=using_entity)
    if category in Category.values:
        rows = rows.filter(category=category)
    if status in Equipment.Status.values:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(
            Q(registration_number__startswith=q.upper())
            | Q(tag_code=q.upper())
            | Q(using_entity__name__contains=q)
        )
    # Only the columns the lists, the API and the export show: the entity's sealed ID number
    # is then never decrypted for a row, and the query compiles and reads less.
    rows = rows.select_related("using_entity", "compound").only(*LIST_FIELDS)
    return rows.order_by("next_due_on", "id")


def equipment_get(user: Any, pk: int) -> Equipment:
    rows = Equipment.objects.select_related(
        "using_entity", "maintenance_entity", "compound", "unit"
    )
    return rows.get_visible_or_404(user, pk=pk)


def equipment_history(equipment: Equipment) -> dict[str, Any]:
    return {
        "inspections": list(Inspection.objects.filter(equipment=equipment)[:50]),
        "maintenances": list(Maintenance.objects.filter(equipment=equipment)[:50]),
        "warnings": list(
            OverdueWarning.objects.filter(equipment=equipment).order_by("-due_on")[:20]
        ),
        "hazards": list(Hazard.objects.filter(equipment=equipment).select_related("field_check")),
        "orders": list(equipment.orders.order_by("-issued_on")),
    }


def grouped_counts(*, user: Any, when: str, by: str) -> list[dict[str, Any]]:
    """Due or overdue counts by district, compound or using unit (the top 50)."""
    field = {
        "district": "district_code",
        "compound": "compound__name",
        "entity": "using_entity__name",
    }[by]
    key = {"district": "district_code", "compound": "compound_id", "entity": "using_entity_id"}[by]
    rows = (
        Equipment.objects.visible_to(user)
        .filter(_when_filter(when, clock.today()))
        .exclude(**{f"{key}__isnull": True})
        .values(key, field)
        .annotate(n=Count("*"))
        .order_by("-n", key)[:50]
    )
    out = []
    for r in rows:
        label = division_name(r[field]) or r[field] if by == "district" else r[field]
        out.append({"key": r[key], "label": label, "n": r["n"]})
    return out


def warnings_open(user: Any) -> QuerySet[OverdueWarning]:
    return (
        OverdueWarning.objects.visible_to(user)
        .filter(resolved_on__isnull=True)
        .select_related("equipment", "equipment__using_entity")
        .order_by("due_on", "id")
    )


def registration_pending(user: Any) -> QuerySet[Equipment]:
    """Items in use not yet registered, by their use-registration deadline (the clock's date;
    those past it first)."""
    return (
        Equipment.objects.visible_to(user)
        .filter(registration_number__isnull=True, registration_deadline__isnull=False)
        .exclude(status=Equipment.Status.SCRAPPED)
        .select_related("using_entity")
        .order_by("registration_deadline", "id")
    )


def maintenance_overdue_list(user: Any) -> QuerySet[Equipment]:
    return (
        Equipment.objects.visible_to(user)
        .filter(category=Category.LIFT, status=Equipment.Status.IN_USE, maintenance_overdue=True)
        .select_related("using_entity", "maintenance_entity", "compound")
        .order_by("last_maintained_on", "id")
    )


def late_maintenances(user: Any) -> QuerySet[Maintenance]:
    return (
        Maintenance.objects.visible_to(user)
        .filter(late=True)
        .select_related("equipment", "equipment__using_entity")
        .order_by("-done_on", "-id")
    )


def interval_rules() -> QuerySet[IntervalRule]:
    return IntervalRule.objects.order_by("category", "-effective_from")


# -- checks, hazards, orders ---------------------------------------------------------------


def check_list(*, user: Any, kind: str = "") -> QuerySet[FieldCheck]:
    rows = FieldCheck.objects.visible_to(user).select_related("entity", "campaign")
    if kind in FieldCheck.Kind.values:
        rows = rows.filter(kind=kind)
    return rows.annotate(hazard_count=Count("hazards")).order_by("-checked_on", "-id")


def check_get(user: Any, number: str) -> FieldCheck:
    rows = FieldCheck.objects.select_related("entity", "unit", "campaign", "compound")
    return rows.get_visible_or_404(user, number=number)


def order_get(user: Any, number: str) -> Order:
    rows = Order.objects.select_related("entity", "unit", "field_check")
    return rows.get_visible_or_404(user, number=number)


def hazard_get(user: Any, pk: int) -> Hazard:
    rows = Hazard.objects.select_related("field_check", "field_check__entity", "equipment")
    return rows.get_visible_or_404(user, pk=pk)


def hazard_list(*, user: Any, state: str = "") -> QuerySet[Hazard]:
    rows = Hazard.objects.visible_to(user).select_related(
        "field_check", "field_check__entity", "equipment"
    )
    if state in Hazard.State.values:
        rows = rows.filter(state=state)
    return rows.order_by("state", "deadline", "id")


def order_list(*, user: Any, state: str = "") -> QuerySet[Order]:
    rows = Order.objects.visible_to(user).select_related("entity", "field_check")
    if state in Order.State.values:
        rows = rows.filter(state=state)
    return rows.order_by("-issued_on", "-id")


def key_unit_entity_ids(*, reasons: tuple[str, ...] = ()) -> set[int]:
    """The entities on the key-unit list (with any of the reasons, when given): what a spot
    check's draw can weight (Order 57: key units get higher draw ratios). One indexed read."""
    rows = KeyUnit.objects.all()
    ids = set(rows.values_list("entity_id", flat=True))
    if reasons:
        wanted = set(reasons)
        ids = {k.entity_id for k in rows.only("entity_id", "reasons") if wanted & set(k.reasons)}
    return ids


def key_units(user: Any) -> QuerySet[KeyUnit]:
    return KeyUnit.objects.visible_to(user).select_related("entity").order_by("-listed_on", "id")


# -- campaigns -----------------------------------------------------------------------------


@dataclass
class CompoundProgress:
    compound: Compound
    lifts: int
    checked: int
    hazards: int
    removed: int
    stopped: int

    @property
    def done(self) -> bool:
        return self.lifts > 0 and self.checked >= self.lifts


def campaign_list(user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.visible_to(user)
        .annotate(compound_count=Count("compounds"))
        .order_by("-starts_on", "-id")
    )


def campaign_get(user: Any, pk: int) -> Campaign:
    return Campaign.objects.get_visible_or_404(user, pk=pk)


def campaign_progress(campaign: Campaign) -> dict[str, Any]:
    """Per compound: its lifts, those seen by a check of the campaign, the hazards found and
    removed, the lifts stopped; a compound is done when every lift in it was checked."""
    compounds = list(campaign.compounds.order_by("district_code", "name"))
    ids = [c.pk for c in compounds]
    lifts = dict(
        Equipment.objects.filter(compound_id__in=ids, category=campaign.category)
        .exclude(status=Equipment.Status.SCRAPPED)
        .values_list("compound_id")
        .annotate(n=Count("*"))
    )
    stopped = dict(
        Equipment.objects.filter(
            compound_id__in=ids, category=campaign.category, status=Equipment.Status.STOPPED
        )
        .values_list("compound_id")
        .annotate(n=Count("*"))
    )
    checked = dict(
        Equipment.objects.filter(checks__campaign=campaign, compound_id__in=ids)
        .values_list("compound_id")
        .annotate(n=Count("id", distinct=True))
    )
    hazards = Hazard.objects.filter(field_check__campaign=campaign)
    found = dict(hazards.values_list("field_check__compound_id").annotate(n=Count("*")))
    removed = dict(
        hazards.filter(state=Hazard.State.REMOVED)
        .values_list("field_check__compound_id")
        .annotate(n=Count("*"))
    )
    rows = [
        CompoundProgress(
            c,
            lifts.get(c.pk, 0),
            checked.get(c.pk, 0),
            found.get(c.pk, 0),
            removed.get(c.pk, 0),
            stopped.get(c.pk, 0),
        )
        for c in compounds
    ]
    totals = {
        "compounds": len(rows),
        "done": sum(r.done for r in rows),
        "lifts": sum(r.lifts for r in rows),
        "checked": sum(r.checked for r in rows),
        "hazards": sum(r.hazards for r in rows),
        "removed": sum(r.removed for r in rows),
        "stopped": sum(r.stopped for r in rows),
    }
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["电梯", "已检查", "隐患", "已消除"]},
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [r.compound.name for r in rows]},
        "series": [
            {"name": "电梯", "type": "bar", "data": [r.lifts for r in rows]},
            {"name": "已检查", "type": "bar", "data": [r.checked for r in rows]},
            {"name": "隐患", "type": "bar", "data": [r.hazards for r in rows]},
            {"name": "已消除", "type": "bar", "data": [r.removed for r in rows]},
        ],
    }
    return {"rows": rows, "totals": totals, "chart": chart}


# -- counting ------------------------------------------------------------------------------


def stats(*, user: Any, since: dt.date, until: dt.date) -> dict[str, Any]:
    """What the year-end report counts, in the user's scope, over [since, until]."""
    checks = FieldCheck.objects.visible_to(user).filter(checked_on__range=(since, until))
    orders = Order.objects.visible_to(user).filter(issued_on__range=(since, until))
    hazards = Hazard.objects.visible_to(user)
    equipment = Equipment.objects.visible_to(user)
    today = clock.today()
    by_district = list(
        equipment.values("district_code")
        .annotate(
            total=Count("*"),
            in_use=Count("id", filter=Q(status=Equipment.Status.IN_USE)),
            overdue=Count("id", filter=Q(status=Equipment.Status.IN_USE, next_due_on__lt=today)),
            stopped=Count("id", filter=Q(status=Equipment.Status.STOPPED)),
        )
        .order_by("district_code")
    )
    for row in by_district:
        row["label"] = division_name(row["district_code"]) or row["district_code"]
    by_category = list(equipment.values("category").annotate(total=Count("*")).order_by("category"))
    labels = dict(Category.choices)
    for row in by_category:
        row["label"] = labels.get(row["category"], row["category"])
    figures = {
        "units_checked": checks.values("entity_id").distinct().count(),
        "checks": checks.count(),
        "rectify_orders": orders.filter(kind=Order.Kind.RECTIFY).count(),
        "stop_orders": orders.filter(kind=Order.Kind.STOP).count(),
        "hazards_found": hazards.filter(found_on__range=(since, until)).count(),
        "hazards_removed": hazards.filter(removed_on__range=(since, until)).count(),
        "escalated": hazards.filter(found_on__range=(since, until), escalated=True).count(),
        "stopped": equipment.filter(status=Equipment.Status.STOPPED).count(),
    }
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["在用", "超期未检", "停用"]},
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [r["label"] for r in by_district]},
        "series": [
            {"name": "在用", "type": "bar", "data": [r["in_use"] for r in by_district]},
            {"name": "超期未检", "type": "bar", "data": [r["overdue"] for r in by_district]},
            {"name": "停用", "type": "bar", "data": [r["stopped"] for r in by_district]},
        ],
    }
    return {
        "figures": figures,
        "by_district": by_district,
        "by_category": by_category,
        "chart": chart,
    }


# -- plug-ins ------------------------------------------------------------------------------


def dashboard_cards(user: Any) -> list[Card]:
    """Overdue and due-soon items and open hazards in scope (indexed counts)."""
    if not allows(user, VIEW):
        return []
    url = reverse("equipment:equipment_list")
    scoped = Equipment.objects.visible_to(user)
    today = clock.today()
    cards = [
        Card(
            "equipment-overdue",
            "特种设备超期未检",
            scoped.filter(_when_filter(OVERDUE, today)).count(),
            f"{url}?when=overdue",
        ),
        Card(
            "equipment-due",
            "特种设备30日内到期",
            scoped.filter(_when_filter(DUE, today)).count(),
            f"{url}?when=due",
        ),
    ]
    if allows(user, CHECK_VIEW):
        open_hazards = Hazard.objects.visible_to(user).filter(state=Hazard.State.OPEN).count()
        cards.append(
            Card(
                "equipment-hazards",
                "特种设备未消除隐患",
                open_hazards,
                reverse("equipment:hazard_list"),
            )
        )
    return cards


def _fleet_status(item: Equipment, today: dt.date) -> str:
    state = item.public_status(today)
    return {
        "valid": "在检验有效期内",
        "overdue": "超期未检",
        "stopped": "停用",
        "scrapped": "报废",
    }[state]


def entity_fleet(entity: Any, user: Any) -> list[Permit]:
    """The using unit's fleet on its staff entity page, as its use-registration certificates
    (the first 20 by due date, then one line linking to the whole list)."""
    if user is None or not allows(user, VIEW):
        return []
    rows = (
        Equipment.objects.visible_to(user)
        .filter(using_entity=entity)
        .exclude(status=Equipment.Status.SCRAPPED)
        .order_by("next_due_on", "id")
    )
    today = clock.today()
    items = list(rows[: FLEET_ON_PAGE + 1])
    permits = [
        Permit(
            name=f"特种设备使用登记（{item.get_category_display()}）",
            kind="登记",
            number=item.registration_number or "未登记",
            status=_fleet_status(item, today),
            valid_until=f"{item.next_due_on:%Y-%m-%d}" if item.next_due_on else "",
            url=item.get_absolute_url(),
        )
        for item in items[:FLEET_ON_PAGE]
    ]
    if len(items) > FLEET_ON_PAGE:
        total = rows.count()
        permits.append(
            Permit(
                name=f"特种设备共{total}台（仅列前{FLEET_ON_PAGE}台）",
                kind="台账",
                number="",
                status="",
                url=f"{reverse('equipment:equipment_list')}?entity={entity.pk}",
            )
        )
    return permits


def entity_timeline(entity: Any, user: Any) -> list[TimelineRow]:
    """The entity's field checks on its timeline."""
    if not allows(user, CHECK_VIEW):
        return []
    checks = FieldCheck.objects.visible_to(user).filter(entity=entity).annotate(n=Count("hazards"))
    return [
        {
            "at": c.created_at,
            "actor_name": c.inspectors,
            "unit_name": "",
            "title": f"特种设备{c.get_kind_display()}（{c.number}），发现隐患{c.n}处",
            "date_only": True,
        }
        for c in checks.order_by("created_at", "pk")
    ]


# -- the public tag check ------------------------------------------------------------------


def tag_code_is_wellformed(code: str) -> bool:
    return len(code) == TAG_LENGTH and all(ch in TAG_ALPHABET for ch in code)


def public_tag(code: str) -> dict[str, Any] | None:
    """What the tag page shows, or None for a code that names no item: the status (in date /
    overdue / stopped / scrapped), the category, registration number, location (the
    compound, not the flat), the using and maintenance units (entities, no persons), the
    last and next inspection dates. One indexed lookup by the unique tag code."""
    code = code.strip().upper()
    if not tag_code_is_wellformed(code):
        return None
    item = (
        Equipment.objects.select_related("using_entity", "maintenance_entity", "compound")
        .filter(tag_code=code)
        .first()
    )
    if item is None:
        return None
    today = clock.today()
    return {
        "code": code,
        "status": item.public_status(today),
        "category": item.get_category_display(),
        "kind": item.kind,
        "registration_number": item.registration_number or "",
        "district": division_name(item.district_code) or "",
        "compound": item.compound.name if item.compound else "",
        "address": item.address if item.compound is None else "",
        "using_unit": item.using_entity.name,
        "using_uscc": item.using_entity.uscc,
        "maintenance_unit": item.maintenance_entity.name if item.maintenance_entity else "",
        "last_inspected_on": item.last_inspected_on,
        "last_result": item.get_last_result_display() if item.last_result else "",
        "next_due_on": item.next_due_on,
        "last_maintained_on": item.last_maintained_on if item.category == Category.LIFT else None,
    }
