"""Staff pages of 学校食堂: the list, a canteen with its records and forms, the coverage page
with its export. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regulus.canteens import exports, selectors, services
from regulus.canteens.models import AccompaniedMeal, Canteen
from regulus.core import clock
from regulus.core.documents import XLSX_CONTENT_TYPE
from regulus.core.errors import field_messages, flash_errors
from regulus.core.permissions import allows, page
from regulus.core.text import trim
from regulus.core.views import choice_param, paginate, text_param
from regulus.registry.models import Entity
from regulus.registry.rules import DISTRICTS

VIEW, EDIT = "canteens.canteen_view", "canteens.canteen_edit"


def _date(raw: str, field: str, label: str) -> dt.date:
    raw = trim(raw or "")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {field: f"{label}“{raw[:20]}”不是有效日期（应为YYYY-MM-DD）"}
        ) from None


def _count(raw: str, field: str, label: str) -> int:
    raw = trim(raw or "")
    if not raw.isdigit() or len(raw) > 6:
        raise ValidationError({field: f"{label}应为整数"})
    return int(raw)


@page(VIEW)
def canteen_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "district": choice_param(request, "district", DISTRICTS.items(), "区县"),
        "standard": choice_param(request, "standard", Canteen.Standard.choices, "标准化"),
        "kitchen_view": choice_param(
            request, "kitchen_view", Canteen.KitchenView.choices, "明厨亮灶"
        ),
        "q": text_param(request, "q", "学校名称", 40),
    }
    errors: dict[str, str] = {}
    can_edit = allows(request.user, EDIT)
    if request.method == "POST" and can_edit:
        post = request.POST
        try:
            uscc = trim(post.get("uscc", "")).upper()[:18]
            entity = Entity.objects.visible_to(request.user).filter(uscc=uscc).first()
            if entity is None:
                raise ValidationError({"uscc": f"食堂经营者“{uscc}”不在登记库或不在您的数据范围内"})
            canteen = services.canteen_register(
                actor=request.user,
                entity=entity,
                school_name=post.get("school_name", ""),
                school_kind=post.get("school_kind", ""),
                pupils=_count(post.get("pupils", ""), "pupils", "就餐学生数"),
            )
        except ValidationError as exc:
            errors = field_messages(exc)
        else:
            messages.success(request, f"已登记：{canteen}")
            return redirect(canteen.get_absolute_url())
    context = {
        **filters,
        "districts": sorted(DISTRICTS.items()),
        "standards": Canteen.Standard.choices,
        "kitchen_views": Canteen.KitchenView.choices,
        "school_kinds": Canteen.SchoolKind.choices,
        "can_edit": can_edit,
        "errors": errors,
        "data": request.POST,
        **paginate(request, selectors.canteen_list(user=request.user, **filters)),
    }
    return render(request, "canteens/canteen_list.html", context, status=422 if errors else 200)


@page(VIEW)
def canteen_detail(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = selectors.canteen_get(request.user, pk)
    context = {
        "canteen": canteen,
        "today": clock.today(),
        "can_edit": allows(request.user, EDIT),
        "standards": [c for c in Canteen.Standard.choices if c[0] != Canteen.Standard.NONE],
        "kitchen_views": Canteen.KitchenView.choices,
        "meal_choices": AccompaniedMeal.Meal.choices,
        **selectors.canteen_records(canteen),
    }
    return render(request, "canteens/canteen_detail.html", context)


@page(EDIT)
@require_POST
def canteen_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    canteen = selectors.canteen_get(request.user, pk)
    post = request.POST
    try:
        if action == "standard":
            services.canteen_standard_set(
                actor=request.user,
                canteen=canteen,
                stage=post.get("stage", ""),
                on=_date(post.get("on", ""), "on", "日期"),
            )
        elif action == "kitchen_view":
            services.canteen_kitchen_view_set(
                actor=request.user,
                canteen=canteen,
                kind=post.get("kitchen_view", ""),
                on=_date(post.get("on", ""), "on", "实施日期"),
            )
        elif action == "meal":
            services.meal_record(
                actor=request.user,
                canteen=canteen,
                on=_date(post.get("on", ""), "on", "陪餐日期"),
                meal=post.get("meal", ""),
                leader_role=post.get("leader_role", ""),
                opinion=post.get("opinion", ""),
                problem_found=post.get("problem_found") == "1",
            )
        elif action == "self_check":
            services.self_check_record(
                actor=request.user,
                canteen=canteen,
                on=_date(post.get("on", ""), "on", "自查日期"),
                items_checked=_count(post.get("items_checked", ""), "items_checked", "检查项数"),
                items_failed=_count(
                    post.get("items_failed", "0") or "0", "items_failed", "不符合项数"
                ),
                problems=post.get("problems", ""),
            )
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
            return redirect(canteen.get_absolute_url())
        messages.success(request, "已保存")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect(canteen.get_absolute_url())


@page("canteens.stats_view")
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "canteens/coverage.html", selectors.coverage(request.user))


@page("canteens.stats_view")
def coverage_export(request: HttpRequest) -> HttpResponse:
    body = exports.coverage_export(actor=request.user)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="canteens-{clock.today()}.xlsx"'
    return response
