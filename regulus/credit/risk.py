"""The credit risk score (classes A–D): counted from the entity's record under a versioned
model (models.RiskModel), every factor's count, weight, cap and points shown, the points
summing to the score. One entity (its page) or the whole city at once (the monthly
recompute: a few GROUP BY queries, no query per entity)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count

from regulus.core.bulk import stage
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


# -- the whole city in SQL (the monthly recompute) ---------------------------------------------

STAGE = "credit_risk_stage"
STAGE_COLUMNS = (
    ("id", "bigint"),
    ("old_class", "text"),
    ("new_class", "text"),
    ("score", "integer"),
    ("reasons", "text"),
)


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _factor_counts(model: RiskModel, today: dt.date) -> tuple[list[str], list[Any], dict[str, str]]:
    """The LEFT JOINs (with their parameters) that count each weighted factor per entity,
    and each factor's count expression over them (the same counts as entity_score, for the
    active entities)."""
    since = _since(model, today)
    weights = {f["code"]: int(f["weight"]) for f in model.factors}
    joins: list[str] = []
    join_params: list[Any] = []
    counts: dict[str, str] = {}

    def grouped(code: str, table: str, where: str, params: list[Any]) -> None:
        if not weights.get(code):
            return
        alias = f"f_{code}"
        joins.append(
            f"LEFT JOIN (SELECT entity_id, COUNT(*) AS n FROM {table} WHERE {where}"
            f" GROUP BY entity_id) {alias} ON {alias}.entity_id = e.id"
        )
        join_params.extend(params)
        counts[code] = f"COALESCE({alias}.n, 0)"

    removed = AbnormalListing.State.REMOVED
    grouped("listed_now", "credit_abnormallisting", "state <> %s", [removed])
    grouped(
        "listed_past", "credit_abnormallisting", "state = %s AND removed_on >= %s", [removed, since]
    )
    for category, code in RECORD_FACTORS.items():
        grouped(
            code,
            "credit_creditrecord",
            "adverse = %s AND occurred_on >= %s AND entity_id IS NOT NULL AND category = %s",
            [True, since, str(category)],
        )
    if weights.get("young"):
        counts["young"] = "CASE WHEN e.established_on > %s THEN 1 ELSE 0 END"
    if weights.get("individual"):
        counts["individual"] = "CASE WHEN e.kind = %s THEN 1 ELSE 0 END"
    return joins, join_params, counts


def city_classes_stage(today: dt.date) -> tuple[RiskModel, str]:
    """Score every entity in one INSERT … SELECT into the transaction's temporary table
    STAGE, keeping the entities whose class changes: (id, old class, new class, score, the
    reasons "label×count；…"). Inactive entities score 0 (class A), as in city_scores.
    Returns the model and the table's quoted name. Call inside a transaction."""
    model = model_on(today)
    table = stage(STAGE, STAGE_COLUMNS, [])
    joins, join_params, counts = _factor_counts(model, today)
    points: list[str] = []
    reasons: list[str] = []
    select_params: list[Any] = []
    reason_params: list[Any] = []
    for f in model.factors:
        code, weight, cap = f["code"], int(f["weight"]), int(f["cap"])
        count = counts.get(code)
        if count is None or not weight:
            continue
        points.append(f"({_least(count, str(cap))} * {weight})")
        reasons.append(
            f"CASE WHEN {_least(count, str(cap))} * {weight} > 0"
            f" THEN %s || CAST({count} AS TEXT) || %s ELSE '' END"
        )
    # The count expressions of young and individual carry a parameter: once in the score,
    # twice in the reasons, in factor order.
    param_of = {"young": _young_since(today), "individual": str(EntityKind.INDIVIDUAL)}
    for f in model.factors:
        code = f["code"]
        if code not in counts or not int(f["weight"]):
            continue
        extra = [param_of[code]] if code in param_of else []
        select_params.extend(extra)
        reason_params.extend([*extra, f"{f['label']}×", *extra, "；"])
    score = " + ".join(points) or "0"
    reason = " || ".join(reasons) or "''"
    active = str(EntityStatus.ACTIVE)
    sql = (
        f"INSERT INTO {table} (id, old_class, new_class, score, reasons)"
        " SELECT id, old_class, new_class, score,"
        # The reasons without the last separator, kept to the column's length.
        " CASE WHEN reasons = '' THEN %s ELSE substr(rtrim(reasons, %s), 1, 300) END FROM ("
        " SELECT id, old_class, score, reasons,"
        " CASE WHEN score >= %s THEN 'D' WHEN score >= %s THEN 'C'"
        " WHEN score >= %s THEN 'B' ELSE 'A' END AS new_class FROM ("
        " SELECT e.id AS id, e.risk_class AS old_class,"
        f" CASE WHEN e.status = %s THEN {score} ELSE 0 END AS score,"
        f" CASE WHEN e.status = %s THEN {reason} ELSE '' END AS reasons"
        f" FROM registry_entity e {' '.join(joins)}"
        " ) scored ) classed WHERE new_class <> old_class"
    )
    params = [
        "无计分因素",
        "；",
        model.d_from,
        model.c_from,
        model.b_from,
        active,
        *select_params,
        active,
        *reason_params,
        *join_params,
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
    return model, table
