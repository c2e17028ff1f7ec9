"""The public tag check on the portal: each item's tag carries a QR code of its page here,
which says whether its inspection is valid (in date / overdue / stopped), the using and
maintenance units, the last and next inspection dates, and offers the 12315 intake when that
app is installed. No personal data: units are entities, the place is the compound or the
set-up location, never a person. An unknown or malformed code gets a clear page (404)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regulus.core import clock
from regulus.core.text import trim
from regulus.equipment import selectors

STATUS_TEXT = {
    "valid": ("在检验有效期内", "success", "该设备定期检验合格，在有效期内。"),
    "overdue": ("超期未检验", "danger", "该设备已超过定期检验有效期，依法不得继续使用。"),
    "stopped": ("已停用", "secondary", "该设备已停止使用。"),
    "scrapped": ("已报废", "secondary", "该设备已报废。"),
}


def _complaints_url() -> str:
    """The 12315 intake on the portal, when the complaints app is installed."""
    if not apps.is_installed("regulus.complaints"):
        return ""
    from django.urls import reverse

    return reverse("complaints_public:file")


def tag_lookup(request: HttpRequest) -> HttpResponse:
    code = trim(request.GET.get("code", "")).upper().replace(" ", "")[:20]
    if code and selectors.tag_code_is_wellformed(code):
        return redirect("equipment_public:tag", code=code)
    if code:  # not a tag code at all (a typo, a pasted address): say so here
        return render(request, "equipment/public_unknown.html", {"code": code}, status=404)
    return render(request, "equipment/public_lookup.html", {})


def tag(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_tag(code[:20])
    if found is None:
        unknown = {"code": code[:20]}
        return render(request, "equipment/public_unknown.html", unknown, status=404)
    label, style, explanation = STATUS_TEXT[found["status"]]
    context: dict[str, Any] = {
        **found,
        "status_label": label,
        "status_style": style,
        "explanation": explanation,
        "today": clock.today(),
        "complaints_url": _complaints_url(),
    }
    return render(request, "equipment/public_tag.html", context)
