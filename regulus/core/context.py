"""Who is acting and from where, for the audit log, without passing the request everywhere.

A context variable is per request (and per task), so it holds no state between requests.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    path: str = ""


_current: ContextVar[RequestInfo] = ContextVar("regulus_request", default=RequestInfo())  # noqa: B039


def current_request_info() -> RequestInfo:
    return _current.get()


def set_request_info(info: RequestInfo) -> object:
    return _current.set(info)


def reset_request_info(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def client_ip(meta: dict) -> str | None:
    # REMOTE_ADDR is the proxy when behind nginx; nginx is configured to set X-Real-IP.
    ip = meta.get("HTTP_X_REAL_IP") or meta.get("REMOTE_ADDR")
    return ip or None
