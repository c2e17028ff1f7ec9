"""Staff pages of 一件事一次办. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.core import clock
from regulus.core.audit import audit_record
from regulus.core.documents import (
    DOCX_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    docx_render,
    qr_svg_data_uri,
    xlsx_bytes,
)
from regulus.core.files import file_response
from regulus.core.models import AuditLog, User
from regulus.core.views import paginate
from regulus.core.workflow import DeferredRows, days_left, timeline
from regulus.licensing import selectors, services
from regulus.licensing.forms import application_form_context, application_form_submit, error_dict
from regulus.licensing.models import (
    RULE_DAY_FIELDS,
    Application,
    ApplicationMaterial,
    Bundle,
    Certificate,
    Matter,
    MatterRule,
    VerificationTask,
)
from regulus.licensing.workflow import APPLICATION_FLOW, VERIFICATION_FLOW, state_badge

DOC_TEMPLATES = Path(__file__).parent / "doc_templates"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    for message in error_dict(exc).values():
        messages.error(request, message)


# -- lists -------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    state = state if state in Application.State.values else ""
    q = request.GET.get("q", "").strip()[:50]
    overdue_only = request.GET.get("overdue") == "1"
    open_only = request.GET.get("open") == "1"
    path = request.GET.get("path", "")
    path = path if path in Application.Path.values else ""
    apps = selectors.applications_for(
        user, state=state, q=q, overdue_only=overdue_only, open_only=open_only, path=path
    )
    context = {
        "states": Application.State.choices,
        "state": state,
        "q": q,
        "overdue_only": overdue_only,
        "open_only": open_only,
        "path": path,
        "paths": Application.Path.choices,
        "today": clock.today(),
        "can_create": user.has_role("window_clerk", "handler", "admin"),
        **paginate(request, DeferredRows(apps)),
    }
    for app in context["page_obj"]:
        app.badge = state_badge(app.state)
    return render(request, "licensing/application_list.html", context)


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_role("window_clerk", "handler", "admin"):
        raise PermissionDenied("只有窗口受理人员和承办人可以录入申请")
    bundles = selectors.bundles_active()
    code = request.GET.get("bundle") or request.POST.get("bundle")
    if not code:
        return render(request, "licensing/application_choose.html", {"bundles": bundles})
    bundle = get_object_or_404(Bundle, code=code, is_active=True)
    errors: dict[str, str] = {}
    if request.method == "POST":
        from regulus.registry.models import Entity

        def lookup(uscc: str) -> Any:
            entity = Entity.objects.visible_to(user).filter(uscc=uscc).first()
            if entity is None:
                raise ValidationError(
                    f"统一社会信用代码{uscc}不在登记的市场主体中（或不在您的数据范围内）"
                )
            return entity

        application, errors = application_form_submit(
            request, bundle, actor=user, entity_lookup=lookup
        )
        if application is not None:
            if not Application.objects.visible_to(user).filter(pk=application.pk).exists():
                messages.success(
                    request, f"已收件，申请编号 {application.number}，由{application.unit.name}办理"
                )
                return redirect("licensing:application_list")
            messages.success(request, f"已受理登记，申请编号 {application.number}")
            return redirect("licensing:application_detail", number=application.number)
    context = application_form_context(
        bundle, data=request.POST if errors else None, errors=errors, window=True
    )
    return render(request, "licensing/application_form.html", context)


@login_required
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    app = selectors.application_get(user, number)
    matters = selectors.application_matters(app)
    required = selectors.materials_given(app, matters)
    available = {t.name: t for t in APPLICATION_FLOW.available(app, user)}
    certificate = Certificate.objects.filter(application=app).first()
    inspectors = (
        User.objects.visible_to(user)
        .filter(roles__code__in=["inspector", "handler"], is_active=True)
        .distinct()
        .order_by("username")[:200]
    )
    context = {
        "app": app,
        "items": app.items.select_related("matter"),
        "required": required,
        "available": available,
        "badge": state_badge(app.state),
        "days_left": days_left(app.deadline)
        if app.state in APPLICATION_FLOW.open_states()
        else None,
        "events": timeline(app, APPLICATION_FLOW),
        "certificate": certificate,
        "joint_check": getattr(app, "joint_check", None) if _has_check(app) else None,
        "verification": VerificationTask.objects.filter(application=app).first(),
        "inspectors": inspectors,
        "today": clock.today(),
        "missing": selectors.materials_missing(app),
        "commitment_problem": selectors.commitment_problem(matters),
        "simple": [
            available[n] for n in ("not_accept", "withdraw", "approve", "refuse") if n in available
        ],
        "delivery_choices": Application.Delivery.choices,
        "can_fast_track": selectors.can_fast_track(app, user),
        "can_sign_commitment": selectors.can_sign_commitment(app, matters),
    }
    return render(request, "licensing/application_detail.html", context)


def _has_check(app: Application) -> bool:
    from regulus.licensing.models import JointCheck

    return JointCheck.objects.filter(application=app).exists()


# -- actions (POST) ----------------------------------------------------------------------


def _action(request: HttpRequest, number: str, run: Any, done: str) -> HttpResponse:
    user = _user(request)
    app = selectors.application_get(user, number)
    try:
        run(app, user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("licensing:application_detail", number=app.number)


@login_required
@require_POST
def application_act(request: HttpRequest, number: str, name: str) -> HttpResponse:
    note = request.POST.get("note", "")
    label = APPLICATION_FLOW.get(name).label if name in APPLICATION_FLOW._by_name else name
    if name == "accept":
        return _action(
            request,
            number,
            lambda a, u: services.application_accept(application=a, actor=u, note=note),
            f"已{label}",
        )
    if name == "resubmit":
        return _action(
            request,
            number,
            lambda a, u: services.application_resubmit(
                application=a, actor=u, files={}, paper_materials=request.POST.getlist("paper")
            ),
            "已重新提交",
        )
    return _action(
        request,
        number,
        lambda a, u: services.application_transition(application=a, name=name, actor=u, note=note),
        f"已执行：{label}",
    )


@login_required
@require_POST
def correction_create(request: HttpRequest, number: str) -> HttpResponse:
    keys = request.POST.getlist("items")

    def run(app: Application, user: User) -> None:
        required = {r.key: r for r in selectors.materials_union(selectors.application_matters(app))}
        items = [
            {
                "key": k,
                "name": required[k].name if k in required else k,
                "problem": request.POST.get(f"problem_{k}", ""),
            }
            for k in keys
        ]
        services.correction_request(
            application=app, actor=user, items=items, note=request.POST.get("note", "")
        )

    return _action(request, number, run, "已发出一次性补正告知")


@login_required
@require_POST
def material_upload(request: HttpRequest, number: str) -> HttpResponse:
    def run(app: Application, user: User) -> None:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": "请选择要上传的文件"})
        services.material_add(
            application=app, actor=user, material_key=request.POST.get("key", ""), upload=upload
        )

    return _action(request, number, run, "材料已上传")


@login_required
@require_POST
def commitment_sign(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.commitment_sign(
            application=a, signer=request.POST.get("signer", ""), actor=u
        ),
        "已签署告知承诺书",
    )


@login_required
@require_POST
def check_schedule(request: HttpRequest, number: str) -> HttpResponse:
    def run(app: Application, user: User) -> None:
        try:
            day = dt.date.fromisoformat(request.POST.get("scheduled_on", ""))
        except ValueError:
            raise ValidationError({"scheduled_on": "请填写核查日期"}) from None
        ids_ = [int(i) for i in request.POST.getlist("inspectors") if i.isdigit()]
        inspectors = list(User.objects.visible_to(user).filter(pk__in=ids_))
        services.joint_check_schedule(
            application=app,
            actor=user,
            scheduled_on=day,
            inspectors=inspectors,
            departments=request.POST.get("departments", ""),
        )

    return _action(request, number, run, "已安排联合现场核查")


@login_required
@require_POST
def check_complete(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.joint_check_complete(
            application=a,
            actor=u,
            result=request.POST.get("result", ""),
            findings=request.POST.get("findings", ""),
        ),
        "已录入核查结论",
    )


@login_required
@require_POST
def certificate_issue(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.certificate_issue(application=a, actor=u),
        "证照已制发（多证合一）",
    )


@login_required
@require_POST
def fast_track(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.application_fast_track(application=a, actor=u),
        "已当场办结并制发证照",
    )


@login_required
@require_POST
def certificate_deliver(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.certificate_deliver(
            application=a,
            actor=u,
            method=request.POST.get("method", ""),
            tracking_number=request.POST.get("tracking_number", ""),
            address=request.POST.get("address", ""),
        ),
        "证照已送达",
    )


# -- documents ---------------------------------------------------------------------------


@login_required
def material_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A material's file, only for staff who may see its application (never by path)."""
    user = _user(request)
    row = get_object_or_404(ApplicationMaterial.objects.select_related("application"), pk=pk)
    if not Application.objects.visible_to(user).filter(pk=row.application_id).exists():
        raise Http404("不存在或无权查看")
    if not row.stored_name:
        raise Http404("纸质材料，无电子文件")
    return file_response(
        row.stored_name, download_name=row.original_name, content_type=row.content_type
    )


@login_required
def application_receipt(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(_user(request), number)
    return render(request, "licensing/receipt.html", receipt_context(app))


def receipt_context(app: Application) -> dict[str, Any]:
    return {
        "app": app,
        "items": app.items.select_related("matter"),
        "required": selectors.materials_given(app, selectors.application_matters(app)),
    }


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    from django.conf import settings
    from django.urls import reverse

    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "portal:certificate_verify", args=[certificate.number]
    )
    return {
        "cert": certificate,
        "verify_url": url,
        "qr": qr_svg_data_uri(url, scale=3),
        "state": certificate.public_status(clock.today()),
    }


@login_required
def certificate_page(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(_user(request), number)
    certificate = get_object_or_404(Certificate, application=app)
    return render(request, "licensing/certificate.html", certificate_context(certificate))


@login_required
def certificate_docx(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(_user(request), number)
    certificate = get_object_or_404(Certificate, application=app)
    ctx = certificate_context(certificate)
    data = docx_render(
        template="certificate.docx",
        package_dir=DOC_TEMPLATES,
        context={
            "number": certificate.number,
            "holder_name": certificate.holder_name,
            "uscc": certificate.uscc or "—",
            "address": certificate.address,
            "items": certificate.items,
            "issued_on": f"{certificate.issued_on:%Y年%m月%d日}",
            "valid_until": f"{certificate.valid_until:%Y年%m月%d日}"
            if certificate.valid_until
            else "长期",
            "issuing_unit": certificate.issuing_unit_name,
            "verify_url": ctx["verify_url"],
            "state": certificate.get_status_display(),
        },
    )
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.docx"'
    return response


# -- post-approval checks ---------------------------------------------------------------


@login_required
def verification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    state = state if state in VerificationTask.State.values else ""
    tasks = selectors.verification_tasks_for(user, state=state)
    return render(
        request,
        "licensing/verification_list.html",
        {"states": VerificationTask.State.choices, "state": state, **paginate(request, tasks)},
    )


@login_required
def verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    task = VerificationTask.objects.select_related("application").get_visible_or_404(user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                services.verification_confirm(
                    task=task, actor=user, findings=request.POST.get("findings", "")
                )
            elif action == "order_rectification":
                services.verification_order_rectification(
                    task=task,
                    actor=user,
                    findings=request.POST.get("findings", ""),
                    order=request.POST.get("order", ""),
                )
            elif action == "confirm_rectified":
                services.verification_confirm_rectified(
                    task=task, actor=user, note=request.POST.get("note", "")
                )
            elif action == "revoke_permit":
                services.verification_revoke(
                    task=task, actor=user, reason=request.POST.get("reason", "")
                )
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "已办理")
        return redirect("licensing:verification_detail", pk=task.pk)
    return render(
        request,
        "licensing/verification_detail.html",
        {
            "task": task,
            "available": {t.name for t in VERIFICATION_FLOW.available(task, user)},
            "events": timeline(task, VERIFICATION_FLOW),
            "days_left": days_left(task.deadline),
        },
    )


# -- catalogue ---------------------------------------------------------------------------


@login_required
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
        {"rows": rows, "bundles": bundles, "can_edit": _user(request).has_role("admin")},
    )


@login_required
def matter_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    if not user.has_role("admin"):
        raise PermissionDenied("只有系统管理员可以修改事项清单")
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
                    note=post.get("note", ""),
                    **_rule_days(post),
                )
            else:
                validity = post.get("validity_years", "").strip()
                services.matter_update(
                    actor=user,
                    matter=matter,
                    name=post.get("name", matter.name),
                    department=post.get("department", ""),
                    legal_basis=post.get("legal_basis", ""),
                    permit_item=post.get("permit_item", ""),
                    commitment_allowed=bool(post.get("commitment_allowed")),
                    commitment_conditions=post.get("commitment_conditions", ""),
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


def _bundle_admin(request: HttpRequest) -> User:
    """The same role that edits the matter catalogue (services check it again)."""
    user = _user(request)
    if not user.has_role("admin"):
        raise PermissionDenied("只有系统管理员可以维护一件事套餐")
    return user


@login_required
def bundle_list(request: HttpRequest) -> HttpResponse:
    user = _bundle_admin(request)
    return render(
        request, "licensing/bundle_list.html", {"bundles": selectors.bundles_for_staff(user)}
    )


@login_required
def bundle_create(request: HttpRequest) -> HttpResponse:
    user = _bundle_admin(request)
    post = request.POST
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            bundle = services.bundle_create(
                actor=user,
                code=post.get("code", ""),
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


@login_required
def bundle_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = _bundle_admin(request)
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
    return {
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "icon": post.get("icon", ""),
        "industry_code": post.get("industry_code", ""),
        "is_active": bool(post.get("is_active")),
        "sort_order": sort_order,
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


# -- counting ----------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(month=1, day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, end


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    data = selectors.period_stats(_user(request), start=start, end=end)
    return render(
        request,
        "licensing/stats.html",
        {
            **data,
            "chart": selectors.stats_chart_option(data),
            "month_chart": selectors.month_chart_option(data),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def stats_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    start, end = _period(request)
    data = selectors.period_stats(user, start=start, end=end)
    header = [
        "区县",
        "受理件数",
        "办结件数",
        "办结率(%)",
        "平均办理用时(工作日)",
        "发证件数",
        "当天办结件数",
        "当天办结占比(%)",
        "告知承诺件数",
        "告知承诺占比(%)",
        "平均跑动次数",
        "平均材料份数",
    ]

    def row(r: dict[str, Any], name: str) -> list[Any]:
        return [
            name,
            r["received"],
            r["completed"],
            r["completion_rate"],
            r["avg_days"],
            r["issued"],
            r["same_day"],
            r["same_day_share"],
            r["commitment"],
            r["commitment_share"],
            r["avg_visits"],
            r["avg_materials"],
        ]

    rows = [row(r, r["district_name"]) for r in data["rows"]]
    rows.append(row(data["total"], "合计"))
    body = xlsx_bytes([(f"办件统计{start:%Y%m%d}-{end:%Y%m%d}", header, rows)])
    audit_record(
        actor=user,
        action=AuditLog.Action.EXPORT,
        object_type="licensing.stats",
        summary=f"导出一件事办件统计 {start}至{end}",
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="licensing-stats-{start}-{end}.xlsx"'
    return response
