"""Django admin, for superusers only; staff work in the staff UI."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from regulus.core.models import (
    AuditLog,
    CalendarDay,
    CalendarYear,
    ClockRule,
    OrgUnit,
    Role,
    User,
)
from regulus.core.tokens import tokens_revoke_all


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "division_code", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "division_code")


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "data_scope", "description")
    filter_horizontal = ("custom_units",)


@admin.register(User)
class StaffAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("单位与角色", {"fields": ("full_name", "unit", "roles", "phone", "law_enforcement_cert")}),
    )
    list_display = ("username", "full_name", "unit", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "roles")
    search_fields = ("username", "full_name")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # A deactivation here revokes the user's API tokens, as the staff page's does
        # (core.services.staff_update): they must not work again after a reactivation.
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            tokens_revoke_all(user=obj, actor=request.user, reason="账号停用（超级管理员后台）")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Read-only: the days are edited on the staff page 工作日历 (core.services), whose every
    change recomputes the running clocks it moves; an edit here would not."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ClockRule)
class ClockRuleAdmin(admin.ModelAdmin):
    """The clocks' dated rule versions. Add a version from a date instead of changing one: a
    clock keeps the version in force on the day it started."""

    list_display = ("code", "name", "effective_from", "days", "unit", "max_extension_days")
    list_filter = ("code",)


admin.site.register(CalendarYear)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit chain is never edited, not even by a superuser."""

    list_display = ("id", "at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.site_header = "Regulus 超级管理员后台"
