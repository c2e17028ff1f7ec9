"""The rule page (待核实), the counts and their export, the API's transitions and its Open311
status feed, and the demo seeder on a small city."""

from __future__ import annotations

import json

import pytest

from regulus.complaints import demo
from regulus.complaints.models import Item
from regulus.core.models import Handover
from tests.complaints.conftest import file_item

pytestmark = pytest.mark.django_db


def test_the_rule_page_shows_both_versions_and_marks_unconfirmed_figures(client, handler, rules):
    client.force_login(handler)
    page = client.get("/complaints/rules/").content.decode()
    order20 = page[
        page.index('data-testid="version-order20"') : page.index('data-testid="version-order121"')
    ]
    order121 = page[page.index('data-testid="version-order121"') :]
    assert "待核实" not in order20 and "45 个工作日" in order20
    assert "60 个自然日" in order121 and order121.count('data-testid="unconfirmed"') >= 2
    assert "冒用他人身份或者拒绝核验身份" in order121 and "冒用他人身份" not in order20


def test_the_counting_page_and_its_export(client, handler, dispatcher):
    file_item()
    file_item(district_code="430103", respondent_name="天心区某店")
    client.force_login(handler)
    page = client.get("/complaints/stats/?since=2026-01-01&until=2026-12-31").content.decode()
    assert 'data-testid="received">1<' in page  # district A's only: the scope holds
    export = client.get("/complaints/stats/export/?since=2026-01-01&until=2026-12-31")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    bad = client.get("/complaints/stats/?since=2026-13-01")
    assert bad.status_code == 200 and "不是有效日期" in bad.content.decode()


def test_the_item_list_filters_and_refuses_unknown_choices(client, handler, dispatcher):
    item = file_item()
    client.force_login(handler)
    assert item.number in client.get("/complaints/items/?kind=report").content.decode()
    assert item.number not in client.get("/complaints/items/?kind=complaint").content.decode()
    odd = client.get("/complaints/items/?state=nonsense").content.decode()
    assert "不是可选的值" in odd


def test_the_api_moves_an_item_by_permission_and_the_feed_follows_it(client, dispatcher, handler):
    item = file_item()
    client.force_login(handler)
    refused = client.post(
        f"/api/v1/complaints/items/{item.number}/transitions",
        json.dumps({"name": "dispatch"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    client.force_login(dispatcher)
    moved = client.post(
        f"/api/v1/complaints/items/{item.number}/transitions",
        json.dumps({"name": "dispatch"}),
        content_type="application/json",
    )
    assert moved.json()["state"] == "pending"
    client.force_login(handler)
    for name in ("accept", "to_clue"):
        response = client.post(
            f"/api/v1/complaints/items/{item.number}/transitions",
            json.dumps({"name": name, "note": "属实"}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.json()
    assert Handover.objects.filter(topic="complaints.report_verified").count() == 1
    again = client.post(
        f"/api/v1/complaints/items/{item.number}/transitions",
        json.dumps({"name": "to_clue", "note": "属实"}),
        content_type="application/json",
    )
    assert again.status_code == 422
    feed = client.get(f"/api/v1/complaints/requests?service_request_id={item.number}").json()
    assert feed[0]["service_request_id"] == item.number and feed[0]["status"] == "closed"
    assert feed[0]["agency_responsible"] == item.unit.name and feed[0]["updated_datetime"]


def test_the_feed_gives_the_running_clocks_date_as_expected_datetime(client, handler, rules):
    item = file_item()
    client.force_login(handler)
    feed = client.get("/api/v1/complaints/requests").json()
    assert feed[0]["status"] == "open"
    assert feed[0]["expected_datetime"].startswith(item.deadline.isoformat())


def test_the_demo_seeder_fills_states_and_districts_once(db):
    from regulus.core.demo import seed_bureau
    from regulus.registry import demo as registry_demo

    quiet = lambda _line: None  # noqa: E731
    seed_bureau(log=quiet)
    registry_demo.seed(entities=30, log=quiet)
    assert demo.seed(log=quiet, count=60) > 0
    states = set(Item.objects.values_list("state", flat=True))
    assert {"registered", "pending", "mediated"} <= states or len(states) >= 5
    assert Item.objects.values("district_code").distinct().count() >= 5
    assert set(Item.objects.values_list("rule_version__code", flat=True)) == {"order20", "order121"}
    assert Handover.objects.filter(title__contains="日化批发部").exists()
    assert demo.seed(log=quiet, count=60) == 0
