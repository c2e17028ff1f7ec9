"""The portal's rate limits per client address (their rates are settings.THROTTLE_RATES, see
docs/configuration.md) and the page a refused request gets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core import clock
from regulus.core.throttle import Limit, Throttled

# Wrong application number + phone pairs, on the page and the API alike (one count, so a
# script gains nothing by switching channels); a lookup that finds the application is refunded.
LOOKUP_FAILURES = Limit("portal_lookup_failure", "办理进度查询失败")
# Applications created; a form sent back with errors is refunded.
SUBMISSIONS = Limit("portal_submit", "提交申请")
# Material files stored; a rejected file is refunded.
UPLOADS = Limit("portal_upload", "上传材料")
# Certificate verifications, on the page (a search lands there) and the API.
CERTIFICATE_CHECKS = Limit("portal_certificate", "证照核验")
# Enterprise lookups: a search or an entity's public page.
ENTITY_LOOKUPS = Limit("portal_entity", "企业信息查询")


def throttled_page(request: HttpRequest, refused: Throttled) -> HttpResponse:
    """429 in the portal's look: what was limited, the rule, and when to come back."""
    response = render(
        request,
        "portal/throttled.html",
        {
            "message": refused.message,
            "rule": refused.rule,
            "until": clock.now() + dt.timedelta(seconds=refused.retry_after),
        },
        status=429,
    )
    response["Retry-After"] = str(refused.retry_after)
    return response


def refuse_when_throttled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A portal view whose request went over a limit answers with the 429 page. The limit is
    hit before the view changes anything, so the refused request changed nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Throttled as refused:
            return throttled_page(request, refused)

    return wrapped
