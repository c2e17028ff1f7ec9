"""Kernel pages refuse bad input with a message and change nothing (found by the hostile walk:
each of these was a 500 or stored what it was given)."""

from __future__ import annotations

import pytest

from regulus.core import calendar
from regulus.core.models import ApiToken, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2026(db):
    if not CalendarYear.objects.filter(year=2026).exists():
        calendar.load_year_from_package(2026)


def test_deleting_a_holiday_goes_back_to_its_year(client, city_admin, year_2026):
    """It was always a 500: the day's key is its date, gone once deleted."""
    client.force_login(city_admin)
    response = client.post("/calendar/2026-10-01/delete/")
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2026"
    assert not CalendarDay.objects.filter(date="2026-10-01").exists()


@pytest.mark.parametrize("year", ["-1", "0", "99999999999999999999", "1948", "2101", "x"])
def test_a_calendar_year_outside_1949_to_2100_is_refused_with_a_message(client, handler, year):
    client.force_login(handler)
    page = client.get("/calendar/", {"year": year})
    assert page.status_code == 200
    assert "年份应为1949至2100之间的整数" in page.content.decode()


def test_a_deadline_from_year_9999_on_the_calendar_page_is_refused(client, handler):
    client.force_login(handler)
    page = client.get("/calendar/", {"start": "9999-12-31", "n": "5"})
    # Refused by the years the holiday table can answer for (core.calendar.answerable_dates).
    assert page.status_code == 200 and "起算日应在" in page.content.decode()


def test_a_token_purpose_with_a_bidi_override_is_refused_and_no_token_issued(client, handler):
    client.force_login(handler)
    page = client.post("/tokens/", {"issue": "1", "name": "对接\u202e平台"}, follow=True)
    assert "用途含有不允许的文字方向控制字符" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_holiday_name_with_a_zero_width_space_is_refused(client, city_admin):
    client.force_login(city_admin)
    page = client.post(
        "/calendar/", {"date": "2027-10-01", "kind": "holiday", "name": "国\u200b庆"}, follow=True
    )
    assert "节日含有不允许的不可见字符（U+200B）" in page.content.decode()
    assert not CalendarDay.objects.filter(date="2027-10-01").exists()


def test_a_300_character_username_is_a_failed_login_not_a_500(client, handler):
    """On PostgreSQL the lockout's table refused a username over 255 characters: Django's login
    forms authenticate before they check the length (AXES_USERNAME_CALLABLE cuts it)."""
    for url in ("/login/", "/django-admin/login/"):
        page = client.post(url, {"username": "长" * 300, "password": "x"})
        assert page.status_code == 200
    from regulus.core.models import AuditLog

    assert AuditLog.objects.filter(action=AuditLog.Action.LOGIN_FAILED).exists()


def test_a_value_the_database_cannot_hold_is_a_page_that_says_nothing_was_saved(rf, handler):
    """The backstop behind the checks at the edge: a DataError from a page (a text longer
    than its column on PostgreSQL) answers 422, never a 500."""
    from django.db import DataError

    from regulus.core.middleware import ErrorShapeMiddleware

    request = rf.post("/licensing/catalogue/X/")
    request.user = handler
    page = ErrorShapeMiddleware(lambda r: None).process_exception(request, DataError("too long"))  # type: ignore[arg-type,return-value]
    assert page is not None and page.status_code == 422
    assert "没有保存任何内容" in page.content.decode()
    api = rf.post("/api/v1/entities")
    assert ErrorShapeMiddleware(lambda r: None).process_exception(api, DataError("x")) is None  # type: ignore[arg-type,return-value]
