from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from regulus.core.tokens import token_authenticate

REALM = "regulus"


def bearer_challenge(request: HttpRequest) -> str:
    """The WWW-Authenticate header of the API's 401 (RFC 6750 section 3; RFC 9110 requires
    one on every 401): the API takes bearer tokens, and a token sent and refused (unknown,
    revoked, or its user inactive) is named invalid_token."""
    sent = request.headers.get("Authorization", "").lower().startswith("bearer ")
    return f'Bearer realm="{REALM}"' + (', error="invalid_token"' if sent else "")


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: acts as the token's staff member, with their scope."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The staff UI's session; mutating calls need the CSRF token like any form."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "_cached_user", None) or request.user
        if user.is_authenticated and user.is_active:
            return user
        return None
