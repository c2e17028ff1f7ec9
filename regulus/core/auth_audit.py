"""Login, logout and failed logins go to the audit chain.

Django reports these only through its auth signals, so this is the one place the project
listens to signals (DESIGN.md otherwise calls logic explicitly)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import signals

from regulus.core.audit import audit_record
from regulus.core.models import AuditLog
from regulus.core.text import escape_unsafe


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditLog.Action.LOGIN, obj=user, summary="登录成功")


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditLog.Action.LOGOUT, obj=user, summary="退出登录")


def _on_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # Whatever was typed is on record, a control or bidi character as its escape: the
    # operation log must read as it was sent.
    username = escape_unsafe(str(credentials.get("username", ""))[:150])
    audit_record(
        actor=None,
        action=AuditLog.Action.LOGIN_FAILED,
        object_type="core.user",
        object_id=username,
        object_repr=username,
        summary=f"用户名“{username}”登录失败",
    )


def connect() -> None:
    signals.user_logged_in.connect(_on_login, dispatch_uid="regulus_audit_login")
    signals.user_logged_out.connect(_on_logout, dispatch_uid="regulus_audit_logout")
    signals.user_login_failed.connect(_on_failed, dispatch_uid="regulus_audit_login_failed")
