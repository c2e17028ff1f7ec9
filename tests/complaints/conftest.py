"""Complaints fixtures: the rule versions (reloaded if a browser test flushed them), the 2026
holiday table, the dispatchers, and an item builder."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from regulus.complaints import services
from regulus.complaints.models import Item
from regulus.complaints.rules import rules_ensure
from regulus.core import calendar, clock
from regulus.core.models import CalendarYear
from tests.conftest import make_staff

REPORTER = "欧阳秀英"
REPORTER_PHONE = "13912345678"


@pytest.fixture
def rules(db, bureau):
    rules_ensure()
    for year in (2025, 2026):
        if not CalendarYear.objects.filter(year=year).exists():
            calendar.load_year_from_package(year)


@pytest.fixture
def dispatcher(bureau, rules):
    return make_staff("fenpai_t", bureau["dept"], "分派员", full_name="孙雅婷")


@pytest.fixture
def district_dispatcher(bureau, rules):
    return make_staff("fenpai_a", bureau["district_a"], "县区局分派员", full_name="何俊杰")


@pytest.fixture
def leader_a(bureau, rules):
    return make_staff("leader_a", bureau["district_a"], "县区局领导", full_name="周平")


def at(day: dt.date, hour: int = 10) -> Any:
    return clock.held_at(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))))


def file_item(
    *, actor: Any = None, kind: str = "report", on: dt.date | None = None, **overrides: Any
) -> Item:
    values: dict[str, Any] = dict(
        actor=actor,
        channel="phone" if actor else "portal",
        kind=kind,
        category="product_quality",
        respondent_name="芙蓉区某日化批发部",
        district_code="430102",
        facts="销售疑似假冒的洗衣液。",
        request_text="要求退货退款。" if kind == "complaint" else "",
        person_name=REPORTER,
        person_phone=REPORTER_PHONE,
    )
    values.update(overrides)
    if on is None:
        return services.item_register(**values)[0]
    with at(on):
        return services.item_register(**values)[0]
