from django.contrib import admin
from django.urls import include, path

from regulus.api import api

urlpatterns = [
    path("", include("regulus.core.urls")),
    path("registry/", include("regulus.registry.urls")),
    path("licensing/", include("regulus.licensing.urls")),
    path("portal/", include("regulus.portal.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "regulus.core.views.bad_request"
handler404 = "regulus.core.views.not_found"
handler403 = "regulus.core.views.forbidden"
handler500 = "regulus.core.views.server_error"
