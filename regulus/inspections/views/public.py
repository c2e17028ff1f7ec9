"""The portal's pages of the draws (一公开): each frozen task's lists with their SM3 hashes,
its announced random source, and once drawn its result and the files to re-run it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core.views import paginate
from regulus.inspections import selectors, services
from regulus.inspections.models import Task

FILES = ("targets.tsv", "inspectors.tsv", "exclusions.tsv", "draw.json")


def _task(number: str) -> Task:
    task = selectors.public_tasks().filter(number=number[:30]).first()
    if task is None:
        raise Http404("没有该抽查任务")
    return task


def draw_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inspections/public_draw_list.html",
        paginate(request, selectors.public_tasks().order_by("-frozen_at", "-id")),
    )


def draw_page(request: HttpRequest, number: str) -> HttpResponse:
    task = _task(number)
    from regulus.inspections.services.draws import draw_info

    info = draw_info(task, drawn_limit=200)
    # Recomputing a large draw takes seconds: only when asked for.
    asked = request.GET.get("verify") == "1"
    verdict = services.verify(task) if asked and task.state == Task.State.DRAWN else None
    return render(
        request,
        "inspections/public_draw.html",
        {
            "task": task,
            "info": info,
            "files": [name for name in FILES if name in info["files"] or name == "draw.json"],
            "strata": task.strata.all(),
            "verdict": verdict,
            "drawn": info.get("drawn", [])[:200],
        },
    )


def draw_file(request: HttpRequest, number: str, name: str) -> HttpResponse:
    if name not in FILES:
        raise Http404("没有该文件")
    task = _task(number)
    data = services.published_files(task, (name,))[name]
    kind = "application/json" if name.endswith(".json") else "text/tab-separated-values"
    response = HttpResponse(data, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
