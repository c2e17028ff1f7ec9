from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from regulus.core.navigation import nav_for
from regulus.core.plugins import public_nav_entries


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = nav_for(user, request.path)
    sections: dict[str, list[dict[str, object]]] = {}
    for entry in entries:
        sections.setdefault(entry["item"].section, []).append(entry)  # type: ignore[attr-defined]
    roles = [r.name for r in user.roles.all()]
    return {
        "nav_sections": sections,
        "user_roles": roles or (["超级管理员"] if user.is_superuser else []),
    }


def public(request: HttpRequest) -> dict[str, Any]:
    """The public portal's menu (core.plugins.PublicNavEntry), on the pages under it."""
    if "/portal/" not in request.path:
        return {}
    return {
        "public_nav": [
            {
                "label": e.label,
                "url": reverse(e.url_name),
                "active": request.path == reverse(e.url_name),
            }
            for e in public_nav_entries()
        ]
    }
