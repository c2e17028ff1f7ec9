"""Staff shell pages of the kernel. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from regulus.core import calendar, clock, clocks, selectors, services, tokens
from regulus.core.audit import verify_chain
from regulus.core.auth_audit import previous_login
from regulus.core.errors import add_to_form
from regulus.core.forms import LoginForm, RoleForm, StaffForm, StaffRolesForm, UnitForm
from regulus.core.models import ApiToken, AuditLog, CalendarDay, Role, User
from regulus.core.pagination import page_number
from regulus.core.permissions import allows, page, require
from regulus.core.plugins import error_page_for
from regulus.core.text import LINE, clean_fields, clean_text, shown, trim


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A session cookie that no longer opens a session, on the way to a page: it expired.
        request = self.request
        context["session_expired"] = (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.user.is_authenticated
            and bool(request.GET.get("next"))
        )
        context["modules"] = selectors.installed_modules()
        return context


def paginate(request: HttpRequest, queryset: Any, per_page: int = 30) -> dict[str, Any]:
    """The one pagination of list pages: a page of `queryset` (?page=N, checked by
    page_number) and the query string the page links keep."""
    paginator = Paginator(queryset, per_page)
    page = paginator.page(page_number(request, last=paginator.num_pages))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


def choice_param(request: HttpRequest, key: str, choices: Any, label: str) -> str:
    """A query parameter that must be one of choices ((value, label) pairs): its value, or ""
    with a message on the page naming the parameter and its choices, so that a list never
    shows unfiltered rows as if they were filtered."""
    value = trim(request.GET.get(key, ""))
    allowed = dict(choices)
    if value and value not in allowed:
        listed = "、".join(str(name) for name in allowed.values())
        messages.error(request, f"{label}“{shown(value)}”不是可选的值（{listed}），已按全部显示")
        return ""
    return value


def text_param(request: HttpRequest, key: str, label: str, max_length: int) -> str:
    """A query parameter of free text (a search box), through core.text: "" with a message
    on the page when it holds a refused character or is longer than max_length."""
    try:
        value = clean_text(request.GET.get(key, ""), label=label)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return ""
    if len(value) > max_length:
        messages.error(request, f"{label}不能超过{max_length}个字")
        return ""
    return value


def date_param(request: HttpRequest, key: str, label: str) -> dt.date | None:
    """A query parameter that is a date (YYYY-MM-DD) between 1949 and 2100: the date, or None
    (also for none given) with a message on the page for a bad one."""
    raw = trim(request.GET.get(key, ""))
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, f"{label}“{shown(raw)}”不是有效日期（应为YYYY-MM-DD），已忽略")
        return None
    if _year_error(day.year):
        messages.error(request, f"{label}{raw}超出范围：{_year_error(day.year)}，已忽略")
        return None
    return day


@page()
def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    context = {
        "today": today,
        "today_is_working": calendar.is_working_day(today),
        "deadline5": calendar.working_deadline(today, 5),
        "deadline20": calendar.working_deadline(today, 20),
        "scope_text": selectors.scope_description(request.user),  # type: ignore[arg-type]
        "cards": selectors.dashboard_cards(request.user),  # type: ignore[arg-type]
        "previous_login": previous_login(request),
    }
    return render(request, "core/home.html", context)


@page("core.staff_view")
def staff_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    units = selectors.units_visible_to(user)
    unit_id = choice_param(request, "unit", ((str(u.pk), u.name) for u in units), "单位")
    q = text_param(request, "q", "查询内容", 50)
    role = choice_param(request, "role", Role.Code.choices, "角色")
    staff = selectors.staff_search(user=user, unit_id=int(unit_id or 0), q=q, role=role)
    context = {
        "units": [_with_indent(u) for u in selectors.units_in_tree_order(units)],
        "selected_unit": int(unit_id or 0), "q": q, "role": role, "roles": Role.Code.choices,
        "can_manage": allows(user, "core.staff_manage"),
        "can_add_unit": allows(user, "core.unit_manage"),
        **paginate(request, staff),
    }  # fmt: skip
    return render(request, "core/staff_list.html", context)


def _with_indent(unit: Any) -> Any:
    unit.indent = range(max(unit.depth - 1, 0))
    return unit


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@page("core.staff_view")
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    staff = User.objects.get_visible_or_404(user, pk=pk)
    context = {
        "staff": staff,
        "events": selectors.audit_timeline(staff),
        "can_manage": allows(user, "core.staff_manage"),
        "can_grant": allows(user, "core.roles_manage") and staff.pk != user.pk,
    }
    return render(request, "core/staff_detail.html", context)


@page("core.staff_manage")
def staff_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = StaffForm(request.POST or None, units=selectors.units_visible_to(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff = services.staff_create(
                actor=user, username=d["username"], full_name=d["full_name"], unit=d["unit"],
                password=d["password"], phone=d["phone"],
            )  # fmt: skip
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(
                request, f"已新增人员：{staff.display_name}。角色由安全管理员授予后方可办理业务"
            )
            return redirect("core:staff_detail", pk=staff.pk)
    return render(
        request, "core/form_page.html", {"form": form, "title": "新增人员", "cancel_url": "/staff/"}
    )


@page("core.staff_manage")
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    staff = User.objects.get_visible_or_404(user, pk=pk)
    initial = {"username": staff.username, "full_name": staff.full_name, "unit": staff.unit,
               "phone": staff.phone, "is_active": staff.is_active}  # fmt: skip
    form = StaffForm(
        request.POST or None, initial=initial, units=selectors.units_visible_to(user), editing=True
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.staff_update(
                actor=user, staff=staff, full_name=d["full_name"], unit=d["unit"],
                phone=d["phone"], is_active=d["is_active"],
            )  # fmt: skip
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("core:staff_detail", pk=staff.pk)
    return render(request, "core/form_page.html",
                  {"form": form, "title": f"编辑人员：{staff.display_name}",
                   "cancel_url": f"/staff/{staff.pk}/"})  # fmt: skip


@page("core.unit_manage")
def unit_create(request: HttpRequest) -> HttpResponse:
    """The system administrator adds a unit (a department, a district bureau, a station)."""
    user: User = request.user  # type: ignore[assignment]
    form = UnitForm(request.POST or None, units=selectors.units_visible_to(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            unit = services.orgunit_create(
                actor=user, name=d["name"], kind=d["kind"], parent=d["parent"],
                division_code=d["division_code"], short_name=d["short_name"],
                sort_order=d["sort_order"],
            )  # fmt: skip
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"已新增单位：{unit.name}")
            return redirect(f"/staff/?unit={unit.pk}")
    return render(request, "core/form_page.html",
                  {"form": form, "title": "新增单位", "cancel_url": "/staff/"})  # fmt: skip


@page("core.roles_manage")
def staff_roles(request: HttpRequest, pk: int) -> HttpResponse:
    """The security administrator grants and revokes a staff member's roles."""
    user: User = request.user  # type: ignore[assignment]
    staff = User.objects.get_visible_or_404(user, pk=pk)
    form = StaffRolesForm(request.POST or None, initial={"roles": list(staff.roles.all())})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_roles_set(actor=user, staff=staff, roles=form.cleaned_data["roles"])
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已保存授权")
            return redirect("core:staff_detail", pk=staff.pk)
    return render(request, "core/form_page.html",
                  {"form": form, "title": f"授权：{staff.display_name}",
                   "cancel_url": f"/staff/{staff.pk}/"})  # fmt: skip


@page("core.roles_manage")
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/role_list.html", {"rows": selectors.roles_with_permissions()})


@page("core.roles_manage")
def role_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            role = services.role_create(
                actor=user, name=d["name"], code=d["code"], data_scope=d["data_scope"],
                custom_units=d["custom_units"], description=d["description"],
            )  # fmt: skip
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, f"已新增角色：{role.name}")
            return redirect("core:role_list")
    return render(request, "core/form_page.html",
                  {"form": form, "title": "新增角色", "cancel_url": "/roles/"})  # fmt: skip


@page("core.roles_manage")
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    role = get_object_or_404(Role, pk=pk)
    initial = {"name": role.name, "code": role.code, "data_scope": role.data_scope,
               "custom_units": list(role.custom_units.all()),
               "description": role.description}  # fmt: skip
    form = RoleForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.role_update(
                actor=user, role=role, name=d["name"], data_scope=d["data_scope"],
                custom_units=d["custom_units"], description=d["description"],
            )  # fmt: skip
        except ValidationError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("core:role_list")
    return render(request, "core/form_page.html",
                  {"form": form, "title": f"编辑角色：{role.name}",
                   "cancel_url": "/roles/"})  # fmt: skip


@page("core.security_manage")
def security(request: HttpRequest) -> HttpResponse:
    """The security administrator's page: the security settings in force (read from the
    environment at start-up) and the accounts locked out now, each with its unlock."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        try:
            cleared = services.lockout_clear(actor=user, username=request.POST.get("username", ""))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已解除锁定（清除失败记录{cleared}条）")
        return redirect("core:security")
    context = {"settings": selectors.security_settings(), "lockouts": selectors.lockouts()}
    return render(request, "core/security.html", context)


@page("core.token_manage")
def token_admin(request: HttpRequest) -> HttpResponse:
    """Every staff member's API tokens; the security administrator revokes any of them."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        found = ApiToken.objects.filter(pk=_int_or_none(request.POST.get("revoke")) or 0).first()
        if found is None or found.revoked_at:
            raise Http404
        tokens.token_revoke(token=found, actor=user)
        messages.success(request, f"已吊销 {found.user.display_name} 的令牌 {found.prefix}…")
        return redirect("core:token_admin")
    rows = ApiToken.objects.select_related("user", "user__unit").order_by("revoked_at", "-id")
    return render(request, "core/token_admin.html", paginate(request, rows, 50))


@page("core.audit_view")
def audit_list(request: HttpRequest) -> HttpResponse:
    f = {
        "actor": text_param(request, "actor", "操作人", 50),
        "action": choice_param(request, "action", AuditLog.Action.choices, "操作类型"),
        "date_from": str(date_param(request, "date_from", "起始日期") or ""),
        "date_to": str(date_param(request, "date_to", "截止日期") or ""),
        "object_type": text_param(request, "object_type", "对象类型", 100),
    }
    rows = selectors.audit_search(**f)
    context = {
        "f": f,
        "actions": AuditLog.Action.choices,
        "object_types": selectors.audit_object_types(),
        **paginate(request, rows, 50),
    }
    context["rows"] = selectors.audit_rows_with_lines(context["page_obj"])
    return render(request, "core/audit_list.html", context)


@page("core.audit_verify")
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    report = verify_chain()
    if report.ok:
        messages.success(
            request,
            f"日志链完整：共校验 {report.rows_checked} 条记录、{report.anchors_checked} 个锚点。",
        )
        for warning in report.warnings:
            messages.warning(request, warning)
    else:
        messages.error(request, f"日志链断裂：{report.reason}")
    return redirect("core:audit_list")


@page("core.calendar_view")
def calendar_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    can_manage = allows(user, "core.calendar_manage")
    year, year_error = _calendar_year(request.GET.get("year"))
    if year_error:
        messages.error(request, year_error)
    if request.method == "POST":
        require(user, "core.calendar_manage")
        year = _calendar_post(request, user, year)
        return redirect(f"{request.path}?year={year}")
    context = {
        "year": year, "can_manage": can_manage,
        "loaded": selectors.calendar_year_loaded(year),
        "days": CalendarDay.objects.filter(date__year=year),
        "calc": _calendar_calc(request),
    }  # fmt: skip
    return render(request, "core/calendar.html", context)


# The years the calendar pages work with: the statutory calendar exists from 1949 on, and a
# deadline is never asked for beyond the next decades.
CALENDAR_YEARS = (1949, 2100)


def _year_error(year: int | None) -> str:
    first, last = CALENDAR_YEARS
    if year is None or not first <= year <= last:
        return f"年份应为{first}至{last}之间的整数"
    return ""


def _calendar_year(raw: str | None) -> tuple[int, str]:
    """The year asked for (this year if none), or this year and why the one asked is refused."""
    if not raw:
        return clock.today().year, ""
    year = _int_or_none(raw)
    error = _year_error(year)
    return (clock.today().year, error) if error or year is None else (year, "")


def _calendar_post(request: HttpRequest, user: User, year: int) -> int:
    if request.POST.get("load_year"):
        load_year, error = _calendar_year(request.POST["load_year"])
        if error:
            messages.error(request, error)
            return year
        try:
            count = services.calendar_year_load(actor=user, year=load_year)
            messages.success(request, f"已载入{load_year}年节假日安排，共{count}天调整")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return load_year
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, "日期：请按YYYY-MM-DD填写有效日期")
        return year
    if _year_error(day.year):
        messages.error(request, f"日期：{_year_error(day.year)}")
        return year
    try:
        services.calendar_day_set(
            actor=user,
            date=day,
            kind=request.POST.get("kind", ""),
            name=clean_fields(request.POST, {"name": ("节日", LINE)}, model=CalendarDay)["name"],
        )
        messages.success(request, f"已保存 {day:%Y-%m-%d}")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return day.year


def _calendar_calc(request: HttpRequest) -> dict[str, Any]:
    raw_start, raw_n = request.GET.get("start"), request.GET.get("n")
    unit = choice_param(request, "unit", clocks.UNITS.items(), "计算单位") or clocks.WORKING
    if not raw_start:
        return {"start": clock.today(), "n": 20, "unit": unit}
    try:
        start = dt.date.fromisoformat(raw_start)
        n = int(raw_n or "0")
    except ValueError:
        return {"start": clock.today(), "n": 20, "unit": unit, "error": "起算日或天数无效"}
    first, last = calendar.answerable_dates()
    if not 0 <= n <= 400:
        error = "天数应在0至400之间"
    elif not first <= start <= last:
        error = f"起算日应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间"
    else:
        trace = clocks.trace_due_date(start, n, unit=unit)
        return {"start": start, "n": n, "unit": unit, "result": trace.deadline,
                "unit_label": clocks.UNITS[unit], "lines": clocks.trace_lines(trace)}  # fmt: skip
    return {"start": start, "n": n, "unit": unit, "error": error}


@page("core.calendar_manage")
@require_POST
def calendar_delete(request: HttpRequest, date: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        day = CalendarDay.objects.get(date=dt.date.fromisoformat(date))
    except (ValueError, CalendarDay.DoesNotExist) as exc:
        raise Http404 from exc
    year = day.date.year  # the date is the key: a deleted day has none
    services.calendar_day_delete(actor=user, day=day)
    messages.success(request, f"已删除 {date}")
    return redirect(f"/calendar/?year={year}")


@page("core.token_issue")
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    new_token = None
    if request.method == "POST":
        if request.POST.get("issue"):
            try:
                name = clean_fields(request.POST, {"name": ("用途", LINE)}, model=ApiToken)["name"]
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return redirect("core:token_list")
            _, new_token = tokens.token_issue(user=user, name=name)
        elif request.POST.get("revoke"):
            token_id = _int_or_none(request.POST["revoke"]) or 0
            found = ApiToken.objects.filter(user=user, pk=token_id).first()
            if found is None:
                raise Http404
            tokens.token_revoke(token=found, actor=user)
            messages.success(request, f"已吊销令牌 {found.prefix}…")
            return redirect("core:token_list")
    context = {"tokens": ApiToken.objects.filter(user=user), "new_token": new_token}
    return render(request, "core/token_list.html", context)


def _error(
    request: HttpRequest, status: int, title: str, message: str, exception: Exception | None = None
) -> HttpResponse:
    # An app whose pages have a look of their own (the public portal) shows the errors of its
    # requests in it (core.plugins.Pages.error_page).
    app_error_page = error_page_for(request.path)
    if app_error_page is not None:
        return app_error_page(request, status, title, exception)
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = "您访问的页面或对象不存在，或不在您的数据范围内。"
    return _error(request, 404, "页面不存在", message, exception)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "您没有执行此操作的权限。"
    return _error(request, 403, "无权访问", message, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "服务器错误", "系统发生错误，已记录。请稍后重试或联系管理员。")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request Django refused to read (a body over the limit, too many fields, an
    unsafe redirect); a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413."""
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = f"一次提交的内容不能超过{megabytes} MB（上传的文件另有限制），请减少后重试。"
        return _error(request, 413, "提交的内容过大", message)
    return status_page(request, 400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that expired or from another site."""
    message = "页面已过期或来源无法确认（CSRF校验未通过）。请刷新页面后重新提交。"
    return _error(request, 403, "无法提交", message)


# Errors that came without a page of their own (require_POST's 405 has no body).
STATUS_PAGES = {
    400: ("请求无法处理", "请求的格式或内容有误，请返回上一页重新操作。"),
    403: ("无权访问", "您没有执行此操作的权限。"),
    404: ("页面不存在", "您访问的页面或对象不存在，或不在您的数据范围内。"),
    405: ("操作方式不正确", "此地址不接受这种请求方式，请使用页面上的按钮或表单操作。"),
    422: ("无法保存", "提交的内容超出可保存的长度或数值范围，没有保存任何内容。请修改后重试。"),
}


def status_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The error page of a status, with a message of its own or the status's
    (core.middleware: bare error responses, a refused NUL)."""
    title, default = STATUS_PAGES.get(status, ("请求无法处理", "请返回上一页重新操作。"))
    return _error(request, status, title, message or default)
