"""Demo applications: several hundred, in every state, over this month and the three before,
in every district (the busier ones more); some overdue, some on the commitment path, many
issued the same day.

They come in at a steady rate, as a bureau's do: each working day of the period about as many,
so that the monthly figures are level. How an application ends depends on its age: one of the
last days is often still open, one of some weeks ago rarely (waiting for a correction), an old
one never (see OPEN_SHARE_BY_AGE).

Each application goes through the real services (so its timeline, audit rows, certificate,
verification task and new entity are real), with paper materials (no files), every step on
its own day of the period: all the applications' steps run in time order, each with
the clock held at its moment (clock.held_at). Idempotent: a second run finds applications and
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections.abc import Callable, Generator
from typing import Any

from django.db import transaction
from django.utils import timezone

from regulus.core import calendar, clock, ids
from regulus.core.models import OrgUnit, User
from regulus.licensing import selectors, services
from regulus.licensing.catalogue import catalogue_ensure
from regulus.licensing.models import Application, Bundle, VerificationTask
from regulus.registry import demo as registry_demo

S = Application.State
DEMO_COUNT = 600
# Applications a working day: the period is as many working days as that rate takes, at
# most this month and the three before it, whole (a monthly chart without a partial first
# month; a small count in the tests makes a short period).
DAILY_INTAKE = 7
PERIOD_MONTHS_BEFORE = 3
CLOSING_TIME = dt.time(17, 30)  # the windows' office hours end (a step due later waits)
# Final state → weight. Commitment-path items get more of the same-day issued states.
STATE_WEIGHTS = (
    (S.SUBMITTED, 9),
    (S.CORRECTION, 5),
    (S.REVIEW, 10),
    (S.ONSITE_CHECK, 5),
    (S.APPROVED, 3),
    (S.ISSUED, 15),
    (S.DELIVERED, 38),
    (S.REFUSED, 4),
    (S.NOT_ACCEPTED, 4),
    (S.WITHDRAWN, 3),
    (S.REVOKED, 4),
)
# The districts' shares of the applications: as of the city's entities.
DISTRICT_WEIGHTS = dict(
    zip([code for code, _ in ids.DEMO_DISTRICTS], registry_demo.DISTRICT_WEIGHTS, strict=True)
)
# Age in working days → factor on the weights of the states still open at that age. Most
# applications are decided within the promised days (mostly 5), a few late (the overdue
# ones), hardly any after the statutory 20; a certificate is delivered within a few days of
# its issue; only a correction may wait longer (for the applicant: the clock stopped).
OPEN_SHARE_BY_AGE = ((2, 1.0), (5, 0.6), (10, 0.2), (20, 0.05))
ISSUED_SHARE_BY_AGE = ((1, 1.0), (5, 0.3))
LATE_CORRECTION_FACTOR = 0.1
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉萍红玲芬燕彬辉鹏斌宇浩凯健俊帆"
SHOP_WORDS = {
    "open-supermarket": "超市",
    "open-pharmacy": "大药房",
    "open-convenience-store": "便利店",
    "open-restaurant": "餐饮店",
    "open-snack-bar": "小吃店",
    "open-device-store": "医疗器械店",
    "pharmacy-permits": "大药房",
}
# The business scope an applicant writes on the form, by bundle.
SCOPES = {
    "open-supermarket": "食品销售；日用百货销售；第二类医疗器械零售",
    "open-pharmacy": "药品零售；食品销售；第二类医疗器械零售",
    "open-convenience-store": "预包装食品销售；日用百货销售",
    "open-restaurant": "餐饮服务；食品销售",
    "open-snack-bar": "小餐饮服务",
    "open-device-store": "第二类医疗器械零售；第三类医疗器械经营",
    "pharmacy-permits": "药品零售；食品销售；第二类医疗器械零售",
}
PLACES = [
    "五一",
    "解放",
    "芙蓉",
    "韶山",
    "八一",
    "人民",
    "湘江",
    "麓山",
    "东塘",
    "侯家塘",
    "星沙",
    "洞井",
    "高桥",
    "金星",
    "岳华",
]


# A story: one application's life, a generator that runs each step through the real services
# and yields the moment of its next step; it returns whether it made an application.
Story = Generator[dt.datetime, None, bool]


def seed(
    *,
    entities: int = 0,
    log: Callable[[str], None] = print,
    count: int = DEMO_COUNT,
    period: int | None = None,
) -> int:
    """`count` applications over the last `period` working days (by default as many as
    DAILY_INTAKE a day takes)."""
    catalogue_ensure()
    if Application.objects.exists():
        log("一件事演示办件已存在，跳过")
        return 0
    # Each district's applications are handled by its own staff: the districts that have a
    # handler (the window clerk's steps fall to the handler where there is no clerk).
    staff = {
        d.pk: found
        for d in OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT_BUREAU, is_active=True)
        if (found := _district_staff(d)) is not None
    }
    districts = list(OrgUnit.objects.filter(pk__in=staff).order_by("path"))
    if not districts:
        log("没有演示单位或承办人，跳过一件事演示办件（先运行 seed_demo 载入单位）")
        return 0
    rng = random.Random(4)
    bundles = {b.code: b for b in Bundle.objects.filter(is_active=True)}
    weights = [DISTRICT_WEIGHTS.get(d.division_code, 4) for d in districts]
    latest = clock.now()
    days = intake_days(latest, period or _period(count, timezone.localdate(latest)))
    queue: list[tuple[dt.datetime, int, Story]] = []
    for i in range(count):
        district = rng.choices(districts, weights)[0]
        clerk, handler = staff[district.pk]
        age = rng.randrange(len(days))  # working days ago: the same chance for each day
        day = days[age]
        target = _pick(rng, age)
        story = _story(rng, i, district, bundles, clerk, handler, target, latest)
        submitted = _at_work(day, rng)
        if submitted > latest:  # today, in office hours still to come: earlier instead
            submitted = latest - dt.timedelta(minutes=rng.randint(5, 180))
        queue.append((submitted, i, story))
    with transaction.atomic():
        made = _run(queue, latest)
    log(f"一件事演示办件 {made} 件")
    return made


def _period(count: int, today: dt.date) -> int:
    """Working days the applications are spread over."""
    month = today.year * 12 + today.month - 1 - PERIOD_MONTHS_BEFORE
    first = dt.date(month // 12, month % 12 + 1, 1)
    longest = calendar.working_days_between(first - dt.timedelta(days=1), today)
    return max(10, min(longest, count // DAILY_INTAKE))


def intake_days(latest: dt.datetime, n: int) -> list[dt.date]:
    """The n working days the demo's applications arrive on, the latest first: today only
    once the office has opened (a city seeded after midnight has no application of that
    night nor of the Sunday before)."""
    today = timezone.localdate(latest)
    if timezone.localtime(latest).time() < OFFICE_OPENS:
        today -= dt.timedelta(days=1)
    return _working_days_back(today, n)


def _working_days_back(today: dt.date, n: int) -> list[dt.date]:
    """The last n working days, today's first (if today is one)."""
    days: list[dt.date] = []
    day = today
    while len(days) < n:
        if calendar.is_working_day(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days


def _run(queue: list[tuple[dt.datetime, int, Story]], latest: dt.datetime) -> int:
    """Run every story's steps in the order of their moments, each with the clock held at its
    moment (clock.held_at), so that the history reads as if it had happened: events, audit
    rows, numbers, deadlines, certificates and new entities all carry the day of their step.
    No step is later than `latest` (the start of the seeding): a step due after it happens
    halfway between its story's last step and `latest` instead."""
    heapq.heapify(queue)
    made = 0
    while queue:
        moment, i, story = heapq.heappop(queue)
        with clock.held_at(moment):
            try:
                wanted = next(story)
            except StopIteration as end:
                made += bool(end.value)
                continue
        if wanted > latest:
            wanted = moment + (latest - moment) / 2
        heapq.heappush(queue, (max(wanted, moment), i, story))
    return made


OFFICE_OPENS = dt.time(9)


def _at_work(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment of office hours on that day (the bureau's time zone)."""
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.randint(OFFICE_OPENS.hour, 16), rng.randint(0, 59)))
    )


def _later(
    rng: random.Random, *, working_days: int = 0, minutes: tuple[int, int] = (20, 150)
) -> dt.datetime:
    """When the next step happens: some minutes later the same day (the next working day if
    that is after hours), or at work some working days later."""
    now = clock.now()
    if working_days == 0:
        moment = now + dt.timedelta(minutes=rng.randint(*minutes))
        if timezone.localtime(moment).time() <= CLOSING_TIME:
            return moment
        working_days = 1
    return _at_work(calendar.add_working_days(timezone.localdate(now), working_days), rng)


def _district_staff(district: OrgUnit) -> tuple[User, User] | None:
    """The district's window clerk (or its handler) and handler; None without a handler."""
    clerk = User.objects.filter(unit=district, roles__code="window_clerk", is_active=True).first()
    handler = User.objects.filter(unit=district, roles__code="handler", is_active=True).first()
    return None if handler is None else (clerk or handler, handler)


def _pick(rng: random.Random, age: int) -> str:
    """The state an application of this age (working days) ends in."""
    open_states = set(Application.workflow.open_states())
    states = [state for state, _w in STATE_WEIGHTS]
    weights = [
        weight * _open_factor(state, age) if state in open_states else weight
        for state, weight in STATE_WEIGHTS
    ]
    return rng.choices(states, weights=weights)[0]


def _open_factor(state: str, age: int) -> float:
    table = ISSUED_SHARE_BY_AGE if state == S.ISSUED else OPEN_SHARE_BY_AGE
    factor = next((f for days, f in table if age <= days), 0.0)
    return max(factor, LATE_CORRECTION_FACTOR) if state == S.CORRECTION else factor


# The registered trade a bundle's existing entity is found by: two or more characters of its
# name (the index takes no shorter fragment).
TRADE_FRAGMENTS = {
    "open-supermarket": "超市",
    "open-pharmacy": "药房",
    "open-convenience-store": "便利",
    "open-restaurant": "餐馆",
    "open-snack-bar": "米粉",
    "open-device-store": "药房",
    "pharmacy-permits": "药房",
}


def _entity_for(district: OrgUnit, rng: random.Random, kinds: list[str], code: str) -> Any:
    """A registered entity of the district bureau, of the bundle's trade (a pharmacy for the
    pharmacy permits), or None: then the application registers a new business."""
    from regulus.registry import search
    from regulus.registry.models import Entity

    qs = Entity.objects.filter(unit=district, status="active", kind__in=kinds)
    fragment = TRADE_FRAGMENTS.get(code)
    if fragment:
        query = search.IndexQuery(fragment=fragment, unit_ids=[district.pk], names_only=True)
        qs = qs.filter(pk__in=search.search_ids(query, sort="new", offset=0, limit=500))
    candidates = list(qs.order_by("id").values_list("pk", flat=True)[:500])
    return Entity.objects.get(pk=rng.choice(candidates)) if candidates else None


def _story(
    rng: random.Random,
    i: int,
    district: OrgUnit,
    bundles: dict[str, Bundle],
    clerk: User,
    handler: User,
    target: str,
    latest: dt.datetime,
) -> Story:
    submitted = _submit(rng, i, district, bundles, clerk, target)
    if submitted is None:
        return False
    app, target = submitted
    yield from _drive(app, target, rng, clerk, handler, latest)
    return True


def _submit(
    rng: random.Random,
    i: int,
    district: OrgUnit,
    bundles: dict[str, Bundle],
    clerk: User,
    target: str,
) -> tuple[Application, str] | None:
    """The application, submitted now, and the state its story ends in (a target the
    application cannot reach is moved to the nearest one it can)."""
    code = rng.choice(list(bundles))
    bundle = bundles[code]
    allowed = ["enterprise", "individual", "cooperative"]
    for m in selectors.bundle_matters(bundle, new_business=True):
        allowed = [k for k in allowed if m.applies_to(k)]
    entity = None
    if (
        not any(m.creates_entity for m in selectors.bundle_matters(bundle, new_business=True))
        or rng.random() < 0.25
    ):
        entity = _entity_for(district, rng, allowed, code)
        if entity is None and code == "pharmacy-permits":
            bundle = bundles["open-pharmacy"]
    matters = selectors.bundle_matters(bundle, new_business=entity is None)
    # Shops are opened by companies and by 个体工商户 (a cooperative sells its members' produce).
    shopkeepers = [k for k in ("enterprise", "individual") if k in allowed] or allowed
    kind = "enterprise" if "enterprise" in shopkeepers and rng.random() < 0.6 else shopkeepers[-1]
    commitment = selectors.commitment_problem(matters) is None and (
        rng.random() < 0.55 or target == S.REVOKED
    )
    if target == S.REVOKED and not commitment:
        target = S.DELIVERED
    if target == S.ONSITE_CHECK and (
        commitment or not any(m.onsite_check_required for m in matters)
    ):
        target = S.REVIEW
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
    place = rng.choice(PLACES)
    division = district.division_code if district.division_code[:2] == "43" else "430102"
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 12000))
    keys = [r.key for r in selectors.materials_union(matters)]
    window = rng.random() < 0.45
    app = services.application_submit(
        actor=clerk if window else None,
        channel="window" if window else "portal",
        bundle=bundle,
        entity=entity,
        applicant_name=f"长沙市{place}{name}{SHOP_WORDS.get(bundle.code, '商行')}"
        + ("有限公司" if kind == "enterprise" else ""),
        entity_kind=kind,
        contact_name=name,
        contact_id_number=ids.make_id_number(division, birth, rng.randint(1, 999)),
        contact_phone=f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}",
        address=f"{district.short_name or district.name}{place}路{rng.randint(1, 300)}号",
        district_code=district.division_code,
        path="commitment" if commitment else "normal",
        commitment_signed=commitment,
        delivery_method="mail" if rng.random() < 0.4 else "pickup",
        delivery_address=f"{district.short_name}{place}路{rng.randint(1, 300)}号",
        business_scope=SCOPES.get(bundle.code, ""),
        files={},
        paper_materials=keys,
    )
    return app, target


def _drive(
    app: Application,
    target: str,
    rng: random.Random,
    clerk: User,
    handler: User,
    latest: dt.datetime,
) -> Generator[dt.datetime, None, None]:
    """The steps from submission to `target`, each after a yield of its moment."""
    if target == S.SUBMITTED:
        return
    if target == S.CORRECTION or rng.random() < 0.08:
        yield _later(rng)
        required = selectors.materials_union(selectors.application_matters(app))
        picked = rng.sample(required, k=min(len(required), rng.randint(1, 3)))
        services.correction_request(
            application=app,
            actor=clerk,
            items=[
                {
                    "key": r.key,
                    "name": r.name,
                    "problem": rng.choice(
                        ["复印件不清晰", "租赁期限不足一年", "缺少签字", "与申请事项不符"]
                    ),
                }
                for r in picked
            ],
        )
        if target == S.CORRECTION:
            return
        yield _later(rng, working_days=rng.randint(1, 3))
        services.application_resubmit(application=app, actor=None, actor_name=app.contact_name)
    if target == S.WITHDRAWN:
        yield _later(rng, working_days=rng.randint(0, 2))
        services.application_transition(
            application=app, name="withdraw", actor=None, actor_name=app.contact_name
        )
        return
    if target == S.NOT_ACCEPTED:
        yield _later(rng)
        services.application_transition(
            application=app, name="not_accept", actor=clerk, note="申请事项依法不需要取得行政许可"
        )
        return
    if app.is_commitment and target in (S.ISSUED, S.DELIVERED, S.REVOKED):
        yield _later(rng, minutes=(10, 60))
        services.application_fast_track(application=app, actor=handler)
    else:
        yield _later(rng, minutes=(10, 120))
        services.application_accept(application=app, actor=clerk)
        if target == S.REVIEW:
            return
        if app.onsite_check_required and not app.is_commitment:
            yield _later(rng, minutes=(30, 180))
            inspectors = list(
                User.objects.filter(
                    unit=app.unit, roles__code__in=["inspector", "handler"]
                ).distinct()[:3]
            ) or [handler]
            check_day = calendar.add_working_days(clock.today(), rng.randint(1, 3))
            if target != S.ONSITE_CHECK:  # a check already done was not in the future
                check_day = max(clock.today(), min(check_day, timezone.localdate(latest)))
            services.joint_check_schedule(
                application=app, actor=handler, scheduled_on=check_day, inspectors=inspectors
            )
            if target == S.ONSITE_CHECK:
                return
            yield _at_work(check_day, rng)
            passed = target != S.REFUSED
            services.joint_check_complete(
                application=app,
                actor=handler,
                result="pass" if passed else "fail",
                findings="经营场所、设施设备与申请材料一致" if passed else "未设置专用冷藏设施",
            )
            yield _later(rng, working_days=rng.randint(0, 1))
        elif rng.random() < 0.6:  # most permits without a check are decided the same day
            yield _later(rng)
        else:
            yield _later(rng, working_days=rng.randint(1, app.promised_days + 2))
        if target == S.REFUSED:
            services.application_transition(
                application=app, name="refuse", actor=handler, note="经营场所不符合食品安全要求"
            )
            return
        services.application_transition(
            application=app, name="approve", actor=handler, note="符合法定条件"
        )
        if target == S.APPROVED:
            return
        yield _later(rng, minutes=(10, 90))
        services.certificate_issue(application=app, actor=clerk)
    app.refresh_from_db()
    if target in (S.DELIVERED, S.REVOKED):
        yield _later(rng, working_days=0 if app.delivery_method == "pickup" else rng.randint(1, 2))
        method = app.delivery_method
        services.certificate_deliver(
            application=app,
            actor=clerk,
            method=method,
            tracking_number=f"SF{rng.randint(10**11, 10**12 - 1)}" if method == "mail" else "",
        )
    if target == S.REVOKED:
        task = VerificationTask.objects.get(application=app)
        yield _later(rng, working_days=rng.randint(3, 10))
        services.verification_order_rectification(
            task=task,
            actor=handler,
            findings="现场未配备执业药师或冷藏设施",
            order="配备执业药师和冷藏设施",
        )
        yield _later(rng, working_days=rng.randint(5, 15))
        services.verification_revoke(task=task, actor=handler, reason="逾期未整改，承诺不实")
    elif app.is_commitment and rng.random() < 0.5:
        pending = VerificationTask.objects.filter(application=app).first()
        if pending is not None:
            yield _later(rng, working_days=rng.randint(2, 15))
            services.verification_confirm(task=pending, actor=handler, findings="核查属实")
