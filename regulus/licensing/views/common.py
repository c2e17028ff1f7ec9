"""What every licensing page uses: the staff user of the request, and a refused service's
messages shown as flash messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from regulus.core.models import User
from regulus.licensing.forms import error_dict


def staff_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in error_dict(exc).values():
        messages.error(request, message)
