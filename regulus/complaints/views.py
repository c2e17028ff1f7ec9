"""Staff pages of 投诉举报: the register and its lists, the dispatcher's queue, an item with
its steps, the rule versions, the counts. Thin: parse, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.complaints import selectors, services
from regulus.complaints.models import Item, OdrMember, ReporterNotice, RoutingRule
from regulus.complaints.workflow import ITEM_FLOW, state_badge
from regulus.core import clock, clock_selectors
from regulus.core.clock_selectors import DUE_SOON, OVERDUE
from regulus.core.documents import XLSX_CONTENT_TYPE
from regulus.core.errors import field_messages, flash_errors, form_errors, form_messages
from regulus.core.models import OrgUnit
from regulus.core.permissions import allows, page, require
from regulus.core.text import trim
from regulus.core.views import choice_param, date_param, paginate, text_param
from regulus.core.workflow import DeferredRows, timeline
from regulus.registry.rules import DISTRICTS

WHEN = ((OVERDUE, "已超期"), (DUE_SOON, "即将到期"))


def _units() -> Any:
    return OrgUnit.objects.filter(
        is_active=True,
        kind__in=(
            OrgUnit.Kind.DISTRICT_BUREAU,
            OrgUnit.Kind.STATION,
            OrgUnit.Kind.DEPARTMENT,
        ),
    ).order_by("path")


def _unit_param(request: HttpRequest) -> OrgUnit | None:
    raw = request.POST.get("unit", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError({"unit": "请选择有效的承办单位"})
    unit = _units().filter(pk=int(raw)).first()
    if unit is None:
        raise ValidationError({"unit": "请选择有效的承办单位"})
    return unit


def _get_item(request: HttpRequest, number: str) -> Item:
    return Item.objects.select_related("unit", "rule_version", "entity").get_visible_or_404(
        request.user, number=number[:20]
    )


# -- lists -------------------------------------------------------------------------------------


@page("complaints.item_view")
def item_list(request: HttpRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "state": choice_param(request, "state", Item.State.choices, "状态"),
        "kind": choice_param(request, "kind", Item.Kind.choices, "类型"),
        "category": choice_param(request, "category", Item.Category.choices, "所属领域"),
        "district": choice_param(request, "district", DISTRICTS.items(), "区县"),
        "when": choice_param(request, "when", WHEN, "期限"),
        "q": text_param(request, "q", "查询内容", 50),
    }
    items = selectors.items_for(request.user, **filters)
    context = {
        **filters,
        "states": Item.State.choices,
        "kinds": Item.Kind.choices,
        "categories": Item.Category.choices,
        "districts": sorted(DISTRICTS.items()),
        "whens": WHEN,
        "can_register": allows(request.user, "complaints.item_register"),
        **paginate(request, DeferredRows(items)),
    }
    for item in context["page_obj"]:
        item.badge = state_badge(item.state)
        item.person = selectors.person_masked(item)
    return render(request, "complaints/item_list.html", context)


@page("complaints.item_dispatch")
def dispatch_queue(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "units": _units(),
        **paginate(request, DeferredRows(selectors.dispatch_queue(request.user))),
    }
    page_items = list(context["page_obj"])
    similar = selectors.similar_items(request.user, page_items)
    context["rows"] = [(i, similar.get(i.pk, [])) for i in page_items]
    return render(request, "complaints/dispatch_queue.html", context)


# -- intake by staff -------------------------------------------------------------------------

FORM_FIELDS = (
    "channel",
    "line",
    "kind",
    "category",
    "respondent_name",
    "respondent_uscc",
    "place",
    "district_code",
    "amount",
    "facts",
    "request_text",
    "person_name",
    "person_phone",
    "person_id_number",
)


def form_context(data: Any, errors: dict[str, str], *, public: bool) -> dict[str, Any]:
    return {
        "data": data or {},
        "errors": errors,
        "kinds": Item.Kind.choices
        if not public
        else [c for c in Item.Kind.choices if c[0] != Item.Kind.SUGGESTION]
        + [(Item.Kind.SUGGESTION.value, Item.Kind.SUGGESTION.label)],
        "categories": Item.Category.choices,
        "channels": [c for c in Item.Channel.choices if c[0] in services.STAFF_CHANNELS],
        "lines": Item.Line.choices,
        "districts": sorted(DISTRICTS.items()),
        "public": public,
    }


def register_from_post(
    request: HttpRequest, *, actor: Any, channel: str
) -> tuple[Any, str, dict[str, str]]:
    values: dict[str, Any] = {f: request.POST.get(f, "") for f in FORM_FIELDS if f != "channel"}
    try:
        item, code = services.item_register(
            actor=actor,
            channel=channel,
            anonymous=request.POST.get("anonymous") == "1",
            also_report=request.POST.get("also_report") == "1",
            odr_consent=request.POST.get("odr_consent") == "1",
            **values,
        )
    except ValidationError as exc:
        return None, "", field_messages(exc)
    return item, code, {}


@page("complaints.item_register")
def item_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        channel = request.POST.get("channel", "")
        item, code, errors = register_from_post(request, actor=request.user, channel=channel)
        if item is not None:
            if code:
                messages.success(
                    request, f"已登记 {item.number}，查询码 {code}（请告知投诉举报人）"
                )
            else:
                messages.info(request, f"同一投诉举报已登记为 {item.number}，未重复登记")
            return redirect("complaints:item_detail", number=item.number)
    context = form_context(request.POST if errors else None, errors, public=False)
    return render(request, "complaints/item_form.html", context)


# -- an item -----------------------------------------------------------------------------------


@page("complaints.item_view")
def item_detail(request: HttpRequest, number: str) -> HttpResponse:
    item = _get_item(request, number)
    user = request.user
    available = {t.name: t for t in ITEM_FLOW.available(item, user)}
    views = clock_selectors.object_clocks(item)
    context = {
        "item": item,
        "badge": state_badge(item.state),
        "person": selectors.person_masked(item),
        "identity": request.session.pop(f"cmp_identity_{item.pk}", None),
        "can_identity": allows(user, "complaints.identity_view") and not item.anonymous,
        "available": available,
        "can_transfer": allows(user, "complaints.item_dispatch")
        and item.state in (Item.State.REGISTERED, Item.State.PENDING),
        "units": _units(),
        "grounds": item.rule_version.refusal_grounds,
        "transfers": selectors.transfers_of(item),
        "history": selectors.respondent_history(item, user),
        "candidates": selectors.match_candidates(item, user)
        if not item.is_final
        and (allows(user, "complaints.item_handle") or allows(user, "complaints.item_dispatch"))
        else [],
        "repeats": list(Item.objects.visible_to(user).filter(repeat_of=item).order_by("pk")),
        "events": timeline(item, ITEM_FLOW),
        "main_clock": clock_selectors.main_clock(views),
        "days_left": clock_selectors.days_left(item.deadline),
        "amount": item.amount_fen / 100 if item.amount_fen is not None else None,
        "recovered": selectors.yuan(item.money_recovered_fen),
        "notice": ReporterNotice.objects.filter(item=item).first(),
        "similar": selectors.similar_items(user, [item]).get(item.pk, []),
        "split_reports": list(Item.objects.visible_to(user).filter(split_from=item)),
        "can_split": item.kind == Item.Kind.COMPLAINT
        and not item.is_final
        and (allows(user, "complaints.item_handle") or allows(user, "complaints.item_dispatch")),
        "notice_channels": ReporterNotice.Channel.choices,
        "can_notify": allows(user, "complaints.item_handle"),
        "odr": selectors.odr_stage(item),
        "odr_hint": ITEM_FLOW.get("to_odr").guard(item)  # type: ignore[misc]
        if item.state == Item.State.REGISTERED and item.kind == Item.Kind.COMPLAINT
        else None,
    }
    return render(request, "complaints/item_detail.html", context)


ACTIONS = (
    "dispatch",
    "transfer",
    "return",
    "accept",
    "not_accept",
    "answer",
    "conclude",
    "verify",
    "split",
    "to_odr",
    "odr_answer",
    "identity",
)


@page("complaints.item_view")
@require_POST
def item_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    item = _get_item(request, number)
    user = request.user
    post = request.POST
    note = trim(post.get("note", ""), multiline=True)[:2000]
    try:
        if action == "dispatch":
            services.item_dispatch(actor=user, item=item, unit=_unit_param(request), note=note)
            messages.success(request, f"已分派至{item.unit.name}")
            if post.get("next") == "queue":
                return redirect("complaints:dispatch_queue")
        elif action == "transfer":
            unit = _unit_param(request)
            if unit is None:
                raise ValidationError({"unit": "请选择接收单位"})
            services.item_transfer(actor=user, item=item, unit=unit, reason=note)
            messages.success(request, f"已转办至{unit.name}")
        elif action == "refer_out":
            services.item_refer_out(
                actor=user, item=item, body=post.get("referred_to", "")[:200], reason=note
            )
            messages.success(request, f"已移送{item.referred_to}")
        elif action == "return":
            services.item_return(actor=user, item=item, reason=note)
            messages.success(request, "已退回分派")
        elif action == "accept":
            services.item_accept(actor=user, item=item, note=note)
            messages.success(request, "已受理")
        elif action == "not_accept":
            services.item_not_accept(
                actor=user, item=item, ground=post.get("ground", ""), note=note
            )
            messages.success(request, "已作出不予受理决定")
        elif action == "answer":
            services.item_answer(actor=user, item=item, note=note)
            messages.success(request, "已答复")
        elif action == "conclude":
            services.item_conclude(
                actor=user,
                item=item,
                outcome=post.get("outcome", ""),
                note=note,
                substantiated=post.get("substantiated") == "1",
                money_recovered=post.get("money_recovered", "")[:20],
            )
            messages.success(request, "调解结果已登记")
        elif action == "verify":
            services.item_verify(actor=user, item=item, outcome=post.get("outcome", ""), note=note)
            messages.success(request, "核查结论已登记")
        elif action == "match":
            from regulus.registry.models import Entity

            uscc = trim(post.get("uscc", ""))[:18]
            entity = Entity.objects.visible_to(user).filter(uscc=uscc).first() if uscc else None
            services.item_match_entity(actor=user, item=item, entity=entity)
            messages.success(request, "已确认被投诉举报对象")
        elif action == "split":
            report = services.item_split_report(actor=user, item=item, facts=note)
            messages.success(request, f"已拆分出举报{report.number}，分别办理")
        elif action == "to_odr":
            services.item_to_odr(actor=user, item=item, note=note)
            messages.success(request, "已转经营者和解（ODR）")
        elif action == "odr_answer":
            settled = post.get("outcome") == "settled"
            services.odr_answer_staff(
                actor=user,
                item=item,
                settled=settled,
                note=note,
                money_recovered=post.get("money_recovered", "")[:20],
            )
            messages.success(request, "和解成功已登记" if settled else "未和解，已转入受理")
        elif action == "identity":
            identity = services.identity_reveal(actor=user, item=item)
            request.session[f"cmp_identity_{item.pk}"] = identity
        else:
            messages.error(request, f"没有名为“{action[:20]}”的操作")
    except ValidationError as exc:
        flash_errors(request, exc, join=True)
    return redirect("complaints:item_detail", number=item.number)


# -- rules and counts --------------------------------------------------------------------------


@page("complaints.rules_view")
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/rules.html",
        {"versions": selectors.rule_versions(), "platform": selectors.platform_rules()},
    )


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = clock.today()
    since = date_param(request, "since", "开始日期") or today.replace(month=1, day=1)
    until = date_param(request, "until", "结束日期") or today
    if until < since:
        messages.error(request, "结束日期早于开始日期，已按开始日期至今天统计")
        until = max(today, since)
    return since, until


@page("complaints.stats_view")
def stats(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    data = selectors.stats(request.user, since=since, until=until)
    context = {
        **data,
        "clusters": selectors.clusters(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "complaints/stats.html", context)


@page("complaints.stats_view")
def stats_export(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    body = services.stats_export(actor=request.user, since=since, until=until)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="complaints-{since}-{until}.xlsx"'
    return response


# -- the routing table ------------------------------------------------------------------------


@page("complaints.routing_view")
def routing(request: HttpRequest) -> HttpResponse:
    """The routing table (区域×领域→承办单位); the administrator adds or changes a rule here."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        require(request.user, "complaints.routing_manage")
        raw_unit = trim(request.POST.get("unit", ""))[:12]
        unit = OrgUnit.objects.filter(pk=int(raw_unit)).first() if raw_unit.isdigit() else None
        try:
            if unit is None:
                raise ValidationError({"unit": "请选择承办单位"})
            services.routing_rule_save(
                actor=request.user,
                district_code=trim(request.POST.get("district_code", ""))[:6],
                category=trim(request.POST.get("category", ""))[:20],
                unit=unit,
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, "分派规则已保存")
            return redirect("complaints:routing")
    return render(
        request,
        "complaints/routing.html",
        {
            "rules": selectors.routing_rules(),
            "districts": sorted(DISTRICTS.items()),
            "categories": Item.Category.choices,
            "units": OrgUnit.objects.filter(is_active=True).order_by("division_code", "id"),
            "can_manage": allows(request.user, "complaints.routing_manage"),
            "errors": errors,
            "data": request.POST if errors else {},
        },
        status=400 if errors else 200,
    )


@page("complaints.routing_manage")
@require_POST
def routing_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule.objects.select_related("unit"), pk=pk)
    services.routing_rule_delete(actor=request.user, rule=rule)
    messages.success(request, "分派规则已删除")
    return redirect("complaints:routing")


# -- telling named reporters ------------------------------------------------------------------


@page("complaints.item_handle")
@require_POST
def reporter_notify(request: HttpRequest, number: str) -> HttpResponse:
    item = _get_item(request, number)
    notice = get_object_or_404(ReporterNotice, item=item)
    try:
        services.reporter_notify(
            actor=request.user,
            notice=notice,
            channel=trim(request.POST.get("channel", ""))[:10],
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已记录告知举报人")
    return redirect("complaints:item_detail", number=item.number)


@page("complaints.item_view")
def reporter_notices(request: HttpRequest) -> HttpResponse:
    """The named reporters still to be told, soonest deadline first (overdue marked)."""
    return render(
        request,
        "complaints/reporter_notices.html",
        {"today": clock.today(), **paginate(request, selectors.notices_due(request.user))},
    )


# -- ODR units (在线消费纠纷解决) ---------------------------------------------------------------


def _posted_date(request: HttpRequest, key: str, label: str) -> dt.date | None:
    raw = trim(request.POST.get(key, ""))[:20]
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({key: f"{label}应为有效日期（YYYY-MM-DD）"}) from None


@page("complaints.odr_view")
def odr_members(request: HttpRequest) -> HttpResponse:
    """The ODR units in scope; holders of complaints.odr_manage sign one up here."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        require(request.user, "complaints.odr_manage")
        try:
            services.odr_member_add(
                actor=request.user,
                uscc=request.POST.get("uscc", "")[:30],
                contact_name=request.POST.get("contact_name", "")[:100],
                contact_phone=request.POST.get("contact_phone", "")[:30],
                joined_on=_posted_date(request, "joined_on", "加入日期"),
                note=request.POST.get("note", "")[:300],
            )
        except ValidationError as exc:
            errors = form_messages(exc)
        else:
            messages.success(request, "已登记ODR单位")
            return redirect("complaints:odr_members")
    active = request.GET.get("active") == "1"
    context = {
        "errors": errors,
        "data": request.POST if errors else {},
        "active": active,
        "can_manage": allows(request.user, "complaints.odr_manage"),
        "today": clock.today(),
        **paginate(request, selectors.odr_members(request.user, active_only=active)),
    }
    return render(request, "complaints/odr_members.html", context, status=400 if errors else 200)


@page("complaints.odr_manage")
@require_POST
def odr_member_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        OdrMember.objects.visible_to(request.user).select_related("entity"), pk=pk
    )
    try:
        services.odr_member_withdraw(
            actor=request.user, member=member, reason=request.POST.get("reason", "")[:300]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{member.entity.name}已退出ODR")
    return redirect("complaints:odr_members")
