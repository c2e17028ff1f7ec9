"""Registry fixtures: entities made through the service, with valid USCCs."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from regulus.core import ids
from regulus.registry import services
from regulus.registry.models import Entity

_counter = itertools.count(1)
CATEGORY = {"enterprise": "1", "individual": "2", "cooperative": "3"}


def new_uscc(district: str = "430102", kind: str = "enterprise") -> str:
    body = f"T{next(_counter):07d}"
    return ids.make_uscc("9", CATEGORY[kind], district, ids.make_org_code(body))


def make_entity(
    actor: Any, name: str, *, district: str = "430102", kind: str = "enterprise", **extra: Any
) -> Entity:
    data: dict[str, Any] = {
        "uscc": new_uscc(district, kind),
        "name": name,
        "kind": kind,
        "established_on": dt.date(2020, 1, 2),
        "district_code": district,
    }
    data.update(extra)
    return services.entity_create(actor=actor, **data)


@pytest.fixture
def entity_a(handler):
    """An entity of district A (芙蓉区)."""
    return make_entity(
        handler,
        "湖南立白日化有限公司",
        legal_rep_name="陈凯旋",
        legal_rep_id_number=ids.make_id_number("430102", dt.date(1975, 3, 1), 13),
    )


@pytest.fixture
def entity_b(outsider):
    """An entity of district B (天心区)."""
    return make_entity(outsider, "长沙市天心区好又多超市", district="430103", kind="individual")


@pytest.fixture(autouse=True)
def _fresh_search_statistics():
    """PostgreSQL's column statistics are kept per process for minutes; a test's database
    is another one than the last test's."""
    from regulus.registry import search

    search.forget_pg_token_stats()
    yield
    search.forget_pg_token_stats()
