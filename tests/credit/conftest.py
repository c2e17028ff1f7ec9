"""Credit fixtures: entities of districts A and B, and hand-overs as the other apps send them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regulus.core import ids
from regulus.core.audit import audited
from regulus.core.handover import handover_send
from regulus.core.models import Handover
from tests.registry.conftest import make_entity


@pytest.fixture(autouse=True)
def tick_lock_file(settings, tmp_path):
    settings.TICK_LOCK_FILE = str(tmp_path / "tick.lock")


@pytest.fixture
def entity_a(handler):
    return make_entity(
        handler,
        "湖南立白日化有限公司",
        legal_rep_name="陈凯旋",
        legal_rep_id_number=ids.make_id_number("430102", dt.date(1975, 3, 1), 13),
    )


@pytest.fixture
def entity_b(outsider):
    return make_entity(outsider, "长沙市天心区好又多超市", district="430103", kind="individual")


def send_credit(
    entity: Any,
    *,
    topic: str = "inspections.unreachable",
    label: str = "通过登记的住所无法联系",
    data: dict | None = None,
    on: dt.date = dt.date(2026, 3, 2),
    actor: str = "测试发送方",
    detail: str = "",
    source: Any = None,
) -> Handover:
    """A CREDIT hand-over as a sending app leaves it (source: the entity unless given)."""
    with audited(actor=actor) as audit:
        return handover_send(
            audit=audit,
            kind=Handover.Kind.CREDIT,
            topic=topic,
            topic_label=label,
            source=source or entity,
            source_number="CJ-2026-0001",
            unit=entity.unit,
            entity=entity,
            occurred_on=on,
            title=f"{entity.name} {label}",
            detail=detail,
            data=data,
        )
