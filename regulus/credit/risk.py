"""The credit risk score (classes A–D): counted from the entity's record under a versioned
model (models.RiskModel), every factor's count, weight, cap and points shown, the points
summing to the score. One entity (its page) or the whole city at once (the monthly
recompute: a few GROUP BY queries, no query per entity)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count

from regulus.credit.models import AbnormalListing, Category, CreditRecord, RiskModel
from regulus.registry.models import Entity, EntityKind, EntityStatus

# The factor codes counted from the credit record, by its category.
RECORD_FACTORS = {
    Category.FALSE_COMMITMENT: "false_commitment",
    Category.PENALTY: "penalty",
    Category.SPOT_CHECK_PROBLEM: "spot_check_problem",
    Category.UNREACHABLE: "unreachable",
}


@dataclass(frozen=True)
class FactorLine:
    code: str
    label: str
    count: int
    weight: int
    cap: int

    @property
    def points(self) -> int:
        return min(self.count, self.cap) * self.weight


@dataclass(frozen=True)
class Score:
    model: RiskModel
    lines: list[FactorLine]

    @property
    def total(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def risk_class(self) -> str:
        return self.model.class_of(self.total)

    @property
    def reasons(self) -> str:
        return "；".join(f"{x.label}×{x.count}" for x in self.lines if x.points)[:300]


def model_on(day: dt.date) -> RiskModel:
    model = (
        RiskModel.objects.filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    if model is None:
        raise ValidationError(f"{day}没有适用的信用风险分类模型，请管理员补充")
    return model


def _since(model: RiskModel, today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - model.lookback_years)
    except ValueError:
        return today.replace(year=today.year - model.lookback_years, day=28)


def _young_since(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def _score(model: RiskModel, counts: dict[str, int]) -> Score:
    return Score(
        model=model,
        lines=[
            FactorLine(
                code=f["code"],
                label=f["label"],
                count=counts.get(f["code"], 0),
                weight=int(f["weight"]),
                cap=int(f["cap"]),
            )
            for f in model.factors
        ],
    )


def entity_score(entity: Entity, today: dt.date) -> Score:
    """One entity's score, factor by factor."""
    model = model_on(today)
    since = _since(model, today)
    listings = AbnormalListing.objects.filter(entity=entity)
    counts: dict[str, int] = {
        "listed_now": listings.exclude(state=AbnormalListing.State.REMOVED).count(),
        "listed_past": listings.filter(
            state=AbnormalListing.State.REMOVED, removed_on__gte=since
        ).count(),
        "young": int(entity.established_on > _young_since(today)),
        "individual": int(entity.kind == EntityKind.INDIVIDUAL),
    }
    for category, n in (
        CreditRecord.objects.filter(entity=entity, adverse=True, occurred_on__gte=since)
        .values_list("category")
        .annotate(n=Count("id"))
    ):
        if category in RECORD_FACTORS:
            counts[RECORD_FACTORS[category]] = n
    return _score(model, counts)


def city_scores(today: dt.date) -> tuple[RiskModel, dict[int, Score]]:
    """The score of every active entity that has one above zero (the rest score 0: class A,
    unless a weight for every entity of a kind says otherwise)."""
    model = model_on(today)
    since = _since(model, today)
    weights = {f["code"]: int(f["weight"]) for f in model.factors}
    counts: dict[int, dict[str, int]] = defaultdict(dict)

    def add(code: str, rows: Iterable[tuple[int, int]]) -> None:
        if not weights.get(code):
            return
        for entity_id, n in rows:
            counts[entity_id][code] = n

    listings = AbnormalListing.objects.values_list("entity_id").annotate(n=Count("id"))
    add("listed_now", listings.exclude(state=AbnormalListing.State.REMOVED))
    add(
        "listed_past",
        listings.filter(state=AbnormalListing.State.REMOVED, removed_on__gte=since),
    )
    records = CreditRecord.objects.filter(
        adverse=True, occurred_on__gte=since, entity__isnull=False
    )
    for category, code in RECORD_FACTORS.items():
        add(
            code,
            records.filter(category=category).values_list("entity_id").annotate(n=Count("id")),
        )
    active = Entity.objects.filter(status=EntityStatus.ACTIVE)
    if weights.get("young"):
        add(
            "young",
            (
                (i, 1)
                for i in active.filter(established_on__gt=_young_since(today)).values_list(
                    "id", flat=True
                )
            ),
        )
    if weights.get("individual"):
        add(
            "individual",
            (
                (i, 1)
                for i in active.filter(kind=EntityKind.INDIVIDUAL).values_list("id", flat=True)
            ),
        )
    return model, {entity_id: _score(model, c) for entity_id, c in counts.items()}
