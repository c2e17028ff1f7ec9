"""Public endpoints of the portal: the bundles, progress by number + phone, certificate check.

Progress lookups and certificate checks share the portal pages' rate limits
(regulus.portal.limits); over a limit the answer is 429 with Retry-After (regulus.api)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from regulus.core import throttle
from regulus.core.schemas import Text
from regulus.licensing import selectors
from regulus.licensing.api import BundleOut, bundle_out
from regulus.portal.limits import CERTIFICATE_CHECKS, guarded_progress_lookup

router = Router(tags=["公众服务门户"])


class CertificateItemOut(Schema):
    item: str
    treatment: str
    valid_until: str


class CertificateCheckOut(Schema):
    number: str
    state: str
    state_label: str
    holder_name: str
    uscc: str
    items: list[CertificateItemOut]
    issued_on: dt.date
    valid_until: dt.date | None
    issuing_unit_name: str
    revoked_on: dt.date | None


class ProgressIn(Schema):
    number: Text
    phone: Text


class ProgressOut(Schema):
    number: str
    bundle: str
    state: str
    state_label: str
    deadline: dt.date | None
    submitted_at: dt.datetime
    certificate_number: str | None


@router.get("/portal/bundles", response=list[BundleOut], auth=None, summary="一件事套餐（公开）")
def public_bundles(request: HttpRequest) -> list[dict[str, Any]]:
    return [bundle_out(b) for b in selectors.bundles_active()]


@router.get(
    "/portal/certificates/{number}",
    response=CertificateCheckOut,
    auth=None,
    summary="证照核验（公开）：有效 / 已撤销 / 已过期",
)
def certificate_check(request: HttpRequest, number: str) -> dict[str, Any]:
    throttle.hit(request, CERTIFICATE_CHECKS)
    cert = selectors.certificate_public(number)
    if cert is None:
        raise Http404
    return cert


@router.post(
    "/portal/progress",
    response=ProgressOut,
    auth=None,
    summary="办理进度（公开，须申请编号与手机号码一致）",
)
def progress(request: HttpRequest, payload: ProgressIn) -> dict[str, Any]:
    app = guarded_progress_lookup(request, payload.number, payload.phone)
    if app is None:
        raise Http404
    cert = getattr(app, "certificate", None) if hasattr(app, "certificate") else None
    return {
        "number": app.number,
        "bundle": app.bundle.name,
        "state": app.state,
        "state_label": app.get_state_display(),
        "deadline": app.deadline,
        "submitted_at": app.submitted_at,
        "certificate_number": cert.number if cert else None,
    }
