"""Django admin for superusers; staff use the catalogue pages of the staff UI."""

from django.contrib import admin

from regulus.licensing import models


class MatterRuleInline(admin.TabularInline):
    model = models.MatterRule
    extra = 0


class MatterMaterialInline(admin.TabularInline):
    model = models.MatterMaterial
    extra = 0


@admin.register(models.Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "treatment",
        "commitment_allowed",
        "onsite_check_required",
        "validity_years",
        "is_active",
    ]
    inlines = [MatterRuleInline, MatterMaterialInline]


@admin.register(models.MaterialType)
class MaterialTypeAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "form"]


class BundleMatterInline(admin.TabularInline):
    model = models.BundleMatter
    extra = 0


@admin.register(models.Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "industry_code", "is_active", "sort_order"]
    inlines = [BundleMatterInline]


@admin.register(models.Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["number", "applicant_name", "bundle", "state", "deadline", "unit"]
    list_filter = ["state", "path", "channel"]
    search_fields = ["number", "applicant_name", "uscc"]
    raw_id_fields = ["entity", "created_by", "handler"]


@admin.register(models.Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["number", "holder_name", "issued_on", "valid_until", "status"]
    search_fields = ["number", "holder_name"]
    raw_id_fields = ["entity", "application"]


admin.site.register(models.VerificationTask)
