"""The catalogue pages: matters with their time-limit rules, and bundles (一件事套餐)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from regulus.core import clock
from regulus.core.permissions import allows, page
from regulus.core.text import LINE, MULTILINE, clean_fields
from regulus.licensing import selectors, services
from regulus.licensing.forms import error_dict
from regulus.licensing.models import (
    RULE_DAY_FIELDS,
    Bundle,
    Matter,
    MatterRule,
)
from regulus.licensing.views.common import staff_user

DOC_TEMPLATES = Path(__file__).parent.parent / "doc_templates"


# -- catalogue ---------------------------------------------------------------------------


@page("licensing.catalogue_view")
def catalogue(request: HttpRequest) -> HttpResponse:
    matters = Matter.objects.prefetch_related("rules", "matter_materials__material")
    today = clock.today()
    rows = []
    for m in matters:
        rows.append(
            {"matter": m, "rule": m.rule_on(today), "materials": list(m.matter_materials.all())}
        )
    bundles = Bundle.objects.prefetch_related("bundle_matters__matter")
    return render(
        request,
        "licensing/catalogue.html",
        {
            "rows": rows,
            "bundles": bundles,
            "can_edit": allows(staff_user(request), "licensing.catalogue_manage"),
        },
    )


@page("licensing.catalogue_manage")
def matter_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    matter = get_object_or_404(Matter, code=code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        post = request.POST
        try:
            if post.get("form") == "rule":
                effective_from = _date(post.get("effective_from", ""), "effective_from")
                services.matter_rule_add(
                    actor=user,
                    matter=matter,
                    effective_from=effective_from,
                    note=clean_fields(post, {"note": ("说明", LINE)}, model=MatterRule)["note"],
                    **_rule_days(post),
                )
            else:
                validity = post.get("validity_years", "").strip()
                text = clean_fields(post, MATTER_TEXT, model=Matter)
                services.matter_update(
                    actor=user,
                    matter=matter,
                    name=text["name"] if "name" in post else matter.name,
                    department=text["department"],
                    legal_basis=text["legal_basis"],
                    permit_item=text["permit_item"],
                    commitment_allowed=bool(post.get("commitment_allowed")),
                    commitment_conditions=text["commitment_conditions"],
                    onsite_check_required=bool(post.get("onsite_check_required")),
                    validity_years=_int(validity, "validity_years") if validity else None,
                    entity_kinds=post.getlist("entity_kinds"),
                    is_active=bool(post.get("is_active")),
                )
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(request, "已保存")
            return redirect("licensing:matter_edit", code=matter.code)
    from regulus.licensing.models import EntityKindChoice

    return render(
        request,
        "licensing/matter_edit.html",
        {
            "matter": matter,
            "rules": matter.rules.all(),
            "rule_inputs": _rule_inputs(
                matter, request.POST if errors and request.POST.get("form") == "rule" else None
            ),
            "errors": errors,
            "kinds": EntityKindChoice.choices,
            "today": clock.today(),
        },
    )


# The text a matter's form posts (core.text).
MATTER_TEXT = {
    "name": ("事项名称", LINE),
    "department": ("主管科室", LINE),
    "legal_basis": ("设定依据", MULTILINE),
    "permit_item": ("证载许可项目", LINE),
    "commitment_conditions": ("承诺条件", MULTILINE),
}
# A new rule must give these; the other day counts, left blank, carry over from the rule in
# force before (services.matter_rule_add).
RULE_REQUIRED = ("statutory_days", "promised_days")


def _rule_inputs(matter: Matter, post: Any) -> list[dict[str, Any]]:
    """The new rule's inputs, filled with what was posted (after an error) or else with the
    rule in force today (or the fields' defaults), so only what changes need be typed."""
    current = matter.rule_on(clock.today()) or MatterRule()
    inputs = []
    for name in RULE_DAY_FIELDS:
        field = MatterRule.day_field(name)
        value = post.get(name, "") if post is not None else getattr(current, name)
        inputs.append(
            {
                "name": name,
                "label": field.verbose_name,
                "help": field.help_text,
                "value": "" if value is None else value,
                "required": name in RULE_REQUIRED,
            }
        )
    return inputs


def _rule_days(post: Any) -> dict[str, Any]:
    """Parse the rule form's day counts (None for a blank one); every bad field is reported at
    once, by its name."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in RULE_DAY_FIELDS:
        label = MatterRule.day_field(field).verbose_name
        raw = (post.get(field) or "").strip()
        values[field] = None
        if not raw:
            if field in RULE_REQUIRED:
                errors[field] = f"请填写{label}"
            continue
        try:
            values[field] = int(raw)
        except ValueError:
            errors[field] = f"{label}应为整数（工作日数）"
    if errors:
        raise ValidationError(errors)
    return values


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: "日期格式应为YYYY-MM-DD"}) from None


def _int(raw: str, field: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({field: "应为整数"}) from None


# -- bundles (一件事套餐) ------------------------------------------------------------------


@page("licensing.catalogue_manage")
def bundle_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    return render(
        request, "licensing/bundle_list.html", {"bundles": selectors.bundles_for_staff(user)}
    )


@page("licensing.catalogue_manage")
def bundle_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    post = request.POST
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            bundle = services.bundle_create(
                actor=user,
                code=clean_fields(post, {"code": ("编码", LINE)}, model=Bundle)["code"],
                matter_codes=_posted_matter_codes(post),
                **_bundle_changes(post),
            )
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(request, f"已新增一件事“{bundle.name}”")
            return redirect("licensing:bundle_edit", code=bundle.code)
    values = (
        _bundle_posted_values(post)
        if errors
        else {
            "code": "",
            "name": "",
            "description": "",
            "icon": "shop",
            "industry_code": "",
            "is_active": True,
            "sort_order": selectors.bundle_next_sort_order(),
        }
    )
    chosen = set(post.getlist("matter")) if errors else set()
    matters = [
        {"matter": m, "checked": m.code in chosen, "order": post.get(f"order_{m.code}", "")}
        for m in selectors.matters_addable()
    ]
    return render(
        request,
        "licensing/bundle_create.html",
        {
            "values": values,
            "errors": errors,
            "icons": services.BUNDLE_ICONS,
            "matters": matters,
        },
    )


@page("licensing.catalogue_manage")
def bundle_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = staff_user(request)
    bundle = get_object_or_404(Bundle, code=code)
    post = request.POST
    form = post.get("form", "bundle")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if form == "matters":
                services.bundle_set_matters(
                    actor=user, bundle=bundle, matter_codes=_posted_matter_codes(post)
                )
            else:
                services.bundle_update(actor=user, bundle=bundle, **_bundle_changes(post))
        except ValidationError as exc:
            errors = error_dict(exc)
        else:
            messages.success(request, "已保存")
            return redirect("licensing:bundle_edit", code=bundle.code)
    values = (
        _bundle_posted_values(post)
        if errors and form != "matters"
        else {
            "code": bundle.code,
            "name": bundle.name,
            "description": bundle.description,
            "icon": bundle.icon,
            "industry_code": bundle.industry_code,
            "is_active": bundle.is_active,
            "sort_order": bundle.sort_order,
        }
    )
    icons = list(services.BUNDLE_ICONS)
    if bundle.icon not in dict(icons):
        icons.insert(0, (bundle.icon, "当前图标"))
    return render(
        request,
        "licensing/bundle_edit.html",
        {
            "bundle": bundle,
            "values": values,
            "errors": errors,
            "icons": icons,
            "rows": selectors.bundle_matter_rows(bundle),
            "addable": selectors.matters_addable(bundle),
            "application_count": selectors.bundle_application_count(user, bundle),
        },
    )


def _bundle_changes(post: Any) -> dict[str, Any]:
    """The bundle form's own fields, typed for services.bundle_create / bundle_update."""
    raw = (post.get("sort_order") or "").strip()
    try:
        sort_order = int(raw) if raw else 0
    except ValueError:
        raise ValidationError({"sort_order": "排序应为不小于0的整数"}) from None
    text = clean_fields(post, BUNDLE_TEXT, model=Bundle)
    return {**text, "is_active": bool(post.get("is_active")), "sort_order": sort_order}


# The text a bundle's form posts (core.text).
BUNDLE_TEXT = {
    "name": ("名称", LINE),
    "description": ("说明", MULTILINE),
    "icon": ("图标", LINE),
    "industry_code": ("行业大类", LINE),
}


def _bundle_posted_values(post: Any) -> dict[str, Any]:
    """What was typed, to show again with the errors."""
    return {
        "code": post.get("code", ""),
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "icon": post.get("icon", ""),
        "industry_code": post.get("industry_code", ""),
        "is_active": bool(post.get("is_active")),
        "sort_order": post.get("sort_order", ""),
    }


def _posted_matter_codes(post: Any) -> list[str]:
    """The matter list a bundle form posted, in order: the listed matters ("matter", in page
    order) less those ticked "remove", sorted by their order numbers (blank ones last; on a
    tie, a row whose number was changed goes first, so typing 1 puts a matter first), then
    one moved up or down ("move" = "up:CODE" / "down:CODE"), then the one added ("add").
    Repeats are kept: the service refuses them by name."""
    removed = set(post.getlist("remove"))
    keyed: list[tuple[float, bool, int, str]] = []
    for index, code in enumerate(post.getlist("matter")):
        if code in removed:
            continue
        raw = (post.get(f"order_{code}") or "").strip()
        try:
            order = float(int(raw)) if raw else float("inf")
        except ValueError:
            raise ValidationError({"matters": f"事项{code}的顺序应为整数"}) from None
        keyed.append((order, order == index + 1, index, code))
    codes = [code for *_, code in sorted(keyed)]
    direction, _, target = (post.get("move") or "").partition(":")
    if target in codes and direction in ("up", "down"):
        i = codes.index(target)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(codes):
            codes[i], codes[j] = codes[j], codes[i]
    codes.extend(c for c in post.getlist("add") if c)
    return codes
