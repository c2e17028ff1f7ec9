"""Kernel endpoints: who am I, the units I see, the staff I see, the working-day calendar, an
object's legal clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from regulus.core import calendar, clock_selectors, clock_services, selectors
from regulus.core.clocks import UNITS, WORKING, trace_due_date, trace_lines
from regulus.core.models import OrgUnit, Role, User
from regulus.core.pagination import api_page, api_window
from regulus.core.permissions import operation
from regulus.core.schemas import Id, Text
from regulus.core.text import shown

router = Router(tags=["平台内核"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    division_code: str


class MeOut(Schema):
    username: str
    full_name: str
    unit: UnitOut | None
    roles: list[str]
    scope: str


class StaffOut(Schema):
    id: int
    username: str
    full_name: str
    unit_id: int | None
    roles: list[str] = Field(default_factory=list)


class StaffPage(Schema):
    count: int
    items: list[StaffOut]


class PausedSpanOut(Schema):
    start: dt.date
    end: dt.date


class DeadlineOut(Schema):
    start: dt.date
    days: int
    unit: str = Field(description="working（工作日）或 calendar（自然日）")
    working_days: int | None = Field(None, description="按工作日计算时同 days（兼容旧参数）")
    paused: list[PausedSpanOut] = Field(default_factory=list)
    deadline: dt.date
    provisional: bool = Field(description="届满日或计入的日子在尚未载入节假日安排的年份：暂定")
    label: str = Field(description="届满日，暂定的注明（暂定）")
    trace: list[str] = Field(description="计算过程")


class ClockRuleOut(Schema):
    code: str
    name: str
    effective_from: dt.date
    unit: str
    legal_basis: str
    max_extension_days: int
    pause_reasons: list[str]


class ClockPauseOut(Schema):
    reason: str
    reason_label: str
    note: str
    from_date: dt.date
    to_date: dt.date | None
    paused_by: str
    resumed_by: str


class ClockExtensionOut(Schema):
    days: int
    approver: str
    document: str
    reason: str
    recorded_at: dt.datetime


class ClockHistoryOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str
    due_before: dt.date | None
    due_after: dt.date | None
    provisional_after: bool
    note: str


class ClockOut(Schema):
    name: str
    label: str
    status: str
    status_label: str
    is_main: bool
    start_date: dt.date
    days: int
    extension_days: int
    unit: str
    due_date: dt.date | None = Field(description="届满日；中止期间为空")
    provisional: bool
    days_left: int | None = Field(description="距届满的工作日数（负数为已超期）；计时中才有")
    rule: ClockRuleOut
    pauses: list[ClockPauseOut]
    extensions: list[ClockExtensionOut]
    history: list[ClockHistoryOut]
    trace: list[str] = Field(description="届满日的计算过程（中止中的：若今日恢复）")
    counted_days: list[dt.date]
    holidays: list[dt.date]
    makeup_days: list[dt.date]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/me", response=MeOut, summary="当前用户")
@operation(None)
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    unit = UnitOut.model_validate(user.unit, from_attributes=True) if user.unit else None
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        unit=unit,
        roles=sorted(user.role_codes()),
        scope=selectors.scope_description(user),
    )


@router.get("/units", response=list[UnitOut], summary="本人数据范围内的单位")
@operation("core.staff_view")
def units(request: HttpRequest) -> list[OrgUnit]:
    return list(selectors.units_visible_to(_user(request)))


@router.get("/staff", response=StaffPage, summary="本人数据范围内的工作人员")
@operation("core.staff_view")
def staff(
    request: HttpRequest,
    q: Text = "",
    role: str = "",
    unit: Id | None = None,
    limit: int | None = None,
    offset: int | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> dict[str, Any]:
    """分页用 limit（1–200，默认50）和 offset；page/per_page 为兼容的别名。"""
    window = api_window(limit=limit, offset=offset, page=page, per_page=per_page)
    if role and role not in Role.Code.values:
        listed = "、".join(f"{code}（{label}）" for code, label in Role.Code.choices)
        raise ValidationError({"role": f"角色“{shown(role)}”不是可选的值，应为{listed}"})
    if unit is not None and not OrgUnit.objects.filter(pk=unit).exists():
        raise ValidationError({"unit": f"没有编号为{unit}的单位"})
    rows = selectors.staff_search(user=_user(request), unit_id=unit, q=q, role=role)
    return api_page(
        rows,
        window,
        lambda s: StaffOut(
            id=s.pk,
            username=s.username,
            full_name=s.full_name,
            unit_id=s.unit_id,
            roles=sorted(r.code for r in s.roles.all()),
        ),
    )


@router.get("/staff/{staff_id}", response=StaffOut, summary="工作人员详情")
@operation("core.staff_view")
def staff_detail(request: HttpRequest, staff_id: Id) -> StaffOut:
    s = User.objects.get_visible_or_404(_user(request), pk=staff_id)
    return StaffOut(
        id=s.pk,
        username=s.username,
        full_name=s.full_name,
        unit_id=s.unit_id,
        roles=sorted(s.role_codes()),
    )


MAX_DAYS = 400
MAX_PAUSES = 20


def _span(raw: str) -> tuple[dt.date, dt.date]:
    begin, sep, end = raw.partition("/")
    try:
        if not sep:
            raise ValueError
        return dt.date.fromisoformat(begin.strip()), dt.date.fromisoformat(end.strip())
    except ValueError:
        raise ValidationError(
            {"paused": f"中止期间“{shown(raw, 40)}”应写作 YYYY-MM-DD/YYYY-MM-DD（两端均不计入）"}
        ) from None


def _deadline_args(
    start: dt.date, days: int | None, working_days: int | None, unit: str, paused: list[str]
) -> tuple[int, list[tuple[dt.date, dt.date]]]:
    """The request's rules, each a 422 naming its field: one number of days from 0 to 400, a
    known unit, dates within the years the holiday table can answer for."""
    if days is None:
        days = working_days
    elif working_days is not None and working_days != days:
        raise ValidationError({"days": "days 与 working_days 只需给一个（两者不一致）"})
    if days is None:
        raise ValidationError({"days": f"必填项缺失：期限天数（0至{MAX_DAYS}）"})
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError({"days": f"期限天数应在0至{MAX_DAYS}之间"})
    if unit not in UNITS:
        raise ValidationError({"unit": "计时单位应为 working（工作日）或 calendar（自然日）"})
    first, last = calendar.answerable_dates()
    rule = (
        f"应在 {first:%Y-%m-%d} 至 {last:%Y-%m-%d} 之间"
        "（已载入节假日安排的年份及其后一年；其后一年的期限为暂定）"
    )
    if not first <= start <= last:
        raise ValidationError({"start": f"起算日{rule}"})
    if len(paused) > MAX_PAUSES:
        raise ValidationError({"paused": f"中止期间最多{MAX_PAUSES}段"})
    spans = [_span(raw) for raw in paused]
    for begin, end in spans:
        if not (first <= begin <= last and first <= end <= last):
            raise ValidationError({"paused": f"中止期间{rule}"})
        if end < begin:
            raise ValidationError({"paused": f"中止期间 {begin}/{end} 的结束日早于开始日"})
    return days, spans


@router.get("/calendar/deadline", response=DeadlineOut, summary="计算期限（法定工作日或自然日）")
@operation("core.calendar_view")
def deadline(
    request: HttpRequest,
    start: dt.date,
    days: int | None = None,
    working_days: int | None = Query(None, description="同 days，按工作日（兼容旧参数）"),
    unit: Text = Query(  # noqa: B008
        "working", description="working（工作日，默认）或 calendar（自然日）"
    ),
    paused: list[Text] = Query(  # noqa: B008
        [], description="中止期间 YYYY-MM-DD/YYYY-MM-DD，两端均不计入；可重复"
    ),
) -> DeadlineOut:
    days, spans = _deadline_args(start, days, working_days, unit, paused)
    try:
        trace = trace_due_date(start, days, unit=unit, paused=spans)
    except ValueError as exc:
        raise ValidationError({"days": str(exc)}) from None
    return DeadlineOut(
        start=start,
        days=days,
        unit=unit,
        working_days=days if unit == WORKING else None,
        paused=[PausedSpanOut(start=b, end=e) for b, e in trace.paused],
        deadline=trace.deadline.date,
        provisional=trace.deadline.provisional,
        label=str(trace.deadline),
        trace=trace_lines(trace),
    )


def clock_out(cv: clock_selectors.ClockView) -> ClockOut:
    """A clock as the API gives it: the same view, and so the same trace, as the pages."""
    c, rule = cv.clock, cv.clock.rule
    return ClockOut(
        name=c.name,
        label=c.label,
        status=c.status,
        status_label=cv.status_text,
        is_main=c.is_main,
        start_date=c.start_date,
        days=c.days,
        extension_days=c.extension_days,
        unit=c.unit,
        due_date=c.due_date,
        provisional=c.provisional,
        days_left=cv.days_left,
        rule=ClockRuleOut(
            code=rule.code,
            name=rule.name,
            effective_from=rule.effective_from,
            unit=rule.unit,
            legal_basis=rule.legal_basis,
            max_extension_days=rule.max_extension_days,
            pause_reasons=list(rule.pause_reasons),
        ),
        pauses=[
            ClockPauseOut(
                reason=p.reason,
                reason_label=p.get_reason_display(),
                note=p.note,
                from_date=p.from_date,
                to_date=p.to_date,
                paused_by=p.paused_by_name,
                resumed_by=p.resumed_by_name,
            )
            for p in cv.pauses
        ],
        extensions=[
            ClockExtensionOut(
                days=e.days,
                approver=e.approver_name,
                document=e.document,
                reason=e.reason,
                recorded_at=e.recorded_at,
            )
            for e in cv.extensions
        ],
        history=[
            ClockHistoryOut(
                kind=h.kind,
                kind_label=h.get_kind_display(),
                at=h.at,
                actor=h.actor_name,
                due_before=h.due_before,
                due_after=h.due_after,
                provisional_after=h.provisional_after,
                note=h.note,
            )
            for h in cv.history
        ],
        trace=cv.lines,
        counted_days=list(cv.trace.counted),
        holidays=[d for d, _ in cv.trace.holidays],
        makeup_days=[d for d, _ in cv.trace.makeup_days],
    )


@router.get(
    "/clocks/{object_type}/{object_id}",
    response=list[ClockOut],
    summary="对象的计时及其计算过程（数据范围内）",
)
@operation("core.clock_view")
def object_clocks(request: HttpRequest, object_type: str, object_id: Id) -> list[ClockOut]:
    """object_type: app_label.model, e.g. licensing.application; object_id: its id."""
    obj = clock_selectors.clocked_object(_user(request), object_type, object_id)
    return [clock_out(cv) for cv in clock_selectors.object_clocks(obj)]


class ClockPauseIn(Schema):
    reason: Text = Field(description="中止事由编码，须为该计时规则允许的事由")
    note: Text = Field(description="中止的具体情况")
    since: dt.date | None = Field(None, description="中止日，默认今天")


class ClockResumeIn(Schema):
    note: Text = ""
    on: dt.date | None = Field(None, description="恢复日，默认今天")


class ClockExtendIn(Schema):
    days: int = Field(description="延长天数（按该计时的计算单位）")
    approver_id: Id = Field(description="批准人（须有批准延长期限的权限，且在本人可见范围内）")
    document: Text = Field(description="批准文书文号")
    reason: Text = Field(description="延长理由")
    collective: bool = Field(
        False,
        description="经负责人集体讨论决定继续延长（超过规定的最长延长，须该计时声明此依据且已用足"
        "经批准的延长；document 填集体讨论记录编号）",
    )


def _open_clock(
    request: HttpRequest, object_type: str, object_id: int, name: str
) -> tuple[Any, Any]:
    """The object, through the caller's data scope, and its open clock of that name (404
    else)."""
    from regulus.core.models import Clock

    obj = clock_selectors.clocked_object(_user(request), object_type, object_id)
    found = (
        Clock.objects.filter(
            object_id=obj.pk,
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            name=name,
            status__in=(Clock.Status.RUNNING, Clock.Status.PAUSED),
        )
        .order_by("-pk")
        .first()
    )
    if found is None:
        raise Http404
    return obj, found


def _clock_after(obj: Any, clock: Any) -> ClockOut:
    """The clock as it is after the write, with its new trace."""
    return next(
        clock_out(cv) for cv in clock_selectors.object_clocks(obj) if cv.clock.pk == clock.pk
    )


@router.post(
    "/clocks/{object_type}/{object_id}/{name}/pause",
    response=ClockOut,
    summary="中止计时（须为该计时允许的事由）",
)
@operation("core.clock_pause")
def clock_pause(
    request: HttpRequest, object_type: str, object_id: Id, name: str, payload: ClockPauseIn
) -> ClockOut:
    obj, clock = _open_clock(request, object_type, object_id, name)
    clock_services.clock_pause(
        clock=clock, actor=_user(request), reason=payload.reason, note=payload.note,
        since=payload.since,
    )  # fmt: skip
    return _clock_after(obj, clock)


@router.post(
    "/clocks/{object_type}/{object_id}/{name}/resume", response=ClockOut, summary="恢复计时"
)
@operation("core.clock_pause")
def clock_resume(
    request: HttpRequest, object_type: str, object_id: Id, name: str, payload: ClockResumeIn
) -> ClockOut:
    obj, clock = _open_clock(request, object_type, object_id, name)
    clock_services.clock_resume(clock=clock, actor=_user(request), note=payload.note, on=payload.on)
    return _clock_after(obj, clock)


@router.post(
    "/clocks/{object_type}/{object_id}/{name}/extend",
    response=ClockOut,
    summary="登记经批准的期限延长",
)
@operation("core.clock_extend")
def clock_extend(
    request: HttpRequest, object_type: str, object_id: Id, name: str, payload: ClockExtendIn
) -> ClockOut:
    user = _user(request)
    obj, clock = _open_clock(request, object_type, object_id, name)
    approver = User.objects.visible_to(user).filter(pk=payload.approver_id).first()
    clock_services.clock_extend(
        clock=clock, actor=user, days=payload.days, approver=approver,
        document=payload.document, reason=payload.reason, collective=payload.collective,
    )  # fmt: skip
    return _clock_after(obj, clock)


class ClockRuleVersionOut(ClockRuleOut):
    days: int | None
    note: str
    state: str = Field(description="current（现行）、upcoming（待施行）或 superseded（已被取代）")


class ClockRuleFamilyOut(Schema):
    code: str
    name: str
    open_clocks: int = Field(description="按此规则在途（计时中或中止中）的计时数")
    versions: list[ClockRuleVersionOut]


def _version_state(version: Any, family: clock_selectors.RuleFamily) -> str:
    if version == family.current:
        return "current"
    return "upcoming" if version in family.upcoming else "superseded"


@router.get("/clock-rules", response=list[ClockRuleFamilyOut], summary="计时规则及其版本")
@operation("core.clock_rule_view")
def clock_rules(request: HttpRequest) -> list[ClockRuleFamilyOut]:
    return [
        ClockRuleFamilyOut(
            code=f.code,
            name=f.name,
            open_clocks=f.open_clocks,
            versions=[
                ClockRuleVersionOut(
                    code=v.code,
                    name=v.name,
                    effective_from=v.effective_from,
                    unit=v.unit,
                    legal_basis=v.legal_basis,
                    max_extension_days=v.max_extension_days,
                    pause_reasons=list(v.pause_reasons),
                    days=v.days,
                    note=v.note,
                    state=_version_state(v, f),
                )
                for v in f.versions
            ],
        )
        for f in clock_selectors.clock_rule_families(_user(request))
    ]
