"""One pagination convention for the API, and one for pages.

API lists take `limit` and `offset` and answer `{"count": N, "items": [...]}` (extra keys
allowed beside them). `page`/`per_page` are accepted as an alias (the registry's first
convention): page p of n rows is offset (p-1)·n, limit n. `api_window(...)` validates them
(integers within bounds; both conventions at once are refused) and raises
`ValidationError({field: 中文})`, which the API answers 422 naming the field: nothing is
clamped in silence. `api_page(rows, window, out)` slices and counts.

Pages use `core.views.paginate(request, queryset, per_page)`, which reads the number with
`page_number(request, last=...)`: a page number that is no number, below 1 or past the last
page is said so on the page (and the nearest page shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from regulus.core.text import shown

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Beyond any list this system holds (a million-row registry included): bigger offsets would
# only overflow the database's integer.
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int

    @property
    def page(self) -> int:
        """The page number (1-based) this window is, at `limit` rows a page."""
        return self.offset // self.limit + 1


def _whole(value: Any, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: f"{label}应为{low}到{high}之间的整数"}) from None
    if not low <= value <= high:
        raise ValidationError({field: f"{label}应为{low}到{high}之间的整数（收到{value}）"})
    return value


def api_window(
    *,
    limit: Any = None,
    offset: Any = None,
    page: Any = None,
    per_page: Any = None,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int = MAX_LIMIT,
    max_offset: int = MAX_OFFSET,
) -> Window:
    """The rows asked for, validated. None means "not given"."""
    if (page is not None or per_page is not None) and (limit is not None or offset is not None):
        raise ValidationError(
            {"page": "分页参数请用limit/offset或page/per_page其中一种，不能同时使用"}
        )
    if page is not None or per_page is not None:
        size = (
            default_limit
            if per_page is None
            else _whole(per_page, "per_page", "每页条数（per_page）", 1, max_limit)
        )
        last = max_offset // size + 1
        number = 1 if page is None else _whole(page, "page", "页码（page）", 1, last)
        return Window(size, (number - 1) * size)
    size = default_limit if limit is None else _whole(limit, "limit", "条数（limit）", 1, max_limit)
    start = 0 if offset is None else _whole(offset, "offset", "起始位置（offset）", 0, max_offset)
    return Window(size, start)


def api_page(
    rows: Any, window: Window, out: Callable[[Any], Any] = lambda row: row, **extra: Any
) -> dict[str, Any]:
    """{"count", "items"} of the window's rows (`rows`: a queryset or anything with count()
    and slicing), each through `out`; `extra` keys beside them."""
    items = [out(row) for row in rows[window.offset : window.offset + window.limit]]
    count = len(rows) if isinstance(rows, (list, tuple)) else rows.count()
    return {"count": count, "items": items, **extra}


MAX_PAGE = 10_000


def page_number(request: HttpRequest, *, last: int | None = None, key: str = "page") -> int:
    """The page number a list page is asked for (1 when not given). One that is no whole
    number, below 1 or past the last page (`last`, when known; else MAX_PAGE) is said so on
    the page, naming the rule, and the nearest page is shown: never a silent clamp."""
    raw = request.GET.get(key, "")
    if not raw.strip():
        return 1
    top = max(1, last if last is not None else MAX_PAGE)
    try:
        number = int(raw.strip())
    except ValueError:
        messages.error(request, f"页码“{shown(raw[:20])}”应为1到{top}之间的整数，已显示第1页")
        return 1
    if number < 1:
        messages.error(request, f"页码{number}应为1到{top}之间的整数，已显示第1页")
        return 1
    if number > top:
        messages.error(request, f"页码{number}超出范围（共{top}页），已显示第{top}页")
        return top
    return number
