"""Login, logout and failed logins go to the audit chain; a login keeps the previous one in
its session, for the home page.

Django reports these only through its auth signals, so this is the one place the project
listens to signals (DESIGN.md otherwise calls logic explicitly)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import signals

from regulus.core.audit import audit_record
from regulus.core.lockout import lockout_scope, lockout_text
from regulus.core.models import AuditLog
from regulus.core.selectors import last_login_record
from regulus.core.text import escape_unsafe

PREVIOUS_LOGIN_KEY = "previous_login"


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # User.last_login is this login by now (Django's own receiver ran first); the previous
    # one, with its address, is the log's latest login row before this one is written.
    previous = last_login_record(user)
    if request is not None and hasattr(request, "session"):
        request.session[PREVIOUS_LOGIN_KEY] = (
            {"at": previous["at"].isoformat(), "ip": previous["ip"] or ""}
            if previous
            else {"at": "", "ip": ""}  # the user's first login
        )
    audit_record(actor=user, action=AuditLog.Action.LOGIN, obj=user, summary="登录成功")


def previous_login(request: Any) -> dict[str, Any] | None:
    """The login before this session's: {"at": datetime or None (this is the user's first),
    "ip": str}; None for a session that began before logins kept it."""
    stored = request.session.get(PREVIOUS_LOGIN_KEY)
    if stored is None:
        return None
    at = dt.datetime.fromisoformat(stored["at"]) if stored["at"] else None
    return {"at": at, "ip": stored["ip"]}


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditLog.Action.LOGOUT, obj=user, summary="退出登录")


def _on_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # axes handles the signal first (its app is installed before core), so the request says
    # by now whether this failure locked the login, or came while it was locked. Whatever was
    # typed is on record, a control or bidi character as its escape: the operation log must
    # read as it was sent.
    username = escape_unsafe(str(credentials.get("username", ""))[:150])
    scope = lockout_scope(request)
    audit_record(
        actor=None,
        action=AuditLog.Action.LOGIN_FAILED,
        object_type="core.user",
        object_id=username,
        object_repr=username,
        summary=f"用户名“{username}”登录失败" + (f"：{lockout_text(scope)}" if scope else ""),
    )


def connect() -> None:
    signals.user_logged_in.connect(_on_login, dispatch_uid="regulus_audit_login")
    signals.user_logged_out.connect(_on_logout, dispatch_uid="regulus_audit_logout")
    signals.user_login_failed.connect(_on_failed, dispatch_uid="regulus_audit_login_failed")
