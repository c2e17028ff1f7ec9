"""Who is acting and from where, for the audit log, without passing the request everywhere.

A context variable is per request (and per task), so it holds no state between requests.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings


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


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address_of(meta: dict[str, Any]) -> IPAddress | None:
    """The client's IP, as the operation log records it and the portal's limits count it:
    REMOTE_ADDR, or behind settings.TRUSTED_PROXY_COUNT proxies the entry of X-Forwarded-For
    that the outermost trusted proxy appended (the N-th from the right). Entries further left,
    and any other header (X-Real-IP), were or could have been written by the client, and are
    never believed."""
    remote = meta.get("REMOTE_ADDR", "") or ""
    address = remote
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        # Fewer entries than proxies: the request did not pass all of them; trust only the peer.
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    for candidate in (address, remote):
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        return ip
    return None


def client_ip(meta: dict[str, Any]) -> str | None:
    """client_address_of as text (the operation log's column)."""
    ip = client_address_of(meta)
    return None if ip is None else str(ip)


def request_client_ip(request: Any) -> str | None:
    """client_ip of a request: the lockout's records (AXES_CLIENT_IP_CALLABLE) name the same
    client as the operation log and the portal's limits."""
    return client_ip(request.META)


# The longest username an account can have (User.username).
USERNAME_MAX_LENGTH = 150


def login_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """The username a login attempt gave, as the lockout records it (AXES_USERNAME_CALLABLE):
    cut to the longest an account can have, so that a 300-character guess is counted, not
    refused by the lockout's table (a 500 on PostgreSQL; Django's login forms do not check
    the length before they authenticate)."""
    given = credentials.get("username") if credentials else request.POST.get("username")
    return str(given or "")[:USERNAME_MAX_LENGTH]


# The id of the request being served (core.middleware.RequestIdMiddleware), in every log
# record it causes (core.logsafe.RequestIdFilter) and in its X-Request-ID answer header; "-"
# outside a request (a command, a task).
_request_id: ContextVar[str] = ContextVar("regulus_request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> object:
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]
