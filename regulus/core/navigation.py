"""The module navigation of the staff shell: the menu entries every installed app declares
(core.plugins), those the user's roles may see."""

from __future__ import annotations

from django.urls import reverse

from regulus.core.plugins import nav_entries


def nav_for(user: object, current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in nav_entries():
        if item.roles and not user.has_role(*item.roles):  # type: ignore[attr-defined]
            continue
        url = reverse(item.url_name)
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"item": item, "url": url, "active": active})
    return items
