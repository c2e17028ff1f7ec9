"""Equipment fixtures: the rule versions (reloaded if a browser test flushed them), the
holiday tables, a using unit in district A with a lift, and a check builder."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest

from regulus.core import calendar, clock
from regulus.core.models import CalendarYear
from regulus.equipment import services
from regulus.equipment.models import Equipment
from regulus.equipment.rules import rules_ensure
from tests.registry.conftest import make_entity

LIFT_NUMBER = "梯11湘A00012(23)"


@pytest.fixture
def rules(db, bureau):
    rules_ensure()
    for year in (2025, 2026, 2027):
        if not CalendarYear.objects.filter(year=year).exists():
            # A year the package does not cover yet stays unloaded.
            with contextlib.suppress(ValueError):
                calendar.load_year_from_package(year)


@pytest.fixture
def using_unit(handler, rules):
    return make_entity(handler, "长沙市芙蓉区锦绣华庭物业管理有限公司")


@pytest.fixture
def maintainer(handler, rules):
    return make_entity(handler, "湖南安达电梯工程有限公司")


def make_lift(actor: Any, using: Any, *, number: str = LIFT_NUMBER, **extra: Any) -> Equipment:
    values: dict[str, Any] = dict(
        actor=actor,
        category="3000",
        kind="曳引驱动乘客电梯",
        using_entity=using,
        registration_number=number,
        registered_on=clock.today() - dt.timedelta(days=400),
        compound_name="锦绣华庭",
        address="3栋1单元",
        last_inspected_on=clock.today() - dt.timedelta(days=200),
    )
    values.update(extra)
    return services.equipment_register(**values)


@pytest.fixture
def lift(handler, using_unit, maintainer):
    return make_lift(handler, using_unit, maintenance_entity=maintainer)
