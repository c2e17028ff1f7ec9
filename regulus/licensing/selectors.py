"""Every read of licensing that a view or the API serves. Staff reads go through visible_to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse

from regulus.core import clock, ids, permissions
from regulus.core.clock_selectors import DUE_SOON, OVERDUE, due, with_overdue_flag
from regulus.core.crypto import keyed_hash
from regulus.core.plugins import Card, Permit
from regulus.licensing.models import (
    Application,
    ApplicationMaterial,
    Bundle,
    BundleMatter,
    Certificate,
    Matter,
    MatterMaterial,
    VerificationTask,
)

S = Application.State
COMPLETED_STATES = (S.ISSUED, S.DELIVERED, S.REFUSED, S.NOT_ACCEPTED, S.REVOKED, S.WITHDRAWN)


# -- catalogue ---------------------------------------------------------------------------


def bundles_active() -> QuerySet[Bundle]:
    """The bundles open to applications, each with only its active matters (a matter switched
    off stays in its bundles but is left out of new applications: see bundle_matters)."""
    active_matters = BundleMatter.objects.filter(matter__is_active=True).select_related("matter")
    return Bundle.objects.filter(is_active=True).prefetch_related(
        Prefetch("bundle_matters", queryset=active_matters)
    )


def bundle_matters(bundle: Bundle, *, new_business: bool) -> list[Matter]:
    """The matters an application for the bundle covers: 设立登记 only for a new business."""
    matters = [
        bm.matter for bm in bundle.bundle_matters.select_related("matter") if bm.matter.is_active
    ]
    if not new_business:
        matters = [m for m in matters if not m.creates_entity]
    return matters


def application_matters(application: Application) -> list[Matter]:
    return [item.matter for item in application.items.select_related("matter")]


# -- bundle maintenance (staff pages) -----------------------------------------------------


def bundles_for_staff(user: Any) -> list[Bundle]:
    """Every bundle, active or not, with its matters in order and `application_count`: how
    many applications for it the user may see (the count goes through the data scope)."""
    counts = _application_counts(user)
    bundles = list(Bundle.objects.prefetch_related("bundle_matters__matter"))
    for bundle in bundles:
        bundle.application_count = counts.get(bundle.pk, 0)  # type: ignore[attr-defined]
    return bundles


def bundle_next_sort_order() -> int:
    """The sort order that puts a new bundle after every other one."""
    last = Bundle.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return 0 if last is None else last + 1


def bundle_application_count(user: Any, bundle: Bundle) -> int:
    return Application.objects.visible_to(user).filter(bundle=bundle).count()


def _application_counts(user: Any) -> dict[int, int]:
    rows = (
        Application.objects.visible_to(user)
        .order_by()
        .values("bundle")
        .annotate(n=Count("id"))
        .values_list("bundle", "n")
    )
    return dict(rows)


def bundle_matter_rows(bundle: Bundle) -> list[Matter]:
    """The bundle's matters in their order, inactive ones included (the edit page flags them;
    applications leave them out, see bundle_matters)."""
    return [bm.matter for bm in bundle.bundle_matters.select_related("matter")]


def matters_addable(bundle: Bundle | None = None) -> QuerySet[Matter]:
    """Active matters of the catalogue that the bundle does not hold yet (all, for a new one)."""
    qs = Matter.objects.filter(is_active=True)
    if bundle is not None and bundle.pk:
        qs = qs.exclude(pk__in=bundle.bundle_matters.values("matter"))
    return qs


@dataclass
class RequiredMaterial:
    key: str
    name: str
    form: str
    mandatory: bool
    matters: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    files: list[ApplicationMaterial] = field(default_factory=list)  # see materials_given


def materials_union(matters: list[Matter]) -> list[RequiredMaterial]:
    """The one set of materials for several matters: de-duplicated by shared key; mandatory
    if any matter requires it."""
    result: dict[str, RequiredMaterial] = {}
    rows = (
        MatterMaterial.objects.filter(matter__in=matters)
        .select_related("material", "matter")
        .order_by("matter__sort_order", "sort_order")
    )
    for row in rows:
        m = row.material
        req = result.setdefault(m.key, RequiredMaterial(m.key, m.name, m.get_form_display(), False))
        req.mandatory = req.mandatory or row.mandatory
        req.matters.append(row.matter.name)
        if row.condition:
            req.conditions.append(row.condition)
    return list(result.values())


def materials_given(app: Application, matters: list[Matter]) -> list[RequiredMaterial]:
    """The application's required materials, each with the files given for it (oldest
    first: a correction adds a file, it does not replace one)."""
    required = materials_union(matters)
    by_key: dict[str, list[ApplicationMaterial]] = {}
    for given in app.materials.select_related("material"):
        by_key.setdefault(given.material.key, []).append(given)
    for r in required:
        r.files = by_key.get(r.key, [])
    return required


def commitment_problem(matters: list[Matter]) -> str | None:
    """Why the commitment path is not open for these matters, or None when it is."""
    permits = [m for m in matters if m.treatment == Matter.Treatment.PERMIT]
    if not permits:
        return "所含事项均为登记或备案，无需告知承诺"
    refused = [m.name for m in permits if not m.commitment_allowed]
    if refused:
        return f"以下事项不实行告知承诺制：{'、'.join(refused)}"
    return None


def commitment_text(matters: list[Matter]) -> str:
    parts = [
        f"【{m.name}】{m.commitment_conditions}"
        for m in matters
        if m.commitment_allowed and m.commitment_conditions
    ]
    return "\n".join(parts)


def can_fast_track(app: Application, user: Any) -> bool:
    """Whether to offer 当场办结: the commitment path, or no on-site check needed (the service
    `application_fast_track` enforces the same rule)."""
    return (
        app.state in (Application.State.SUBMITTED, Application.State.REVIEW)
        and (app.is_commitment or not app.onsite_check_required)
        and permissions.allows(user, "licensing.application_decide")
    )


def can_sign_commitment(app: Application, matters: list[Matter]) -> bool:
    """Whether the commitment can still be signed (before any decision; see commitment_sign)."""
    return (
        not app.commitment_signed_at
        and app.state in (Application.State.SUBMITTED, Application.State.REVIEW)
        and not commitment_problem(matters)
    )


def materials_missing(application: Application) -> list[str]:
    given = set(application.materials.values_list("material__key", flat=True))
    required = materials_union(application_matters(application))
    return [r.name for r in required if r.mandatory and r.key not in given]


# -- staff lists -------------------------------------------------------------------------


def applications_for(
    user: Any,
    *,
    state: str = "",
    q: str = "",
    overdue_only: bool = False,
    due_soon_only: bool = False,
    open_only: bool = False,
    district: str = "",
    path: str = "",
) -> QuerySet[Application]:
    """The handler's list: in scope, overdue flagged, nearest deadline first for open items
    (the deadline is the running main clock's date, core.clock_selectors)."""
    qs: QuerySet[Application] = Application.objects.visible_to(user)
    flow = Application.workflow
    open_states = flow.open_states()
    if state:
        qs = qs.filter(state=state)
    elif open_only or overdue_only or due_soon_only:
        qs = qs.filter(state__in=open_states)
    if overdue_only:
        qs = due(qs, workflow=flow, when=OVERDUE)
    if due_soon_only:
        qs = due(qs, workflow=flow, when=DUE_SOON)
    if district:
        qs = qs.filter(district_code=district)
    if path:
        qs = qs.filter(path=path)
    if q:
        qs = qs.filter(Q(number=q.upper()) | Q(uscc=q.upper()) | Q(applicant_name__contains=q))
    qs = with_overdue_flag(qs, workflow=flow)
    qs = qs.select_related("bundle", "unit").only(
        "number",
        "applicant_name",
        "state",
        "deadline",
        "deadline_provisional",
        "submitted_at",
        "path",
        "channel",
        "district_code",
        "bundle__name",
        "unit__name",
        "unit__short_name",
    )
    if state in open_states or open_only or overdue_only or due_soon_only:
        return qs.order_by("deadline", "id")
    return qs.order_by("-submitted_at", "-id")


def application_get(user: Any, number: str) -> Application:
    return Application.objects.select_related("bundle", "unit", "entity").get_visible_or_404(
        user, number=number
    )


def verification_tasks_for(user: Any, *, state: str = "") -> QuerySet[VerificationTask]:
    qs: QuerySet[VerificationTask] = VerificationTask.objects.visible_to(user).select_related(
        "application"
    )
    if state:
        qs = qs.filter(state=state)
    qs = with_overdue_flag(qs, workflow=VerificationTask.workflow)
    return qs.order_by("deadline", "id")


# -- the public (portal) -----------------------------------------------------------------


def public_lookup_terms(number: str, phone: str) -> tuple[str, str]:
    """The application number and phone of a public lookup as they are compared: the number
    upper-case without surrounding blanks, the phone its digits."""
    return (number or "").strip().upper(), "".join(ch for ch in (phone or "") if ch.isdigit())


def application_public_lookup(number: str, phone: str) -> Application | None:
    """The applicant's progress: number and the phone given on the form must both match."""
    number, phone = public_lookup_terms(number, phone)
    if not number or not phone:
        return None
    return (
        Application.objects.select_related("bundle", "unit")
        .filter(number=number, contact_phone_hash=keyed_hash(phone))
        .first()
    )


def certificate_public(number: str) -> dict[str, Any] | None:
    """What the portal shows to anyone holding a certificate number (its QR code)."""
    found = (
        Certificate.objects.filter(number=(number or "").strip().upper())
        .values(
            "number",
            "holder_name",
            "uscc",
            "items",
            "issued_on",
            "valid_until",
            "issuing_unit_name",
            "status",
            "revoked_on",
            "revoke_reason",
        )
        .first()
    )
    row: dict[str, Any] | None = dict(found) if found is not None else None
    if row is None:
        return None
    today = clock.today()
    if row["status"] == Certificate.Status.REVOKED:
        state = "revoked"
    elif row["valid_until"] and row["valid_until"] < today:
        state = "expired"
    else:
        state = "valid"
    row["state"] = state
    row["state_label"] = {"valid": "有效", "revoked": "已撤销", "expired": "已过期"}[state]
    return row


# -- counting ----------------------------------------------------------------------------


def period_stats(user: Any, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Per district and in total: received, completed, completion rate, average working days,
    share issued the same day, share on the commitment path, visits and materials."""
    qs = Application.objects.visible_to(user).filter(
        submitted_at__date__gte=start, submitted_at__date__lte=end
    )
    agg = dict(
        received=Count("*"),
        completed=Count("id", filter=Q(completed_at__isnull=False)),
        issued=Count("id", filter=Q(state__in=[S.ISSUED, S.DELIVERED, S.REVOKED])),
        same_day=Count("id", filter=Q(same_day=True, state__in=[S.ISSUED, S.DELIVERED, S.REVOKED])),
        commitment=Count("id", filter=Q(path=Application.Path.COMMITMENT)),
        avg_days=Avg("working_days_taken", filter=Q(completed_at__isnull=False)),
        avg_visits=Avg("visits", filter=Q(completed_at__isnull=False)),
        avg_materials=Avg("materials_count"),
    )
    names = dict(ids.DEMO_DISTRICTS)
    rows = []
    for row in qs.values("district_code").annotate(**agg).order_by("district_code"):
        row["district_name"] = names.get(row["district_code"], row["district_code"])
        rows.append(_rates(row))
    total = _rates(qs.aggregate(**agg))
    months = [
        {"month": r["month"], "received": r["received"], "completed": r["completed"]}
        for r in qs.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(received=Count("*"), completed=Count("id", filter=Q(completed_at__isnull=False)))
        .order_by("month")
    ]
    return {"rows": rows, "total": total, "months": months, "start": start, "end": end}


def _rates(row: dict[str, Any]) -> dict[str, Any]:
    received = row.get("received") or 0
    issued = row.get("issued") or 0
    row["completion_rate"] = (
        round(100 * (row.get("completed") or 0) / received, 1) if received else 0.0
    )
    row["same_day_share"] = round(100 * (row.get("same_day") or 0) / issued, 1) if issued else 0.0
    row["commitment_share"] = (
        round(100 * (row.get("commitment") or 0) / received, 1) if received else 0.0
    )
    for key in ("avg_days", "avg_visits", "avg_materials"):
        row[key] = round(float(row[key]), 2) if row.get(key) is not None else None
    return row


def stats_chart_option(stats: dict[str, Any]) -> dict[str, Any]:
    """Received and completed per district as horizontal bars, the completion rate as a line
    on its own axis: a district's name (长沙高新技术产业开发区) has a line of its own on the
    category axis, so no two names meet at any width, and the grid makes room for the
    longest (the page's script makes the chart as tall as its rows need). The units are in
    the legend, where no axis end can cut them off."""
    rows = stats["rows"]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": ["受理（件）", "办结（件）", "办结率（%）"], "top": 0},
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        "yAxis": {
            "type": "category",
            "inverse": True,  # the table's order, top to bottom
            "data": [r["district_name"] for r in rows],
            "axisLabel": {"interval": 0},
        },
        "xAxis": [
            {"type": "value", "position": "bottom"},
            {"type": "value", "max": 100, "position": "top", "splitLine": {"show": False}},
        ],
        "series": [
            {"name": "受理（件）", "type": "bar", "data": [r["received"] for r in rows]},
            {"name": "办结（件）", "type": "bar", "data": [r["completed"] for r in rows]},
            {
                "name": "办结率（%）",
                "type": "line",
                "xAxisIndex": 1,
                "data": [r["completion_rate"] for r in rows],
            },
        ],
    }


def month_chart_option(stats: dict[str, Any]) -> dict[str, Any]:
    months = stats["months"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["受理", "办结"]},
        "grid": {"left": 40, "right": 20, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [f"{m['month']:%Y-%m}" for m in months]},
        "yAxis": {"type": "value", "name": "件"},
        "series": [
            {"name": "受理", "type": "line", "data": [m["received"] for m in months]},
            {"name": "办结", "type": "line", "data": [m["completed"] for m in months]},
        ],
    }


def entity_permits(entity: Any, user: Any) -> list[Permit]:
    """Every permitted item on the entity's certificates, for the registry's entity pages.

    Certificates are public (the portal verifies them), so whoever sees the entity sees all of
    its permits, whichever unit issued them; the link goes to the public verification page."""
    today = clock.today()
    rows: list[Permit] = []
    for cert in Certificate.objects.filter(entity=entity).order_by("-issued_on", "-id"):
        status = {"valid": "有效", "revoked": "已撤销", "expired": "已过期"}[
            cert.public_status(today)
        ]
        url = reverse("portal:certificate_verify", args=[cert.number])
        for item in cert.items:
            rows.append(
                Permit(
                    name=item.get("item") or item.get("name", ""),
                    kind=item.get("treatment", ""),
                    number=cert.number,
                    status=status,
                    valid_until=item.get("valid_until", ""),
                    url=url,
                )
            )
    return rows


def entity_timeline(entity: Any, user: Any) -> list[dict[str, Any]]:
    """The entity's applications, each state change one line, for the entity page's timeline
    (for those who may read applications)."""
    from regulus.core.workflow import timelines
    from regulus.licensing.workflow import APPLICATION_FLOW

    if not permissions.allows(user, "licensing.application_view"):
        return []

    apps = list(
        Application.objects.visible_to(user)
        .filter(entity=entity)
        .select_related("bundle")
        .order_by("-submitted_at")[:20]
    )
    events = timelines(apps, APPLICATION_FLOW)
    rows: list[dict[str, Any]] = []
    for app in apps:
        for row in events[app.pk]:
            row["title"] = f"一件事 {app.number}（{app.bundle.name}）：{row['title']}"
            rows.append(row)
    return rows


def dashboard_cards(user: Any) -> list[Card]:
    """Home cards: open applications in scope and how many are overdue (two indexed counts)."""
    if not permissions.allows(user, "licensing.application_view"):
        return []
    url = reverse("licensing:application_list")
    flow = Application.workflow
    qs = Application.objects.visible_to(user).filter(state__in=flow.open_states())
    return [
        Card("licensing-open", "一件事在办件", qs.count(), f"{url}?open=1"),
        Card(
            "licensing-overdue",
            "一件事超期件",
            due(qs, workflow=flow, when=OVERDUE).count(),
            f"{url}?overdue=1",
        ),
    ]
