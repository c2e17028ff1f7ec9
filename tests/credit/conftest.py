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
    source_number: str = "CJ-2026-0001",
) -> Handover:
    """A CREDIT hand-over as a sending app leaves it (source: the entity unless given)."""
    with audited(actor=actor) as audit:
        return handover_send(
            audit=audit,
            kind=Handover.Kind.CREDIT,
            topic=topic,
            topic_label=label,
            source=source or entity,
            source_number=source_number,
            unit=entity.unit,
            entity=entity,
            occurred_on=on,
            title=f"{entity.name} {label}",
            detail=detail,
            data=data,
        )


@pytest.fixture
def leader(bureau):
    from tests.conftest import make_staff

    return make_staff("leader_a", bureau["district_a"], "县区局领导", full_name="周平")


def penalty_data(**overrides: Any) -> dict[str, Any]:
    """The data of an "enforcement.penalty" hand-over, as the enforcement app sends it."""
    data: dict[str, Any] = {
        "decision_number": "芙市监处罚〔2026〕18号",
        "decided_on": "2026-03-02",
        "penalty_kinds": ["fine", "confiscation"],
        "fine_fen": 50_000_000,
        "confiscated_fen": 1_234_500,
        "serious": True,
        "legal_basis": "《中华人民共和国产品质量法》第五十条",
        "public": True,
    }
    data.update(overrides)
    return data


def send_penalty(entity: Any, *, source: Any = None, **overrides: Any) -> Handover:
    data = penalty_data(**overrides)
    return send_credit(
        entity,
        topic="enforcement.penalty",
        label="行政处罚",
        data=data,
        on=dt.date.fromisoformat(data["decided_on"]),
        source=source,
        source_number=data["decision_number"],
    )
