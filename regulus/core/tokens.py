"""API tokens for integrations: shown once when issued, stored only as an SM3 hash."""

from __future__ import annotations

import secrets

from django.db import transaction

from regulus.core import clock
from regulus.core.audit import audit_record
from regulus.core.crypto import sm3_hex
from regulus.core.models import ApiToken, AuditLog, User

TOKEN_PREFIX = "rg_"


def token_issue(*, user: User, actor: User | None = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a new token for `user`; returns the row and the plain token (shown only now)."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=plain[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
            token_hash=sm3_hex(plain.encode()),
        )  # fmt: skip
        audit_record(
            actor=actor or user, action=AuditLog.Action.TOKEN, obj=token,
            summary=f"为{user.display_name}签发接口令牌 {token.prefix}…",
        )  # fmt: skip
    return token, plain


def token_revoke(*, token: ApiToken, actor: User) -> None:
    with transaction.atomic():
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action=AuditLog.Action.TOKEN, obj=token,
            summary=f"吊销接口令牌 {token.prefix}…",
        )  # fmt: skip


def token_authenticate(plain: str) -> User | None:
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(token_hash=sm3_hex(plain.encode()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    # Touch last_used_at at most once a minute, so a busy integration does not write per call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
