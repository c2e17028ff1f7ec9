"""Inspection fixtures: a district's entities across the risk classes, its inspectors, the
item list, a plan, and a task frozen and ready for its source."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from regulus.core import calendar, ids
from regulus.core.models import CalendarYear
from regulus.inspections import services
from regulus.inspections.models import CheckItem, Domain, Inspector
from regulus.registry.models import Entity, EntityKind
from tests.conftest import make_staff

_counter = itertools.count(1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=2)


def uscc(district: str = "430102") -> str:
    return ids.make_uscc("9", "1", district, ids.make_org_code(f"K{next(_counter):07d}"))


def entities(unit, count: int, *, district: str = "430102", classes: str = "AABBCD-") -> list:
    rows = [
        Entity(
            uscc=uscc(district),
            name=f"抽查测试{district}第{i}号有限公司",
            kind=EntityKind.ENTERPRISE,
            established_on=dt.date(2020, 1, 2),
            district_code=district,
            unit=unit,
            risk_class=classes[i % len(classes)].strip("-"),
        )
        for i in range(count)
    ]
    return Entity.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def holidays(db):
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)


@pytest.fixture
def items(db):
    return [
        CheckItem.objects.create(
            code="SP-01",
            name="食品经营者经营条件检查",
            department="食品经营监管科",
            legal_basis="《食品安全法》第一百一十条",
            kind=CheckItem.Kind.KEY,
            domain=Domain.FOOD,
        ),
        CheckItem.objects.create(
            code="GS-01",
            name="企业公示信息检查",
            department="信用监管科",
            legal_basis="《企业信息公示暂行条例》第十四条",
            kind=CheckItem.Kind.GENERAL,
            domain=Domain.FOOD,
        ),
    ]


def enrol(unit, name: str, number: str, *, expires=dt.date(2028, 12, 31), domains=("food",)):
    user = make_staff(f"insp_{number}", unit, "执法检查人员", full_name=name)
    return Inspector.objects.create(
        user=user, number=number, certificate_expires=expires, unit=unit, domains=list(domains)
    )


@pytest.fixture
def inspectors(bureau):
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆"]
    return [enrol(bureau["station_a"], n, f"43010200{i}") for i, n in enumerate(names, 1)]


@pytest.fixture
def population(bureau):
    return entities(bureau["station_a"], 120)


@pytest.fixture
def plan(handler):
    return services.plan_create(actor=handler, year=2026, batch=1, title="2026年度第一批抽查计划")


def make_task(actor, plan, items, **extra):
    values = dict(
        actor=actor,
        plan=plan,
        title="食品经营者双随机抽查",
        department="食品经营监管科",
        domain=Domain.FOOD,
        items=items,
        check_from=dt.date(2026, 3, 16),
        check_to=dt.date(2026, 4, 30),
        source_description="中国福利彩票3D第2026052期开奖号码",
        source_available_at=NOW + dt.timedelta(days=1),
        ratios={"A": "5", "B": "20", "C": "30", "D": "100", "-": "10"},
    )
    values.update(extra)
    return services.task_create(**values)


@pytest.fixture
def task(handler, plan, items, inspectors, population):
    return make_task(handler, plan, items)


@pytest.fixture
def frozen(handler, task):
    return services.task_freeze(actor=handler, task=task)


@pytest.fixture
def drawn(handler, colleague, frozen, frozen_clock):
    frozen_clock.move_to(LATER)
    services.source_enter(actor=handler, task=frozen, value="3 8 1")
    services.source_enter(actor=colleague, task=frozen, value="3 8 1")
    services.draw_run(actor=handler, task=frozen)
    frozen.refresh_from_db()
    return frozen
