"""htmx requests: when a view answers with a fragment, and the caching that keeps a fragment
out of a browser's page history.

A view that answers an htmx request with a fragment (a table's rows, an import's progress)
answers the same URL with the whole page otherwise. Without a word about it, a browser caches
the fragment under the page's URL, and Back after leaving the page shows a bare, unstyled
table. So every answer says it varies with HX-Request, and a fragment is never stored.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """Whether to answer with a fragment: an htmx request, but not a boosted link or form
    (hx-boost swaps the whole body) nor the restore of a page htmx no longer holds in its
    history cache (it expects the whole page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


class HtmxCacheMiddleware:
    """Every answer varies with HX-Request; an answer to an htmx request is never stored
    (`Cache-Control: no-store`), so neither the browser's cache nor its history can give it
    for the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        if request.headers.get("HX-Request"):
            patch_cache_control(response, no_store=True)
        return response
