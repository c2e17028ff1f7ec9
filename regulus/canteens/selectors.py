"""Reads of 学校食堂, through the data scope (the public page reads one canteen by its code
and shows its status and its latest checks, no person)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from regulus.canteens.models import AccompaniedMeal, Canteen, CoverageTarget, SelfCheck
from regulus.core import clock
from regulus.core.ids import division_name
from regulus.core.permissions import allows
from regulus.core.plugins import Card, Permit

VIEW = "canteens.canteen_view"
OPEN_KITCHEN = ~Q(kitchen_view=Canteen.KitchenView.NONE)


def target_in_force(day: dt.date | None = None) -> CoverageTarget | None:
    return (
        CoverageTarget.objects.filter(effective_from__lte=day or clock.today())
        .order_by("-effective_from")
        .first()
    )


def canteen_list(
    *, user: Any, district: str = "", standard: str = "", kitchen_view: str = "", q: str = ""
) -> QuerySet[Canteen]:
    rows = Canteen.objects.visible_to(user).select_related("entity")
    if district:
        rows = rows.filter(district_code=district)
    if standard in Canteen.Standard.values:
        rows = rows.filter(standard=standard)
    if kitchen_view in Canteen.KitchenView.values:
        rows = rows.filter(kitchen_view=kitchen_view)
    if q:
        rows = rows.filter(Q(school_name__contains=q) | Q(entity__name__contains=q))
    return rows.order_by("district_code", "school_name", "id")


def canteen_get(user: Any, pk: int) -> Canteen:
    return Canteen.objects.select_related("entity", "unit").get_visible_or_404(user, pk=pk)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def coverage(user: Any) -> dict[str, Any]:
    """明厨亮灶 coverage per district (canteens open to view / all canteens) against the
    target in force, and the standardised canteens against the creation target, by year."""
    target = target_in_force()
    scoped = Canteen.objects.visible_to(user)
    rows = list(
        scoped.values("district_code")
        .annotate(
            total=Count("*"),
            open_kitchen=Count("id", filter=OPEN_KITCHEN),
            internet=Count("id", filter=Q(kitchen_view=Canteen.KitchenView.INTERNET)),
            compliant=Count("id", filter=Q(standard=Canteen.Standard.COMPLIANT)),
        )
        .order_by("district_code")
    )
    goal = target.kitchen_view_percent if target else None
    for r in rows:
        r["label"] = division_name(r["district_code"]) or r["district_code"]
        r["rate"] = _rate(r["open_kitchen"], r["total"])
        r["meets"] = goal is not None and r["rate"] is not None and r["rate"] >= goal
    total = sum(r["total"] for r in rows)
    open_kitchen = sum(r["open_kitchen"] for r in rows)
    by_year = list(
        scoped.filter(compliant_on__isnull=False)
        .values_list("compliant_on__year")
        .annotate(n=Count("*"))
        .order_by("compliant_on__year")
    )
    compliant = sum(n for _y, n in by_year)
    chart = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [r["label"] for r in rows]},
        "series": [
            {
                "name": "明厨亮灶覆盖率",
                "type": "bar",
                "data": [r["rate"] or 0 for r in rows],
                "markLine": {"data": [{"xAxis": goal}]} if goal is not None else {},
            }
        ],
    }
    return {
        "target": target,
        "rows": rows,
        "total": total,
        "open_kitchen": open_kitchen,
        "rate": _rate(open_kitchen, total),
        "compliant": compliant,
        "by_year": by_year,
        "standard_progress": _rate(compliant, target.standard_target) if target else None,
        "chart": chart,
    }


def canteen_records(canteen: Canteen) -> dict[str, Any]:
    return {
        "meals": list(AccompaniedMeal.objects.filter(canteen=canteen)[:30]),
        "self_checks": list(SelfCheck.objects.filter(canteen=canteen)[:30]),
    }


def dashboard_cards(user: Any) -> list[Card]:
    if not allows(user, VIEW):
        return []
    scoped = Canteen.objects.visible_to(user)
    total = scoped.count()
    if not total:
        return []
    open_kitchen = scoped.filter(OPEN_KITCHEN).count()
    return [
        Card(
            "canteens-open-kitchen",
            "学校食堂明厨亮灶（家）",
            open_kitchen,
            reverse("canteens:coverage"),
        ),
        Card(
            "canteens-without",
            "学校食堂未实施明厨亮灶",
            total - open_kitchen,
            f"{reverse('canteens:canteen_list')}?kitchen_view=none",
        ),
    ]


def entity_permits(entity: Any, user: Any) -> list[Permit]:
    """The canteen's standing on its operator's entity page (staff and public alike: the
    standardisation and 明厨亮灶 are what the canteen's public page shows too)."""
    canteen = Canteen.objects.filter(entity=entity).first()
    if canteen is None:
        return []
    return [
        Permit(
            name=f"阳光食堂（{canteen.school_name}）",
            kind="公示",
            number=canteen.public_code,
            status=f"{canteen.get_standard_display()}，明厨亮灶：{canteen.get_kitchen_view_display()}",
            url=reverse("canteens_public:canteen", args=[canteen.public_code]),
        )
    ]


def public_list(*, district: str = "", q: str = "") -> QuerySet[Canteen]:
    rows = Canteen.objects.all()
    if district:
        rows = rows.filter(district_code=district)
    if q:
        rows = rows.filter(school_name__contains=q)
    return rows.order_by("district_code", "school_name", "id")


def public_canteen(code: str) -> dict[str, Any] | None:
    """What parents see: the school, the standardisation and 明厨亮灶 with their dates, the
    last 30 days' 陪餐 count and the latest self-checks (dates and results, no names)."""
    code = code.strip().upper()
    if not code.isalnum() or len(code) > 12:
        return None
    canteen = Canteen.objects.filter(public_code=code).select_related("entity").first()
    if canteen is None:
        return None
    since = clock.today() - dt.timedelta(days=30)
    return {
        "canteen": canteen,
        "district": division_name(canteen.district_code) or "",
        "meals_30d": AccompaniedMeal.objects.filter(canteen=canteen, on__gte=since).count(),
        "self_checks_30d": SelfCheck.objects.filter(canteen=canteen, on__gte=since).count(),
        "self_checks": list(SelfCheck.objects.filter(canteen=canteen).order_by("-on")[:7]),
    }
