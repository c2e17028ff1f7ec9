"""Login lockout (django-axes): per username and client address, with a higher ceiling per
username, as login-protection libraries do.

Locking the username alone let anyone lock anyone out by typing wrong passwords under their
name; locking the address alone would shut out a district office behind one NAT address
because one clerk mistyped. So failures are counted per (username, address): after
settings.AXES_FAILURE_LIMIT of them that username is locked at that address, everyone else
and that user elsewhere unaffected. A guess spread over many addresses is held by the
username's failures from all addresses together: at settings.LOGIN_ACCOUNT_FAILURE_LIMIT the
username is locked everywhere. Both last settings.AXES_COOLOFF_TIME after the last failure,
and a successful login clears the failures of its username at its address.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# request.<this>: which lock refused the request ("address" or "account"), for its page
# and its audit row.
SCOPE_ATTRIBUTE = "regulus_lockout_scope"


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, its lockout parameters being [("username", "ip_address")],
    with the per-username ceiling added. axes compares one number, get_failures(), with
    AXES_FAILURE_LIMIT; a username at its ceiling reports that limit."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        at_address = super().get_failures(request, credentials)
        if at_address >= settings.AXES_FAILURE_LIMIT:
            setattr(request, SCOPE_ATTRIBUTE, "address")
            return at_address
        if self.username_failures(request, credentials) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            setattr(request, SCOPE_ATTRIBUTE, "account")
            return settings.AXES_FAILURE_LIMIT
        return at_address

    def username_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The username's failures from every address within the cool-off time."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        recent = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        )
        return int(recent.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def cooloff_minutes() -> int:
    return round(settings.AXES_COOLOFF_TIME * 60)


def lockout_scope(request: Any) -> str:
    """The lock ("address" or "account") of a request axes locked out; "" for any other."""
    if not getattr(request, "axes_locked_out", False):
        return ""
    return str(getattr(request, SCOPE_ATTRIBUTE, "address"))


def lockout_text(scope: str) -> str:
    """What the person locked out is told, and the audit row says, in Chinese."""
    minutes = cooloff_minutes()
    if scope == "account":
        return (
            f"该账号在各处登录失败共{settings.LOGIN_ACCOUNT_FAILURE_LIMIT}次，已锁定{minutes}分钟，"
            "期间任何地址均不能登录"
        )
    return (
        f"该账号从本机所在网络地址登录失败{settings.AXES_FAILURE_LIMIT}次，"
        f"已暂停从此地址登录{minutes}分钟；其他地址不受影响"
    )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The lockout page (settings.AXES_LOCKOUT_CALLABLE): which lock, for how long."""
    context = {"text": lockout_text(lockout_scope(request) or "address")}
    return render(request, "core/lockout.html", context, status=429)
