from django.urls import path

from regulus.credit import public_views

app_name = "credit_public"

urlpatterns = [
    path("", public_views.annual_report_file, name="annual_report_file"),
]
urlpatterns += [path("repair/", public_views.repair_apply, name="repair_apply")]
