"""The API at /api/v1/: one NinjaAPI, one router per app, one error shape for every error.

Each installed app declares its router (core.plugins); they are added in INSTALLED_APPS
order, which keeps the order of the OpenAPI document stable.

Errors are `{"code": "...", "message": "...", "fields": {...}}` (DESIGN.md), whatever raised
them: validation, authentication, permission, not found, or a bug.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from regulus.core.api_auth import BearerTokenAuth, StaffSessionAuth, bearer_challenge
from regulus.core.api_errors import StrictJSONParser, http_error_message, validation_message
from regulus.core.errors import field_messages
from regulus.core.plugins import api_routers
from regulus.core.throttle import Throttled

logger = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: readable in logs and by integrators."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="Regulus 市场监管一体化平台 API",
    version="1.0.0",
    description=(
        "工作人员会话或接口令牌（请求头 `Authorization: Bearer 令牌`）认证；数据范围与界面一致。"
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), StaffSessionAuth()],
    parser=StrictJSONParser(),
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


def _loc_to_field(loc: list[Any]) -> str:
    # ninja reports ("body", "payload", "uscc"); the client knows only "uscc". Only the
    # location and the parameter's own name go: a field may well be called "path".
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form", "cookie", "file"):
        parts = parts[1:]
    if parts and parts[0] in ("payload", "data", "filters"):
        parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        fields.setdefault(_loc_to_field(list(err.get("loc", []))), validation_message(err))
    summary = "；".join(f"{k}：{v}" for k, v in fields.items())
    return error_response(request, 422, "validation_error", f"请求数据有误：{summary}", fields)


@api.exception_handler(ValidationError)
def on_django_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = field_messages(exc)
    summary = "；".join(fields.values())
    return error_response(request, 422, "validation_error", summary, fields)


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the database cannot hold (a NUL in a JSON string, a number out of range) that
    # validation let through: the transaction rolled back, so nothing changed.
    logger.warning("API data error: %s", exc)
    return error_response(
        request, 422, "validation_error", "请求数据含有数据库无法保存的字符或超出范围的数值"
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request, 401, "unauthenticated", "未登录、登录已过期，或令牌无效、已吊销"
    )
    response["WWW-Authenticate"] = bearer_challenge(request)
    return response


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "无权执行此操作")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "不存在或无权查看")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
        413: "payload_too_large",
        422: "validation_error",
        429: "too_many_requests",
    }
    message = http_error_message(exc.status_code, str(exc.message), exc.__cause__)
    return error_response(request, exc.status_code, codes.get(exc.status_code, "error"), message)


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    message = f"请求体过大：不能超过{megabytes} MB"
    return error_response(request, 413, "payload_too_large", message)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # Raised before the handler changed anything: the refused request changed nothing.
    response = error_response(request, 429, "too_many_requests", f"{exc.message}（{exc.rule}）", {})
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error", exc_info=exc)
    return error_response(request, 500, "server_error", "服务器内部错误，请稍后重试或联系管理员")


for router in api_routers():
    api.add_router("/", router)
