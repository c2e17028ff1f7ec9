"""API tokens for integrations: shown once when issued, stored only as an SM3 hash."""

from __future__ import annotations

import functools
import json
import secrets
from typing import Any

from django.db import connection

from regulus.core import clock, permissions
from regulus.core.audit import AuditTrail, audited, unaudited
from regulus.core.crypto import sm3_hex
from regulus.core.models import ApiToken, AuditLog, User
from regulus.core.rawrows import RawColumns
from regulus.core.scope import set_role_grants

TOKEN_PREFIX = "rg_"


def token_issue(*, user: User, actor: Any = None, name: str = "") -> tuple[ApiToken, str]:
    """Issue a new token for `user` (by default to themselves; the operator's command line
    names itself as the actor); returns the row and the plain token (shown only now)."""
    actor = user if actor is None else actor
    permissions.require(actor, "core.token_issue")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with audited(actor=actor) as audit:
        token = ApiToken.objects.create(
            user=user, name=name, prefix=plain[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
            token_hash=sm3_hex(plain.encode()),
        )  # fmt: skip
        audit.record(
            action=AuditLog.Action.TOKEN, obj=token,
            summary=f"为{user.display_name}签发接口令牌 {token.prefix}…",
        )  # fmt: skip
    return token, plain


def token_revoke(*, token: ApiToken, actor: User) -> None:
    """Revoke a token: one's own (core.token_issue), or anyone's (core.token_manage, the
    security administrator)."""
    own = token.user_id == getattr(actor, "pk", None)
    permissions.require(actor, "core.token_issue" if own else "core.token_manage")
    with audited(actor=actor) as audit:
        _revoke(token, audit)


def tokens_revoke_all(*, user: User, actor: Any, reason: str) -> int:
    """Revoke every token of `user` still in force; the number revoked. Whatever deactivates
    an account calls it, inside its own audited write (core.services.staff_update, the admin),
    which was authorised for the deactivation: a token refused only while its user is
    inactive would work again the day the account is reactivated."""
    with audited(actor=actor) as audit:
        live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at=None))
        for token in live:
            _revoke(token, audit, reason)
    return len(live)


def _revoke(token: ApiToken, audit: AuditTrail, reason: str = "") -> None:
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        action=AuditLog.Action.TOKEN,
        obj=token,
        summary=f"吊销{token.user.display_name}的接口令牌 {token.prefix}…"
        + (f"（{reason}）" if reason else ""),
    )


# The user's role grants, fetched in the token's own query (scope.role_grants would ask them
# next in every request: one round trip fewer). Rows [code, data scope, custom unit or null].
_GRANTS_SQL = {
    "postgresql": (
        "(SELECT COALESCE(json_agg(json_build_array(r.code, r.data_scope, cu.orgunit_id)), "
        "'[]')::text FROM core_user_roles ur JOIN core_role r ON r.id = ur.role_id "
        "LEFT JOIN core_role_custom_units cu ON cu.role_id = r.id "
        "WHERE ur.user_id = t.user_id)"
    ),
    "sqlite": (
        "(SELECT json_group_array(json_array(r.code, r.data_scope, cu.orgunit_id)) "
        "FROM core_user_roles ur JOIN core_role r ON r.id = ur.role_id "
        "LEFT JOIN core_role_custom_units cu ON cu.role_id = r.id "
        "WHERE ur.user_id = t.user_id)"
    ),
}


@functools.cache
def _token_sql(vendor: str) -> tuple[RawColumns, RawColumns, str]:
    """The token, its user and the user's role grants in one statement, written once per
    process (core.rawrows: the ORM would spend ~1 ms of Python on every API call compiling
    it)."""
    fields = ApiToken._meta
    token = RawColumns(ApiToken, [fields.get_field("id"), fields.get_field("last_used_at")])
    user = RawColumns(User, User._meta.concrete_fields, start=3)
    sql = (
        f"SELECT {token.select('t')}, {_GRANTS_SQL[vendor]}, {user.select('u')} "
        "FROM core_apitoken t JOIN core_user u ON u.id = t.user_id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL"
    )
    return token, user, sql


def token_authenticate(plain: str) -> User | None:
    """The active user of a valid, unrevoked token, with the role grants that the data scope
    needs already on it: one query."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    token_columns, user_columns, sql = _token_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sm3_hex(plain.encode())])
        row = cursor.fetchone()
    if row is None:
        return None
    user: User = user_columns.instance(row)
    if not user.is_active:
        return None
    grants = json.loads(row[2] or "[]")
    set_role_grants(user, [(code, scope, unit) for code, scope, unit in grants])
    now = clock.now()
    # Touch last_used_at at most once a minute, so a busy integration does not write per call.
    token: ApiToken = token_columns.instance(row)
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with unaudited("令牌的最近使用时间：调用的记录，不是对令牌的操作"):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
