"""The legal clocks of 12315 items: the rule version of the day of receipt, holidays, pauses
for testing and appraisal, approved extensions, overdue lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from regulus.complaints import selectors, services
from regulus.complaints.models import Item
from regulus.core import clock_services
from regulus.core.clock_selectors import OVERDUE
from regulus.core.clocks import due_date
from regulus.core.models import Clock
from tests.complaints.conftest import at, file_item

pytestmark = pytest.mark.django_db


def _clock(item: Item, name: str) -> Clock:
    return clock_services.open_clocks(item)[name]


def _to_handling(item: Item, dispatcher, handler, day: dt.date) -> Item:
    with at(day):
        services.item_dispatch(actor=dispatcher, item=item)
        services.item_accept(actor=handler, item=item)
    item.refresh_from_db()
    return item


def test_acceptance_counts_seven_working_days_over_may_day_and_its_make_up_day(dispatcher):
    # Thu 04-30 received; 05-01..05-05 holiday; Sat 05-09 is a make-up working day.
    item = file_item(actor=dispatcher, on=dt.date(2026, 4, 30))
    assert item.deadline == dt.date(2026, 5, 13)
    acceptance = _clock(item, "acceptance")
    assert (acceptance.days, acceptance.unit) == (7, "working")


def test_an_item_received_on_2026_04_14_keeps_order_20_though_accepted_under_order_121(
    dispatcher, handler
):
    item = file_item(actor=dispatcher, kind="complaint", on=dt.date(2026, 4, 14))
    assert item.rule_version.code == "order20"
    item = _to_handling(item, dispatcher, handler, dt.date(2026, 4, 20))
    mediation = _clock(item, "mediation")
    assert mediation.rule.effective_from == dt.date(2020, 1, 1)
    assert (mediation.days, mediation.unit) == (45, "working")
    assert item.deadline == due_date(dt.date(2026, 4, 20), 45).date


def test_an_item_received_on_2026_04_15_runs_order_121s_sixty_calendar_days(dispatcher, handler):
    item = file_item(actor=dispatcher, kind="complaint", on=dt.date(2026, 4, 15))
    assert item.rule_version.code == "order121"
    item = _to_handling(item, dispatcher, handler, dt.date(2026, 4, 20))
    mediation = _clock(item, "mediation")
    assert (mediation.days, mediation.unit) == (60, "calendar")
    # 04-20 + 60 days = 06-19, the Dragon Boat Festival: the period runs to Monday 06-22.
    assert item.deadline == dt.date(2026, 6, 22)


def test_order_121_offers_its_seven_refusal_grounds_order_20_its_five(dispatcher, handler):
    old = file_item(actor=dispatcher, kind="complaint", on=dt.date(2026, 4, 14))
    new = file_item(
        actor=dispatcher, kind="complaint", on=dt.date(2026, 4, 15), respondent_name="另一家店"
    )
    assert len(old.rule_version.refusal_grounds) == 5
    assert len(new.rule_version.refusal_grounds) == 7
    with at(dt.date(2026, 4, 16)):
        services.item_dispatch(actor=dispatcher, item=old)
        with pytest.raises(ValidationError) as refused:
            services.item_not_accept(actor=handler, item=old, ground="false_materials", note="")
        assert "ground" in refused.value.message_dict
        services.item_not_accept(actor=handler, item=old, ground="over_three_years", note="超期")
    old.refresh_from_db()
    assert old.state == Item.State.NOT_ACCEPTED and old.closed_in_time is True


def test_verification_pauses_for_testing_and_the_paused_days_do_not_count(dispatcher, handler):
    item = file_item(actor=dispatcher, on=dt.date(2026, 3, 2))
    item = _to_handling(item, dispatcher, handler, dt.date(2026, 3, 2))
    assert item.state == Item.State.VERIFYING
    assert item.deadline == dt.date(2026, 3, 23)  # 15 working days after Monday 03-02
    verification = _clock(item, "verification")
    with at(dt.date(2026, 3, 5)):
        clock_services.clock_pause(
            clock=verification, actor=handler, reason="testing", note="送检洗衣液样品"
        )
    with at(dt.date(2026, 3, 11)):
        clock_services.clock_resume(
            clock=_clock(item, "verification"), actor=handler, note="检验报告已出"
        )
    item.refresh_from_db()
    # 03-05..03-11 paused: five working days (05, 06, 09, 10, 11) not counted.
    assert item.deadline == dt.date(2026, 3, 30)


def test_verification_extends_by_the_approved_fifteen_working_days_and_no_more(
    dispatcher, handler, leader_a
):
    item = file_item(actor=dispatcher, on=dt.date(2026, 3, 2))
    item = _to_handling(item, dispatcher, handler, dt.date(2026, 3, 2))
    with at(dt.date(2026, 3, 20)):
        with pytest.raises(ValidationError):
            clock_services.clock_extend(
                clock=_clock(item, "verification"),
                actor=handler,
                days=16,
                approver=leader_a,
                document="批",
                reason="复杂",
            )
        clock_services.clock_extend(
            clock=_clock(item, "verification"),
            actor=handler,
            days=15,
            approver=leader_a,
            document="延期审批表",
            reason="案情复杂",
        )
    item.refresh_from_db()
    assert item.deadline == due_date(dt.date(2026, 3, 2), 30).date


def test_overdue_list_and_card_hold_items_past_their_acceptance_limit(dispatcher, handler):
    late = file_item(actor=dispatcher, on=dt.date(2026, 3, 2))
    file_item(actor=dispatcher, on=dt.date(2026, 3, 12), respondent_name="另一家店")
    with at(dt.date(2026, 3, 13)):
        overdue = list(selectors.items_for(handler, when=OVERDUE))
        cards = {c.key: c.value for c in selectors.dashboard_cards(handler)}
        dispatcher_cards = {c.key: c.value for c in selectors.dashboard_cards(dispatcher)}
    assert [i.number for i in overdue] == [late.number]
    assert cards["complaints-overdue"] == 1
    assert dispatcher_cards["complaints-queue"] == 2


def test_closing_after_the_limit_counts_as_late(dispatcher, handler):
    item = file_item(actor=dispatcher, kind="enquiry", on=dt.date(2026, 3, 2))
    assert item.deadline is None  # enquiries run no legal clock
    complaint = file_item(actor=dispatcher, kind="complaint", on=dt.date(2026, 3, 2))
    with at(dt.date(2026, 3, 20)):
        services.item_dispatch(actor=dispatcher, item=complaint)
        services.item_not_accept(actor=handler, item=complaint, ground="outside_remit", note="")
    complaint.refresh_from_db()
    assert complaint.closed_in_time is False
