"""The URL conf: every installed app's pages at the prefix it declares (core.plugins), the
API, and Django's admin for superusers."""

from django.contrib import admin
from django.urls import include, path

from regulus.api import api
from regulus.core.plugins import page_mounts

urlpatterns = [
    *(path(pages.prefix, include(pages.urls)) for pages in page_mounts()),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "regulus.core.views.bad_request"
handler404 = "regulus.core.views.not_found"
handler403 = "regulus.core.views.forbidden"
handler500 = "regulus.core.views.server_error"
