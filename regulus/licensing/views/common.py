"""What every licensing page uses: the staff user of the request."""

from __future__ import annotations

from django.http import HttpRequest

from regulus.core.models import User


def staff_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
