from django.urls import path

from regulus.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/<slug:code>/", views.bundle_apply, name="bundle_apply"),
    path("progress/", views.progress_lookup, name="progress_lookup"),
    path("applications/<str:number>/", views.application_progress, name="application_progress"),
    path(
        "applications/<str:number>/receipt/", views.application_receipt, name="application_receipt"
    ),
    path("applications/<str:number>/upload/", views.application_upload, name="application_upload"),
    path(
        "applications/<str:number>/materials/<int:pk>/",
        views.application_material,
        name="application_material",
    ),
    path(
        "applications/<str:number>/materials/<int:pk>/remove/",
        views.application_material_remove,
        name="application_material_remove",
    ),
    path(
        "applications/<str:number>/resubmit/",
        views.application_resubmit,
        name="application_resubmit",
    ),
    path("applications/<str:number>/commitment/", views.commitment_sign, name="commitment_sign"),
    path("entities/", views.entity_search, name="entity_search"),
    path("entities/<str:uscc>/", views.entity_public, name="entity_public"),
    path("certificates/", views.certificate_search, name="certificate_search"),
    path("certificates/<str:number>/", views.certificate_verify, name="certificate_verify"),
]
