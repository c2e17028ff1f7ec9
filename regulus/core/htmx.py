"""htmx requests: when a view answers with a fragment, and the caching that keeps a fragment
out of a browser's page history.

A view that answers an htmx request with a fragment (a table's rows, an import's progress)
answers the same URL with the whole page otherwise. Without a word about it, a browser caches
the fragment under the page's URL, and Back after leaving the page shows a bare, unstyled
table. So every answer says it varies with HX-Request, and a fragment is never stored
(core.middleware.HtmxCacheMiddleware).
"""

from __future__ import annotations

from django.http import HttpRequest


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
