"""阳光食堂 on the portal, for parents: find a school's canteen, see its standardisation,
明厨亮灶, how often a school leader ate with the pupils in the last 30 days and the latest
daily self-checks. No person is named. An unknown code gets a clear page (404)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regulus.canteens import selectors
from regulus.core.text import text_problem, trim
from regulus.registry.rules import DISTRICTS


def canteen_search(request: HttpRequest) -> HttpResponse:
    q = trim(request.GET.get("q", ""))[:40]
    district = request.GET.get("district", "")
    error = ""
    if q and text_problem(q):
        error, q = f"学校名称{text_problem(q)}", ""
    if district not in DISTRICTS:
        district = ""
    rows = selectors.public_list(district=district, q=q)[:50] if (q or district) else []
    context = {
        "q": q,
        "district": district,
        "districts": sorted(DISTRICTS.items()),
        "rows": rows,
        "error": error,
    }
    return render(request, "canteens/public_search.html", context)


def canteen(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.public_canteen(code[:20])
    if found is None:
        return render(request, "canteens/public_unknown.html", {"code": code[:20]}, status=404)
    return render(request, "canteens/public_canteen.html", found)
