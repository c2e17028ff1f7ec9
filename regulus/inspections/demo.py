"""The demo year of 双随机、一公开 in 芙蓉区 (430102): the item list, ten inspectors (one with an
expired certificate, one with a declared conflict), the 2026 plan with a task drawn in March
whose results are all published, a joint task drawn in November with a withdrawal and results
in progress (its problems ordered rectified: one order closed on re-check, one escalated, the
rest running; the visits shown by code and most of them rated), and a task frozen and waiting
for its public random source.

Written through the real services with the clock held at each step's moment (clock.held_at),
so that every date, number, clock and audit row reads as if it had happened. Idempotent: a
second run finds the plan and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

from regulus.core import clock
from regulus.core.demo import DEMO_PASSWORD
from regulus.core.models import OrgUnit, Role, User
from regulus.inspections import services
from regulus.inspections.models import CheckItem, Conflict, Domain, Inspector, Plan
from regulus.registry.models import Entity

TZ = ZoneInfo("Asia/Shanghai")
DISTRICT = "430102"
ITEMS = (
    (
        "SP-01",
        "食品经营者经营条件和许可情况检查",
        "食品经营监管科",
        CheckItem.Kind.KEY,
        Domain.FOOD,
        "《食品安全法》第一百一十条",
    ),
    (
        "SP-02",
        "食品标签标识检查",
        "食品经营监管科",
        CheckItem.Kind.GENERAL,
        Domain.FOOD,
        "《食品安全法》第六十七条、第七十一条",
    ),
    (
        "GS-01",
        "企业公示信息检查",
        "信用监管科",
        CheckItem.Kind.GENERAL,
        Domain.FOOD,
        "《企业信息公示暂行条例》第十四条",
    ),
    (
        "JG-01",
        "价格行为检查",
        "价格监督检查科",
        CheckItem.Kind.GENERAL,
        Domain.FOOD,
        "《价格法》第三十四条",
    ),
)
INSPECTORS = (
    "张志强",
    "黄海涛",
    "周敏",
    "吴桂芳",
    "徐磊",
    "孙晓东",
    "胡静",
    "朱文",
    "高峰",
    "林晓",
)


def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TZ)


def seed(*, entities: int, log: Callable[[str], None]) -> None:
    if Plan.objects.exists():
        log("双随机、一公开演示数据已存在，跳过")
        return
    district = OrgUnit.objects.filter(
        kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code=DISTRICT
    ).first()
    handler = User.objects.filter(username="furong_handler").first()
    if district is None or handler is None:
        log("双随机、一公开：演示单位不存在，跳过")
        return
    rng = random.Random(19)
    items = _items()
    inspectors = _inspectors(district)
    second = _second_handler(district)
    entity = Entity.objects.filter(district_code=DISTRICT, status="active").order_by("id").first()
    if entity is not None and not Conflict.objects.exists():
        Conflict.objects.create(
            inspector=inspectors[3],
            entity=entity,
            reason="配偶在该企业任职",
            declared_on=dt.date(2026, 1, 5),
        )
    with clock.held_at(_at("2026-01-10")):
        plan = services.plan_create(
            actor=handler, year=2026, batch=1, title="芙蓉区2026年度双随机抽查计划（第一批）"
        )
        services.plan_file(actor=handler, plan=plan)
    spring = _drawn_task(
        plan,
        handler,
        second,
        items[:2],
        "食品经营者日常监督检查",
        "2026-03-20",
        "2026-04-01",
        "2026-05-29",
        "中国福利彩票3D第2026073期开奖号码",
        "2026-03-21",
        "5 2 9",
        filters={"industry_section": "H"},
        ratios={"A": "1", "B": "5", "C": "21", "D": "61", "-": "1"},
    )
    if spring is not None:
        _results(spring, rng, publish_by="2026-05-20", handler=handler, share=1.0)
        log(f"双随机、一公开：已公示任务 {spring.number}")
    autumn = _drawn_task(
        plan,
        handler,
        second,
        items[1:],
        "企业公示信息和价格行为联合抽查",
        "2026-10-23",
        "2026-11-02",
        "2026-12-25",
        "中国福利彩票双色球第2026123期开奖号码",
        "2026-10-25",
        "03 11 17 22 28 31 + 09",
        filters={"industry_section": "F"},
        joint=True,
        ratios={"A": "1", "B": "5", "C": "21", "D": "61", "-": "1"},
    )
    if autumn is not None:
        first = autumn.targets.order_by("position").first()
        assignment = first.assignments.filter(active=True).first() if first else None
        if assignment is not None:
            with clock.held_at(_at("2026-10-28")):
                services.withdrawal_draw(
                    actor=handler, assignment=assignment, reason="检查人员与该企业负责人系近亲属"
                )
        _results(autumn, rng, publish_by="", handler=handler, share=0.5)
        _rechecks(autumn)
        log(f"双随机、一公开：进行中的联合任务 {autumn.number}（含一次回避重抽）")
    with clock.held_at(_at("2026-12-04")):
        from regulus.inspections.services.tasks import task_create, task_freeze

        try:
            waiting = task_create(
                actor=handler,
                plan=plan,
                title="特殊食品经营者专项抽查",
                department="食品经营监管科",
                domain=Domain.FOOD,
                items=items[:1],
                check_from=dt.date(2026, 12, 14),
                check_to=dt.date(2026, 12, 31),
                source_description="中国福利彩票3D第2026340期开奖号码",
                source_available_at=_at("2027-01-20", 21),
                filters={"industry_section": "G"},
                ratios={"A": "1", "B": "5", "C": "21", "D": "61", "-": "1"},
            )
            task_freeze(actor=handler, task=waiting)
            log(f"双随机、一公开：名录已冻结、待录入随机源的任务 {waiting.number}")
        except ValidationError as exc:  # a small demo city may have no such entity
            log(f"双随机、一公开：待抽取任务未建立（{exc}）")


def _items() -> list[CheckItem]:
    found = []
    for code, name, dept, kind, domain, basis in ITEMS:
        item, _ = CheckItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "department": dept,
                "kind": kind,
                "domain": domain,
                "legal_basis": basis,
            },
        )
        found.append(item)
    return found


def _inspectors(district: OrgUnit) -> list[Inspector]:
    role = Role.objects.filter(name="执法检查人员").first()
    units = [district, *OrgUnit.objects.filter(parent=district, kind=OrgUnit.Kind.STATION)]
    found = []
    for n, name in enumerate(INSPECTORS):
        username = "furong_inspector" if n == 0 else f"furong_inspector{n + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                unit=units[n % len(units)],
                full_name=name,
            )
            if role:
                user.roles.add(role)
        entry, _ = Inspector.objects.get_or_create(
            user=user,
            defaults={
                "number": f"43010220{n + 1:03d}",
                "unit": user.unit,
                "certificate_expires": dt.date(2026, 2, 28) if n == 9 else dt.date(2029, 6, 30),
                "domains": [Domain.FOOD, Domain.PUBLICITY, Domain.PRICE],
            },
        )
        found.append(entry)
    return found


def _second_handler(district: OrgUnit) -> User:
    user = User.objects.filter(username="furong_handler2").first()
    if user is None:
        user = User.objects.create_user(
            username="furong_handler2", password=DEMO_PASSWORD, unit=district, full_name="邓雅文"
        )
        role = Role.objects.filter(name="县区局业务承办人").first()
        if role:
            user.roles.add(role)
    return user


def _drawn_task(
    plan,
    handler,
    second,
    items,
    title,
    created,
    start,
    end,
    source_text,
    source_day,
    value,
    *,
    filters,
    ratios,
    joint=False,
):  # type: ignore[no-untyped-def]
    try:
        with clock.held_at(_at(created)):
            task = services.task_create(
                actor=handler,
                plan=plan,
                title=title,
                department=items[0].department,
                domain=Domain.FOOD,
                items=items,
                check_from=dt.date.fromisoformat(start),
                check_to=dt.date.fromisoformat(end),
                source_description=source_text,
                source_available_at=_at(source_day, 21),
                filters=filters,
                ratios=ratios,
                joint=joint,
            )
            services.task_freeze(actor=handler, task=task)
        next_day = (dt.date.fromisoformat(source_day) + dt.timedelta(days=1)).isoformat()
        with clock.held_at(_at(next_day, 9)):
            services.source_enter(actor=handler, task=task, value=value)
            services.source_enter(actor=second, task=task, value=value)
            services.draw_run(actor=handler, task=task)
    except ValidationError:  # a small demo city may have too few entities or inspectors
        return None
    task.refresh_from_db()
    return task


def _results(task, rng, *, publish_by: str, handler, share: float) -> None:  # type: ignore[no-untyped-def]
    items = list(task.items.all())
    targets = list(task.targets.order_by("position"))
    span = (task.check_to - task.check_from).days
    for index, target in enumerate(targets[: max(1, int(len(targets) * share))]):
        day = task.check_from + dt.timedelta(days=rng.randint(0, min(span, 30)))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        roll = rng.random()
        code = "1" if roll < 0.8 else ("A" if roll < 0.9 else ("6" if roll < 0.95 else "E"))
        if not publish_by and index < 3:
            code = "A"  # the task in progress: three orders to show (closed, escalated, running)
        inspector = target.assignments.filter(active=True).first().inspector.user
        with clock.held_at(_at(day.isoformat(), 9)):
            # 亮码检查: the inspector shows the code on arrival.
            services.visit_code_show(actor=inspector, target=target)
        with clock.held_at(_at(day.isoformat(), 16)):
            # The task in progress orders its problems rectified; the published one handed
            # them to enforcement at once.
            services.result_enter(
                actor=inspector,
                target=target,
                codes={i.pk: (code if n == 0 else "1") for n, i in enumerate(items)},
                notes={i.pk: "现场检查，经营场所与登记一致" for i in items},
                checked_on=day,
                disposal="clue" if publish_by else "rectify",
                requirement="" if publish_by else "15个工作日内完善进货查验记录并书面报告整改情况",
            )
        target.refresh_from_db()
        if rng.random() < 0.6:
            with clock.held_at(_at(day.isoformat(), 18)):
                services.visit_rate(
                    target=target,
                    rating_code=target.rating_code,
                    score=rng.choice((5, 5, 4, 4, 3)),
                    comment="检查人员出示证件，说明检查依据",
                )
        if publish_by:
            target.refresh_from_db()
            when = min(dt.date.fromisoformat(publish_by), target.deadline or day)
            with clock.held_at(_at(max(when, day).isoformat(), 17)):
                services.result_publish(actor=handler, target=target)


def _rechecks(task) -> None:  # type: ignore[no-untyped-def]
    """Of the autumn task's rectification orders: the first reported and re-checked (closed),
    the second escalated to enforcement, the rest still running."""
    from regulus.inspections.models import Rectification

    orders = list(Rectification.objects.filter(target__task=task).order_by("id")[:2])
    for n, order in enumerate(orders):
        assignment = order.target.assignments.filter(active=True).first()
        reported = order.ordered_on + dt.timedelta(days=7)
        if assignment is None or reported > clock.today():
            continue
        inspector = assignment.inspector.user
        with clock.held_at(_at(reported.isoformat(), 10)):
            if n == 0:
                services.rectification_report(actor=inspector, order=order, reported_on=reported)
                services.rectification_recheck(
                    actor=inspector,
                    order=order,
                    passed=True,
                    notes="进货查验记录已补齐，整改到位",
                    rechecked_on=reported,
                )
            else:
                services.rectification_recheck(
                    actor=inspector,
                    order=order,
                    passed=False,
                    notes="复查发现仍未整改，当事人拒不改正",
                    rechecked_on=reported,
                )
