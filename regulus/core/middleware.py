from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from regulus.core import replica
from regulus.core.context import (
    RequestInfo,
    client_ip,
    reset_request_id,
    reset_request_info,
    set_request_id,
    set_request_info,
)
from regulus.core.text import escape_unsafe

# An id the proxy in front gave the request (nginx's $request_id: 32 hex digits) is kept, so
# that its access log and ours name the request alike; anything else a client sent is
# replaced, so that a header can neither forge another request's id nor carry text into a log.
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{16,64}")


class RequestIdMiddleware:
    """Gives each request an id: in every log record written while it is served
    (core.logsafe) and in the `X-Request-ID` header of its answer, so that a user's report
    ("请求编号 …" on an error page or in a screenshot of the browser's tools) finds its lines.
    First in MIDDLEWARE, so that every answer carries it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if INCOMING_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class RequestContextMiddleware:
    """Makes the client's address available to the audit log for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The operation log shows them: a CR, LF or bidi override in a URL or a user agent
        # is written as its escape, never as itself.
        token = set_request_info(
            RequestInfo(
                ip=client_ip(request.META),
                user_agent=escape_unsafe(request.META.get("HTTP_USER_AGENT", "")[:200]),
                path=escape_unsafe(request.path[:200]),
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_info(token)


logger = logging.getLogger(__name__)
API_PREFIX = "/api/v1/"
# Errors Django answers by itself, before or around a view: an unknown path, a wrong method,
# a request it cannot read (handler400), a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
GENERIC_ERRORS = {
    400: ("bad_request", "请求无法处理：格式或内容有误"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "接口不存在"),
    405: ("method_not_allowed", "该接口不支持此请求方法"),
    413: ("payload_too_large", "请求体过大"),
    500: ("server_error", "服务器内部错误，请稍后重试或联系管理员"),
}


class ErrorShapeMiddleware:
    """Every error answer is Chinese and in its channel's shape, whoever made it: the API's
    {"code","message","fields"} also for what Django answers before the API sees the request
    (an unknown path, a wrong method, a body too big), and a page for an error that came
    without one (require_POST's bare 405). First in MIDDLEWARE, so that it also sees what the
    other middleware answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400:
            return response
        if request.path.startswith(API_PREFIX):
            if not response.get("Content-Type", "").startswith("application/json"):
                return _api_error(response)
        elif not response.streaming and not response.content:
            from regulus.core.views import status_page

            page = status_page(request, response.status_code)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A value the database cannot hold (too long for its column, a number out of range)
        that no check at the edge caught: the service's transaction rolled back, so nothing
        changed, and the page says so instead of a 500 (the API answers its own, regulus.api)."""
        if not isinstance(exception, DataError) or request.path.startswith(API_PREFIX):
            return None
        from regulus.core.views import status_page

        logger.warning("Page data error: %s", exception)
        return status_page(request, 422)


def _api_error(response: HttpResponse) -> HttpResponse:
    code, message = GENERIC_ERRORS.get(response.status_code, ("error", "请求无法处理"))
    shaped = JsonResponse(
        {"code": code, "message": message, "fields": {}},
        status=response.status_code,
        json_dumps_params={"ensure_ascii": False},
    )
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if response.has_header(header):
            shaped[header] = response[header]
    return shaped


class RejectNulMiddleware:
    """A NUL character in a query parameter or form field is refused before any view runs:
    PostgreSQL cannot store it and SQLite would store what no one can type (found by fuzzing
    the API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _field_with_nul(request)
        if field is None:
            return self.get_response(request)
        message = f"参数“{field}”含有不允许的控制字符（NUL）"
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {"code": "validation_error", "message": message, "fields": {field: message}},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        from regulus.core.views import status_page

        return status_page(request, 400, message)


def _field_with_nul(request: HttpRequest) -> str | None:
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    return None


class HtmxCacheMiddleware:
    """Every answer varies with HX-Request; an answer to an htmx request is never stored
    (`Cache-Control: no-store`), so neither the browser's cache nor its history can give it
    for the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if request.headers.get("HX-Request"):
            patch_cache_control(response, no_store=True)
        return response


class ReplicaReadsMiddleware:
    """Allows the replica (core.replica) for a GET or HEAD request of a client that has not
    written lately, and marks a client that writes with a short cookie (read-your-writes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica.replica_configured():
            return self.get_response(request)
        safe = request.method in replica.SAFE_METHODS
        with replica.replica_reads(allowed=safe and replica.STICKY_COOKIE not in request.COOKIES):
            response = self.get_response(request)
        if not safe:
            response.set_cookie(
                replica.STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SECURE_COOKIES,
            )
        return response
