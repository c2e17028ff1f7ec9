"""Telling a named reporter the decision (Order 20 Art 31: within 5 working days of the
decision whether to open a case): the notice and its clock start with the verification's end,
under the rule version of the day the report was received; anonymous reports have none; the
handler records how the reporter was told, which stops the clock; the due list is scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from regulus.complaints import selectors, services
from regulus.complaints.models import ReporterNotice
from regulus.core.models import Clock
from tests.complaints.conftest import at, file_item

D = dt.date


def verified(dispatcher, handler, *, on: D, decided: D, **overrides) -> ReporterNotice | None:
    item = file_item(on=on, **overrides)
    with at(on):
        services.item_dispatch(actor=dispatcher, item=item)
        services.item_accept(actor=handler, item=item)
    with at(decided):
        services.item_verify(actor=handler, item=item, outcome="no_case", note="未发现违法行为")
    return ReporterNotice.objects.filter(item=item).first()


def test_a_named_reporter_is_told_within_five_working_days_of_the_decision(
    dispatcher, handler, outsider
):
    # Decided on Thursday 30 April 2026: 1-5 May are holidays, so 6, 7, 8 May, the make-up
    # working Saturday 9 May and Monday 11 May are the five working days.
    notice = verified(dispatcher, handler, on=D(2026, 4, 20), decided=D(2026, 4, 30))
    assert notice is not None and notice.state == "due"
    assert notice.deadline == D(2026, 5, 11)
    assert "不予立案" in notice.decision
    assert list(selectors.notices_due(handler)) == [notice]
    assert not selectors.notices_due(outsider).exists()


def test_a_report_received_under_order_20_keeps_its_rule_for_the_notice(dispatcher, handler):
    notice = verified(dispatcher, handler, on=D(2026, 4, 14), decided=D(2026, 4, 20))
    clock = Clock.objects.get(object_id=notice.pk, name="notice")
    assert clock.rule.effective_from == D(2020, 1, 1)
    later = verified(
        dispatcher, handler, on=D(2026, 4, 15), decided=D(2026, 4, 20), facts="另一件举报。"
    )
    assert Clock.objects.get(object_id=later.pk, name="notice").rule.effective_from == D(
        2026, 4, 15
    )


def test_an_anonymous_report_has_no_notice(dispatcher, handler):
    notice = verified(
        dispatcher,
        handler,
        on=D(2026, 5, 11),
        decided=D(2026, 5, 12),
        anonymous=True,
        person_name="",
        person_phone="",
    )
    assert notice is None


def test_recording_the_notice_stops_the_clock_and_needs_its_content(
    dispatcher, handler, window_clerk, client
):
    notice = verified(dispatcher, handler, on=D(2026, 5, 11), decided=D(2026, 5, 12))
    with pytest.raises(PermissionDenied):
        services.reporter_notify(actor=window_clerk, notice=notice, channel="phone", note="已告知")
    with pytest.raises(ValidationError, match="告知方式"):
        services.reporter_notify(actor=handler, notice=notice, channel="fax", note="已告知")
    with at(D(2026, 5, 13)):
        client.force_login(handler)
        page = client.get(f"/complaints/items/{notice.item.number}/").content.decode()
        assert "notify-reporter" in page
        client.post(
            f"/complaints/items/{notice.item.number}/notice/",
            {"channel": "phone", "note": "电话告知不予立案及理由"},
        )
    notice.refresh_from_db()
    assert (notice.state, notice.notified_on, notice.channel) == (
        "notified",
        D(2026, 5, 13),
        "phone",
    )
    assert not Clock.objects.filter(object_id=notice.pk, name="notice", status="running").exists()
