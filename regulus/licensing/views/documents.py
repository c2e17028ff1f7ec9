"""Documents: materials, receipts and certificates (HTML and Word)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from regulus.core import clock
from regulus.core.documents import (
    DOCX_CONTENT_TYPE,
    docx_render,
    qr_png_bytes,
    qr_svg_data_uri,
)
from regulus.core.files import file_response
from regulus.core.permissions import page
from regulus.licensing import selectors
from regulus.licensing.models import (
    Application,
    ApplicationMaterial,
    Certificate,
)
from regulus.licensing.views.common import staff_user

DOC_TEMPLATES = Path(__file__).parent.parent / "doc_templates"
CERTIFICATE_QR_MM = 32  # as .qr-img on the HTML certificate


# -- documents ---------------------------------------------------------------------------


@page("licensing.application_view")
def material_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A material's file, only for staff who may see its application (never by path)."""
    user = staff_user(request)
    row = get_object_or_404(ApplicationMaterial.objects.select_related("application"), pk=pk)
    if not Application.objects.visible_to(user).filter(pk=row.application_id).exists():
        raise Http404("不存在或无权查看")
    if not row.stored_name:
        raise Http404("纸质材料，无电子文件")
    return file_response(
        row.stored_name, download_name=row.original_name, content_type=row.content_type
    )


@page("licensing.application_view")
def application_receipt(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(staff_user(request), number)
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


@page("licensing.application_view")
def certificate_page(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(staff_user(request), number)
    certificate = get_object_or_404(Certificate, application=app)
    return render(request, "licensing/certificate.html", certificate_context(certificate))


@page("licensing.application_view")
def certificate_docx(request: HttpRequest, number: str) -> HttpResponse:
    app = selectors.application_get(staff_user(request), number)
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
            # As the HTML certificate: a word only when it is no longer valid.
            "state_note": {"revoked": "已撤销", "expired": "已过期"}.get(ctx["state"], ""),
        },
        images={"qr": (qr_png_bytes(ctx["verify_url"]), CERTIFICATE_QR_MM)},
    )
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.docx"'
    return response
