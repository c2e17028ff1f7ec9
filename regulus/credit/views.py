"""Enterprise credit's staff pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regulus.core import permissions
from regulus.core.models import Handover
from regulus.core.permissions import page
from regulus.core.views import choice_param, paginate
from regulus.credit import selectors, services
from regulus.credit.models import Category


@page("credit.record_view")
def record_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    category = choice_param(request, "category", Category.choices, "类别")
    inbox = selectors.credit_inbox(user)
    return render(
        request,
        "credit/record_list.html",
        {
            "categories": Category.choices,
            "category": category,
            "inbox": inbox[:50],
            "inbox_count": inbox.count(),
            "can_take": permissions.allows(user, "credit.record_take"),
            **paginate(request, selectors.records_for(user, category=category)),
        },
    )


@page("credit.record_take")
@require_POST
def handover_take(request: HttpRequest, pk: int) -> HttpResponse:
    handover = Handover.objects.get_visible_or_404(request.user, pk=pk, kind=Handover.Kind.CREDIT)
    try:
        record = services.credit_handover_take(handover=handover, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已记入信用记录：{record.entity_name}")
    return redirect("credit:record_list")
