"""The portal's rate limits per client address (their rates are settings.THROTTLE_RATES, see
docs/configuration.md), the progress lookup's guard, and the page a refused request gets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.core import clock, throttle
from regulus.core.masking import mask_phone
from regulus.core.throttle import Limit, Throttled
from regulus.licensing import selectors
from regulus.licensing.models import Application

# Wrong application number + phone pairs, on the page and the API alike (one count, so a
# script gains nothing by switching channels). Over the limit a wrong pair is refused, a
# correct one still answered (guarded_progress_lookup).
LOOKUP_FAILURES = Limit(
    "portal_lookup_failure",
    "办理进度查询失败",
    "此限制用于防止他人凭猜测的申请编号和手机号码查看申请人的办理进度。申请编号与申请时填写的"
    "手机号码一致的查询不受此限制，请核对后再查询。",
)
# Wrong pairs of one address naming one application number, and giving one phone: what a
# guess at one application (or at one person's applications) is held to, whatever else the
# address does. These refuse even a correct pair: it is the one being guessed at.
LOOKUP_NUMBER_FAILURES = Limit(
    "portal_lookup_number_failure",
    "对同一申请编号的查询失败",
    "此限制用于防止他人反复猜测某一申请的手机号码。如您是申请人，请稍后再试，"
    "或携带身份证件到政务服务大厅窗口查询。",
)
LOOKUP_PHONE_FAILURES = Limit(
    "portal_lookup_phone_failure",
    "以同一手机号码的查询失败",
    "此限制用于防止他人以某一手机号码反复猜测申请编号。如您是申请人，请核对回执上的申请编号后"
    "稍后再试，或携带身份证件到政务服务大厅窗口查询。",
)
# Wrong pairs of an address, all told, at which it is refused everything: a script trying
# many numbers and many phones, each a few times.
LOOKUP_CEILING = Limit(
    "portal_lookup_ceiling",
    "办理进度查询失败",
    "本网络地址的查询失败次数已远超正常使用，办理进度查询暂停。如需帮助，请到政务服务大厅"
    "窗口咨询。",
)
# Applications created; a form sent back with errors is refunded.
SUBMISSIONS = Limit(
    "portal_submit", "提交申请", "此限制用于防止程序批量提交申请、占用受理窗口的办理时间。"
)
# Material files stored; a rejected file is refunded.
UPLOADS = Limit("portal_upload", "上传材料", "此限制用于防止程序批量上传文件、占满存储空间。")
# Certificate verifications, on the page (a search lands there) and the API.
CERTIFICATE_CHECKS = Limit(
    "portal_certificate", "证照核验", "此限制用于防止程序逐一遍历证照编号、批量抓取证照信息。"
)
# Enterprise lookups: a search or an entity's public page.
ENTITY_LOOKUPS = Limit(
    "portal_entity",
    "企业信息查询",
    "此限制用于防止程序批量抓取企业登记信息；正常查询几家企业不会受到影响。",
)


def guarded_progress_lookup(request: HttpRequest, number: str, phone: str) -> Application | None:
    """The application of a public progress lookup (page and API), or None; raises
    Throttled when the address may not try this pair now.

    A correct pair is never refused because others behind the same address guessed wrong:
    over LOOKUP_FAILURES only wrong pairs are refused. It is refused only when this address
    itself failed LOOKUP_NUMBER_FAILURES times on that number or LOOKUP_PHONE_FAILURES times
    with that phone (it is the target of the guessing), or reached LOOKUP_CEILING. Those are
    checked before the lookup, so that they learn nothing about the pair; a wrong pair counts
    on all of them, a correct one on none."""
    number, phone = selectors.public_lookup_terms(number, phone)
    targets = [
        (LOOKUP_NUMBER_FAILURES, number, f"申请编号{number[:40]}"),
        (LOOKUP_PHONE_FAILURES, phone, f"手机号码{mask_phone(phone[:20])}"),
    ]
    # A blank number or phone guesses at nothing: it counts on the address only.
    guards = throttle.hit_all(request, [(LOOKUP_CEILING, "", ""), *[t for t in targets if t[1]]])
    failures = throttle.count(request, LOOKUP_FAILURES)
    app = selectors.application_public_lookup(number, phone)
    if app is not None:
        for attempt in (*guards, failures):
            attempt.refund()  # only failures count
        return app
    if failures.over:
        failures.refuse()
    return None


def throttled_page(request: HttpRequest, refused: Throttled) -> HttpResponse:
    """429 in the portal's look: what was limited, the rule, when to come back, and what
    this limit protects."""
    response = render(
        request,
        "portal/throttled.html",
        {
            "message": refused.message,
            "rule": refused.rule,
            "why": refused.limit.why,
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
