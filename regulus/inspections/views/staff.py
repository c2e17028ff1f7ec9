"""Staff pages of 双随机、一公开: the lists, plans, tasks with their draw, the inspector's own
task list and the result form."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from regulus.core.errors import flash_errors
from regulus.core.models import User
from regulus.core.permissions import allows, page
from regulus.core.text import LINE, MULTILINE, clean_fields
from regulus.core.views import choice_param, paginate
from regulus.inspections import selectors, services
from regulus.inspections.models import (
    STRATA,
    STRATUM_LABELS,
    Assignment,
    CheckItem,
    Domain,
    Inspector,
    Plan,
    Rectification,
    ResultCode,
    ResultFile,
    Target,
    Task,
)
from regulus.inspections.services.results import DISPOSALS
from regulus.registry.models import EntityKind


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _date(raw: str | None, label: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError({field: f"{label}须为“年-月-日”格式的日期"}) from None


def _datetime(raw: str | None, label: str, field: str) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError({field: f"{label}须为“年-月-日 时:分”格式"}) from None
    if value.tzinfo is None:
        from django.utils import timezone

        value = timezone.make_aware(value)
    return value


def _int(raw: str | None, label: str, field: str) -> int:
    try:
        value = int(str(raw or "").strip())
    except ValueError:
        raise ValidationError({field: f"{label}须为整数"}) from None
    if not -1_000_000 < value < 1_000_000:
        raise ValidationError({field: f"{label}超出范围"})
    return value


# -- the item list and the inspector directory -----------------------------------------------


@page("inspections.view")
def item_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            text = clean_fields(
                request.POST,
                {
                    "code": ("事项编码", LINE, 20),
                    "name": ("检查事项", LINE, 200),
                    "department": ("实施部门", LINE, 100),
                    "legal_basis": ("法律依据", MULTILINE, 2000),
                },
            )
            services.item_create(
                actor=user,
                kind=request.POST.get("kind", ""),
                domain=request.POST.get("domain", ""),
                **text,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已新增抽查事项")
        return redirect("inspections:item_list")
    return render(
        request,
        "inspections/item_list.html",
        {
            "items": CheckItem.objects.all(),
            "kinds": CheckItem.Kind.choices,
            "domains": Domain.choices,
            "can_manage": allows(user, "inspections.lists_manage"),
        },
    )


@page("inspections.view")
def inspector_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            action = request.POST.get("action", "")
            if action == "enrol":
                staff_id = _int(request.POST.get("user"), "工作人员", "user")
                staff = User.objects.visible_to(user).filter(pk=staff_id).first()
                if staff is None:
                    raise ValidationError({"user": "工作人员不存在或不在您的数据范围内"})
                text = clean_fields(request.POST, {"number": ("执法证号", LINE, 30)})
                services.inspector_enrol(
                    actor=user,
                    user=staff,
                    number=text["number"],
                    certificate_expires=_date(
                        request.POST.get("certificate_expires"),
                        "执法证有效期",
                        "certificate_expires",
                    ),
                    domains=request.POST.getlist("domains"),
                    available=request.POST.get("available", "1") == "1",
                )
            elif action == "conflict":
                pk = _int(request.POST.get("inspector"), "检查人员", "inspector")
                inspector = Inspector.objects.visible_to(user).filter(pk=pk).first()
                if inspector is None:
                    raise ValidationError({"inspector": "检查人员不存在或不在您的数据范围内"})
                text = clean_fields(
                    request.POST,
                    {"uscc": ("统一社会信用代码", LINE, 18), "reason": ("利害关系", LINE, 200)},
                )
                services.conflict_declare(actor=user, inspector=inspector, **text)
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已保存")
        return redirect("inspections:inspector_list")
    rows = selectors.inspectors_for(user).prefetch_related("conflicts__entity")
    return render(
        request,
        "inspections/inspector_list.html",
        {
            **paginate(request, rows),
            "today": selectors_today(),
            "domains": Domain.choices,
            "staff": User.objects.visible_to(user)
            .filter(is_active=True)
            .order_by("username")[:500],
            "can_manage": allows(user, "inspections.lists_manage"),
        },
    )


@page("inspections.lists_manage")
def inspector_import(request: HttpRequest) -> HttpResponse:
    """Import the inspector directory from a table (all-or-nothing by default); the result
    lists every bad row with its line and field."""
    from regulus.core.tabular import MODES, TableError, check_upload
    from regulus.inspections.services.lists import INSPECTOR_COLUMNS, inspectors_import

    result = None
    error = ""
    mode = request.POST.get("mode", "all-or-nothing")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise TableError("请选择要导入的文件（.xlsx或.csv）")
            if mode not in MODES:
                raise TableError("导入方式须从列表中选择")
            name = upload.name or "upload"
            kind = check_upload(name, upload, upload.size or 0)
            with tempfile.NamedTemporaryFile(suffix="." + kind) as stored:
                for chunk in upload.chunks():
                    stored.write(chunk)
                stored.flush()
                result = inspectors_import(
                    actor=_user(request), path=stored.name, name=name, mode=mode
                )
        except TableError as exc:
            error = str(exc)
        if result is not None and result.file_error:
            error, result = result.file_error, None
        if result is not None and result.committed:
            messages.success(request, f"已导入{result.written}名执法检查人员")
    return render(
        request,
        "inspections/inspector_import.html",
        {
            "result": result,
            "error": error,
            "modes": MODES,
            "mode": mode,
            "columns": INSPECTOR_COLUMNS,
        },
    )


@page("inspections.lists_manage")
def inspector_template(request: HttpRequest) -> HttpResponse:
    from regulus.core.documents import XLSX_CONTENT_TYPE
    from regulus.inspections.services.lists import inspectors_template

    response = HttpResponse(inspectors_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="inspectors-template.xlsx"'
    return response


def selectors_today() -> dt.date:
    from regulus.core import clock

    return clock.today()


# -- plans and tasks ------------------------------------------------------------------------


@page("inspections.view")
def plan_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        try:
            text = clean_fields(request.POST, {"title": ("计划名称", LINE, 200)})
            services.plan_create(
                actor=user,
                year=_int(request.POST.get("year"), "年度", "year"),
                batch=_int(request.POST.get("batch"), "批次", "batch"),
                **text,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已编制抽查计划")
        return redirect("inspections:plan_list")
    return render(
        request,
        "inspections/plan_list.html",
        {
            "plans": selectors.plans_for(user),
            "can_plan": allows(user, "inspections.plan_manage"),
            "year": selectors_today().year,
        },
    )


@page("inspections.view")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = Plan.objects.select_related("unit").get_visible_or_404(user, pk=pk)
    if request.method == "POST":
        try:
            services.plan_file(actor=user, plan=plan)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已报备")
        return redirect("inspections:plan_detail", pk=plan.pk)
    own = plan.is_own(user)
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "tasks": plan.tasks.order_by("number"),
            "can_plan": own and allows(user, "inspections.plan_manage"),
            "read_only": not own,
        },
    )


@page("inspections.view")
def plans_filed(request: HttpRequest) -> HttpResponse:
    """The plans the units below filed with the user's unit or the units under it (报备):
    read-only, with their tasks' progress."""
    user = _user(request)
    return render(
        request,
        "inspections/plans_filed.html",
        paginate(request, selectors.plans_filed_with(user)),
    )


@page("inspections.plan_manage")
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = Plan.objects.get_visible_or_404(user, pk=pk)
    if not plan.is_own(user):
        messages.error(request, "上级单位只能查阅报备的计划，不能在其下建立任务")
        return redirect("inspections:plan_detail", pk=plan.pk)
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST
        try:
            text = clean_fields(
                request.POST,
                {
                    "title": ("任务名称", LINE, 200),
                    "department": ("实施部门", LINE, 100),
                    "source_description": ("公共随机源", LINE, 300),
                },
            )
            item_ids = [_int(v, "检查事项", "items") for v in request.POST.getlist("items")]
            task = services.task_create(
                actor=user,
                plan=plan,
                domain=request.POST.get("domain", ""),
                items=list(CheckItem.objects.filter(pk__in=item_ids, is_active=True)),
                check_from=_date(request.POST.get("check_from"), "检查开始日期", "check_from"),
                check_to=_date(request.POST.get("check_to"), "检查结束日期", "check_to"),
                source_available_at=_datetime(
                    request.POST.get("source_available_at"), "随机源产生时间", "source_available_at"
                ),
                ratios={
                    s: request.POST.get("ratio_" + ("none" if s == "-" else s), "") for s in STRATA
                },
                per_target=_int(
                    request.POST.get("per_target") or "2", "每户检查人员数", "per_target"
                ),
                filters={
                    "kind": request.POST.get("kind", ""),
                    "industry_section": request.POST.get("industry_section", ""),
                    "district_code": request.POST.get("district_code", ""),
                    "risk_class": request.POST.getlist("risk_class"),
                },
                joint=request.POST.get("joint") == "1",
                cross_district=request.POST.get("cross_district") == "1",
                **text,
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已建立抽查任务 {task.number}")
            return redirect("inspections:task_detail", number=task.number)
    return render(
        request,
        "inspections/task_form.html",
        {
            "plan": plan,
            "values": values,
            "items": CheckItem.objects.filter(is_active=True),
            "domains": Domain.choices,
            "kinds": EntityKind.choices,
            "strata": [
                (
                    s,
                    "none" if s == "-" else s,
                    STRATUM_LABELS[s],
                    selectors.rule_in_force(s, selectors_today()),
                )
                for s in STRATA
            ],
        },
    )


@page("inspections.view")
def task_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = choice_param(request, "state", Task.State.choices, "状态")
    return render(
        request,
        "inspections/task_list.html",
        {
            "states": Task.State.choices,
            "state": state,
            **paginate(request, selectors.tasks_for(user, state=state)),
        },
    )


@page("inspections.view")
def task_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    task = selectors.task_get(user, number)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "freeze":
                services.task_freeze(actor=user, task=task)
            elif action == "source":
                text = clean_fields(request.POST, {"value": ("随机源数值", LINE, 200)})
                services.source_enter(actor=user, task=task, **text)
            elif action == "draw":
                services.draw_run(actor=user, task=task)
            elif action == "merge":
                ids = [_int(v, "检查对象", "targets") for v in request.POST.getlist("targets")]
                chosen = list(Target.objects.filter(pk__in=ids).select_related("entity"))
                services.visit_merge(actor=user, task=task, targets=chosen)
            elif action == "withdraw":
                pk = _int(request.POST.get("assignment"), "分派", "assignment")
                assignment = Assignment.objects.filter(target__task=task, pk=pk).first()
                if assignment is None:
                    raise ValidationError({"assignment": "该分派不存在"})
                text = clean_fields(request.POST, {"reason": ("回避事由", LINE, 300)})
                services.withdrawal_draw(actor=user, assignment=assignment, **text)
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已办理")
        return redirect("inspections:task_detail", number=task.number)
    targets = selectors.task_targets(task)
    candidates = (
        selectors.target_candidates(task).count() if task.state == Task.State.DRAFT else None
    )
    return render(
        request,
        "inspections/task_detail.html",
        {
            "task": task,
            "strata": task.strata.all(),
            "snapshots": task.snapshots.all(),
            "entries": task.source_entries.select_related("entered_by"),
            "draws": selectors.draws_of(task).select_related("created_by"),
            "candidates": candidates,
            "exclusions": selectors.exclusion_counts(task)
            if task.state == Task.State.DRAFT
            else [],
            "overlapping": selectors.overlapping_targets(task)[:200]
            if task.state != Task.State.DRAWN
            else [],
            "joined": selectors.joined_targets(task),
            "can_plan": allows(user, "inspections.plan_manage"),
            "can_source": allows(user, "inspections.source_enter"),
            **paginate(request, targets, per_page=50),
        },
    )


# -- the inspector's own list and results ----------------------------------------------------


@page("inspections.view")
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "inspections/my_tasks.html",
        {
            **paginate(request, selectors.my_assignments(user)),
            "rechecks": selectors.my_rechecks(user)[:50],
        },
    )


@page("inspections.view")
def target_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    target = (
        Target.objects.select_related("task", "entity").filter(pk=pk).first()
        if 0 < pk < 2**62
        else None
    )
    mine = target is not None and target.assignments.filter(inspector__user=user, active=True)
    if target is None or not (
        mine or Target.objects.visible_to(user).filter(pk=target.pk).exists()
    ):
        raise Http404("不存在或无权查看")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action in ("show_code", "file_add", "file_remove"):
        from regulus.inspections.services import files

        try:
            if action == "show_code":
                services.visit_code_show(actor=user, target=target)
            elif action == "file_add":
                files.result_file_add(actor=user, target=target, upload=request.FILES.get("file"))
                messages.success(request, "已上传")
            else:
                pk_raw = _int(request.POST.get("file"), "文件", "file")
                row = target.files.filter(pk=pk_raw).first()
                if row is None:
                    raise ValidationError({"file": "该文件不存在"})
                files.result_file_remove(actor=user, row=row)
                messages.success(request, "已删除")
        except ValidationError as exc:
            flash_errors(request, exc)
        return redirect("inspections:target_result", pk=target.pk)
    if request.method == "POST":
        try:
            from regulus.inspections.services import results

            codes = {
                item.pk: (
                    request.POST.get(f"code_{item.pk}", ""),
                    request.POST.get(f"notes_{item.pk}", ""),
                )
                for item in selectors.target_items(target)
            }
            text = {
                k: clean_fields({"v": notes}, {"v": (f"检查情况（{k}）", MULTILINE, 2000)})["v"]
                for k, (_c, notes) in codes.items()
            }
            results.result_enter(
                actor=user,
                target=target,
                codes={k: c for k, (c, _n) in codes.items()},
                notes=text,
                checked_on=_date(request.POST.get("checked_on"), "检查日期", "checked_on"),
                disposal=request.POST.get("disposal", ""),
                requirement=clean_fields(
                    request.POST, {"requirement": ("整改要求", MULTILINE, 2000)}
                )["requirement"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已录入检查结果")
        return redirect("inspections:target_result", pk=target.pk)
    existing = {r.item_id: r for r in target.results.all()}
    return render(
        request,
        "inspections/target_result.html",
        {
            "target": target,
            "mine": bool(mine),
            "codes": ResultCode.choices,
            "rows": [(item, existing.get(item.pk)) for item in selectors.target_items(target)],
            "joined": target.joint_visits.select_related("task"),
            "files": target.files.all(),
            "inspectors": target.assignments.filter(active=True).select_related("inspector__user"),
            "today": selectors_today(),
            "disposals": DISPOSALS,
            "rectification": Rectification.objects.filter(target=target).first(),
            "visit_url": _visit_url(request, target),
        },
    )


@page("inspections.view")
def result_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """A photo or file of a result, to its assigned inspectors and the staff in scope."""
    from regulus.core.files import file_response

    user = _user(request)
    row = (
        ResultFile.objects.select_related("target").filter(pk=file_pk, target_id=pk).first()
        if 0 < file_pk < 2**62 and 0 < pk < 2**62
        else None
    )
    mine = row is not None and row.target.assignments.filter(inspector__user=user).exists()
    if row is None or not (mine or ResultFile.objects.visible_to(user).filter(pk=row.pk).exists()):
        raise Http404("不存在或无权查看")
    return file_response(
        row.stored_name, download_name=row.original_name, content_type=row.content_type
    )


def _visit_url(request: HttpRequest, target: Target) -> str:
    """The portal address the entity opens by scanning the inspector's screen (亮码检查)."""
    if not target.visit_code:
        return ""
    return request.build_absolute_uri(reverse("inspections_public:visit", args=[target.visit_code]))


# -- rectification orders and their re-check ------------------------------------------------


@page("inspections.view")
def rectification_list(request: HttpRequest) -> HttpResponse:
    """Open orders first, nearest deadline first; the overdue marked."""
    from regulus.core import clock_selectors
    from regulus.inspections.workflow import RECTIFICATION_FLOW

    user = _user(request)
    state = choice_param(request, "state", Rectification.State.choices, "状态")
    rows = selectors.rectifications_for(user, state=state)
    return render(
        request,
        "inspections/rectification_list.html",
        {
            "states": Rectification.State.choices,
            "state": state,
            **paginate(
                request, clock_selectors.with_overdue_flag(rows, workflow=RECTIFICATION_FLOW)
            ),
        },
    )


@page("inspections.view")
def rectification(request: HttpRequest, pk: int) -> HttpResponse:
    """One order on the inspector's phone: the problems, the clock, the report and the
    re-check (an assigned inspector sees their own orders whatever their data scope)."""
    from regulus.core.clock_selectors import main_clock, object_clocks
    from regulus.core.workflow import timeline
    from regulus.inspections.workflow import RECTIFICATION_FLOW

    user = _user(request)
    order = selectors.rectification_get(user, pk)
    mine = order.target.assignments.filter(inspector__user=user, active=True).exists()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "report":
                services.rectification_report(
                    actor=user,
                    order=order,
                    reported_on=_date(
                        request.POST.get("reported_on"), "整改报告日期", "reported_on"
                    ),
                    note=clean_fields(request.POST, {"note": ("说明", LINE, 300)})["note"],
                )
            elif action in ("pass", "fail"):
                services.rectification_recheck(
                    actor=user,
                    order=order,
                    passed=action == "pass",
                    notes=clean_fields(request.POST, {"notes": ("复查情况", MULTILINE, 2000)})[
                        "notes"
                    ],
                    rechecked_on=_date(
                        request.POST.get("rechecked_on"), "复查日期", "rechecked_on"
                    ),
                )
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, "已办理")
        return redirect("inspections:rectification", pk=order.pk)
    return render(
        request,
        "inspections/rectification.html",
        {
            "order": order,
            "mine": mine,
            "open": order.state in RECTIFICATION_FLOW.open_states(),
            "main_clock": main_clock(object_clocks(order)),
            "events": timeline(order, RECTIFICATION_FLOW),
            "today": selectors_today(),
        },
    )


@page("inspections.view")
def publication_list(request: HttpRequest) -> HttpResponse:
    """Results waiting for publication, nearest deadline first, the overdue marked."""
    from regulus.core import clock_selectors
    from regulus.inspections.services import results
    from regulus.inspections.workflow import TARGET_FLOW

    user = _user(request)
    if request.method == "POST":
        pk = request.POST.get("target", "")
        target = (
            Target.objects.visible_to(user).filter(pk=int(pk)).first()
            if pk.isdigit() and len(pk) < 18
            else None
        )
        try:
            if target is None:
                raise ValidationError({"target": "该检查对象不存在或不在您的数据范围内"})
            results.result_publish(actor=user, target=target)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, f"已公示：{target.entity.name}")  # type: ignore[union-attr]
        return redirect("inspections:publication_list")
    rows = clock_selectors.with_overdue_flag(
        Target.objects.visible_to(user)
        .filter(state=Target.State.CHECKED)
        .select_related("entity", "task")
        .order_by("deadline", "id"),
        workflow=TARGET_FLOW,
    )
    return render(
        request,
        "inspections/publication_list.html",
        {**paginate(request, rows), "can_publish": allows(user, "inspections.publish")},
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and len(raw) == 4 else selectors_today().year
    return year if 2000 <= year <= 2100 else selectors_today().year


@page("inspections.view")
def stats(request: HttpRequest) -> HttpResponse:
    data = selectors.year_stats(_user(request), _year(request))
    return render(
        request, "inspections/stats.html", {**data, "chart": selectors.stats_chart_option(data)}
    )


@page("inspections.view")
def stats_export(request: HttpRequest) -> HttpResponse:
    from regulus.core.documents import XLSX_CONTENT_TYPE
    from regulus.inspections.services import results

    year = _year(request)
    body = results.stats_export(actor=_user(request), year=year)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="inspections-stats-{year}.xlsx"'
    return response
