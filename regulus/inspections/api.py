"""双随机、一公开 API: the lists, plans and tasks (read, in scope), a task's draw (read), the
result of a target (write, by an assigned inspector only), and the public draw files with
their verification (open to all, as the portal)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from regulus.core.permissions import operation
from regulus.core.schemas import Id, MultilineText, Text
from regulus.inspections import selectors, services
from regulus.inspections.models import CheckItem, Target, Task

router = Router(tags=["双随机、一公开"])


class ItemOut(Schema):
    code: str
    name: str
    department: str
    legal_basis: str
    kind: str
    domain: str


class InspectorOut(Schema):
    number: str
    name: str
    unit: str
    certificate_expires: dt.date
    domains: list[str]
    available: bool


class PlanOut(Schema):
    id: int
    year: int
    batch: int
    title: str
    unit: str
    state: str


class StratumOut(Schema):
    stratum: str
    ratio_bp: int
    population: int
    drawn: int


class TaskOut(Schema):
    number: str
    title: str
    plan: int
    unit: str
    state: str
    check_from: dt.date
    check_to: dt.date
    per_target: int
    source_description: str
    strata: list[StratumOut]


class DrawnOut(Schema):
    position: int
    uscc: str
    stratum: str
    state: str
    inspectors: list[str]


class ResultItemIn(Schema):
    item: Text = Field(description="检查事项编码")
    code: Text = Field(description="标准结果代码（1、3–12、A–F）")
    notes: MultilineText = ""


class ResultIn(Schema):
    checked_on: dt.date
    items: list[ResultItemIn]


class VerifyOut(Schema):
    task: str
    ok: bool
    problem: str


def _task_out(t: Task) -> dict[str, Any]:
    return {
        "number": t.number,
        "title": t.title,
        "plan": t.plan_id,
        "unit": t.unit.name,
        "state": t.state,
        "check_from": t.check_from,
        "check_to": t.check_to,
        "per_target": t.per_target,
        "source_description": t.source_description,
        "strata": [
            {
                "stratum": s.stratum,
                "ratio_bp": s.ratio_bp,
                "population": s.population,
                "drawn": s.drawn,
            }
            for s in t.strata.all()
        ],
    }


@router.get("/inspections/items", response=list[ItemOut], summary="抽查事项清单")
@operation("inspections.view")
def item_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = CheckItem.objects.filter(is_active=True).values(
        "code", "name", "department", "legal_basis", "kind", "domain"
    )
    return [dict(r) for r in rows]


@router.get(
    "/inspections/inspectors", response=list[InspectorOut], summary="执法检查人员名录（数据范围内）"
)
@operation("inspections.view")
def inspector_list(request: HttpRequest, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    limit, offset = max(1, min(limit, 500)), max(0, min(offset, 10_000_000))
    rows = selectors.inspectors_for(request.auth)[offset : offset + limit]  # type: ignore[attr-defined]
    return [
        {
            "number": i.number,
            "name": i.user.display_name,
            "unit": i.unit.name,
            "certificate_expires": i.certificate_expires,
            "domains": i.domains,
            "available": i.available,
        }
        for i in rows
    ]


@router.get("/inspections/plans", response=list[PlanOut], summary="抽查计划（数据范围内）")
@operation("inspections.view")
def plan_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "year": p.year,
            "batch": p.batch,
            "title": p.title,
            "unit": p.unit.name,
            "state": p.state,
        }
        for p in selectors.plans_for(request.auth)[:500]  # type: ignore[attr-defined]
    ]


@router.get("/inspections/tasks", response=list[TaskOut], summary="抽查任务（数据范围内）")
@operation("inspections.view")
def task_list(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    limit, offset = max(1, min(limit, 200)), max(0, min(offset, 10_000_000))
    rows = selectors.tasks_for(request.auth).prefetch_related("strata")  # type: ignore[attr-defined]
    return [_task_out(t) for t in rows[offset : offset + limit]]


@router.get("/inspections/tasks/{number}", response=TaskOut, summary="抽查任务详情")
@operation("inspections.view")
def task_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _task_out(selectors.task_get(request.auth, number[:30]))  # type: ignore[attr-defined]


@router.get(
    "/inspections/tasks/{number}/drawn", response=list[DrawnOut], summary="抽中对象及检查人员"
)
@operation("inspections.view")
def task_drawn(
    request: HttpRequest, number: str, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    task = selectors.task_get(request.auth, number[:30])  # type: ignore[attr-defined]
    limit, offset = max(1, min(limit, 1000)), max(0, min(offset, 10_000_000))
    rows = selectors.task_targets(task)[offset : offset + limit]
    return [
        {
            "position": t.position,
            "uscc": t.entity.uscc,
            "stratum": t.stratum,
            "state": t.state,
            "inspectors": [a.inspector.number for a in t.assignments.all() if a.active],
        }
        for t in rows
    ]


@router.post(
    "/inspections/targets/{target_id}/result",
    response={200: DrawnOut},
    summary="录入检查结果（仅限抽中的检查人员）",
)
@operation("inspections.result_enter")
def result_enter(request: HttpRequest, target_id: Id, payload: ResultIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    target = Target.objects.select_related("task", "entity").filter(pk=target_id).first()
    if target is None or not target.assignments.filter(inspector__user=user, active=True).exists():
        raise Http404("不存在或无权查看")
    by_code = {i.code: i.pk for i in target.task.items.all()}
    unknown = [r.item for r in payload.items if r.item not in by_code]
    if unknown:
        raise ValidationError({"items": f"检查事项编码不属于本任务：{'、'.join(unknown[:5])}"})
    services.result_enter(
        actor=user,
        target=target,
        checked_on=payload.checked_on,
        codes={by_code[r.item]: r.code for r in payload.items},
        notes={by_code[r.item]: r.notes for r in payload.items},
    )
    target.refresh_from_db()
    return {
        "position": target.position,
        "uscc": target.entity.uscc,
        "stratum": target.stratum,
        "state": target.state,
        "inspectors": [a.inspector.number for a in target.assignments.filter(active=True)],
    }


@router.get("/inspections/public/draws/{number}", summary="公开的抽取文件（draw.json）", auth=None)
def public_draw(request: HttpRequest, number: str) -> dict[str, Any]:
    task = selectors.public_tasks().filter(number=number[:30]).first()
    if task is None:
        raise Http404("没有该抽查任务")
    return json.loads(services.published_files(task)["draw.json"])  # type: ignore[no-any-return]


@router.get(
    "/inspections/public/draws/{number}/verify", response=VerifyOut, summary="重算抽取", auth=None
)
def public_verify(request: HttpRequest, number: str) -> dict[str, Any]:
    task = selectors.public_tasks().filter(number=number[:30]).first()
    if task is None:
        raise Http404("没有该抽查任务")
    verdict = services.verify(task)
    return {"task": verdict.task, "ok": verdict.ok, "problem": verdict.problem}
