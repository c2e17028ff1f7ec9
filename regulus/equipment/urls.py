from django.urls import path

from regulus.equipment import views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="equipment_list"),
    path("new/", views.equipment_create, name="equipment_create"),
    path("import/", views.equipment_import, name="equipment_import"),
    path("import/template/", views.import_template, name="import_template"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("items/<int:pk>/", views.equipment_detail, name="equipment_detail"),
    path("items/<int:pk>/<str:action>/", views.equipment_act, name="equipment_act"),
    path("checks/", views.check_list, name="check_list"),
    path("checks/new/", views.check_create, name="check_create"),
    path("checks/<str:number>/", views.check_detail, name="check_detail"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/<str:action>/", views.hazard_act, name="hazard_act"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/<str:action>/", views.order_act, name="order_act"),
    path("key-units/", views.key_unit_list, name="key_unit_list"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
    path("rules/", views.rules, name="rules"),
]
