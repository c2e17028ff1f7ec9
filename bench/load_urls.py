"""The application's URL conf plus the load bench's two references: an empty answer (every
middleware, no database) and one row read by primary key (the ORM, one query)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from regulus.core.models import OrgUnit
from regulus.urls import handler400, handler403, handler404, handler500  # noqa: F401
from regulus.urls import urlpatterns as application


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def one_row(request: HttpRequest) -> HttpResponse:
    unit = OrgUnit.objects.filter(pk=1).values("id", "name").first()
    return JsonResponse(unit or {}, json_dumps_params={"ensure_ascii": False})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/one-row", one_row),
    *application,
]
