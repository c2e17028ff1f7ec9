"""The public portal: no login. Applicants apply, follow their application with its number and
phone, and anyone can verify a certificate by its number (its QR code) and look up an
enterprise's public record.

Lookups, submissions, uploads and certificate checks are rate limited per client address
(regulus.portal.limits); a refused request gets a 429 page that says what its limit protects,
and changes nothing."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.core import clock_selectors, throttle
from regulus.core.errors import flash_errors
from regulus.core.files import file_response
from regulus.core.text import NAME, clean_fields
from regulus.core.views import text_param
from regulus.core.workflow import timeline
from regulus.licensing import selectors, services
from regulus.licensing.forms import application_form_context, application_form_submit
from regulus.licensing.models import Application, ApplicationMaterial, Bundle
from regulus.licensing.services.applications import MATERIAL_STATES
from regulus.licensing.views.documents import receipt_context
from regulus.licensing.workflow import APPLICATION_FLOW
from regulus.portal.limits import (
    CERTIFICATE_CHECKS,
    ENTITY_LOOKUPS,
    SUBMISSIONS,
    UPLOADS,
    guarded_progress_lookup,
    refuse_when_throttled,
)
from regulus.registry import selectors as registry_selectors

SESSION_KEY = "portal_applications"
# The commitment's signer, a name no longer than its column (core.text).
SIGNER_FIELD = {
    "signer": ("承诺人姓名", NAME, Application._meta.get_field("commitment_signer").max_length)
}
# What the public is told when the page gave no message of its own.
PUBLIC_ERROR_MESSAGES = {
    403: "您没有执行此操作的权限。",
    404: "您访问的页面不存在。",
    500: "系统发生错误，已记录。请稍后重试。",
}


def error_page(
    request: HttpRequest, status: int, title: str, exception: Exception | None
) -> HttpResponse:
    """The errors of the portal's pages in its own look (declared in portal/extensions.py):
    no staff menu or logout button; the page's own Chinese message (未查到…, 请先凭申请编号…)
    where it gave one, never Django's (English, or the list of URL patterns it tried)."""
    text = str(exception) if type(exception) in (Http404, PermissionDenied) else ""
    chinese = any("\u4e00" <= c <= "\u9fff" for c in text)
    message = text if chinese else PUBLIC_ERROR_MESSAGES.get(status, "")
    context = {"status": status, "title": title, "message": message}
    return render(request, "portal/error.html", context, status=status)


def _remember(request: HttpRequest, number: str) -> None:
    numbers = list(request.session.get(SESSION_KEY, []))
    if number not in numbers:
        numbers = [*numbers[-19:], number]
    request.session[SESSION_KEY] = numbers


def _own_application(request: HttpRequest, number: str) -> Application:
    """An application this browser submitted or looked up with number + phone; 404 else."""
    if number not in request.session.get(SESSION_KEY, []):
        raise Http404("请先凭申请编号和手机号码查询")
    app = Application.objects.select_related("bundle", "unit").filter(number=number).first()
    if app is None:
        raise Http404("申请不存在")
    return app


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"bundles": selectors.bundles_active()})


@refuse_when_throttled
def bundle_apply(request: HttpRequest, code: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, code=code, is_active=True)
    errors: dict[str, str] = {}
    if request.method == "POST":
        from regulus.registry.models import Entity

        attempt = throttle.hit(request, SUBMISSIONS)

        def lookup(uscc: str) -> Any:
            entity = Entity.objects.filter(uscc=uscc).first()
            if entity is None:
                raise ValidationError(f"统一社会信用代码{uscc}未在本市登记，新设主体请不填此项")
            return entity

        application, errors = application_form_submit(
            request, bundle, actor=None, entity_lookup=lookup
        )
        if application is not None:
            _remember(request, application.number)
            return redirect("portal:application_receipt", number=application.number)
        attempt.refund()  # sent back with errors: only applications created count
    context = application_form_context(
        bundle, data=request.POST if errors else None, errors=errors, window=False
    )
    return render(request, "portal/apply.html", context)


def application_receipt(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_application(request, number)
    return render(request, "portal/receipt.html", receipt_context(app))


@refuse_when_throttled
def progress_lookup(request: HttpRequest) -> HttpResponse:
    error = ""
    number = request.POST.get("number", "").strip() if request.method == "POST" else ""
    if request.method == "POST":
        app = guarded_progress_lookup(request, number, request.POST.get("phone", ""))
        if app is None:
            error = "未找到该申请：请核对申请编号和申请时填写的手机号码"
        else:
            _remember(request, app.number)
            return redirect("portal:application_progress", number=app.number)
    return render(request, "portal/lookup.html", {"error": error, "number": number})


def _public_event(event: dict[str, Any], app: Application) -> dict[str, Any]:
    """A timeline row as the applicant sees it: units, not staff names."""
    if event.get("clock"):
        return {**event, "actor_name": app.unit.name, "unit_name": "",
                "detail": event["public_detail"]}  # fmt: skip
    return {**event, "actor_name": event["unit_name"] or "申请人", "unit_name": ""}


def application_progress(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_application(request, number)
    events = [_public_event(e, app) for e in timeline(app, APPLICATION_FLOW)]
    matters = selectors.application_matters(app)
    return render(
        request,
        "portal/progress.html",
        {
            "app": app,
            "events": events,
            "required": selectors.materials_given(app, matters),
            "certificate": getattr(app, "certificate", None)
            if app.state
            in (Application.State.ISSUED, Application.State.DELIVERED, Application.State.REVOKED)
            else None,
            "can_remove": app.state in MATERIAL_STATES,
            "can_sign": not app.commitment_signed_at
            and app.state in (Application.State.SUBMITTED, Application.State.REVIEW)
            and not selectors.commitment_problem(matters),
            "commitment_text": selectors.commitment_text(matters),
            "main_clock": clock_selectors.main_clock(clock_selectors.object_clocks(app)),
        },
    )


@require_POST
@refuse_when_throttled
def application_upload(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_application(request, number)
    attempt = throttle.hit(request, UPLOADS)
    try:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": "请选择要上传的文件"})
        services.material_add(
            application=app,
            actor=None,
            material_key=request.POST.get("key", ""),
            upload=upload,
            actor_name=app.contact_name,
        )
    except ValidationError as exc:
        attempt.refund()  # rejected: only stored files count
        flash_errors(request, exc, join=True)
    else:
        messages.success(request, "材料已上传")
    return redirect("portal:application_progress", number=app.number)


def application_material(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """A file the applicant gave, back to the browser that submitted or looked up the
    application (the same check as its progress page), never by path."""
    app = _own_application(request, number)
    row = get_object_or_404(ApplicationMaterial, pk=pk, application=app)
    if not row.stored_name:
        raise Http404("纸质材料，无电子文件")
    return file_response(
        row.stored_name, download_name=row.original_name, content_type=row.content_type
    )


@require_POST
def application_material_remove(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The applicant takes back a wrong upload before review begins."""
    app = _own_application(request, number)
    row = get_object_or_404(
        ApplicationMaterial.objects.select_related("material"), pk=pk, application=app
    )
    try:
        services.material_remove(
            application=app, actor=None, material=row, actor_name=app.contact_name
        )
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    else:
        messages.success(request, f"已删除文件“{row.original_name}”")
    return redirect("portal:application_progress", number=app.number)


@require_POST
def application_resubmit(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_application(request, number)
    try:
        services.application_resubmit(application=app, actor=None, actor_name=app.contact_name)
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    else:
        messages.success(request, "已重新提交，等待受理")
    return redirect("portal:application_progress", number=app.number)


@require_POST
def commitment_sign(request: HttpRequest, number: str) -> HttpResponse:
    app = _own_application(request, number)
    try:
        if not request.POST.get("agree"):
            raise ValidationError("请勾选同意承诺内容")
        signer = clean_fields(request.POST, SIGNER_FIELD)["signer"]
        services.commitment_sign(application=app, signer=signer)
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    else:
        messages.success(request, "已签署告知承诺书")
    return redirect("portal:application_progress", number=app.number)


@refuse_when_throttled
def entity_search(request: HttpRequest) -> HttpResponse:
    """企业信息查询: by a part of the name or the full USCC (registry.selectors)."""
    q = text_param(request, "q", "查询内容", 100)
    result = None
    if q:
        throttle.hit(request, ENTITY_LOOKUPS)
        result = registry_selectors.public_entity_search(q)
    return render(request, "portal/entity_search.html", {"q": q, "result": result})


@refuse_when_throttled
def entity_public(request: HttpRequest, uscc: str) -> HttpResponse:
    throttle.hit(request, ENTITY_LOOKUPS)
    return render(request, "portal/entity_public.html", registry_selectors.public_entity(uscc))


# A certificate number as printed (DZ + district + year + sequence); anything else, a "/" or
# markup, is no number and is said so instead of being put into the verification URL.
CERTIFICATE_NUMBER = re.compile(r"^[A-Z0-9]{1,30}$")


def certificate_search(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip().upper()
    error = ""
    if number:
        if CERTIFICATE_NUMBER.match(number):
            return redirect("portal:certificate_verify", number=number)
        error = "证书编号只含字母和数字，如 DZ4301022026000001，请核对后重新输入"
    return render(
        request,
        "portal/certificate_search.html",
        {"number": number, "error": error},
        status=422 if error else 200,
    )


@refuse_when_throttled
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    throttle.hit(request, CERTIFICATE_CHECKS)
    cert = selectors.certificate_public(number)
    return render(
        request,
        "portal/certificate_verify.html",
        {"cert": cert, "number": number},
        status=200 if cert else 404,
    )
