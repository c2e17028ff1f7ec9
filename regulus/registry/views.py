"""Staff pages of the registry. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from regulus.core import ids
from regulus.core.errors import field_errors
from regulus.core.htmx import wants_fragment
from regulus.core.masking import mask_id_number
from regulus.core.pagination import page_number
from regulus.core.permissions import allows, page
from regulus.core.selectors import units_visible_to
from regulus.registry import exporting, portal_codes, selectors, services
from regulus.registry.forms import (
    EntityCreateForm,
    EntityEditForm,
    EntityStatusForm,
    add_service_errors,
)
from regulus.registry.importing import write_template
from regulus.registry.models import Entity, EntityKind, EntityStatus, ImportJob, RiskClass
from regulus.registry.rules import DISTRICTS, INDUSTRY_SECTIONS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page_number(request: HttpRequest) -> int:
    """core.views.page_number: the last page is not known before the search runs."""
    return page_number(request)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@page("registry.entity_view")
def entity_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: HttpRequest) -> HttpResponse:
    """The search page, or (htmx) its results; a refused parameter is said above the results
    and nothing is searched."""
    filters, errors = selectors.EntityFilters.parse(request.GET)
    if errors:
        result = selectors.SearchResult([], 0, 1, 20, message="；".join(errors.values()))
    else:
        result = selectors.entity_search(
            user=request.user, filters=filters, page=_page_number(request)
        )
    context = {
        "f": filters,
        "result": result,
        "query_without_page": _query_without_page(request),
        "export_query": request.GET.urlencode(),
        "districts": ids.DEMO_DISTRICTS,
        "kinds": EntityKind.choices,
        "statuses": EntityStatus.choices,
        "risks": RiskClass.choices,
        "industries": [(k, f"{k} {v[0]}") for k, v in INDUSTRY_SECTIONS.items()],
        "sorts": selectors.SORTS.items(),
        "district_names": DISTRICTS,
        "can_create": allows(request.user, "registry.entity_edit"),
        "can_export": allows(request.user, "registry.entity_export"),
        "can_import": allows(request.user, "registry.entity_import"),
    }
    if wants_fragment(request):  # htmx swaps only a 2xx answer in
        return render(request, "registry/_results.html", context)
    return render(request, "registry/entity_list.html", context, status=422 if errors else 200)


def _entity(request: HttpRequest, uscc: str) -> Entity:
    """The entity, if the user's data scope holds it (404 otherwise, for GET and POST alike)."""
    return Entity.objects.select_related("unit").get_visible_or_404(  # type: ignore[no-any-return]
        request.user, uscc=ids.normalise(uscc)
    )


def _render_detail(
    request: HttpRequest,
    entity: Entity,
    *,
    edit_form: EntityEditForm | None = None,
    status_form: EntityStatusForm | None = None,
    status: int = 200,
    open_panel: str = "",
) -> HttpResponse:
    can_edit = allows(request.user, "registry.entity_edit")
    if can_edit:
        if edit_form is None:
            edit_form = EntityEditForm(entity=entity)
        if status_form is None:
            status_form = EntityStatusForm(entity=entity)
    context = {
        "entity": entity,
        "district_name": DISTRICTS.get(entity.district_code, ""),
        "industry": selectors.industry_label(entity),
        "id_masked": mask_id_number(entity.legal_rep_id_number),
        "former_names": list(entity.former_names.all()),
        "permits": selectors.entity_permits(entity, request.user),
        "credit_facts": selectors.entity_credit_facts(entity, request.user),
        "events": selectors.entity_timeline(entity, request.user),
        "can_edit": can_edit,
        "can_issue_portal_code": allows(request.user, "registry.portal_code_manage"),
        "edit_form": edit_form,
        "status_form": status_form,
        "status_choices": status_form.fields["status"].choices if status_form else [],  # type: ignore[attr-defined]
        "edit_open": open_panel == "edit" or bool(edit_form and edit_form.errors),
        "status_open": open_panel == "status" or bool(status_form and status_form.errors),
    }
    return render(request, "registry/entity_detail.html", context, status=status)


@page("registry.entity_view")
def entity_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    entity = selectors.entity_detail(user=request.user, uscc=uscc)
    return _render_detail(request, entity)


@page("registry.entity_edit")
def entity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = EntityCreateForm(
        request.POST or None,
        units=units_visible_to(user),  # type: ignore[arg-type]
        initial={
            "district_code": getattr(user.unit, "division_code", ""),  # type: ignore[union-attr]
            "unit": user.unit,  # type: ignore[union-attr]
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            entity = services.entity_create(actor=user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记：{entity.name}")
            return redirect(entity)
    return render(
        request,
        "registry/entity_form.html",
        {"form": form, "title": "新增市场主体"},
        status=422 if form.errors else 200,
    )


@page("registry.entity_edit")
def entity_edit(request: HttpRequest, uscc: str) -> HttpResponse:
    user = request.user
    entity = _entity(request, uscc)
    if request.method != "POST":
        return _render_detail(request, entity, open_panel="edit")
    form = EntityEditForm(request.POST, entity=entity)
    if form.is_valid():
        try:
            services.entity_update(actor=user, entity=entity, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect(entity)
    return _render_detail(request, entity, edit_form=form, status=422)


@page("registry.entity_edit")
def entity_status(request: HttpRequest, uscc: str) -> HttpResponse:
    user = request.user
    entity = _entity(request, uscc)
    if request.method != "POST":
        return _render_detail(request, entity, open_panel="status")
    form = EntityStatusForm(request.POST, entity=entity)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.entity_change_status(
                actor=user,
                entity=entity,
                status=d["status"],
                on=d["status_changed_on"],
                reason=d["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已变更登记状态为：{EntityStatus(d['status']).label}")
            return redirect(entity)
    return _render_detail(request, entity, status_form=form, status=422)


@page("registry.entity_export")
def entity_export(request: HttpRequest) -> HttpResponseBase:
    filters, errors = selectors.EntityFilters.parse(request.GET)
    if errors:
        return _list_page(request)  # the page says what was refused; nothing is exported
    refusal = selectors.search_refusal(filters.q)
    if refusal:  # the list shows no results for it: an export says why instead of a file
        messages.error(request, f"未导出：{refusal}")
        query = request.GET.urlencode()
        return redirect(f"{reverse('registry:entity_list')}{'?' + query if query else ''}")
    handle, _count = exporting.entity_export(actor=request.user, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(
        handle, as_attachment=True, filename=f"市场主体-{stamp}.xlsx", content_type=XLSX
    )


@page("registry.entity_import")
def import_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "请选择要导入的文件"
        else:
            try:
                job = services.import_job_create(actor=user, upload=upload)
            except ValidationError as exc:
                error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
            else:
                return redirect("registry:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=user)[:10]  # type: ignore[misc]
    return render(
        request,
        "registry/import_start.html",
        {"error": error, "jobs": jobs, "upload_max_mb": settings.UPLOAD_MAX_MB},
        status=422 if error else 200,
    )


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(created_by=request.user, pk=pk).first()  # type: ignore[misc]
    if job is None:
        raise Http404("不存在或无权查看")
    return job


def _progress(job: ImportJob) -> dict[str, Any]:
    if not job.running:
        return {"rows": job.processed_rows, "percent": job.percent_done}
    path = services.import_progress_file(job.pk)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"rows": 0, "percent": 0}


@page("registry.entity_import")
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context = {"job": job, "progress": _progress(job), "modes": ImportJob.Mode.choices}
    if wants_fragment(request):
        return render(request, "registry/_import_status.html", context)
    return render(request, "registry/import_job.html", context)


@page("registry.entity_import")
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_job_commit(actor=request.user, job=job, mode=request.POST.get("mode", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
    return redirect("registry:import_job", pk=job.pk)


@page("registry.entity_import")
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    services.import_job_cancel(actor=request.user, job=job)
    messages.info(request, "已放弃导入，没有写入任何数据")
    return redirect("registry:import_job", pk=job.pk)


@page("registry.entity_import")
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if not job.error_report_path or not Path(job.error_report_path).exists():
        raise Http404("没有错误报告")
    return FileResponse(
        open(job.error_report_path, "rb"),
        as_attachment=True,
        filename=f"导入错误报告-{job.pk}.xlsx",
        content_type=XLSX,
    )


@page("registry.entity_import")
def import_template(request: HttpRequest) -> FileResponse:
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="市场主体导入模板.xlsx", content_type=XLSX
    )


@page("registry.portal_code_manage")
def portal_code(request: HttpRequest) -> HttpResponse:
    """Issue an entity's portal code (企业填报码), shown once; the entity's detail page links
    here with ?uscc= filled in."""
    issued = ""
    entity = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            entity = selectors.entity_named(request.user, request.POST.get("uscc", ""))
            issued = portal_codes.portal_code_issue(entity=entity, actor=request.user)
        except ValidationError as exc:
            errors = field_errors(exc)
    return render(
        request,
        "registry/portal_code.html",
        {
            "issued": issued,
            "entity": entity,
            "errors": errors,
            "uscc": request.POST.get("uscc") or request.GET.get("uscc", ""),
        },
        status=400 if errors else 200,
    )
