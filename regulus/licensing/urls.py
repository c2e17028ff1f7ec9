from django.urls import path
from django.views.generic import RedirectView

from regulus.licensing.views import applications, catalogue, documents, stats, verification

app_name = "licensing"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="licensing:application_list"), name="index"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/<str:number>/", applications.application_detail, name="application_detail"),
    path(
        "applications/<str:number>/act/<str:name>/",
        applications.application_act,
        name="application_act",
    ),
    path(
        "applications/<str:number>/correction/",
        applications.correction_create,
        name="correction_create",
    ),
    path(
        "applications/<str:number>/materials/", applications.material_upload, name="material_upload"
    ),
    path(
        "applications/<str:number>/materials/<int:pk>/remove/",
        applications.material_remove,
        name="material_remove",
    ),
    path(
        "applications/<str:number>/commitment/",
        applications.commitment_sign,
        name="commitment_sign",
    ),
    path("applications/<str:number>/check/", applications.check_schedule, name="check_schedule"),
    path(
        "applications/<str:number>/check/done/", applications.check_complete, name="check_complete"
    ),
    path(
        "applications/<str:number>/issue/", applications.certificate_issue, name="certificate_issue"
    ),
    path("applications/<str:number>/fast-track/", applications.fast_track, name="fast_track"),
    path(
        "applications/<str:number>/deliver/",
        applications.certificate_deliver,
        name="certificate_deliver",
    ),
    path(
        "applications/<str:number>/receipt/",
        documents.application_receipt,
        name="application_receipt",
    ),
    path(
        "applications/<str:number>/certificate/",
        documents.certificate_page,
        name="certificate_page",
    ),
    path(
        "applications/<str:number>/certificate.docx",
        documents.certificate_docx,
        name="certificate_docx",
    ),
    path("materials/<int:pk>/", documents.material_file, name="material_file"),
    path("verifications/", verification.verification_list, name="verification_list"),
    path("verifications/<int:pk>/", verification.verification_detail, name="verification_detail"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/<str:code>/", catalogue.matter_edit, name="matter_edit"),
    path("bundles/", catalogue.bundle_list, name="bundle_list"),
    path("bundles/new/", catalogue.bundle_create, name="bundle_create"),
    path("bundles/<slug:code>/edit/", catalogue.bundle_edit, name="bundle_edit"),
    path("stats/", stats.stats, name="stats"),
    path("stats.xlsx", stats.stats_export, name="stats_export"),
]
