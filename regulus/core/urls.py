from django.contrib.auth import views as auth_views
from django.urls import path

from regulus.core import clock_views, ops, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("ops/metrics", ops.metrics, name="metrics"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/roles/", views.staff_roles, name="staff_roles"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("security/", views.security, name="security"),
    path("security/tokens/", views.token_admin, name="token_admin"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<str:date>/delete/", views.calendar_delete, name="calendar_delete"),
    path("clock-rules/", clock_views.clock_rules, name="clock_rules"),
    path("tokens/", views.token_list, name="token_list"),
    path(
        "clocks/<str:object_type>/<int:object_id>/",
        clock_views.object_clocks,
        name="object_clocks",
    ),
]
