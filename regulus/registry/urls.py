from django.urls import path

from regulus.registry import views

app_name = "registry"

urlpatterns = [
    path("entities/", views.entity_list, name="entity_list"),
    path("entities/export.xlsx", views.entity_export, name="entity_export"),
    path("entities/new/", views.entity_create, name="entity_create"),
    path("entities/<str:uscc>/", views.entity_detail, name="entity_detail"),
    path("entities/<str:uscc>/edit/", views.entity_edit, name="entity_edit"),
    path("entities/<str:uscc>/status/", views.entity_status, name="entity_status"),
    path("portal-codes/", views.portal_code, name="portal_code"),
    path("import/", views.import_start, name="import_start"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
