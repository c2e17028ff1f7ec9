"""Canteens fixtures: the targets (reloaded if a browser test flushed them) and a canteen of
district A."""

from __future__ import annotations

import pytest

from regulus.canteens import services
from regulus.canteens.rules import rules_ensure
from tests.registry.conftest import make_entity


@pytest.fixture
def targets(db, bureau):
    rules_ensure()


@pytest.fixture
def canteen(handler, targets):
    entity = make_entity(handler, "长沙市芙蓉区育才餐饮管理有限公司")
    return services.canteen_register(
        actor=handler,
        entity=entity,
        school_name="芙蓉区育才小学",
        school_kind="primary",
        pupils=860,
    )
