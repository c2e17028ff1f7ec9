from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from regulus.core.navigation import nav_for


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
