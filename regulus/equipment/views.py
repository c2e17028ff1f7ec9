"""Staff pages of 特种设备: the register and its due / overdue lists, an item with its
inspections and maintenance, the import, warnings, field checks with hazards and orders,
campaigns, key units, counts and the rules. Thin: parse, call a selector or a service,
render."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from regulus.core import clock
from regulus.core.documents import XLSX_CONTENT_TYPE, qr_svg_data_uri
from regulus.core.errors import field_messages, flash_errors
from regulus.core.models import ClockRule
from regulus.core.permissions import allows, page
from regulus.core.tabular import TableError, check_upload, write_template
from regulus.core.text import trim
from regulus.core.views import choice_param, date_param, paginate, text_param
from regulus.core.workflow import timeline
from regulus.equipment import exports, selectors, services
from regulus.equipment.models import (
    Campaign,
    Category,
    Compound,
    Equipment,
    FieldCheck,
    Hazard,
    KeyUnit,
    Order,
)
from regulus.equipment.workflow import EQUIPMENT_FLOW, ORDER_FLOW
from regulus.registry.models import Entity
from regulus.registry.rules import DISTRICTS

VIEW, EDIT = "equipment.equipment_view", "equipment.equipment_edit"
CHECK_VIEW, CHECK = "equipment.check_view", "equipment.check_record"
WHENS = tuple(selectors.WHEN_LABELS.items())
CHECK_ITEMS = (
    "使用登记及登记标志",
    "定期检验及检验标志",
    "维护保养记录",
    "作业人员持证上岗",
    "安全管理制度和岗位责任",
    "应急预案及演练",
    "安全附件和安全保护装置",
)
HAZARD_ROWS = 3


def _date(raw: str, field: str, label: str, *, required: bool = True) -> dt.date | None:
    raw = trim(raw or "")
    if not raw:
        if required:
            raise ValidationError({field: f"请填写{label}"})
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {field: f"{label}“{raw[:20]}”不是有效日期（应为YYYY-MM-DD）"}
        ) from None


def _int(raw: str, field: str, label: str, *, low: int, high: int) -> int | None:
    raw = trim(raw or "")
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError({field: f"{label}应为{low}至{high}的整数"})
    return int(raw)


def _entity(user: Any, uscc: str, field: str, label: str) -> Entity:
    uscc = trim(uscc or "").upper()
    if not uscc:
        raise ValidationError({field: f"请填写{label}的统一社会信用代码"})
    entity = Entity.objects.visible_to(user).filter(uscc=uscc[:18]).first()
    if entity is None:
        raise ValidationError({field: f"{label}“{uscc[:18]}”不在登记库或不在您的数据范围内"})
    return entity


def _pk(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


# -- the register ----------------------------------------------------------------------------


@page(VIEW)
def equipment_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "when": choice_param(request, "when", WHENS, "期限"),
        "district": choice_param(request, "district", DISTRICTS.items(), "区县"),
        "category": choice_param(request, "category", Category.choices, "设备类别"),
        "status": choice_param(request, "status", Equipment.Status.choices, "状态"),
        "q": text_param(request, "q", "查询内容", 40),
        "compound": _pk(request.GET.get("compound")),
        "using_entity": _pk(request.GET.get("entity")),
    }
    rows = selectors.equipment_list(user=request.user, **filters)
    context = {
        **filters,
        "whens": WHENS,
        "districts": sorted(DISTRICTS.items()),
        "categories": Category.choices,
        "statuses": Equipment.Status.choices,
        "today": clock.today(),
        "can_edit": allows(request.user, EDIT),
        **paginate(request, rows),
    }
    if filters["when"]:
        context["groups"] = {
            label: selectors.grouped_counts(user=request.user, when=filters["when"], by=by)[:10]
            for by, label in (
                ("district", "按区县"),
                ("compound", "按小区"),
                ("entity", "按使用单位"),
            )
        }
    return render(request, "equipment/equipment_list.html", context)


def _register_values(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    category = trim(post.get("category", ""))
    values: dict[str, Any] = {
        "category": category,
        "kind": post.get("kind", ""),
        "registration_number": trim(post.get("registration_number", "")),
        "factory_number": post.get("factory_number", ""),
        "address": post.get("address", ""),
        "compound_name": post.get("compound_name", ""),
        "make": post.get("make", ""),
        "model_name": post.get("model_name", ""),
        "made_year": _int(post.get("made_year", ""), "made_year", "制造年份", low=1900, high=2100),
        "first_used_on": _date(
            post.get("first_used_on", ""), "first_used_on", "投入使用日期", required=False
        ),
        "registered_on": _date(
            post.get("registered_on", ""), "registered_on", "使用登记日期", required=False
        ),
        "last_inspected_on": _date(
            post.get("last_inspected_on", ""), "last_inspected_on", "上次检验日期", required=False
        ),
        "using_entity": _entity(request.user, post.get("using_uscc", ""), "using_uscc", "使用单位"),
    }
    maintenance = trim(post.get("maintenance_uscc", ""))
    if maintenance:
        values["maintenance_entity"] = _entity(
            request.user, maintenance, "maintenance_uscc", "维保单位"
        )
    return values


@page(EDIT)
def equipment_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            item = services.equipment_register(actor=request.user, **_register_values(request))
        except ValidationError as exc:
            errors = field_messages(exc)
        else:
            messages.success(request, f"已登记：{item}")
            return redirect(item.get_absolute_url())
    context = {"categories": Category.choices, "data": request.POST, "errors": errors}
    return render(request, "equipment/equipment_form.html", context, status=422 if errors else 200)


@page(VIEW)
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.equipment_get(request.user, pk)
    tag_url = request.build_absolute_uri(reverse("equipment_public:tag", args=[item.tag_code]))
    context = {
        "item": item,
        "status": item.public_status(),
        "tag_url": tag_url,
        "qr": qr_svg_data_uri(tag_url),
        "events": timeline(item, EQUIPMENT_FLOW),
        "transitions": EQUIPMENT_FLOW.available(item, request.user),
        "can_edit": allows(request.user, EDIT),
        "results": Equipment.Result.choices,
        "today": clock.today(),
        **selectors.equipment_history(item),
    }
    return render(request, "equipment/equipment_detail.html", context)


@page(EDIT)
@require_POST
def equipment_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = selectors.equipment_get(request.user, pk)
    post = request.POST
    try:
        if action == "inspection":
            services.inspection_record(
                actor=request.user,
                equipment=item,
                inspected_on=_date(post.get("inspected_on", ""), "inspected_on", "检验日期"),  # type: ignore[arg-type]
                result=trim(post.get("result", "")),
                next_due_on=_date(
                    post.get("next_due_on", ""), "next_due_on", "下次检验日期", required=False
                ),
                agency=post.get("agency", ""),
                report_number=post.get("report_number", ""),
            )
            messages.success(request, "定期检验结果已录入")
        elif action == "maintenance":
            record = services.maintenance_record(
                actor=request.user,
                equipment=item,
                done_on=_date(post.get("done_on", ""), "done_on", "维保日期"),  # type: ignore[arg-type]
                maintainer=post.get("maintainer", ""),
                note=post.get("note", ""),
            )
            if record.late:
                messages.warning(
                    request, f"维保记录已录入；距上次维保{record.gap_days}日，超过规定间隔"
                )
            else:
                messages.success(request, "维保记录已录入")
        elif action == "register_use":
            services.equipment_register_use(
                actor=request.user,
                equipment=item,
                registration_number=post.get("registration_number", ""),
                registered_on=_date(post.get("registered_on", ""), "registered_on", "使用登记日期"),  # type: ignore[arg-type]
            )
            messages.success(request, "使用登记已录入")
        elif action in ("stop", "resume", "scrap"):
            services.equipment_transition(
                actor=request.user, equipment=item, name=action, note=post.get("note", "")
            )
            messages.success(request, "设备状态已更新")
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect(item.get_absolute_url())


@page(EDIT)
def equipment_import(request: HttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        mode = post_mode = request.POST.get("mode", "all-or-nothing")
        if post_mode not in ("all-or-nothing", "good-rows"):
            mode = "all-or-nothing"
        if upload is None:
            messages.error(request, "请选择要导入的.xlsx或.csv文件")
        else:
            try:
                kind = check_upload(upload.name or "", upload, upload.size or 0)
            except TableError as exc:
                messages.error(request, str(exc))
            else:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / f"upload.{kind}"
                    with path.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    result = services.equipment_import(
                        actor=request.user, path=path, name=upload.name or path.name, mode=mode
                    )
                if result.file_error:
                    messages.error(request, result.file_error)
                elif result.committed:
                    messages.success(request, f"已导入{result.written}台设备")
    context = {"result": result, "columns": services.IMPORT_COLUMNS}
    return render(request, "equipment/equipment_import.html", context)


@page(EDIT)
def import_template(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    write_template(services.IMPORT_COLUMNS, out, title="特种设备台账")
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="equipment-template.xlsx"'
    return response


@page(VIEW)
def warning_list(request: HttpRequest) -> HttpResponse:
    context = {
        **paginate(request, selectors.warnings_open(request.user)),
        "maintenance_overdue": selectors.maintenance_overdue_list(request.user)[:50],
        "unregistered": selectors.registration_pending(request.user)[:50],
        "today": clock.today(),
        "late": selectors.late_maintenances(request.user)[:50],
    }
    return render(request, "equipment/warning_list.html", context)


# -- field checks ----------------------------------------------------------------------------


def _hazards_from(post: Any, equipment: dict[int, Equipment]) -> list[dict[str, Any]]:
    rows = []
    for i in range(HAZARD_ROWS):
        description = post.get(f"hazard_{i}_description", "")
        if not trim(description):
            continue
        days = _int(post.get(f"hazard_{i}_days", ""), "hazards", "隐患消除期限", low=1, high=365)
        item_pk = _pk(post.get(f"hazard_{i}_equipment"))
        rows.append(
            {
                "description": description,
                "level": post.get(f"hazard_{i}_level", Hazard.Level.ORDINARY),
                "removal_days": days,
                "equipment": equipment.get(item_pk) if item_pk else None,
            }
        )
    return rows


def _check_values(
    request: HttpRequest, entity: Entity, fleet: dict[int, Equipment]
) -> dict[str, Any]:
    post = request.POST
    items = [
        {"name": name, "ok": post.get(f"item_{i}") == "ok", "note": post.get(f"item_{i}_note", "")}
        for i, name in enumerate(CHECK_ITEMS)
        if post.get(f"item_{i}") in ("ok", "problem")
    ]
    order_kind = post.get("order_kind", "")
    order = None
    if order_kind:
        order = {
            "kind": order_kind,
            "requirement": post.get("order_requirement", ""),
            "rectify_days": _int(post.get("order_days", ""), "order", "整改期限", low=1, high=180),
        }
    campaign = None
    campaign_pk = _pk(post.get("campaign"))
    if campaign_pk:
        campaign = Campaign.objects.visible_to(request.user).filter(pk=campaign_pk).first()
    compound = None
    seen = [fleet[pk] for pk in map(_pk, post.getlist("equipment")) if pk in fleet]
    if seen and seen[0].compound_id:
        compound = Compound.objects.filter(pk=seen[0].compound_id).first()
    return {
        "entity": entity,
        "kind": post.get("kind", ""),
        "checked_on": _date(post.get("checked_on", ""), "checked_on", "检查日期"),
        "inspectors": post.get("inspectors", ""),
        "items": items,
        "findings": post.get("findings", ""),
        "equipment": seen,
        "hazards": _hazards_from(post, fleet),
        "order": order,
        "campaign": campaign,
        "compound": compound,
    }


@page(CHECK)
def check_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    uscc = trim(request.GET.get("uscc", "") or request.POST.get("uscc", "")).upper()[:18]
    entity = Entity.objects.visible_to(request.user).filter(uscc=uscc).first() if uscc else None
    if uscc and entity is None:
        errors["uscc"] = f"“{uscc}”不在登记库或不在您的数据范围内"
    fleet = (
        {
            e.pk: e
            for e in Equipment.objects.visible_to(request.user)
            .filter(using_entity=entity)
            .order_by("id")[:200]
        }
        if entity
        else {}
    )
    if request.method == "POST" and entity is not None:
        try:
            check = services.check_record(
                actor=request.user, **_check_values(request, entity, fleet)
            )
        except ValidationError as exc:
            errors = field_messages(exc)
        else:
            messages.success(request, f"现场检查 {check.number} 已录入")
            return redirect(check.get_absolute_url())
    context = {
        "entity": entity,
        "uscc": uscc,
        "fleet": list(fleet.values()),
        "kinds": FieldCheck.Kind.choices,
        "levels": Hazard.Level.choices,
        "order_kinds": Order.Kind.choices,
        "check_items": list(enumerate(CHECK_ITEMS)),
        "hazard_rows": range(HAZARD_ROWS),
        "campaigns": Campaign.objects.visible_to(request.user).filter(ends_on__gte=clock.today()),
        "data": request.POST,
        "errors": errors,
        "today": clock.today(),
        "key_unit": KeyUnit.objects.filter(entity=entity).first() if entity else None,
    }
    return render(request, "equipment/check_form.html", context, status=422 if errors else 200)


@page(CHECK_VIEW)
def check_list(request: HttpRequest) -> HttpResponse:
    kind = choice_param(request, "kind", FieldCheck.Kind.choices, "检查类型")
    context = {
        "kind": kind,
        "kinds": FieldCheck.Kind.choices,
        "can_record": allows(request.user, CHECK),
        **paginate(request, selectors.check_list(user=request.user, kind=kind)),
    }
    return render(request, "equipment/check_list.html", context)


@page(CHECK_VIEW)
def check_detail(request: HttpRequest, number: str) -> HttpResponse:
    check = selectors.check_get(request.user, number[:30])
    hazards = list(check.hazards.select_related("equipment").order_by("id"))
    context = {
        "check": check,
        "hazards": hazards,
        "orders": list(check.orders.order_by("id")),
        "seen": list(check.equipment.all()[:100]),
        "can_record": allows(request.user, CHECK),
        "can_escalate": allows(request.user, "equipment.escalate"),
    }
    return render(request, "equipment/check_detail.html", context)


@page(CHECK_VIEW)
def hazard_list(request: HttpRequest) -> HttpResponse:
    state = choice_param(request, "state", Hazard.State.choices, "状态")
    order_state = choice_param(request, "order_state", Order.State.choices, "指令状态")
    context = {
        "state": state,
        "states": Hazard.State.choices,
        "order_state": order_state,
        "order_states": Order.State.choices,
        "today": clock.today(),
        "orders": selectors.order_list(user=request.user, state=order_state)[:50],
        **paginate(request, selectors.hazard_list(user=request.user, state=state)),
    }
    return render(request, "equipment/hazard_list.html", context)


@page(CHECK_VIEW)
@require_POST
def hazard_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    hazard = selectors.hazard_get(request.user, pk)
    try:
        if action == "remove":
            services.hazard_remove(
                actor=request.user, hazard=hazard, note=request.POST.get("note", "")
            )
            messages.success(request, "已确认隐患消除")
        elif action == "escalate":
            services.hazard_escalate(
                actor=request.user, hazard=hazard, note=request.POST.get("note", "")
            )
            messages.success(request, "已移送执法办案")
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect(hazard.field_check.get_absolute_url())


@page(CHECK_VIEW)
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = selectors.order_get(request.user, number[:30])
    context = {
        "order": order,
        "events": timeline(order, ORDER_FLOW),
        "hazards": list(order.hazards.order_by("id")),
        "equipment": list(order.equipment.order_by("id")[:100]),
        "can_record": allows(request.user, CHECK),
    }
    return render(request, "equipment/order_detail.html", context)


@page(CHECK_VIEW)
@require_POST
def order_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    order = selectors.order_get(request.user, number[:30])
    note = request.POST.get("note", "")
    try:
        if action == "report":
            services.order_report(actor=request.user, order=order, note=note)
            messages.success(request, "已登记整改报告，复查期限开始计算")
        elif action in ("recheck_pass", "recheck_fail"):
            services.order_recheck(
                actor=request.user, order=order, passed=action == "recheck_pass", note=note
            )
            messages.success(request, "复查结果已登记")
        elif action == "lift":
            services.order_lift(actor=request.user, order=order, note=note)
            messages.success(request, "已解除停用，设备恢复使用")
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect(order.get_absolute_url())


# -- key units, campaigns, counts, rules -----------------------------------------------------


@page(CHECK_VIEW)
def key_unit_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not allows(request.user, "equipment.escalate"):
            messages.error(request, "您没有标注重点单位的权限")
        else:
            try:
                entity = _entity(request.user, request.POST.get("uscc", ""), "uscc", "单位")
                services.key_unit_set(
                    actor=request.user, entity=entity, reasons=request.POST.getlist("reasons")
                )
                messages.success(request, f"重点单位已更新：{entity.name}")
            except ValidationError as exc:
                flash_errors(request, exc, join=True)
        return redirect("equipment:key_unit_list")
    context = {
        "reasons": KeyUnit.Reason.choices,
        "can_edit": allows(request.user, "equipment.escalate"),
        **paginate(request, selectors.key_units(request.user)),
    }
    return render(request, "equipment/key_unit_list.html", context)


@page(CHECK_VIEW)
def campaign_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    can_manage = allows(request.user, "equipment.campaign_manage")
    compounds = Compound.objects.visible_to(request.user).order_by("district_code", "name")
    if request.method == "POST" and can_manage:
        post = request.POST
        try:
            chosen = compounds.filter(pk__in=[p for p in map(_pk, post.getlist("compounds")) if p])
            campaign = services.campaign_create(
                actor=request.user,
                name=post.get("name", ""),
                scope=post.get("scope", ""),
                category=post.get("category", Category.LIFT),
                starts_on=_date(post.get("starts_on", ""), "starts_on", "开始日期"),  # type: ignore[arg-type]
                ends_on=_date(post.get("ends_on", ""), "ends_on", "结束日期"),  # type: ignore[arg-type]
                compounds=chosen,
            )
        except ValidationError as exc:
            errors = field_messages(exc)
        else:
            messages.success(request, f"专项整治“{campaign.name}”已建立")
            return redirect(campaign.get_absolute_url())
    context = {
        "campaigns": selectors.campaign_list(request.user),
        "compounds": compounds[:300],
        "categories": Category.choices,
        "can_manage": can_manage,
        "data": request.POST,
        "errors": errors,
    }
    return render(request, "equipment/campaign_list.html", context, status=422 if errors else 200)


@page(CHECK_VIEW)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    context = {"campaign": campaign, **selectors.campaign_progress(campaign)}
    return render(request, "equipment/campaign_detail.html", context)


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = clock.today()
    since = date_param(request, "since", "开始日期") or today.replace(month=1, day=1)
    until = date_param(request, "until", "结束日期") or today
    if until < since:
        messages.error(request, "结束日期早于开始日期，已按开始日期至今天统计")
        until = max(since, today)
    return since, until


@page("equipment.stats_view")
def stats(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    context = {
        "since": since,
        "until": until,
        "query": request.GET.urlencode(),
        **selectors.stats(user=request.user, since=since, until=until),
    }
    return render(request, "equipment/stats.html", context)


@page("equipment.stats_view")
def stats_export(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    body = exports.stats_export(actor=request.user, since=since, until=until)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="equipment-{since}-{until}.xlsx"'
    return response


@page("equipment.rules_view")
def rules(request: HttpRequest) -> HttpResponse:
    context = {
        "intervals": selectors.interval_rules(),
        "clock_rules": ClockRule.objects.filter(code__startswith="equipment.").order_by(
            "code", "-effective_from"
        ),
    }
    return render(request, "equipment/rules.html", context)
