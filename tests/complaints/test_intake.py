"""One intake from every door: the portal form (rate limited), staff entry, the partner API
with its idempotency key; bad input is refused with the field and the rule, nothing doubled."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from regulus.complaints import services
from regulus.complaints.models import Item
from regulus.core import tokens
from regulus.core.crypto import keyed_hash
from regulus.core.models import AuditLog
from tests.complaints.conftest import REPORTER, REPORTER_PHONE, at, file_item

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "complaint",
    "category": "food",
    "respondent_name": "芙蓉区某超市",
    "district_code": "430102",
    "facts": "购买的牛奶已过保质期。",
    "request_text": "退一赔十。",
    "person_name": REPORTER,
    "person_phone": REPORTER_PHONE,
    "amount": "35.50",
}


def test_the_portal_form_files_a_complaint_and_shows_the_number_and_query_code_once(client, rules):
    response = client.post("/portal/complaints/", FORM)
    item = Item.objects.get()
    assert response.status_code == 302 and item.number in response["Location"]
    receipt = client.get(response["Location"]).content.decode()
    code = receipt.split('data-testid="query-code">')[1].split("<")[0]
    assert len(code) == 6 and item.query_code_hash == keyed_hash(code)
    assert (item.channel, item.state, item.amount_fen) == ("portal", "registered", 3550)
    assert item.unit.division_code == "430102"
    # Stored encrypted: the column holds no plain name or phone.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT person_name, person_phone FROM complaints_item")
        raw = cursor.fetchone()
    assert REPORTER not in raw[0] and REPORTER_PHONE not in raw[1]


def test_the_citizen_follows_progress_with_number_and_query_code_only(client, rules):
    item, code = services.item_register(actor=None, channel="portal", **FORM)
    other = client.__class__()
    wrong = other.post(
        "/portal/complaints/progress/",
        {"number": item.number, "code": "000000" if code != "000000" else "111111"},
    )
    assert "未找到该投诉举报" in wrong.content.decode()
    assert other.get(f"/portal/complaints/items/{item.number}/").status_code == 404
    found = other.post("/portal/complaints/progress/", {"number": item.number, "code": code})
    assert found.status_code == 302
    page = other.get(found["Location"]).content.decode()
    assert "待分派" in page and item.unit.name in page


def test_a_complaint_needs_a_name_phone_and_request_a_report_may_be_anonymous(rules):
    with pytest.raises(ValidationError) as refused:
        services.item_register(
            actor=None,
            channel="portal",
            **{**FORM, "person_name": "", "person_phone": "", "request_text": ""},
        )
    assert {"person_name", "person_phone", "request_text"} <= set(refused.value.message_dict)
    item = file_item(person_name="", person_phone="", anonymous=True)
    assert item.anonymous and item.person_name == "" and item.person_phone == ""


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("139 1234 5678", "13912345678"),
        ("+86-139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("(0731)8888-8888", "073188888888"),
        ("0731-88888888", "073188888888"),
    ],
)
def test_phone_numbers_are_taken_in_every_common_format(rules, written, stored):
    assert services.phone_normalize(written) == stored


@pytest.mark.parametrize("bad", ["12345", "1391234567x", "abc", "2391234567", "1" * 30])
def test_a_phone_that_is_no_phone_is_refused_naming_the_field(rules, bad):
    with pytest.raises(ValidationError) as refused:
        services.item_register(actor=None, channel="portal", **{**FORM, "person_phone": bad})
    assert "联系电话" in refused.value.message_dict["person_phone"][0]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("facts", "", "请填写事实与理由"),
        ("facts", "假" * 100_000, "不能超过5000个字符"),
        ("facts", "名称\u202e反转", "U+202E"),
        ("respondent_name", "店\u200b名", "U+200B"),
        ("person_id_number", "430102199013011234", ""),
        ("amount", "-5", "金额"),
        ("amount", "1e400", "金额"),
        ("amount", "abc", "金额"),
        ("district_code", "999999", "区县"),
        ("kind", "praise", "类型"),
        ("category", "", "领域"),
        ("respondent_uscc", "<script>", "统一社会信用代码"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_the_rule_and_nothing_stored(
    client, rules, field, value, words
):
    response = client.post("/portal/complaints/", {**FORM, field: value})
    assert response.status_code == 200
    assert Item.objects.count() == 0
    page = response.content.decode()
    assert "请按提示修改后再提交" in page
    assert words in page


def test_script_tags_and_emoji_are_stored_as_text_and_shown_escaped(client, rules, handler):
    facts = "<script>alert(1)</script> 牛奶变质 🥛 mixed Ελληνικά"
    item, _ = services.item_register(actor=None, channel="portal", **{**FORM, "facts": facts})
    assert item.facts == facts
    client.force_login(handler)
    page = client.get(f"/complaints/items/{item.number}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page and "🥛" in page


def test_the_same_submission_posted_twice_is_one_item(client, rules):
    client.post("/portal/complaints/", FORM)
    again = client.post("/portal/complaints/", FORM)
    assert Item.objects.count() == 1
    assert "同一投诉举报已登记" in client.get(again["Location"]).content.decode()


def test_a_flood_from_one_address_gets_the_rate_limit_page(client, rules, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "complaints_submit": (2, 3600)}
    for n in range(2):
        client.post("/portal/complaints/", {**FORM, "facts": f"第{n}次"})
    refused = client.post("/portal/complaints/", {**FORM, "facts": "第三次"})
    assert refused.status_code == 429
    assert "提交投诉举报" in refused.content.decode()
    assert Item.objects.count() == 2


def test_forms_sent_back_with_errors_do_not_count_against_the_limit(client, rules, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "complaints_submit": (1, 3600)}
    for _ in range(3):
        assert client.post("/portal/complaints/", {**FORM, "facts": ""}).status_code == 200
    assert client.post("/portal/complaints/", FORM).status_code == 302


def test_staff_enter_a_phone_call_and_the_public_cannot_pick_a_staff_channel(
    client, dispatcher, rules
):
    client.force_login(dispatcher)
    response = client.post("/complaints/items/new/", {**FORM, "channel": "phone", "line": "12331"})
    item = Item.objects.get()
    assert response.status_code == 302 and (item.channel, item.line) == ("phone", "12331")
    with pytest.raises(ValidationError):
        services.item_register(actor=None, channel="phone", **FORM)


def test_the_partner_api_registers_once_per_idempotency_key(client, dispatcher):
    token = tokens.token_issue(user=dispatcher, name="12345平台")[1]
    body = {**FORM, "idempotency_key": "12345-2026-000001", "line": "12345"}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    first = client.post(
        "/api/v1/complaints/intake", json.dumps(body), content_type="application/json", **headers
    )
    second = client.post(
        "/api/v1/complaints/intake", json.dumps(body), content_type="application/json", **headers
    )
    assert first.status_code == 201 and len(first.json()["query_code"]) == 6
    assert second.status_code == 200 and second.json()["created"] is False
    assert second.json()["number"] == first.json()["number"]
    assert Item.objects.get().channel == "partner"


def test_two_submissions_of_one_key_at_once_make_one_item_and_no_error(
    rules, dispatcher, monkeypatch
):
    """The second of two concurrent transfers passed the key check before the first committed:
    its insert meets the key, and it answers with the first's item."""
    body = {**FORM, "idempotency_key": "12345-2026-000002", "line": "12345"}
    real_repeats = services._first_of_repeats
    first: list[Item] = []

    def the_other_request_commits_first(*args, **kwargs):
        monkeypatch.setattr(services, "_first_of_repeats", real_repeats)
        first.append(services.item_register(actor=dispatcher, channel="partner", **body)[0])
        return real_repeats(*args, **kwargs)

    monkeypatch.setattr(services, "_first_of_repeats", the_other_request_commits_first)
    item, code = services.item_register(actor=dispatcher, channel="partner", **body)
    assert item == first[0] and code == ""
    assert Item.objects.count() == 1
    assert AuditLog.objects.filter(object_type="complaints.item").count() == 1


def test_the_api_refuses_bad_input_with_the_field(client, dispatcher):
    client.force_login(dispatcher)
    response = client.post(
        "/api/v1/complaints/intake",
        json.dumps({**FORM, "person_phone": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "person_phone" in response.json()["fields"]
    assert Item.objects.count() == 0


def test_a_report_is_matched_to_the_registered_entity_and_routed_to_its_unit(
    dispatcher, handler, station_a
):
    from tests.registry.conftest import make_entity

    entity = make_entity(handler, "芙蓉区立白日化店", unit=station_a)
    item = file_item(actor=dispatcher, respondent_uscc=entity.uscc, district_code="")
    assert item.entity == entity and item.unit == station_a
    assert item.district_code == "430102"


def test_an_item_received_before_the_rules_began_is_refused(rules):
    with at(dt.date(2019, 6, 1)), pytest.raises(ValidationError):
        file_item()


def test_an_intake_that_fails_after_its_row_is_written_takes_no_number(rules, monkeypatch):
    """The receipt number is taken last in the intake's transaction: a failure before it
    leaves no gap in the day's series, and no stand-in number is ever stored."""
    first = file_item()

    def broken_event(**_kwargs):
        raise RuntimeError("the timeline is down")

    with monkeypatch.context() as patched:
        patched.setattr(services, "event_record", broken_event)
        with pytest.raises(RuntimeError):
            file_item(facts="第二件：登记中途失败。")
    second = file_item(facts="第三件：正常登记。")
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert second.number[:10] == first.number[:10]
    assert not Item.objects.filter(number__startswith="!").exists()
    assert AuditLog.objects.filter(object_repr__contains=second.number).count() == 2  # item, clock
    assert not AuditLog.objects.filter(object_repr__contains="!").exists()
