"""The application's URL conf plus the load benches' references: an empty answer (every
middleware, no database), one row read by primary key (the ORM, one query), and one 12315
item row inserted with raw SQL (bench/intake_load_bench.py's reference for intake). Mounted
only by bench/load_settings.py: production never serves them."""

import functools
import json

from complaints_bench import raw_insert_item
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from regulus.core.models import OrgUnit
from regulus.urls import handler400, handler403, handler404, handler500  # noqa: F401
from regulus.urls import urlpatterns as application


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def one_row(request: HttpRequest) -> HttpResponse:
    unit = OrgUnit.objects.filter(pk=1).values("id", "name").first()
    return JsonResponse(unit or {}, json_dumps_params={"ensure_ascii": False})


@functools.cache
def _insert_target() -> tuple[int, int]:
    """The rule version and unit the inserted rows name (looked up once per worker, as the
    in-process bench looks them up once)."""
    from regulus.complaints.models import RuleVersion

    version = RuleVersion.objects.get(code="order121")
    unit = OrgUnit.objects.get(kind=OrgUnit.Kind.DISTRICT_BUREAU, division_code="430102")
    return version.pk, unit.pk


@csrf_exempt
@require_POST
def insert_row(request: HttpRequest) -> HttpResponse:
    """The body's JSON `key` (fresh per request) names the row; nothing else is checked."""
    key = str(json.loads(request.body)["idempotency_key"])
    version_id, unit_id = _insert_target()
    raw_insert_item(
        number=f"LD{key[:18]}",
        respondent_name="基准经营者",
        facts=f"第{key}件基准投诉",
        version_id=version_id,
        unit_id=unit_id,
    )
    return JsonResponse({"number": f"LD{key[:18]}"}, status=201)


urlpatterns = [
    path("bench/bare", bare),
    path("bench/one-row", one_row),
    path("bench/insert-row", insert_row),
    *application,
]
