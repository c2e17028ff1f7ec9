"""Enforcement fixtures: the rules and the 2025-2026 holiday table, a district leader, the
legal reviewer and the hearing officer, and builders that walk a clue to a filed case and a
case to its decision through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from regulus.core import calendar
from regulus.core.models import CalendarYear
from regulus.enforcement import services
from regulus.enforcement.models import Case, Clue, Matter
from regulus.enforcement.rules import rules_ensure
from tests.conftest import make_staff

# A working Monday, far from holidays: 2026-03-02.
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def rules(db, bureau, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rules_ensure()
    for year in (2025, 2026):
        if not CalendarYear.objects.filter(year=year).exists():
            calendar.load_year_from_package(year)


@pytest.fixture
def leader(bureau, rules):
    return make_staff("leader_a", bureau["district_a"], "县区局领导", full_name="周建国")


@pytest.fixture
def reviewer(bureau, rules):
    return make_staff("reviewer", bureau["city"], "法制审核员", full_name="法制审核员郑")


@pytest.fixture
def host(bureau, rules):
    return make_staff("host", bureau["city"], "听证主持人", full_name="听证主持人吴")


@pytest.fixture
def matter(rules):
    return Matter.objects.get(code="counterfeit-goods")


def make_clue(actor: Any, **overrides: Any) -> Clue:
    values: dict[str, Any] = {
        "source": Clue.Source.OWN,
        "party_name": "长沙市芙蓉区洁亮日化店",
        "domain": "ip",
        "title": "销售假冒“汰渍”洗衣液",
        "detail": "巡查发现货架上有疑似假冒注册商标的洗衣液",
    }
    values.update(overrides)
    return services.clue_register(actor=actor, **values)


def file_case(
    handler: Any, colleague: Any, leader: Any, matter: Matter, party_name: str = "", **proposal: Any
) -> Case:
    clue = make_clue(handler, **({"party_name": party_name} if party_name else {}))
    values: dict[str, Any] = {
        "matter": matter,
        "officers": [handler, colleague],
        "party_kind": "organisation",
        "violation_on": "2026-02-20",
        "case_value": "12000",
        "facts": "当事人销售假冒注册商标的洗衣液120瓶",
        "party_address": "长沙市芙蓉区五一大道100号",
    }
    values.update(proposal)
    services.clue_propose(actor=handler, clue=clue, file_case=True, findings="核查属实", **values)
    services.clue_decide(actor=leader, clue=clue, approve=True)
    return Case.objects.get(clue=clue)


def to_notified(case: Case, handler: Any, reviewer: Any, *, fine: str = "50000") -> Case:
    services.case_step(actor=handler, case=case, name="finish_investigation", note="调查终结")
    services.case_step(actor=handler, case=case, name="submit_review")
    services.case_step(actor=reviewer, case=case, name="review_pass", note="事实清楚")
    services.case_notify(
        actor=handler, case=case, kinds=["fine", "confiscation"], fine=fine, confiscated="3000"
    )
    return case
