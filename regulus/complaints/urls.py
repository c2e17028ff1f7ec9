from django.urls import path
from django.views.generic import RedirectView

from regulus.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="complaints:item_list"), name="index"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<str:number>/", views.item_detail, name="item_detail"),
    path("items/<str:number>/act/<str:action>/", views.item_act, name="item_act"),
    path("items/<str:number>/notice/", views.reporter_notify, name="reporter_notify"),
    path("notices/", views.reporter_notices, name="reporter_notices"),
    path("dispatch/", views.dispatch_queue, name="dispatch_queue"),
    path("rules/", views.rules, name="rules"),
    path("routing/", views.routing, name="routing"),
    path("routing/<int:pk>/delete/", views.routing_delete, name="routing_delete"),
    path("odr/", views.odr_members, name="odr_members"),
    path("odr/<int:pk>/withdraw/", views.odr_member_withdraw, name="odr_member_withdraw"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
]
