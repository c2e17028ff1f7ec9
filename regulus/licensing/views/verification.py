"""Post-approval check pages (后置核查)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from regulus.core import clock_selectors
from regulus.core.errors import flash_errors
from regulus.core.permissions import page
from regulus.core.text import MULTILINE, clean_fields
from regulus.core.views import choice_param, paginate
from regulus.core.workflow import timeline
from regulus.licensing import selectors, services
from regulus.licensing.models import (
    VerificationTask,
)
from regulus.licensing.views.common import staff_user
from regulus.licensing.workflow import VERIFICATION_FLOW

DOC_TEMPLATES = Path(__file__).parent.parent / "doc_templates"


# -- post-approval checks ---------------------------------------------------------------


@page("licensing.application_view")
def verification_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    state = choice_param(request, "state", VerificationTask.State.choices, "状态")
    tasks = selectors.verification_tasks_for(user, state=state)
    return render(
        request,
        "licensing/verification_list.html",
        {"states": VerificationTask.State.choices, "state": state, **paginate(request, tasks)},
    )


# The text each action posts (core.text), by the service's argument names.
VERIFICATION_TEXT = {
    "confirm": {"findings": ("核查情况", MULTILINE)},
    "order_rectification": {"findings": ("核查情况", MULTILINE), "order": ("整改要求", MULTILINE)},
    "confirm_rectified": {"note": ("整改情况", MULTILINE)},
    "revoke_permit": {"reason": ("撤销理由", MULTILINE)},
}


@page("licensing.application_view")
def verification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    task = VerificationTask.objects.select_related("application").get_visible_or_404(user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            text = clean_fields(request.POST, VERIFICATION_TEXT.get(action, {}))
            if action == "confirm":
                services.verification_confirm(task=task, actor=user, **text)
            elif action == "order_rectification":
                services.verification_order_rectification(task=task, actor=user, **text)
            elif action == "confirm_rectified":
                services.verification_confirm_rectified(task=task, actor=user, **text)
            elif action == "revoke_permit":
                services.verification_revoke(task=task, actor=user, **text)
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            flash_errors(request, exc, join=True)
        else:
            messages.success(request, "已办理")
        return redirect("licensing:verification_detail", pk=task.pk)
    main_clock = clock_selectors.main_clock(clock_selectors.object_clocks(task))
    return render(
        request,
        "licensing/verification_detail.html",
        {
            "task": task,
            "available": {t.name for t in VERIFICATION_FLOW.available(task, user)},
            "events": timeline(task, VERIFICATION_FLOW),
            "main_clock": main_clock,
            "days_left": main_clock.days_left if main_clock else None,
        },
    )
