from django.urls import path
from django.views.generic import RedirectView

from regulus.credit import views

app_name = "credit"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="credit:record_list"), name="index"),
    path("records/", views.record_list, name="record_list"),
    path("handovers/<int:pk>/take/", views.handover_take, name="handover_take"),
]
