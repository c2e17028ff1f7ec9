"""A mixed filing (Order 20 Art 7): a complaint that also reports a violation runs both
tracks: at intake (the portal's or staff's box) or split later by staff; the report keeps the
complaint's day of receipt and rule version, the same query code, its own acceptance clock
and routing; a second split and a split of a report are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from regulus.complaints import services
from regulus.complaints.models import Item
from regulus.core.models import Clock
from tests.complaints.conftest import at, file_item

D = dt.date


def test_a_complaint_that_also_reports_is_two_items_on_two_tracks(rules, dispatcher, handler):
    with at(D(2026, 4, 14)):
        complaint, code = services.item_register(
            actor=None,
            channel="portal",
            kind="complaint",
            category="product_quality",
            respondent_name="芙蓉区某日化批发部",
            district_code="430102",
            facts="买到假冒立白洗衣液，商家还在大量销售。",
            request_text="退货退款",
            person_name="欧阳秀英",
            person_phone="13912345678",
            also_report=True,
        )
    report = Item.objects.get(split_from=complaint)
    assert (report.kind, complaint.kind) == ("report", "complaint")
    assert report.received_on == complaint.received_on == D(2026, 4, 14)
    assert report.rule_version == complaint.rule_version
    assert Clock.objects.get(object_id=report.pk, name="acceptance").status == "running"
    # The citizen follows both with the one query code.
    assert services.public_lookup(report.number, code) == report
    assert services.public_lookup(complaint.number, code) == complaint
    services.item_dispatch(actor=dispatcher, item=report)
    services.item_accept(actor=handler, item=report)
    report.refresh_from_db()
    complaint.refresh_from_db()
    assert (report.state, complaint.state) == ("verifying", "registered")


def test_staff_split_a_complaint_once_and_never_a_report(rules, handler, client):
    complaint = file_item(kind="complaint", facts="奶茶有异物，店内还售卖过期原料。")
    with pytest.raises(ValidationError, match="举报的违法行为"):
        services.item_split_report(actor=handler, item=complaint, facts="")
    client.force_login(handler)
    page = client.get(f"/complaints/items/{complaint.number}/").content.decode()
    assert 'data-testid="split-report"' in page
    client.post(f"/complaints/items/{complaint.number}/act/split/", {"note": "店内售卖过期原料"})
    report = Item.objects.get(split_from=complaint)
    assert report.facts == "店内售卖过期原料" and report.kind == "report"
    with pytest.raises(ValidationError, match="已拆分出举报"):
        services.item_split_report(actor=handler, item=complaint, facts="再拆一次")
    with pytest.raises(ValidationError, match="只有投诉"):
        services.item_split_report(actor=handler, item=report, facts="举报再拆")
    page = client.get(f"/complaints/items/{report.number}/").content.decode()
    assert complaint.number in page and 'data-testid="split"' in page
