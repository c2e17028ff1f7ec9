"""The portal's pages of the draws (一公开): each frozen task's lists with their SM3 hashes,
its announced random source, and once drawn its result and the files to re-run it; and the
pages of 亮码检查, where an inspected entity sees its check and rates it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regulus.core import clock, throttle
from regulus.core.text import MULTILINE, clean_fields
from regulus.core.throttle import Limit, Throttled
from regulus.core.views import paginate
from regulus.inspections import selectors, services
from regulus.inspections.models import Task
from regulus.inspections.services import visits
from regulus.inspections.services.visits import normalise_visit_code

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


# -- 亮码检查: the inspected entity's page of its check, and its rating -----------------------

VISIT_FAILURES = Limit(
    "inspections_visit_failure",
    "输入检查码或评价验证码错误",
    "此限制用于防止程序猜测检查码和评价验证码。请核对检查人员手机上显示的号码。",
)


def _throttled(request: HttpRequest, refused: Throttled) -> HttpResponse:
    response = render(
        request,
        "portal/throttled.html",
        {
            "message": refused.message,
            "rule": refused.rule,
            "why": refused.limit.why,
            "until": clock.now() + dt.timedelta(seconds=refused.retry_after),
        },
        status=429,
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def visit_lookup(request: HttpRequest) -> HttpResponse:
    """The form an entity types the short code into (the QR code opens visit() directly)."""
    error = ""
    raw = request.GET.get("code", "")
    if raw:
        code = normalise_visit_code(raw)
        if visits.visit_target(code) is not None:
            return redirect("inspections_public:visit", code=code)
        try:
            throttle.hit(request, VISIT_FAILURES)
        except Throttled as refused:
            return _throttled(request, refused)
        error = "没有该检查码对应的检查，请核对检查人员手机上显示的8位检查码"
    return render(
        request, "inspections/public_visit_lookup.html", {"error": error, "code": raw[:20]}
    )


def visit(request: HttpRequest, code: str) -> HttpResponse:
    target = visits.visit_target(code)
    if target is None:
        try:
            throttle.hit(request, VISIT_FAILURES)
        except Throttled as refused:
            return _throttled(request, refused)
        raise Http404("没有该检查码对应的检查")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        attempt = None
        try:
            attempt = throttle.hit(request, VISIT_FAILURES)
            raw_score = request.POST.get("score", "")
            comment = clean_fields(request.POST, {"comment": ("意见", MULTILINE, 500)})["comment"]
            visits.visit_rate(
                target=target,
                rating_code=request.POST.get("rating_code", "")[:20],
                score=int(raw_score) if raw_score.isdigit() and len(raw_score) == 1 else None,
                comment=comment,
            )
        except Throttled as refused:
            return _throttled(request, refused)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            if attempt is not None and "rating_code" not in errors:
                attempt.refund()  # only wrong codes count towards the limit
        else:
            attempt.refund()  # type: ignore[union-attr]
            return redirect("inspections_public:visit", code=target.visit_code)
    return render(
        request,
        "inspections/public_visit.html",
        {
            **selectors.visit_info(target),
            "errors": errors,
            "scores": visits.SCORES.items(),
        },
    )
