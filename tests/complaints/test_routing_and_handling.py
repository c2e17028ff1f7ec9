"""Routing by the dispatcher (分派, 转办, 退回) within the data scope; handling to its end with
its hand-overs; the reporter's confidentiality in every output that is not the handler's."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from regulus.complaints import selectors, services
from regulus.complaints.models import Item, Transfer
from regulus.core.models import AuditLog, Handover
from tests.complaints.conftest import REPORTER, REPORTER_PHONE, at, file_item

pytestmark = pytest.mark.django_db
S = Item.State


def test_the_dispatcher_routes_to_the_proposed_unit_and_the_unit_sees_it(
    client, dispatcher, handler
):
    item = file_item()
    assert item in selectors.dispatch_queue(dispatcher)
    client.force_login(dispatcher)
    queue = client.get("/complaints/dispatch/").content.decode()
    assert item.number in queue
    response = client.post(
        f"/complaints/items/{item.number}/act/dispatch/", {"unit": item.unit_id, "next": "queue"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == S.PENDING and item.dispatched_at is not None
    assert list(Item.objects.visible_to(handler)) == [item]
    assert Transfer.objects.get(item=item).kind == "dispatch"


def test_routing_elsewhere_needs_a_reason_and_keeps_the_history(dispatcher, bureau):
    item = file_item()
    with pytest.raises(ValidationError) as refused:
        services.item_dispatch(actor=dispatcher, item=item, unit=bureau["district_b"])
    assert "note" in refused.value.message_dict
    services.item_dispatch(
        actor=dispatcher, item=item, unit=bureau["district_b"], note="经营场所实际在天心区"
    )
    services.item_transfer(
        actor=dispatcher, item=item, unit=bureau["station_a"], reason="核实后属东湖所辖区"
    )
    kinds = list(item.transfers.values_list("kind", "to_unit__name"))
    assert kinds == [("dispatch", "天心区市场监督管理局"), ("transfer", "芙蓉区东湖市场监管所")]


def test_the_unit_returns_an_item_that_is_not_theirs_to_the_dispatchers_queue(dispatcher, handler):
    item = file_item()
    services.item_dispatch(actor=dispatcher, item=item)
    with pytest.raises(ValidationError):
        services.item_return(actor=handler, item=item, reason="")
    services.item_return(actor=handler, item=item, reason="被投诉方不在本辖区")
    item.refresh_from_db()
    assert item.state == S.REGISTERED and item.returned_note == "被投诉方不在本辖区"
    assert item in selectors.dispatch_queue(dispatcher)


def test_a_district_dispatcher_and_an_outsider_see_only_their_district(
    client, district_dispatcher, outsider, dispatcher
):
    item = file_item()
    other = file_item(district_code="430103", respondent_name="天心区某店")
    assert list(selectors.dispatch_queue(district_dispatcher)) == [item]
    assert list(Item.objects.visible_to(outsider)) == [other]
    client.force_login(outsider)
    assert client.get(f"/complaints/items/{item.number}/").status_code == 404
    assert client.post(f"/complaints/items/{item.number}/act/accept/").status_code == 404
    assert item.number not in client.get("/complaints/items/").content.decode()
    api = client.get("/api/v1/complaints/items").json()
    assert [i["number"] for i in api["items"]] == [other.number]
    assert client.get(f"/api/v1/complaints/items/{item.number}").status_code == 404
    feed = client.get(f"/api/v1/complaints/requests?service_request_id={item.number}").json()
    assert feed == []


def test_only_dispatchers_dispatch_and_only_handlers_accept(dispatcher, handler, window_clerk):
    item = file_item()
    with pytest.raises(PermissionDenied):
        services.item_dispatch(actor=handler, item=item)
    services.item_dispatch(actor=dispatcher, item=item)
    with pytest.raises(PermissionDenied):
        services.item_accept(actor=window_clerk, item=item)
    with pytest.raises(PermissionDenied):
        services.item_accept(actor=dispatcher, item=item)


def test_a_transition_out_of_order_is_refused_and_changes_nothing(dispatcher, handler):
    item = file_item()
    with pytest.raises(ValidationError) as refused:
        services.item_accept(actor=handler, item=item)
    assert "待分派" in str(refused.value)
    services.item_dispatch(actor=dispatcher, item=item)
    with pytest.raises(ValidationError):
        services.item_verify(actor=handler, item=item, outcome="to_clue", note="属实")
    item.refresh_from_db()
    assert item.state == S.PENDING


def test_a_pause_without_a_reason_is_refused(dispatcher, handler):
    from regulus.core import clock_services

    item = file_item()
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_accept(actor=handler, item=item)
    verification = clock_services.open_clocks(item)["verification"]
    with pytest.raises(ValidationError):
        clock_services.clock_pause(clock=verification, actor=handler, reason="", note="")
    with pytest.raises(ValidationError):
        clock_services.clock_pause(clock=verification, actor=handler, reason="hearing", note="x")


def test_a_verified_report_becomes_a_clue_for_enforcement_without_the_reporter(dispatcher, handler):
    item = file_item(amount="880")
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_accept(actor=handler, item=item)
    services.item_verify(
        actor=handler, item=item, outcome="to_clue", note="现场查获假冒立白洗衣液120箱"
    )
    item.refresh_from_db()
    assert item.state == S.CLUE and item.closed_in_time is True
    clue = Handover.objects.get(kind="clue")
    assert clue.topic == "complaints.report_verified" and clue.unit == item.unit
    assert clue.data["item_number"] == item.number and clue.data["amount_fen"] == 88000
    text = json.dumps(clue.data, ensure_ascii=False) + clue.title + clue.detail
    assert REPORTER not in text and REPORTER_PHONE not in text


def test_a_substantiated_complaint_leaves_a_credit_fact_and_money_recovered(dispatcher, handler):
    item = file_item(kind="complaint")
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_accept(actor=handler, item=item)
    assert item.state == S.MEDIATING
    with pytest.raises(ValidationError):
        services.item_conclude(
            actor=handler, item=item, outcome="mediated", note="调解成功", money_recovered="12.345"
        )
    services.item_conclude(
        actor=handler,
        item=item,
        outcome="mediated",
        note="退款并赔偿",
        substantiated=True,
        money_recovered="1,280",
    )
    item.refresh_from_db()
    assert item.state == S.MEDIATED and item.money_recovered_fen == 128000
    credit = Handover.objects.get(kind="credit")
    assert credit.topic == "complaints.confirmed" and credit.data["outcome"] == "mediated"


def test_the_complainant_rates_a_closed_item_once(client, dispatcher, handler, rules):
    item, code = services.item_register(
        actor=None,
        channel="portal",
        kind="enquiry",
        category="price",
        respondent_name="",
        district_code="430102",
        facts="咨询价格标示规定",
        person_phone=REPORTER_PHONE,
    )
    client.post("/portal/complaints/progress/", {"number": item.number, "code": code})
    with pytest.raises(ValidationError):
        services.item_rate(item=item, rating=5)
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_answer(actor=handler, item=item, note="已告知明码标价规定")
    page = client.get(f"/portal/complaints/items/{item.number}/").content.decode()
    assert "已告知明码标价规定" in page and 'data-testid="rate"' in page
    client.post(f"/portal/complaints/items/{item.number}/rate/", {"rating": "9"})
    assert Item.objects.get().rating is None
    client.post(f"/portal/complaints/items/{item.number}/rate/", {"rating": "4"})
    client.post(f"/portal/complaints/items/{item.number}/rate/", {"rating": "1"})
    assert Item.objects.get().rating == 4


# -- confidentiality ---------------------------------------------------------------------------


def _closed_report(dispatcher, handler) -> Item:
    item = file_item(person_id_number="")
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_accept(actor=handler, item=item)
    return item


def test_the_reporter_is_masked_in_lists_and_the_api_and_absent_from_the_entity_page(
    client, dispatcher, handler, station_a
):
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "芙蓉区立白日化店", unit=station_a)
    item = file_item(actor=dispatcher, respondent_uscc=entity.uscc)
    client.force_login(handler)
    for url in (
        "/complaints/items/",
        f"/complaints/items/{item.number}/",
        f"/registry/entities/{entity.uscc}/",
    ):
        page = client.get(url).content.decode()
        assert REPORTER not in page and REPORTER_PHONE not in page, url
    assert item.number in client.get(f"/registry/entities/{entity.uscc}/").content.decode()
    api = client.get(f"/api/v1/complaints/items/{item.number}").json()
    assert api["person"] == "欧阳某某 139****5678"
    assert REPORTER not in json.dumps(client.get("/api/v1/complaints/items").json())


def test_only_the_handler_and_leader_see_the_identity_and_each_view_is_logged(
    client, dispatcher, handler, leader_a
):
    item = _closed_report(dispatcher, handler)
    with pytest.raises(PermissionDenied):
        services.identity_reveal(actor=dispatcher, item=item)
    client.force_login(dispatcher)
    assert client.post(f"/complaints/items/{item.number}/act/identity/").status_code == 403
    assert REPORTER not in client.get(f"/complaints/items/{item.number}/").content.decode()
    for user in (handler, leader_a):
        client.force_login(user)
        client.post(f"/complaints/items/{item.number}/act/identity/")
        shown = client.get(f"/complaints/items/{item.number}/").content.decode()
        assert REPORTER in shown and REPORTER_PHONE in shown
        # Shown for the view that was logged, not for every later visit.
        assert REPORTER not in client.get(f"/complaints/items/{item.number}/").content.decode()
    views = AuditLog.objects.filter(action="query", object_id=str(item.pk))
    assert sorted(v.actor_name for v in views) == sorted(["刘思远", "周平"])


def test_the_reporter_never_appears_in_the_public_progress_the_export_or_the_audit_log(
    client, dispatcher, handler
):
    item, code = services.item_register(
        actor=None,
        channel="portal",
        kind="report",
        category="food",
        respondent_name="芙蓉区某店",
        district_code="430102",
        facts="售卖过期食品",
        person_name=REPORTER,
        person_phone=REPORTER_PHONE,
    )
    services.item_dispatch(actor=dispatcher, item=item)
    services.item_accept(actor=handler, item=item)
    services.identity_reveal(actor=handler, item=item)
    services.item_verify(actor=handler, item=item, outcome="no_case", note="未发现违法行为")
    client.post("/portal/complaints/progress/", {"number": item.number, "code": code})
    public = client.get(f"/portal/complaints/items/{item.number}/").content.decode()
    assert "未发现违法行为" in public
    assert REPORTER not in public and REPORTER_PHONE not in public
    assert handler.full_name not in public and dispatcher.full_name not in public
    body = services.stats_export(
        actor=handler, since=dt.date(2020, 1, 1), until=dt.date(2030, 1, 1)
    )
    cells = [
        str(c.value) for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row
    ]
    assert item.number in cells
    assert not [c for c in cells if REPORTER in c or REPORTER_PHONE in c]
    for row in AuditLog.objects.all():
        text = json.dumps(row.changes, ensure_ascii=False) + row.summary + row.object_repr
        assert REPORTER not in text and REPORTER_PHONE not in text
    assert AuditLog.objects.filter(action="export").exists()


def test_an_anonymous_report_offers_no_identity_to_reveal(client, dispatcher, handler):
    item = file_item(person_name="", person_phone="", anonymous=True)
    services.item_dispatch(actor=dispatcher, item=item)
    client.force_login(handler)
    page = client.get(f"/complaints/items/{item.number}/").content.decode()
    assert "匿名" in page and 'data-testid="reveal"' not in page


def test_on_time_counts_include_open_overdue_items(dispatcher, handler):
    late = file_item(on=dt.date(2026, 3, 2))
    with at(dt.date(2026, 3, 3)):
        services.item_dispatch(actor=dispatcher, item=late)
        services.item_not_accept(actor=handler, item=late, ground="outside_remit", note="")
    file_item(on=dt.date(2026, 3, 2), respondent_name="逾期未受理的店")
    with at(dt.date(2026, 3, 20)):
        data = selectors.stats(handler, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31))
    assert (data["received"], data["closed"], data["open_overdue"]) == (2, 1, 1)
    assert data["on_time_rate"] == 50.0
    assert {r["key"] for r in data["by_district"]} == {"430102"}


# -- repeats and clusters ----------------------------------------------------------------------


def test_the_same_complainant_respondent_and_matter_within_30_days_is_linked_as_a_repeat(
    client, handler
):
    first = file_item(on=dt.date(2026, 3, 2), facts="第一次反映")
    second = file_item(on=dt.date(2026, 3, 20), facts="又去了，还在卖")
    third = file_item(on=dt.date(2026, 3, 25), facts="第三次")
    later = file_item(on=dt.date(2026, 5, 20), facts="两个月后")
    other_matter = file_item(on=dt.date(2026, 3, 21), category="price", facts="价格问题")
    assert (second.repeat_of, third.repeat_of) == (first, first)
    assert later.repeat_of is None and other_matter.repeat_of is None
    client.force_login(handler)
    page = client.get(f"/complaints/items/{first.number}/").content.decode()
    assert second.number in page and third.number in page  # repeats and history


def test_many_items_against_one_respondent_raise_a_cluster_alert(handler, settings):
    settings.COMPLAINTS_CLUSTER_THRESHOLD = 3
    for n in range(3):
        file_item(on=dt.date(2026, 3, 2), person_phone=f"1390000000{n}", facts=f"预付卡跑路{n}")
    file_item(on=dt.date(2026, 3, 2), respondent_name="别家", facts="一件")
    with at(dt.date(2026, 3, 3)):
        found = selectors.clusters(handler)
        cards = {c.key: c.value for c in selectors.dashboard_cards(handler)}
    assert [(c["respondent_name"], c["count"]) for c in found] == [("芙蓉区某日化批发部", 3)]
    assert cards["complaints-cluster"] == 1
    with at(dt.date(2026, 3, 20)):
        assert selectors.clusters(handler) == []


def test_the_handler_confirms_a_suggested_entity_and_an_unrouted_item_is_routed_again(
    client, dispatcher, handler, station_a
):
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "芙蓉区某日化批发部", unit=station_a)
    item = file_item()
    assert item.entity is None and item.unit.kind == "district"
    client.force_login(dispatcher)
    page = client.get(f"/complaints/items/{item.number}/").content.decode()
    assert f'data-testid="match-{entity.uscc}"' in page
    client.post(f"/complaints/items/{item.number}/act/match/", {"uscc": entity.uscc})
    item.refresh_from_db()
    assert (item.entity, item.unit) == (entity, station_a)
    client.post(f"/complaints/items/{item.number}/act/match/", {"uscc": "X" * 18})
    item.refresh_from_db()
    assert item.entity == entity


def test_an_item_outside_the_remit_is_referred_out_with_the_receiving_body(
    client, dispatcher, handler
):
    item = file_item(kind="complaint", category="other", facts="医院收费问题")
    with pytest.raises(PermissionDenied):
        services.item_refer_out(actor=handler, item=item, body="区卫生健康局", reason="x")
    with pytest.raises(ValidationError) as refused:
        services.item_refer_out(actor=dispatcher, item=item, body="", reason="")
    assert {"referred_to", "note"} <= set(refused.value.message_dict)
    client.force_login(dispatcher)
    client.post(
        f"/complaints/items/{item.number}/act/refer_out/",
        {"referred_to": "芙蓉区卫生健康局", "note": "医疗服务收费不属市场监管职责"},
    )
    item.refresh_from_db()
    assert item.state == S.REFERRED and item.referred_to == "芙蓉区卫生健康局"
    assert item.deadline is None and item.closed_at is not None
