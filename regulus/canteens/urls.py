from django.urls import path

from regulus.canteens import views

app_name = "canteens"

urlpatterns = [
    path("", views.canteen_list, name="canteen_list"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export/", views.coverage_export, name="coverage_export"),
    path("<int:pk>/", views.canteen_detail, name="canteen_detail"),
    path("<int:pk>/<str:action>/", views.canteen_act, name="canteen_act"),
]
