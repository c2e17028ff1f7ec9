from django.urls import path
from django.views.generic import RedirectView

from regulus.credit import views

app_name = "credit"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="credit:record_list"), name="index"),
    path("records/", views.record_list, name="record_list"),
    path("handovers/<int:pk>/take/", views.handover_take, name="handover_take"),
    path("annual-reports/", views.report_rate, name="report_rate"),
    path("annual-reports/to-file/", views.report_to_file, name="report_to_file"),
    path("annual-reports/to-file.xlsx", views.report_to_file_xlsx, name="report_to_file_xlsx"),
    path("annual-reports/paper/", views.report_paper, name="report_paper"),
    # The issuing page moved to the registry (the code serves more than credit).
    path(
        "filing-codes/",
        RedirectView.as_view(pattern_name="registry:portal_code", permanent=True),
        name="filing_code",
    ),
    path("risk/", views.risk_changes, name="risk_changes"),
    path("risk/<str:uscc>/", views.risk_explain, name="risk_explain"),
    path("abnormal/", views.listing_list, name="listing_list"),
    path("abnormal/new/", views.listing_create, name="listing_create"),
    path("abnormal/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("abnormal/<int:pk>/<str:action>/", views.listing_act, name="listing_act"),
    path("serious/", views.serious_list, name="serious_list"),
    path("serious/new/", views.serious_create, name="serious_create"),
    path("serious/from-abnormal/", views.serious_from_abnormal, name="serious_from_abnormal"),
    path("serious/<int:pk>/", views.serious_detail, name="serious_detail"),
    path("serious/<int:pk>/<str:action>/", views.serious_act, name="serious_act"),
    path("repair/", views.repair_list, name="repair_list"),
    path("repair/new/", views.repair_create, name="repair_create"),
    path("repair/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repair/<int:pk>/<str:action>/", views.repair_act, name="repair_act"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/make/", views.document_make, name="document_make"),
    path("documents/<int:pk>.docx", views.document_download, name="document_download"),
]
