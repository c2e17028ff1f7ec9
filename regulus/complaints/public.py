"""The public side of 12315 on the portal: file a complaint, report or enquiry; follow it with
its number and query code; rate the handling once it is closed. No login. Filing and wrong
lookups are rate limited per address (core.throttle); a refused request gets a 429 page that
says what its limit protects, and changes nothing. The public never sees staff names, the
complainant's or reporter's identity, nor anything of the respondent's other items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from regulus.complaints import selectors, services
from regulus.complaints.models import FINAL_STATES, Item
from regulus.complaints.views import form_context, register_from_post
from regulus.complaints.workflow import ITEM_FLOW
from regulus.core import clock, clock_selectors, throttle
from regulus.core.errors import flash_errors, form_messages
from regulus.core.throttle import Limit, Throttled
from regulus.core.workflow import timeline

SESSION_KEY = "complaints_items"
RECEIPT_KEY = "complaints_receipt"

SUBMISSIONS = Limit(
    "complaints_submit",
    "提交投诉举报",
    "此限制用于防止程序批量提交投诉举报、占用12315的受理力量。如有大量线索，请拨打12315或到窗口反映。",
)
ODR_LOGIN_FAILURES = Limit(
    "complaints_odr_login_failure",
    "经营者ODR和解反馈登录失败",
    "此限制用于防止他人猜测统一社会信用代码和企业填报码、查看消费者的投诉。请核对登记机关发放的企业填报码。",
)
LOOKUP_FAILURES = Limit(
    "complaints_lookup_failure",
    "投诉举报进度查询失败",
    "此限制用于防止他人凭猜测的受理编号和查询码查看他人的投诉举报。请核对回执上的编号和查询码。",
)
ERROR_MESSAGES = {
    403: "您没有执行此操作的权限。",
    404: "您访问的页面不存在。",
    500: "系统发生错误，已记录。请稍后重试。",
}


def error_page(
    request: HttpRequest, status: int, title: str, exception: Exception | None
) -> HttpResponse:
    text = str(exception) if type(exception) in (Http404, PermissionDenied) else ""
    chinese = any("\u4e00" <= c <= "\u9fff" for c in text)
    message = text if chinese else ERROR_MESSAGES.get(status, "")
    return render(
        request,
        "portal/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def _throttled_page(request: HttpRequest, refused: Throttled) -> HttpResponse:
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
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Throttled as refused:
            return _throttled_page(request, refused)

    return wrapped


def _remember(request: HttpRequest, number: str) -> None:
    numbers = list(request.session.get(SESSION_KEY, []))
    if number not in numbers:
        numbers = [*numbers[-19:], number]
    request.session[SESSION_KEY] = numbers


def _own_item(request: HttpRequest, number: str) -> Item:
    if number not in request.session.get(SESSION_KEY, []):
        raise Http404("请先凭受理编号和查询码查询")
    item = Item.objects.select_related("unit").filter(number=number[:20]).first()
    if item is None:
        raise Http404("投诉举报不存在")
    return item


@refuse_when_throttled
def file(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        attempt = throttle.hit(request, SUBMISSIONS)
        item, code, errors = register_from_post(request, actor=None, channel=Item.Channel.PORTAL)
        if item is not None:
            _remember(request, item.number)
            request.session[RECEIPT_KEY] = {"number": item.number, "code": code}
            if not code:
                attempt.refund()  # the same submission again: nothing new was filed
            return redirect("complaints_public:receipt", number=item.number)
        attempt.refund()  # sent back with errors: only items filed count
    context = form_context(request.POST if errors else None, errors, public=True)
    return render(request, "complaints/public_form.html", context)


def receipt(request: HttpRequest, number: str) -> HttpResponse:
    item = _own_item(request, number)
    shown = request.session.get(RECEIPT_KEY) or {}
    code = shown.get("code", "") if shown.get("number") == item.number else ""
    return render(request, "complaints/public_receipt.html", {"item": item, "code": code})


@refuse_when_throttled
def lookup(request: HttpRequest) -> HttpResponse:
    error = ""
    number = request.POST.get("number", "").strip()[:20] if request.method == "POST" else ""
    if request.method == "POST":
        failures = throttle.count(request, LOOKUP_FAILURES)
        item = services.public_lookup(number, request.POST.get("code", ""))
        if item is not None:
            failures.refund()
            _remember(request, item.number)
            return redirect("complaints_public:progress", number=item.number)
        if failures.over:
            failures.refuse()
        error = "未找到该投诉举报：请核对受理编号和查询码"
    return render(request, "complaints/public_lookup.html", {"error": error, "number": number})


def _public_event(event: dict[str, Any], item: Item) -> dict[str, Any]:
    """A timeline row as the citizen sees it: units, never staff names."""
    if event.get("clock"):
        return {
            **event,
            "actor_name": item.unit.name,
            "unit_name": "",
            "detail": event.get("public_detail", ""),
        }
    return {**event, "actor_name": event["unit_name"] or "12315", "unit_name": ""}


def progress(request: HttpRequest, number: str) -> HttpResponse:
    item = _own_item(request, number)
    events = [_public_event(e, item) for e in timeline(item, ITEM_FLOW)]
    return render(
        request,
        "complaints/public_progress.html",
        {
            "item": item,
            "events": events,
            "main_clock": clock_selectors.main_clock(clock_selectors.object_clocks(item)),
            "can_rate": item.state in FINAL_STATES and item.rating is None,
            "odr": selectors.odr_stage(item),
        },
    )


@require_POST
def odr_leave(request: HttpRequest, number: str) -> HttpResponse:
    """The consumer leaves the business's ODR: the bureau handles the complaint."""
    item = _own_item(request, number)
    try:
        services.odr_leave(item=item, note=request.POST.get("note", "")[:400])
        messages.success(request, "已不再和解，您的投诉转由市场监管部门处理")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect("complaints_public:progress", number=item.number)


# -- the business's side of ODR ---------------------------------------------------------------

BUSINESS_KEY = "complaints_odr_business"
BUSINESS_MINUTES = 30


def _business(request: HttpRequest) -> Any:
    """The entity signed in on this session for its ODR complaints (30 minutes), or None."""
    from regulus.registry.models import Entity

    held = request.session.get(BUSINESS_KEY) or {}
    entity_id = held.get("entity")
    if not isinstance(entity_id, int) or clock.now().timestamp() - held.get("at", 0) > (
        BUSINESS_MINUTES * 60
    ):
        request.session.pop(BUSINESS_KEY, None)
        return None
    return Entity.objects.filter(pk=entity_id).first()


def _business_sign_in(request: HttpRequest) -> dict[str, str]:
    failures = throttle.count(request, ODR_LOGIN_FAILURES)
    try:
        entity = services.odr_business_sign_in(
            uscc=request.POST.get("uscc", "")[:30], code=request.POST.get("code", "")[:20]
        )
    except ValidationError as exc:
        if failures.over:
            failures.refuse()
        return form_messages(exc)
    failures.refund()
    request.session.cycle_key()
    request.session[BUSINESS_KEY] = {"entity": entity.pk, "at": clock.now().timestamp()}
    return {}


@refuse_when_throttled
def odr_business(request: HttpRequest) -> HttpResponse:
    """ODR和解反馈: the business signs in with its USCC and portal code, sees the complaints
    in its ODR (with the consumer's name and phone: the consumer consented) and answers."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("action") == "sign_out":
            request.session.pop(BUSINESS_KEY, None)
            return redirect("complaints_public:odr_business")
        errors = _business_sign_in(request)
        if not errors:
            return redirect("complaints_public:odr_business")
    entity = _business(request)
    items = selectors.odr_items_of(entity) if entity is not None else []
    stages = selectors.odr_stages(items)
    if entity is not None:
        services.odr_contacts_seen(entity=entity, items=items)
    return render(
        request,
        "complaints/public_odr_business.html",
        {
            "entity": entity,
            "items": [(i, stages[i.pk]) for i in items],
            "errors": errors,
            "data": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@require_POST
def odr_business_answer(request: HttpRequest, number: str) -> HttpResponse:
    entity = _business(request)
    if entity is None:
        messages.error(request, "登录已过期，请重新输入统一社会信用代码和企业填报码")
        return redirect("complaints_public:odr_business")
    item = Item.objects.filter(number=number[:20], entity=entity).first()
    if item is None:
        raise Http404("没有该ODR投诉")
    settled = request.POST.get("outcome") == "settled"
    try:
        services.odr_answer_business(
            entity=entity,
            item=item,
            settled=settled,
            note=request.POST.get("note", "")[:2400],
            money_recovered=request.POST.get("money_recovered", "")[:20],
        )
    except ValidationError as exc:
        flash_errors(request, exc, join=True, prefix=f"{item.number}：")
    else:
        messages.success(
            request,
            f"{item.number}：" + ("和解成功已反馈" if settled else "未和解，已转市场监管部门处理"),
        )
    return redirect("complaints_public:odr_business")


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    item = _own_item(request, number)
    try:
        services.item_rate(
            item=item,
            rating=request.POST.get("rating", "")[:3],
            note=request.POST.get("rating_note", "")[:400],
        )
        messages.success(request, "感谢您的评价")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect("complaints_public:progress", number=item.number)
