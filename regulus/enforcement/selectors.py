"""Reads of enforcement that pages and the API serve, always through the data scope. Campaign
totals and the statistics are counted from the cases at read time (one grouped query), so they
always equal the sum of their cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse

from regulus.core import clock
from regulus.core.handover import handovers_waiting
from regulus.core.models import Handover
from regulus.core.permissions import allows
from regulus.core.plugins import Card, PublicSection, TimelineRow
from regulus.enforcement.models import Campaign, Case, Clue, Document, Domain, Publication
from regulus.enforcement.workflow import CASE_FLOW, OPEN_CASE_STATES
from regulus.registry.rules import DISTRICTS

VIEW = "enforcement.case_view"
S = Case.State
CONCLUDED = (S.CLOSED,)


def clue_inbox(user: Any) -> QuerySet[Handover]:
    """The CLUE hand-overs of other apps waiting in the user's scope."""
    return handovers_waiting(kind=Handover.Kind.CLUE, user=user)


def clue_list(user: Any, *, state: str = "", source: str = "", q: str = "") -> QuerySet[Clue]:
    clues = Clue.objects.visible_to(user).select_related("unit")
    if state:
        clues = clues.filter(state=state)
    if source:
        clues = clues.filter(source=source)
    if q:
        clues = clues.filter(Q(party_name__contains=q) | Q(number=q))
    return clues.order_by("-received_on", "-id")


def case_list(
    user: Any,
    *,
    state: str = "",
    district: str = "",
    domain: str = "",
    campaign: int | None = None,
    q: str = "",
    overdue: bool = False,
) -> QuerySet[Case]:
    """The cases in the user's scope, newest filing first (index enf_case_district /
    enf_case_unit_state serve the filters and the order)."""
    cases = Case.objects.visible_to(user)
    if state:
        cases = cases.filter(state=state)
    if district:
        cases = cases.filter(district_code=district)
    if domain:
        cases = cases.filter(domain=domain)
    if campaign:
        cases = cases.filter(campaign_id=campaign)
    if q:
        cases = cases.filter(Q(party_name__contains=q) | Q(number=q))
    if overdue:
        cases = cases.filter(deadline__lt=clock.today())
    return cases.select_related("unit", "matter").order_by("-filed_on", "-id")


def documents_of(case: Case) -> QuerySet[Document]:
    return case.documents.order_by("uploaded_at", "id")


def open_case_entity_ids() -> QuerySet[Case, int]:
    """The ids of the entities with a case filed and not closed (a values_list queryset): the
    spot-check draw leaves them out (an entity under investigation is not drawn again)."""
    return (
        Case.objects.filter(state__in=OPEN_CASE_STATES, entity__isnull=False)
        .values_list("entity_id", flat=True)
        .distinct()
    )


# -- totals ------------------------------------------------------------------------------------


def _totals(cases: QuerySet[Case]) -> dict[str, int]:
    row = cases.aggregate(
        cases=Count("*"),
        concluded=Count("id", filter=Q(state__in=CONCLUDED)),
        case_value=Sum("case_value_fen"),
        fines=Sum("fine_fen"),
        confiscated=Sum("confiscated_fen"),
        transfers=Count("id", filter=Q(state=S.TRANSFERRED)),
    )
    return {key: int(value or 0) for key, value in row.items()}


def campaign_totals(user: Any, campaign: Campaign) -> dict[str, int]:
    """A campaign's live totals: the sum of its cases in the user's scope."""
    return _totals(Case.objects.visible_to(user).filter(campaign=campaign))


def campaign_ranking(user: Any, campaign: Campaign) -> list[dict[str, Any]]:
    """The districts ranked by the campaign's cases (then fines)."""
    rows = (
        Case.objects.visible_to(user)
        .filter(campaign=campaign)
        .values("district_code")
        .annotate(
            cases=Count("*"),
            fines=Sum("fine_fen"),
            case_value=Sum("case_value_fen"),
            transfers=Count("id", filter=Q(state=S.TRANSFERRED)),
        )
        .order_by("-cases", "-fines", "district_code")
    )
    return [
        {**row, "district": DISTRICTS.get(row["district_code"], row["district_code"]), "rank": i}
        for i, row in enumerate(rows, start=1)
    ]


def campaigns_with_totals(user: Any) -> list[tuple[Campaign, dict[str, int]]]:
    return [(c, campaign_totals(user, c)) for c in Campaign.objects.order_by("-starts_on")]


def stats(user: Any, year: int) -> dict[str, Any]:
    """Cases filed in the year: totals, by domain, district, campaign and month; average days
    from filing to closing; overdue open cases."""
    cases = Case.objects.visible_to(user).filter(
        filed_on__gte=dt.date(year, 1, 1), filed_on__lte=dt.date(year, 12, 31)
    )
    by = {
        "domain": dict(Domain.choices),
        "district_code": DISTRICTS,
    }
    grouped: dict[str, list[dict[str, Any]]] = {}
    for field, labels in by.items():
        grouped[field] = [
            {**row, "label": labels.get(row[field], row[field] or "—")}
            for row in cases.values(field)
            .annotate(
                cases=Count("*"),
                concluded=Count("id", filter=Q(state__in=CONCLUDED)),
                fines=Sum("fine_fen"),
                case_value=Sum("case_value_fen"),
            )
            .order_by("-cases", field)
        ]
    grouped["campaign"] = [
        {**row, "label": row["campaign__name"] or "（未纳入专项行动）"}
        for row in cases.values("campaign__name")
        .annotate(cases=Count("*"), fines=Sum("fine_fen"), case_value=Sum("case_value_fen"))
        .order_by("-cases")
    ]
    months = {
        row["month"].month if hasattr(row["month"], "month") else int(str(row["month"])[5:7]): row
        for row in cases.annotate(month=TruncMonth("filed_on"))
        .values("month")
        .annotate(cases=Count("*"), fines=Sum("fine_fen"))
        .order_by("month")
    }
    closed = cases.filter(state=S.CLOSED, closed_on__isnull=False)
    duration = closed.annotate(
        took=ExpressionWrapper(F("closed_on") - F("filed_on"), output_field=DurationField())
    ).aggregate(avg=Avg("took"))["avg"]
    return {
        "year": year,
        "totals": _totals(cases),
        "grouped": grouped,
        "months": [
            {
                "month": m,
                "cases": int(months[m]["cases"]) if m in months else 0,
                "fines": int(months[m]["fines"] or 0) if m in months else 0,
            }
            for m in range(1, 13)
        ],
        "average_days": round(_days(duration), 1) if duration is not None else None,
        "overdue": cases.filter(state__in=OPEN_CASE_STATES, deadline__lt=clock.today()).count(),
    }


def _days(value: Any) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86400_000_000  # SQLite: microseconds


# -- publication -------------------------------------------------------------------------------


def publications_public(*, q: str = "") -> QuerySet[Publication]:
    """What the portal shows: decisions published and not taken down, newest first."""
    rows = Publication.objects.filter(state=Publication.State.PUBLISHED)
    if q:
        rows = rows.filter(Q(party_masked__contains=q) | Q(decision_number=q) | Q(uscc=q))
    return rows.order_by("-published_on", "-id")


def publication_pending(user: Any) -> QuerySet[Case]:
    """Decided cases that must be published and are not yet (the 20-working-day clock runs)."""
    return (
        Case.objects.visible_to(user)
        .filter(
            procedure=Case.Procedure.ORDINARY,
            outcome=Case.Outcome.PENALTY,
            party_minor=False,
            state__in=(S.DECIDED, S.SERVED, S.COURT),
            publication__isnull=True,
        )
        .exclude(penalty_kinds=["warning"])
        .select_related("unit", "matter")
        .order_by("decided_on", "id")
    )


# -- the platform's slots ------------------------------------------------------------------------


def dashboard_cards(user: Any) -> list[Card]:
    if not allows(user, VIEW):
        return []
    today = clock.today()
    cases = Case.objects.visible_to(user)
    clues = Clue.objects.visible_to(user)
    return [
        Card(
            "enforcement-clues",
            "待核查线索",
            clues.filter(state=Clue.State.VERIFYING).count(),
            reverse("enforcement:clue_list") + "?state=verifying",
        ),
        Card(
            "enforcement-overdue",
            "超期案件",
            cases.filter(state__in=OPEN_CASE_STATES, deadline__lt=today).count(),
            reverse("enforcement:case_list") + "?overdue=1",
        ),
    ]


def entity_timeline(entity: Any, user: Any) -> list[TimelineRow]:
    if not allows(user, VIEW):
        return []
    cases = Case.objects.visible_to(user).filter(entity=entity).select_related("unit", "matter")
    rows: list[TimelineRow] = []
    for case in cases.order_by("filed_on", "id"):
        rows.append(
            {
                "at": dt.datetime.combine(case.filed_on, dt.time(9), tzinfo=clock.now().tzinfo),
                "actor_name": case.unit.name,
                "unit_name": "",
                "title": f"立案：{case.matter.name}"
                f"（{case.number}，{CASE_FLOW.state_label(case.state)}）",
                "date_only": True,
            }
        )
    return rows


def public_sections(entity: Any) -> list[PublicSection]:
    """The entity's published penalty decisions on its public page (masked, as published)."""
    rows = Publication.objects.filter(
        state=Publication.State.PUBLISHED, case__entity=entity
    ).order_by("-decided_on")
    return [
        PublicSection(
            order=400,
            title="行政处罚信息",
            columns=("决定书文号", "违法行为类型", "处罚内容", "处罚机关", "决定日期"),
            rows=[
                (p.decision_number, p.violation, p.penalty, p.authority, f"{p.decided_on:%Y-%m-%d}")
                for p in rows
            ],
            empty="暂无公示中的行政处罚信息",
        )
    ]
