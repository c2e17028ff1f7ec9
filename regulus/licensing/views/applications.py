"""Application pages: the lists, the detail page and its actions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.core import clock, clock_selectors
from regulus.core.errors import flash_errors
from regulus.core.models import User
from regulus.core.permissions import allows, page
from regulus.core.text import LINE, MULTILINE, NAME, clean_fields, shown
from regulus.core.views import choice_param, paginate, text_param
from regulus.core.workflow import DeferredRows, timeline
from regulus.licensing import selectors, services
from regulus.licensing.forms import application_form_context, application_form_submit
from regulus.licensing.models import (
    Application,
    ApplicationMaterial,
    Bundle,
    Certificate,
    JointCheck,
    VerificationTask,
)
from regulus.licensing.services.applications import MATERIAL_STATES
from regulus.licensing.views.common import staff_user
from regulus.licensing.workflow import APPLICATION_FLOW, state_badge

DOC_TEMPLATES = Path(__file__).parent.parent / "doc_templates"
SIGNER_MAX = Application._meta.get_field("commitment_signer").max_length
ADDRESS_MAX = Application._meta.get_field("delivery_address").max_length


# -- lists -------------------------------------------------------------------------------


@page("licensing.application_view")
def application_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    state = choice_param(request, "state", Application.State.choices, "状态")
    q = text_param(request, "q", "查询内容", 50)
    overdue_only = request.GET.get("overdue") == "1"
    due_soon_only = request.GET.get("due_soon") == "1"
    open_only = request.GET.get("open") == "1"
    path = choice_param(request, "path", Application.Path.choices, "办理方式")
    apps = selectors.applications_for(
        user,
        state=state,
        q=q,
        overdue_only=overdue_only,
        due_soon_only=due_soon_only,
        open_only=open_only,
        path=path,
    )
    context = {
        "states": Application.State.choices,
        "state": state,
        "q": q,
        "overdue_only": overdue_only,
        "due_soon_only": due_soon_only,
        "due_soon_days": clock_selectors.DUE_SOON_WORKING_DAYS,
        "open_only": open_only,
        "path": path,
        "paths": Application.Path.choices,
        "today": clock.today(),
        "can_create": allows(user, "licensing.application_submit"),
        **paginate(request, DeferredRows(apps)),
    }
    for app in context["page_obj"]:
        app.badge = state_badge(app.state)
    return render(request, "licensing/application_list.html", context)


@page("licensing.application_submit")
def application_create(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
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
            # The flash names the state the application is in (待受理): taking it in is
            # not yet accepting it, which is a decision of its own (受理).
            received = (
                f"已收件，申请编号 {application.number}，"
                f"当前状态：{application.get_state_display()}"
            )
            if not Application.objects.visible_to(user).filter(pk=application.pk).exists():
                messages.success(request, f"{received}，由{application.unit.name}办理")
                return redirect("licensing:application_list")
            messages.success(request, received)
            return redirect("licensing:application_detail", number=application.number)
    context = application_form_context(
        bundle, data=request.POST if errors else None, errors=errors, window=True
    )
    return render(request, "licensing/application_form.html", context)


@page("licensing.application_view")
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = staff_user(request)
    app = selectors.application_get(user, number)
    matters = selectors.application_matters(app)
    required = selectors.materials_given(app, matters)
    available = {t.name: t for t in APPLICATION_FLOW.available(app, user)}
    certificate = Certificate.objects.filter(application=app).first()
    main_clock = clock_selectors.main_clock(clock_selectors.object_clocks(app))
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
        "main_clock": main_clock,
        "days_left": main_clock.days_left if main_clock else None,
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
        "can_remove_materials": app.state in MATERIAL_STATES
        and allows(user, "licensing.material_remove"),
    }
    return render(request, "licensing/application_detail.html", context)


def _has_check(app: Application) -> bool:
    from regulus.licensing.models import JointCheck

    return JointCheck.objects.filter(application=app).exists()


# -- actions (POST) ----------------------------------------------------------------------


def _action(request: HttpRequest, number: str, run: Any, done: str) -> HttpResponse:
    user = staff_user(request)
    app = selectors.application_get(user, number)
    try:
        run(app, user)
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    else:
        messages.success(request, done)
    return redirect("licensing:application_detail", number=app.number)


@page("licensing.application_view")
@require_POST
def application_act(request: HttpRequest, number: str, name: str) -> HttpResponse:
    def note() -> str:
        return clean_fields(request.POST, {"note": ("意见", MULTILINE)})["note"]

    label = APPLICATION_FLOW.get(name).label if name in APPLICATION_FLOW._by_name else name
    if name == "accept":
        return _action(
            request,
            number,
            lambda a, u: services.application_accept(application=a, actor=u, note=note()),
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
        lambda a, u: services.application_transition(
            application=a, name=name, actor=u, note=note()
        ),
        f"已执行：{label}",
    )


@page("licensing.application_handle")
@require_POST
def correction_create(request: HttpRequest, number: str) -> HttpResponse:
    keys = request.POST.getlist("items")

    def run(app: Application, user: User) -> None:
        required = {r.key: r for r in selectors.materials_union(selectors.application_matters(app))}
        unknown = [k for k in keys if k not in required]
        if unknown:
            raise ValidationError({"items": f"材料“{shown(unknown[0])}”不在本申请的材料清单中"})
        names = {k: required[k].name for k in keys}
        text = clean_fields(
            request.POST,
            {f"problem_{k}": (f"材料“{shown(name)}”的问题", MULTILINE) for k, name in names.items()}
            | {"note": ("说明", MULTILINE)},
        )
        items = [{"key": k, "name": names[k], "problem": text[f"problem_{k}"]} for k in keys]
        services.correction_request(application=app, actor=user, items=items, note=text["note"])

    return _action(request, number, run, "已发出一次性补正告知")


@page("licensing.application_handle")
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


@page("licensing.material_remove")
@require_POST
def material_remove(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    def run(app: Application, user: User) -> None:
        row = get_object_or_404(
            ApplicationMaterial.objects.select_related("material"), pk=pk, application=app
        )
        services.material_remove(application=app, actor=user, material=row)

    return _action(request, number, run, "已删除误传的材料文件")


@page("licensing.application_handle")
@require_POST
def commitment_sign(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.commitment_sign(
            application=a,
            signer=clean_fields(request.POST, {"signer": ("签署人", NAME, SIGNER_MAX)})["signer"],
            actor=u,
        ),
        "已签署告知承诺书",
    )


@page("licensing.application_decide")
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
            departments=clean_fields(
                request.POST, {"departments": ("参加科室", LINE)}, model=JointCheck
            )["departments"],
        )

    return _action(request, number, run, "已安排联合现场核查")


@page("licensing.check_record")
@require_POST
def check_complete(request: HttpRequest, number: str) -> HttpResponse:
    def run(app: Application, user: User) -> None:
        text = clean_fields(
            request.POST,
            {"result": ("核查结论", LINE), "findings": ("核查记录", MULTILINE)},
            model=JointCheck,
        )
        services.joint_check_complete(application=app, actor=user, **text)

    return _action(request, number, run, "已录入核查结论")


@page("licensing.application_handle")
@require_POST
def certificate_issue(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.certificate_issue(application=a, actor=u),
        "证照已制发（多证合一）",
    )


@page("licensing.application_decide")
@require_POST
def fast_track(request: HttpRequest, number: str) -> HttpResponse:
    return _action(
        request,
        number,
        lambda a, u: services.application_fast_track(application=a, actor=u),
        "已当场办结并制发证照",
    )


@page("licensing.application_handle")
@require_POST
def certificate_deliver(request: HttpRequest, number: str) -> HttpResponse:
    def run(app: Application, user: User) -> None:
        text = clean_fields(
            request.POST,
            {
                "method": ("送达方式", LINE),
                "tracking_number": ("快递单号", LINE),
                "address": ("送达地址", LINE, ADDRESS_MAX),
            },
            model=Application,
        )
        services.certificate_deliver(application=app, actor=user, **text)

    return _action(request, number, run, "证照已送达")
