"""core.pagination: one convention for API lists (limit/offset answering {"count","items"},
page/per_page as an alias; a bad value is refused with 422 naming the field, never clamped)
and one for pages (core.views.paginate: a bad page number is said so)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from regulus.core.pagination import MAX_OFFSET, Window, api_page, api_window
from regulus.core.views import paginate


def test_limit_and_offset_with_defaults():
    assert api_window() == Window(50, 0)
    assert api_window(limit=10, offset=30) == Window(10, 30)
    assert api_window(limit="10", offset="30", default_limit=20) == Window(10, 30)


def test_page_and_per_page_are_an_alias():
    assert api_window(page=3, per_page=20) == Window(20, 40)
    assert api_window(page=2, default_limit=20) == Window(20, 20)
    assert Window(20, 40).page == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": MAX_OFFSET + 1}, "offset"),
        ({"offset": 10**20}, "offset"),
        ({"page": 0}, "page"),
        ({"page": -5}, "page"),
        ({"per_page": 1000}, "per_page"),
        ({"page": 1, "limit": 5}, "page"),
    ],
)
def test_bad_values_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        api_window(**kwargs)
    assert list(caught.value.message_dict) == [field]
    message = caught.value.message_dict[field][0]
    assert "应为" in message or "不能同时" in message


def test_api_page_counts_and_slices():
    rows = list(range(7))
    assert api_page(rows, Window(3, 3), lambda n: n * 10) == {"count": 7, "items": [30, 40, 50]}


def _request(query):
    request = RequestFactory().get("/", query)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    ("page", "shown", "said"),
    [
        ("2", 2, ""),
        ("", 1, ""),
        ("abc", 1, "应为1到4之间的整数"),
        ("0", 1, "应为1到4之间的整数"),
        ("99", 4, "超出范围（共4页），已显示第4页"),
    ],
)
def test_a_page_number_out_of_range_is_said_so(page, shown, said):
    request = _request({"page": page, "q": "x"})
    context = paginate(request, list(range(10)), per_page=3)
    assert context["page_obj"].number == shown
    assert context["query_without_page"] == "q=x&"
    said_now = [str(m) for m in get_messages(request)]
    assert (said in said_now[0]) if said else not said_now


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/licensing/applications?limit=0", "limit"),
        ("/api/v1/licensing/applications?offset=-1", "offset"),
        ("/api/v1/entities?per_page=100000", "per_page"),
        ("/api/v1/entities?page=0", "page"),
        ("/api/v1/entities?limit=5&page=2", "page"),
        ("/api/v1/staff?limit=1000", "limit"),
    ],
)
def test_api_lists_refuse_bad_paging_with_422(client, handler, url, field):
    client.force_login(handler)
    response = client.get(url)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and field in body["fields"]


def test_api_lists_answer_count_and_items_by_limit_and_offset(client, handler):
    client.force_login(handler)
    for url in ("/api/v1/licensing/applications", "/api/v1/entities", "/api/v1/staff"):
        body = client.get(url, {"limit": 1, "offset": 0}).json()
        assert {"count", "items"} <= set(body) and len(body["items"]) <= 1
    body = client.get("/api/v1/entities", {"page": 1, "per_page": 1}).json()
    assert body["limit"] == 1 and body["offset"] == 0 and body["per_page"] == 1
