"""12315 ODR (在线消费纠纷解决, domain.md §4): a complaint against an ODR member, with the
consumer's consent, goes to the business first; its days there are not the bureau's (the
acceptance clock is paused on the ground "odr"); it ends settled, not settled, by the
consumer leaving, or by `regulus tick` when the business's 10 working days run out."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from regulus.complaints import selectors, services
from regulus.complaints.models import Item, OdrMember
from regulus.core import clock_services
from regulus.core.clocks import due_date
from regulus.core.models import AuditLog, Clock, ClockPause, TransitionEvent
from tests.complaints.conftest import at, file_item

pytestmark = pytest.mark.django_db

D = dt.date
S = Item.State


@pytest.fixture
def shop(handler, station_a, rules):
    from tests.registry.conftest import make_entity

    return make_entity(handler, "芙蓉区星沙电器商行", unit=station_a)


@pytest.fixture
def member(shop, dispatcher):
    with at(D(2026, 1, 5)):
        return services.odr_member_add(
            actor=dispatcher,
            uscc=shop.uscc,
            contact_name="张经理",
            contact_phone="0731-84512345",
        )


def complaint(shop, *, on: D, consent: bool = True, actor=None, **extra) -> Item:
    values = dict(
        kind="complaint",
        on=on,
        respondent_name=shop.name,
        respondent_uscc=shop.uscc,
        odr_consent=consent,
        facts="购买的空调不制冷，商家拒绝维修。",
    )
    values.update(extra)
    return file_item(actor=actor, **values)


def acceptance(item: Item) -> Clock:
    return Clock.objects.filter(object_id=item.pk, name="acceptance").get()


# -- routing -----------------------------------------------------------------------------------


def test_a_consenting_complaint_against_a_member_goes_to_the_business_at_intake(member, shop):
    item = complaint(shop, on=D(2026, 3, 2))
    assert item.state == S.ODR and item.odr_member == member
    # The business's 10 working days; the bureau's acceptance clock is paused meanwhile.
    assert services.odr_due_dates([item.pk]) == {item.pk: D(2026, 3, 16)}
    assert item.deadline is None
    assert acceptance(item).status == Clock.Status.PAUSED
    pause = ClockPause.objects.get(clock=acceptance(item))
    assert (pause.reason, pause.from_date) == ("odr", D(2026, 3, 2))


@pytest.mark.parametrize(
    "case",
    ["no_consent", "not_a_member", "member_left", "a_report", "no_uscc"],
)
def test_auto_routing_needs_member_consent_and_a_complaint(case, member, shop, dispatcher):
    if case == "member_left":
        with at(D(2026, 2, 2)):
            services.odr_member_withdraw(actor=dispatcher, member=member, reason="经营者申请退出")
    if case == "not_a_member":
        OdrMember.objects.all().delete()
    extra: dict = {}
    if case == "no_consent":
        extra["consent"] = False
    if case == "a_report":
        extra["kind"] = "report"
    if case == "no_uscc":
        extra["respondent_uscc"] = ""
    item = complaint(shop, on=D(2026, 3, 2), **extra)
    assert item.state == S.REGISTERED and item.odr_member is None
    assert item.odr_consent is (case not in ("no_consent", "a_report"))
    assert acceptance(item).status == Clock.Status.RUNNING


def test_the_dispatcher_sends_a_waiting_complaint_to_odr_by_hand_after_matching(
    member, shop, dispatcher
):
    item = complaint(shop, on=D(2026, 3, 2), respondent_uscc="")
    with at(D(2026, 3, 3)):
        services.item_match_entity(actor=dispatcher, item=item, entity=shop)
        services.item_to_odr(actor=dispatcher, item=item)
    item.refresh_from_db()
    assert item.state == S.ODR
    assert services.odr_due_dates([item.pk]) == {item.pk: D(2026, 3, 17)}


def test_to_odr_is_refused_without_consent_and_for_those_who_may_not_dispatch(
    member, shop, dispatcher, handler
):
    item = complaint(shop, on=D(2026, 3, 2), consent=False)
    with at(D(2026, 3, 3)):
        with pytest.raises(ValidationError) as refused:
            services.item_to_odr(actor=dispatcher, item=item)
        assert "未同意" in str(refused.value)
        with pytest.raises(PermissionDenied):
            services.item_to_odr(actor=handler, item=item)
    item.refresh_from_db()
    assert item.state == S.REGISTERED


# -- the clocks --------------------------------------------------------------------------------


def test_the_odr_days_do_not_count_against_the_acceptance_clock(member, shop, dispatcher):
    # Received Mon 03-02: 7 working days end Wed 03-11. Three working days at the bureau
    # (03-03..03-05), then to the business on Fri 03-06; its 10 working days end Fri 03-20,
    # when it answers "not settled": 03-06..03-20 are not the bureau's.
    item = complaint(shop, on=D(2026, 3, 2), respondent_uscc="")
    assert item.deadline == D(2026, 3, 11)
    with at(D(2026, 3, 6)):
        services.item_match_entity(actor=dispatcher, item=item, entity=shop)
        services.item_to_odr(actor=dispatcher, item=item)
    assert services.odr_due_dates([item.pk]) == {item.pk: D(2026, 3, 20)}
    with at(D(2026, 3, 20)):
        services.odr_answer_business(
            entity=shop, item=item, settled=False, note="消费者要求全额退款，双方未达成一致"
        )
    item.refresh_from_db()
    assert item.state == S.REGISTERED and item.odr_result == Item.OdrResult.FAILED
    expected = due_date(D(2026, 3, 2), 7, paused=[(D(2026, 3, 6), D(2026, 3, 20))]).date
    assert item.deadline == expected == D(2026, 3, 26)
    clock = acceptance(item)
    assert clock.status == Clock.Status.RUNNING
    odr = Clock.objects.get(object_id=item.pk, name="odr")
    assert odr.status == Clock.Status.STOPPED and odr.stopped_on == D(2026, 3, 20)
    with at(D(2026, 3, 20)):
        trace = clock_services.clock_trace(clock, list(clock.pauses.all()))
    assert trace.deadline.date == D(2026, 3, 26)
    assert trace.paused_days[0] == D(2026, 3, 6) and trace.paused_days[-1] == D(2026, 3, 20)
    assert trace.counted == (
        D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 5),
        D(2026, 3, 23), D(2026, 3, 24), D(2026, 3, 25), D(2026, 3, 26),
    )  # fmt: skip


def test_tick_sends_a_complaint_whose_business_let_the_period_run_out_to_the_bureau(member, shop):
    item = complaint(shop, on=D(2026, 3, 2))  # ODR due 03-16
    other = complaint(shop, on=D(2026, 3, 10), facts="另一台空调不制热。")  # due 03-24
    out = io.StringIO()
    with at(D(2026, 3, 16)):
        call_command("tick", "--only", "complaints.odr_overdue", stdout=out)
    item.refresh_from_db()
    assert item.state == S.ODR  # the last day is the business's
    with at(D(2026, 3, 17)):
        call_command("tick", "--only", "complaints.odr_overdue", stdout=out)
        call_command("tick", "--only", "complaints.odr_overdue", stdout=out)
    item.refresh_from_db()
    other.refresh_from_db()
    assert item.state == S.REGISTERED and item.odr_result == Item.OdrResult.EXPIRED
    assert other.state == S.ODR
    # The acceptance clock runs again from 03-17: 03-02..03-17 counted none of the ODR days.
    assert (
        item.deadline == due_date(D(2026, 3, 2), 7, paused=[(D(2026, 3, 2), D(2026, 3, 17))]).date
    )
    assert (
        TransitionEvent.objects.filter(object_id=str(item.pk), transition="odr_failed").count() == 1
    )
    assert AuditLog.objects.filter(
        actor_name__startswith="系统", summary__contains="未和解"
    ).exists()


# -- the answers -------------------------------------------------------------------------------


def test_the_business_settles_and_the_money_recovered_counts_in_the_stats(member, shop, handler):
    item = complaint(shop, on=D(2026, 3, 2))
    with at(D(2026, 3, 5)):
        services.odr_answer_business(
            entity=shop, item=item, settled=True, note="上门更换压缩机并赔偿", money_recovered="300"
        )
    item.refresh_from_db()
    assert item.state == S.ODR_SETTLED and item.is_final and item.closed_in_time is True
    assert item.money_recovered_fen == 30000 and item.odr_result == Item.OdrResult.SETTLED
    assert not Clock.objects.filter(object_id=item.pk, status__in=("running", "paused")).exists()
    services.item_rate(item=item, rating=5)
    data = selectors.stats(handler, since=D(2026, 1, 1), until=D(2026, 12, 31))
    assert data["money_recovered"] == 300
    assert (data["odr_total"], data["odr_settled"], data["odr_settled_rate"]) == (1, 1, 100.0)
    assert data["satisfaction_rate"] == 100.0


def test_the_consumer_may_leave_the_odr_at_any_time(member, shop):
    item = complaint(shop, on=D(2026, 3, 2))
    with at(D(2026, 3, 3)):
        services.odr_leave(item=item)
    item.refresh_from_db()
    assert item.state == S.REGISTERED and item.odr_result == Item.OdrResult.LEFT
    assert "不再和解" in item.odr_note
    with at(D(2026, 3, 4)), pytest.raises(ValidationError):
        services.odr_leave(item=item)


@pytest.mark.parametrize(
    ("settled", "note", "money", "field", "words"),
    [
        (False, "", "", "reason", "未和解的原因"),
        (True, "", "100", "agreement", "和解内容"),
        (True, "退款", "一百元", "money_recovered", "金额应为数字"),
        (True, "退款", "-5", "money_recovered", "金额应为0至"),
    ],
)
def test_a_bad_answer_names_the_field_in_chinese_and_changes_nothing(
    settled, note, money, field, words, member, shop
):
    item = complaint(shop, on=D(2026, 3, 2))
    with at(D(2026, 3, 3)), pytest.raises(ValidationError) as refused:
        services.odr_answer_business(
            entity=shop, item=item, settled=settled, note=note, money_recovered=money
        )
    assert words in refused.value.message_dict[field][0]
    item.refresh_from_db()
    assert item.state == S.ODR and item.odr_result == ""


def test_a_business_cannot_answer_another_business_complaint(member, shop, handler, station_a):
    from tests.registry.conftest import make_entity

    stranger = make_entity(handler, "芙蓉区另一家电器店", unit=station_a)
    item = complaint(shop, on=D(2026, 3, 2))
    with at(D(2026, 3, 3)), pytest.raises(ValidationError):
        services.odr_answer_business(entity=stranger, item=item, settled=True, note="已退款")
    item.refresh_from_db()
    assert item.state == S.ODR


def test_staff_record_the_outcome_and_another_districts_staff_cannot(
    member, shop, handler, outsider
):
    item = complaint(shop, on=D(2026, 3, 2))
    assert not Item.objects.visible_to(outsider).filter(pk=item.pk).exists()
    with at(D(2026, 3, 3)):
        services.odr_answer_staff(
            actor=handler, item=item, settled=False, note="经营者电话告知消费者拒绝和解方案"
        )
    item.refresh_from_db()
    assert item.state == S.REGISTERED and item.odr_result == Item.OdrResult.STAFF_FAILED


# -- members -----------------------------------------------------------------------------------


def test_a_business_is_an_active_member_once_at_a_time(member, shop, dispatcher):
    with at(D(2026, 2, 2)), pytest.raises(ValidationError) as refused:
        services.odr_member_add(
            actor=dispatcher, uscc=shop.uscc, contact_name="李", contact_phone="13800000000"
        )
    assert "已是ODR单位" in refused.value.message_dict["uscc"][0]
    with at(D(2026, 2, 3)):
        services.odr_member_withdraw(actor=dispatcher, member=member, reason="申请退出")
        again = services.odr_member_add(
            actor=dispatcher, uscc=shop.uscc, contact_name="李", contact_phone="13800000000"
        )
    assert OdrMember.objects.filter(entity=shop).count() == 2 and again.is_active
    assert AuditLog.objects.filter(summary__startswith="撤销ODR单位").count() == 1


def test_member_input_is_checked_with_chinese_messages(dispatcher, handler, rules):
    with pytest.raises(ValidationError) as refused:
        services.odr_member_add(
            actor=dispatcher, uscc="123", contact_name="", contact_phone="12345"
        )
    errors = refused.value.message_dict
    assert set(errors) == {"uscc", "contact_name", "contact_phone"}
    with pytest.raises(PermissionDenied):
        services.odr_member_add(actor=handler, uscc="123", contact_name="", contact_phone="12345")
    assert not OdrMember.objects.exists()


# -- pages and the API -------------------------------------------------------------------------


def test_the_item_page_shows_the_odr_stage_and_the_dispatcher_sends_it_by_hand(
    client, member, shop, dispatcher
):
    item = complaint(shop, on=D(2026, 3, 2), respondent_uscc="")
    with at(D(2026, 3, 2)):
        services.item_match_entity(actor=dispatcher, item=item, entity=shop)
    client.force_login(dispatcher)
    with at(D(2026, 3, 3)):
        page = client.get(f"/complaints/items/{item.number}/").content.decode()
        assert 'data-testid="act-to_odr"' in page
        response = client.post(f"/complaints/items/{item.number}/act/to_odr/", {"note": ""})
        assert response.status_code == 302
        page = client.get(f"/complaints/items/{item.number}/").content.decode()
    assert 'data-testid="odr-stage"' in page and "2026-03-17" in page
    assert "经营者和解中" in page
    listed = client.get("/complaints/items/?state=odr").content.decode()
    assert item.number in listed


def test_staff_record_a_settlement_on_the_item_page_and_bad_money_is_refused(
    client, member, shop, handler
):
    item = complaint(shop, on=D(2026, 3, 2))
    client.force_login(handler)
    url = f"/complaints/items/{item.number}/act/odr_answer/"
    with at(D(2026, 3, 3)):
        bad = client.post(
            url, {"outcome": "settled", "money_recovered": "abc", "note": "退款"}, follow=True
        )
    assert "金额应为数字" in bad.content.decode()
    item.refresh_from_db()
    assert item.state == S.ODR
    with at(D(2026, 3, 3)):
        client.post(url, {"outcome": "settled", "money_recovered": "88.5", "note": "退款"})
    item.refresh_from_db()
    assert item.state == S.ODR_SETTLED and item.money_recovered_fen == 8850


def test_another_districts_staff_can_neither_see_nor_act_on_an_odr_item(
    client, member, shop, outsider
):
    item = complaint(shop, on=D(2026, 3, 2))
    client.force_login(outsider)
    assert client.get(f"/complaints/items/{item.number}/").status_code == 404
    response = client.post(
        f"/complaints/items/{item.number}/act/odr_answer/",
        {"outcome": "failed", "note": "未和解"},
    )
    assert response.status_code == 404
    assert item.number not in client.get("/complaints/items/?state=odr").content.decode()
    assert shop.name not in client.get("/complaints/odr/").content.decode()
    item.refresh_from_db()
    assert item.state == S.ODR


def test_the_members_page_lists_adds_and_withdraws_with_field_messages(
    client, shop, dispatcher, outsider
):
    client.force_login(dispatcher)
    bad = client.post(
        "/complaints/odr/", {"uscc": shop.uscc, "contact_name": "", "contact_phone": "12"}
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert 'data-testid="error-contact_name"' in page and "和解联系电话" in page
    assert not OdrMember.objects.exists()
    client.post(
        "/complaints/odr/",
        {"uscc": shop.uscc, "contact_name": "张经理", "contact_phone": "13800000000"},
    )
    member = OdrMember.objects.get()
    assert shop.name in client.get("/complaints/odr/").content.decode()
    client.post(f"/complaints/odr/{member.pk}/withdraw/", {"reason": ""})
    member.refresh_from_db()
    assert member.is_active
    client.post(f"/complaints/odr/{member.pk}/withdraw/", {"reason": "申请退出"})
    member.refresh_from_db()
    assert not member.is_active
    client.force_login(outsider)  # a handler of another district: may not manage
    assert client.post("/complaints/odr/", {"uscc": shop.uscc}).status_code == 403


def test_the_consumer_leaves_the_odr_on_the_progress_page(client, member, shop):
    item = complaint(shop, on=D(2026, 3, 2))
    session = client.session
    session["complaints_items"] = [item.number]
    session.save()
    with at(D(2026, 3, 3)):
        page = client.get(f"/portal/complaints/items/{item.number}/").content.decode()
        assert 'data-testid="odr-leave"' in page and "2026-03-16" in page
        client.post(f"/portal/complaints/items/{item.number}/odr-leave/")
    item.refresh_from_db()
    assert item.state == S.REGISTERED and item.odr_result == Item.OdrResult.LEFT
    assert AuditLog.objects.filter(actor_name="投诉人", summary__contains="未和解").exists()


def test_the_consumer_cannot_leave_another_persons_odr(client, member, shop):
    item = complaint(shop, on=D(2026, 3, 2))
    response = client.post(f"/portal/complaints/items/{item.number}/odr-leave/")
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.state == S.ODR


def test_the_intake_api_takes_the_consent_and_the_feed_maps_the_odr_state(
    client, member, shop, dispatcher
):
    client.force_login(dispatcher)
    with at(D(2026, 3, 2)):
        created = client.post(
            "/api/v1/complaints/intake",
            {
                "idempotency_key": "12345-odr-1",
                "kind": "complaint",
                "category": "product_quality",
                "respondent_name": shop.name,
                "respondent_uscc": shop.uscc,
                "facts": "空调不制冷。",
                "request_text": "要求维修。",
                "person_name": "王丽",
                "person_phone": "13900000001",
                "odr_consent": True,
            },
            content_type="application/json",
        )
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "odr"
    number = created.json()["number"]
    feed = client.get(f"/api/v1/complaints/requests?service_request_id={number}").json()[0]
    assert feed["status"] == "open" and feed["status_notes"] == "经营者和解中"
    assert feed["expected_datetime"].startswith("2026-03-16")


def test_the_demo_has_odr_members_and_a_spread_of_odr_items_one_overdue(db):
    from regulus.complaints import demo
    from regulus.core.demo import seed_bureau
    from regulus.registry import demo as registry_demo

    quiet = lambda _line: None  # noqa: E731
    seed_bureau(log=quiet)
    registry_demo.seed(entities=30, log=quiet)
    demo.seed(log=quiet, count=20)
    assert OdrMember.objects.filter(left_on__isnull=True).count() == 3
    odr = Item.objects.filter(odr_member__isnull=False)
    assert set(odr.values_list("state", flat=True)) >= {
        "odr",
        "odr_settled",
        "registered",
        "pending",
    }
    results = set(odr.values_list("odr_result", flat=True))
    assert {"settled", "failed", "left", ""} <= results
    assert services.odr_overdue().count() == 1
    call_command("tick", "--only", "complaints.odr_overdue", stdout=io.StringIO())
    assert services.odr_overdue().count() == 0
    assert odr.filter(odr_result="expired").count() == 1


def test_the_rule_page_lists_the_odr_period_apart_and_marks_it_unconfirmed(client, handler, rules):
    client.force_login(handler)
    page = client.get("/complaints/rules/").content.decode()
    platform = page[page.index('data-testid="platform-rules"') :]
    assert "经营者和解期限（ODR）" in platform and "10 个工作日" in platform
    assert 'data-testid="unconfirmed"' in platform
    assert "经营者和解期限" not in page[: page.index('data-testid="platform-rules"')]


# -- the business's side on the portal ---------------------------------------------------------


@pytest.fixture
def portal_code(shop, handler):
    """The shop's portal code (企业填报码), issued by the registry."""
    from regulus.registry.portal_codes import portal_code_issue

    return portal_code_issue(entity=shop, actor=handler)


def test_the_business_signs_in_sees_the_consumers_contact_and_settles(
    client, member, shop, portal_code
):
    from regulus.registry.models import PortalCode

    item = complaint(shop, on=D(2026, 3, 2))
    with at(D(2026, 3, 3)):
        client.post("/portal/complaints/odr/", {"uscc": shop.uscc, "code": "WRONG123"})
        assert PortalCode.objects.get(entity=shop).failures == 1
        client.post("/portal/complaints/odr/", {"uscc": shop.uscc, "code": portal_code})
        assert PortalCode.objects.get(entity=shop).failures == 0
        page = client.get("/portal/complaints/odr/").content.decode()
        assert item.number in page and "欧阳秀英 13912345678" in page
        assert AuditLog.objects.filter(
            action="query", summary__contains=item.number, actor_name__contains=shop.name
        ).exists()
        client.post(
            f"/portal/complaints/odr/{item.number}/answer/",
            {"outcome": "settled", "money_recovered": "1,280", "note": "同意退货退款"},
        )
    item.refresh_from_db()
    assert item.state == S.ODR_SETTLED and item.money_recovered_fen == 128000
    assert item.odr_answered_by == f"经营者（{shop.name}）"


def test_a_wrong_portal_code_is_refused_with_a_field_message(client, member, shop, portal_code):
    complaint(shop, on=D(2026, 3, 2))
    response = client.post("/portal/complaints/odr/", {"uscc": shop.uscc, "code": "WRONG123"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="error-code"' in page and "企业填报码不正确（还可再试4次）" in page
    # The registry counted the failure in the name of what the business was doing.
    assert AuditLog.objects.filter(actor_name=f"公众（ODR和解反馈）{shop.name}").exists()
    assert "欧阳秀英" not in page
    assert "欧阳秀英" not in client.get("/portal/complaints/odr/").content.decode()


def test_the_business_answers_only_its_own_complaints_and_bad_input_changes_nothing(
    client, member, shop, handler, dispatcher, station_a, portal_code
):
    from tests.registry.conftest import make_entity

    item = complaint(shop, on=D(2026, 3, 2))
    rival = make_entity(handler, "芙蓉区另一家电器店", unit=station_a)
    with at(D(2026, 3, 2)):
        services.odr_member_add(
            actor=dispatcher,
            uscc=rival.uscc,
            contact_name="赵",
            contact_phone="13800000002",
        )
    theirs = complaint(rival, on=D(2026, 3, 2), facts="另一家店的空调。")
    assert theirs.state == S.ODR
    url = f"/portal/complaints/odr/{theirs.number}/answer/"
    # Not signed in: nothing happens.
    client.post(url, {"outcome": "settled", "note": "已退款"})
    with at(D(2026, 3, 3)):
        client.post("/portal/complaints/odr/", {"uscc": shop.uscc, "code": portal_code})
        assert client.post(url, {"outcome": "settled", "note": "已退款"}).status_code == 404
        bad = client.post(
            f"/portal/complaints/odr/{item.number}/answer/",
            {"outcome": "failed", "note": ""},
            follow=True,
        )
    assert "请写明未和解的原因" in bad.content.decode()
    item.refresh_from_db()
    theirs.refresh_from_db()
    assert item.state == S.ODR and theirs.state == S.ODR
