from django.contrib.auth import views as auth_views
from django.urls import path

from regulus.core import clock_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<str:date>/delete/", views.calendar_delete, name="calendar_delete"),
    path("tokens/", views.token_list, name="token_list"),
    path(
        "clocks/<str:object_type>/<int:object_id>/",
        clock_views.object_clocks,
        name="object_clocks",
    ),
]
