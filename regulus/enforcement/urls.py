from django.urls import path
from django.views.generic import RedirectView

from regulus.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="enforcement:case_list"), name="index"),
    path("clues/", views.clue_list, name="clue_list"),
    path("clues/new/", views.clue_create, name="clue_create"),
    path("clues/inbox/<int:pk>/take/", views.inbox_take, name="inbox_take"),
    path("clues/<str:number>/", views.clue_detail, name="clue_detail"),
    path("clues/<str:number>/act/<str:action>/", views.clue_act, name="clue_act"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/simple/", views.simple_create, name="simple_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/<str:action>/", views.case_act, name="case_act"),
    path("cases/<int:pk>/publish/", views.publication_review, name="publication_review"),
    path("documents/<int:pk>/", views.document_file, name="document_file"),
    path("publications/", views.publication_queue, name="publication_queue"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
]
