"""GET /api/v1/calendar/deadline: a period's end with its trace, working or calendar days, with
pauses; a date the holiday table cannot answer for is a 422 naming the field and the rule
(year 9999 answered 500, year 1 answered as if its holidays were known), a date past the last
loaded year is provisional (暂定).

The test database holds 2020–2026 (migration core 0002): dates from 2020-01-01 to 2027-12-31
are answerable, 2027 provisionally."""

from __future__ import annotations

import pytest

from regulus.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/deadline"


@pytest.fixture
def api(client, handler):
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()
    client.force_login(handler)

    def get(query: str):
        response = client.get(f"{URL}?{query}")
        return response.status_code, response.json()

    return get


def test_working_days_across_national_day_with_the_trace(api):
    status, body = api("start=2026-09-29&days=5")
    assert status == 200
    assert (body["deadline"], body["provisional"], body["unit"]) == ("2026-10-12", False, "working")
    assert body["working_days"] == 5 and body["label"] == "2026-10-12"
    assert (
        "跨越法定节假日（不计入）：10-01（国庆节）、10-02（国庆节）、10-05（国庆节）、10-06（国庆节）、10-07（国庆节）。"
        in body["trace"]
    )
    assert "调休上班日（计入工作日）：10-10（国庆节）。" in body["trace"]


def test_calendar_days_with_a_pause(api):
    status, body = api("start=2026-09-29&days=5&unit=calendar&paused=2026-09-30/2026-10-09")
    assert status == 200
    assert body["deadline"] == "2026-10-14" and body["working_days"] is None
    assert body["paused"] == [{"start": "2026-09-30", "end": "2026-10-09"}]
    assert "中止期间 10 天不计入" in body["trace"][3]


def test_a_date_past_the_last_loaded_year_is_provisional(api):
    status, body = api("start=2026-12-29&working_days=5")
    assert status == 200
    assert (body["deadline"], body["provisional"], body["label"]) == (
        "2027-01-05",
        True,
        "2027-01-05（暂定）",
    )
    assert body["trace"][-1].startswith("暂定：2027年的节假日安排尚未载入")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=9999-12-31&working_days=5", "start", "起算日应在 2020-01-01 至 2027-12-31 之间"),
        ("start=0001-01-01&working_days=5", "start", "起算日应在 2020-01-01 至 2027-12-31 之间"),
        ("start=2019-12-31&working_days=5", "start", "已载入节假日安排的年份及其后一年"),
        ("start=2028-01-01&days=1", "start", "起算日应在"),
        ("start=2026-03-02&working_days=401", "days", "期限天数应在0至400之间"),
        ("start=2026-03-02&working_days=-1", "days", "期限天数应在0至400之间"),
        (f"start=2026-03-02&days={10**30}", "days", "期限天数应在0至400之间"),
        ("start=2026-03-02", "days", "必填项缺失"),
        ("start=2026-03-02&days=3&working_days=4", "days", "只需给一个"),
        ("start=2026-03-02&days=3&unit=hours", "unit", "working（工作日）或 calendar（自然日）"),
        ("start=2026-03-02&days=3&paused=2026-03-04", "paused", "YYYY-MM-DD/YYYY-MM-DD"),
        ("start=2026-03-02&days=3&paused=2026-03-05/2026-03-04", "paused", "结束日早于开始日"),
        ("start=2026-03-02&days=3&paused=2026-03-05/9999-12-31", "paused", "中止期间应在"),
        ("start=2026-13-40&days=3", "start", "应为日期"),
        ("start=2026-03-02&days=3" + "&paused=2026-03-04/2026-03-04" * 21, "paused", "最多20段"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_the_rule(api, query, field, message):
    status, body = api(query)
    assert status == 422, body
    assert set(body) == {"code", "message", "fields"} and body["code"] == "validation_error"
    assert message in body["fields"][field]
