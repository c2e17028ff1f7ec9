"""Every word an API client can see is Chinese, and every refusal has the one error shape:
pydantic's error types, ninja's own refusals, CSRF, bodies too big or not JSON (issue 18,
defects 2 and 9)."""

from __future__ import annotations

import json
import typing

import pytest
from django.test import Client
from pydantic_core.core_schema import ErrorType

from regulus.core.api_errors import TYPE_MESSAGES, is_chinese, validation_message

pytestmark = pytest.mark.django_db


def _refusal(response, status):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert is_chinese(body["message"]) and all(is_chinese(m) for m in body["fields"].values())
    return body


def test_every_pydantic_error_type_has_a_chinese_message():
    missing = [t for t in typing.get_args(ErrorType) if t not in TYPE_MESSAGES]
    assert missing == []
    assert all(is_chinese(m) for m in TYPE_MESSAGES.values())


def test_error_limits_are_worded_in_chinese():
    error = {"type": "string_too_short", "msg": "String should have at least 2 characters",
             "ctx": {"min_length": 2}}  # fmt: skip
    assert validation_message(error) == "至少2个字符"
    error = {"type": "literal_error", "msg": "Input should be 'a' or 'b'",
             "ctx": {"expected": "'a' or 'b'"}}  # fmt: skip
    assert validation_message(error) == "不是允许的取值（应为'a'、'b'）"
    # An English message of a type nobody listed is never shown.
    assert validation_message({"type": "value_error", "msg": "Value error, bad"}) == "取值无效"
    assert validation_message({"type": "value_error", "msg": "Value error, 日期无效"}) == "日期无效"


def _post(client, path, raw, **headers):  # type: ignore[no-untyped-def]
    return client.post(path, raw, content_type="application/json", headers=headers)


def test_a_list_field_given_text_says_so_in_chinese(client, handler):
    """ "Input should be a valid list" was shown as it was."""
    client.force_login(handler)
    client.handler.enforce_csrf_checks = False
    body = {"bundle": "open-supermarket", "contact_name": "张三", "contact_phone": "13812345678",
            "paper_materials": "营业执照"}  # fmt: skip
    refused = _refusal(_post(client, "/api/v1/licensing/applications", json.dumps(body)), 422)
    assert refused["fields"] == {"paper_materials": "应为数组"}


@pytest.mark.parametrize(
    ("raw", "status", "words"),
    [
        (b"{bad", 400, "不是合法的JSON"),  # was "Cannot parse request body"
        (b"\xff\xfe{}", 400, "不是合法的JSON"),
        (b'{"uscc": "\\ud800"}', 400, "孤立的代理码位"),  # a lone surrogate
        (b'{"registered_capital": NaN}', 400, "NaN"),
        (b"[1]", 422, "应为JSON对象"),
    ],
)
def test_a_body_that_is_no_json_object_is_refused_in_chinese(handler, raw, status, words):
    client = Client()
    client.force_login(handler)
    refused = _refusal(_post(client, "/api/v1/entities", raw), status)
    assert words in refused["message"] or words in str(refused["fields"])


def test_a_body_of_ten_megabytes_answers_413_in_the_error_shape(handler):
    client = Client()
    client.force_login(handler)
    raw = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    refused = _refusal(_post(client, "/api/v1/entities", raw), 413)
    assert refused["code"] == "payload_too_large" and "5 MB" in refused["message"]


def test_a_form_of_ten_megabytes_answers_413_with_a_chinese_page(handler):
    client = Client()
    client.force_login(handler)
    raw = b"name=" + b"x" * (10 * 1024 * 1024)
    page = client.post(
        "/registry/entities/new/", raw, content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 413 and "提交的内容过大" in page.content.decode()


def test_a_session_call_without_csrf_token_is_refused_in_chinese(handler):
    """ "CSRF check Failed" was shown as it was."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler)
    refused = _refusal(_post(client, "/api/v1/entities", b"{}"), 403)
    assert "CSRF" in refused["message"] and "X-CSRFToken" in refused["message"]


def test_a_page_form_without_csrf_token_gets_a_chinese_page(handler):
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler)
    page = client.post("/tokens/", {"issue": "1", "name": "x"})
    assert page.status_code == 403
    assert (
        "请刷新页面后重新提交" in page.content.decode() and "Forbidden" not in page.content.decode()
    )


def test_a_wrong_method_answers_in_chinese_on_pages_and_the_api(client, auditor, handler):
    client.force_login(auditor)  # who may verify the chain (a POST) is told GET is wrong
    page = client.get("/audit/verify/")
    assert page.status_code == 405 and "操作方式不正确" in page.content.decode()
    assert page["Allow"] == "POST"
    client.force_login(handler)
    _refusal(client.delete("/api/v1/entities"), 405)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"role": "boss"}, "role"), ({"unit": 99999}, "unit"), ({"unit": -1}, "unit"),
     ({"unit": 2**63}, "unit"), ({"q": "张\u202e"}, "q")],
)  # fmt: skip
def test_the_staff_api_names_a_bad_role_unit_or_query(client, handler, query, field):
    client.force_login(handler)
    refused = _refusal(client.get("/api/v1/staff", query), 422)
    assert set(refused["fields"]) == {field}
