"""The module navigation of the staff shell: the menu entries every installed app declares
(core.plugins), those the user may open: the permission the page behind an entry declares
(core.permissions.page), or the one the entry names itself."""

from __future__ import annotations

import functools

from django.urls import resolve, reverse

from regulus.core.permissions import allows
from regulus.core.plugins import nav_entries


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in nav_entries():
        url = reverse(item.url_name)
        code = item.permission or page_permission(url)
        if code and not allows(user, code):
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"item": item, "url": url, "active": active})
    return items


@functools.cache
def page_permission(url: str) -> str | None:
    """The permission the page at this address declares (None: every staff member)."""
    return getattr(resolve(url).func, "permission", None)
