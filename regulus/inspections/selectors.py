"""Reads of 双随机、一公开: lists, plans, tasks in the user's scope; the target directory of a
task (the registry's entities by the task's filters, with the issue's exclusions); the public
pages' data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from regulus.core.ids import division_name
from regulus.core.plugins import Card, PublicSection, target_exclusions
from regulus.inspections.models import (
    FOUND_CODES,
    STRATUM_LABELS,
    Assignment,
    CheckItem,
    Draw,
    Inspector,
    ItemResult,
    Plan,
    Rectification,
    SamplingRule,
    Target,
    Task,
    VisitRating,
)
from regulus.registry.models import Entity, EntityKind, EntityStatus

FILTER_KEYS = ("kind", "industry_section", "district_code", "risk_class")


def filters_text(filters: dict[str, Any]) -> str:
    parts = []
    if filters.get("kind"):
        parts.append("主体类型：" + dict(EntityKind.choices).get(filters["kind"], filters["kind"]))
    if filters.get("industry_section"):
        parts.append(f"行业门类：{filters['industry_section']}")
    if filters.get("district_code"):
        code = filters["district_code"]
        parts.append(f"区县：{division_name(code) or code}")
    if filters.get("risk_class"):
        parts.append(
            "风险分类：" + "、".join(STRATUM_LABELS.get(c, c) for c in filters["risk_class"])
        )
    return "；".join(parts) or "全部在业主体"


def target_candidates(task: Task) -> QuerySet[Entity]:
    """The target directory of a task: active entities of the task unit's area established by
    its first check day, by its filters, less those drawn in another task of the same year's
    plans (检查对象名录库 with the issue's exclusions; deregistered, revoked and moved-out
    entities are not active), less those every app's declared exclusion leaves out
    (core.plugins.TargetExclusion: an entity under an open enforcement case)."""
    drawn = Target.objects.filter(
        entity_id=OuterRef("pk"), task__plan__year=task.plan.year
    ).exclude(task_id=task.pk)
    rows = _filtered(task).filter(~Exists(drawn))
    for exclusion in target_exclusions():
        rows = rows.exclude(pk__in=exclusion.entity_ids(task.check_from))
    return rows


def exclusion_counts(task: Task) -> list[tuple[str, int]]:
    """How many of the task's filtered entities each declared exclusion leaves out (an
    entity may fall under several): (label, count) in INSTALLED_APPS order."""
    rows = _filtered(task)
    return [
        (exclusion.label, rows.filter(pk__in=exclusion.entity_ids(task.check_from)).count())
        for exclusion in target_exclusions()
    ]


def _filtered(task: Task) -> QuerySet[Entity]:
    """The task's area, filters, and the active entities established by its first check day."""
    rows = Entity.objects.filter(status=EntityStatus.ACTIVE, established_on__lte=task.check_from)
    if task.unit.kind != task.unit.Kind.CITY_BUREAU:
        rows = rows.filter(unit_id__in=task.unit.subtree_ids())
    filters = task.filters or {}
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("industry_section"):
        rows = rows.filter(industry_section=filters["industry_section"])
    if filters.get("district_code"):
        rows = rows.filter(district_code=filters["district_code"])
    classes = list(filters.get("risk_class") or [])
    if classes:
        condition = Q(risk_class__in=[c for c in classes if c != "-"])
        if "-" in classes:
            condition |= Q(risk_class="")
        rows = rows.filter(condition)
    return rows


def overlapping_targets(task: Task) -> QuerySet[Target]:
    """One visit, not three: entities the task's filters select that another open task of the
    same year already drew, still to be checked within this task's check period. The
    year's rule keeps them out of this task's draw; merged (JointVisit), this task's items
    are checked in that visit."""
    return (
        Target.objects.filter(
            entity_id__in=_filtered(task).values("pk"),
            state=Target.State.ASSIGNED,
            task__plan__year=task.plan.year,
            task__state=Task.State.DRAWN,
            task__check_from__lte=task.check_to,
            task__check_to__gte=task.check_from,
        )
        .exclude(task_id=task.pk)
        .exclude(joint_visits__task=task)
        .select_related("entity", "task")
        .order_by("task__check_to", "task_id", "position")
    )


def joined_targets(task: Task) -> QuerySet[Target]:
    """The targets of other tasks this task's items were merged into."""
    return (
        Target.objects.filter(joint_visits__task=task)
        .select_related("entity", "task")
        .order_by("task_id", "position")
    )


def target_items(target: Target) -> list[CheckItem]:
    """The items checked at the target's visit: its task's, then those of every task merged
    into the visit (综合查一次), each once, in code order within a task."""
    items = list(target.task.items.order_by("code"))
    seen = {i.pk for i in items}
    joined = CheckItem.objects.filter(tasks__joined_visits__target=target).order_by(
        "tasks__joined_visits__id", "code"
    )
    for item in joined:
        if item.pk not in seen:
            seen.add(item.pk)
            items.append(item)
    return items


def rule_in_force(stratum: str, on: dt.date) -> SamplingRule | None:
    return (
        SamplingRule.objects.filter(stratum=stratum, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def plans_for(user: Any) -> QuerySet[Plan]:
    return Plan.objects.visible_to(user).select_related("unit").annotate(task_count=Count("tasks"))


def plans_filed_with(user: Any) -> QuerySet[Plan]:
    """Plans the units below filed (报备) with the user's unit or a unit above it (a city
    department's staff read what the districts filed with the city bureau), within the data
    scope; never the user's own units' plans."""
    unit = getattr(user, "unit", None)
    if unit is None:
        return Plan.objects.none()
    line = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    drawn = Count("tasks", filter=Q(tasks__state=Task.State.DRAWN))
    return (
        Plan.objects.visible_to(user)
        .filter(state=Plan.State.FILED, filed_with_id__in=line)
        .exclude(unit_id__in=line)
        .select_related("unit", "filed_with")
        .annotate(task_count=Count("tasks"), drawn_count=drawn)
        .order_by("-year", "unit__name", "batch", "id")
    )


def tasks_for(user: Any, *, state: str = "") -> QuerySet[Task]:
    rows = Task.objects.visible_to(user).select_related("plan", "unit")
    return rows.filter(state=state) if state else rows


def task_get(user: Any, number: str) -> Task:
    return Task.objects.select_related("plan", "unit").get_visible_or_404(user, number=number)


def inspectors_for(user: Any) -> QuerySet[Inspector]:
    return Inspector.objects.visible_to(user).select_related("user", "unit")


def my_assignments(user: Any) -> QuerySet[Assignment]:
    """The user's own active assignments (their task list): their own records, whatever their
    role's data scope."""
    return (
        Assignment.objects.filter(inspector__user=user, active=True)
        .select_related("target__entity", "target__task")
        .order_by("target__state", "target__task__check_to", "target__position")
    )


def rectifications_for(user: Any, *, state: str = "") -> QuerySet[Rectification]:
    """The orders in the user's scope and those of the targets the user is assigned to."""
    mine = Assignment.objects.filter(
        target_id=OuterRef("target_id"), inspector__user=user, active=True
    )
    scoped = Rectification.objects.visible_to(user).values("pk")
    rows = Rectification.objects.filter(Q(pk__in=scoped) | Q(Exists(mine)))
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("target__entity", "target__task").order_by("state", "deadline", "id")


def my_rechecks(user: Any) -> QuerySet[Rectification]:
    """The open orders of the user's own visits, nearest deadline first."""
    return (
        Rectification.objects.filter(
            state__in=(Rectification.State.ORDERED, Rectification.State.REPORTED),
            target__assignments__inspector__user=user,
            target__assignments__active=True,
        )
        .select_related("target__entity")
        .order_by("deadline", "id")
    )


def rectification_get(user: Any, pk: int) -> Rectification:
    order = rectifications_for(user).filter(pk=pk).first() if 0 < pk < 2**62 else None
    if order is None:
        raise Http404("不存在或无权查看")
    return order


def task_targets(task: Task) -> QuerySet[Target]:
    return task.targets.select_related("entity").prefetch_related("assignments__inspector__user")


def public_tasks() -> QuerySet[Task]:
    """Tasks whose lists are frozen: their hashes, and once drawn their draw, are public."""
    return Task.objects.exclude(state=Task.State.DRAFT).select_related("unit", "plan")


def entity_public_sections(entity: Entity) -> list[PublicSection]:
    rows = (
        Target.objects.filter(entity=entity, state=Target.State.PUBLISHED)
        .select_related("task__unit")
        .order_by("-checked_on")
    )
    results = list(ItemResult.objects.filter(target__in=rows).select_related("item"))
    lines = []
    for target in rows:
        per_item = [r for r in results if r.target_id == target.pk]
        text = "；".join(f"{r.item.name}：{r.get_code_display()}" for r in per_item) or "—"
        lines.append(
            (
                target.task.title,
                text,
                target.task.unit.name,
                f"{target.checked_on:%Y-%m-%d}" if target.checked_on else "—",
            )
        )
    return [
        PublicSection(
            order=300,
            title="抽查检查结果信息",
            columns=("抽查任务", "检查结果", "检查机关", "检查日期"),
            rows=lines,
            note="双随机、一公开抽查结果，检查后20个工作日内公示",
        )
    ]


def dashboard_cards(user: Any) -> list[Card]:
    from django.urls import reverse

    if not user.is_authenticated or not Inspector.objects.filter(user=user).exists():
        return []
    mine = Assignment.objects.filter(
        inspector__user=user, active=True, target__state=Target.State.ASSIGNED
    ).count()
    # The orders the inspector's visits made that still wait for the re-check.
    rechecks = my_rechecks(user).count()
    return [
        Card("inspections-mine", "我的待检查对象", mine, reverse("inspections:my_tasks")),
        Card(
            "inspections-rechecks",
            "我的待复查整改",
            rechecks,
            reverse("inspections:rectification_list"),
        ),
    ]


def draws_of(task: Task) -> QuerySet[Draw]:
    return task.draws.order_by("seq")


# -- counting -------------------------------------------------------------------------------


def year_stats(user: Any, year: int) -> dict[str, Any]:
    """Tasks, targets drawn, checked, with problems found (rectified on an order or not),
    published and published on time, and the
    share of joint tasks and of checked targets visited for several tasks at once (综合查一次),
    per implementing unit (a district bureau or a city department), in
    the user's scope, for the plans of one year; and the inspected entities' ratings of
    their visits (亮码检查): how many, and their average (1–5)."""
    tasks = Task.objects.visible_to(user).filter(plan__year=year)
    per_unit: dict[str, dict[str, Any]] = {}

    def row(name: str) -> dict[str, Any]:
        return per_unit.setdefault(
            name,
            {
                "unit": name,
                "tasks": 0,
                "joint": 0,
                "drawn": 0,
                "checked": 0,
                "problems": 0,
                "published": 0,
                "on_time": 0,
                "rated": 0,
                "score_sum": 0,
                "joint_visits": 0,
            },
        )

    for name, joint, n in tasks.values_list("unit__name", "joint").annotate(n=Count("id")):
        r = row(name)
        r["tasks"] += n
        r["joint"] += n if joint else 0
    targets = Target.objects.filter(task__in=tasks)
    for name, state, on_time, n in targets.values_list(
        "task__unit__name", "state", "published_on_time"
    ).annotate(n=Count("id")):
        r = row(name)
        r["drawn"] += n
        if state != Target.State.ASSIGNED:
            r["checked"] += n
        if state == Target.State.PUBLISHED:
            r["published"] += n
            r["on_time"] += n if on_time else 0
    problem = ItemResult.objects.filter(target__task__in=tasks, code__in=FOUND_CODES)
    for name, n in (
        problem.values_list("target__task__unit__name")
        .annotate(n=Count("target_id", distinct=True))
        .values_list("target__task__unit__name", "n")
    ):
        row(name)["problems"] += n
    joint_visits = (
        Target.objects.filter(task__in=tasks, joint_visits__isnull=False)
        .exclude(state=Target.State.ASSIGNED)
        .values_list("task__unit__name")
        .annotate(n=Count("id", distinct=True))
    )
    for name, n in joint_visits:
        row(name)["joint_visits"] += n
    ratings = VisitRating.objects.filter(target__task__in=tasks)
    for name, n, score_sum in ratings.values_list("target__task__unit__name").annotate(
        n=Count("id"), score_sum=Sum("score")
    ):
        r = row(name)
        r["rated"] += n
        r["score_sum"] += score_sum or 0
    rows = sorted(per_unit.values(), key=lambda r: r["unit"])
    total = {
        k: sum(r[k] for r in rows)
        for k in (
            "tasks",
            "joint",
            "drawn",
            "checked",
            "problems",
            "published",
            "on_time",
            "rated",
            "score_sum",
            "joint_visits",
        )
    }
    total["unit"] = "合计"
    for r in [*rows, total]:
        r["problem_rate"] = round(100 * r["problems"] / r["checked"], 1) if r["checked"] else 0
        r["on_time_rate"] = round(100 * r["on_time"] / r["published"], 1) if r["published"] else 0
        r["joint_share"] = round(100 * r["joint"] / r["tasks"], 1) if r["tasks"] else 0
        r["rating_avg"] = round(r["score_sum"] / r["rated"], 2) if r["rated"] else 0
        checked = r["checked"]
        r["joint_visit_share"] = round(100 * r["joint_visits"] / checked, 1) if checked else 0
    return {"rows": rows, "total": total, "year": year}


def stats_chart_option(stats: dict[str, Any]) -> dict[str, Any]:
    rows = stats["rows"]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": ["抽中（户）", "已检查（户）", "已公示（户）"], "top": 0},
        "grid": {"left": 8, "right": 24, "top": 56, "bottom": 8, "containLabel": True},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [r["unit"] for r in rows],
            "axisLabel": {"interval": 0},
        },
        "xAxis": {"type": "value"},
        "series": [
            {"name": "抽中（户）", "type": "bar", "data": [r["drawn"] for r in rows]},
            {"name": "已检查（户）", "type": "bar", "data": [r["checked"] for r in rows]},
            {"name": "已公示（户）", "type": "bar", "data": [r["published"] for r in rows]},
        ],
    }


def visit_info(target: Target) -> dict[str, Any]:
    """What the inspected entity sees of its check (亮码检查): the task, its unit and dates,
    the items with their legal basis, the inspectors by name and certificate number only,
    and whether the visit can still be rated."""
    from regulus.inspections.models import VisitRating

    inspectors = [
        (a.inspector.user.display_name, a.inspector.number)
        for a in target.assignments.filter(active=True)
        .select_related("inspector__user")
        .order_by("pick", "pk")
    ]
    rating = VisitRating.objects.filter(target=target).first()
    return {
        "target": target,
        "task": target.task,
        "items": target_items(target),
        "inspectors": inspectors,
        "rating": rating,
        "can_rate": rating is None
        and target.state != Target.State.ASSIGNED
        and bool(target.rating_code),
    }
