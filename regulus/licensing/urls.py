from django.urls import path
from django.views.generic import RedirectView

from regulus.licensing import views

app_name = "licensing"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="licensing:application_list"), name="index"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<str:number>/", views.application_detail, name="application_detail"),
    path(
        "applications/<str:number>/act/<str:name>/", views.application_act, name="application_act"
    ),
    path(
        "applications/<str:number>/correction/", views.correction_create, name="correction_create"
    ),
    path("applications/<str:number>/materials/", views.material_upload, name="material_upload"),
    path("applications/<str:number>/commitment/", views.commitment_sign, name="commitment_sign"),
    path("applications/<str:number>/check/", views.check_schedule, name="check_schedule"),
    path("applications/<str:number>/check/done/", views.check_complete, name="check_complete"),
    path("applications/<str:number>/issue/", views.certificate_issue, name="certificate_issue"),
    path("applications/<str:number>/fast-track/", views.fast_track, name="fast_track"),
    path(
        "applications/<str:number>/deliver/", views.certificate_deliver, name="certificate_deliver"
    ),
    path(
        "applications/<str:number>/receipt/", views.application_receipt, name="application_receipt"
    ),
    path("applications/<str:number>/certificate/", views.certificate_page, name="certificate_page"),
    path(
        "applications/<str:number>/certificate.docx",
        views.certificate_docx,
        name="certificate_docx",
    ),
    path("materials/<int:pk>/", views.material_file, name="material_file"),
    path("verifications/", views.verification_list, name="verification_list"),
    path("verifications/<int:pk>/", views.verification_detail, name="verification_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", views.matter_edit, name="matter_edit"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/new/", views.bundle_create, name="bundle_create"),
    path("bundles/<slug:code>/edit/", views.bundle_edit, name="bundle_edit"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_export, name="stats_export"),
]
