"""Superusers only: the procedure rule versions and the violation matters (their fine
ceilings) are edited here; users work in the staff UI."""

from django.contrib import admin

from regulus.enforcement.models import Matter, ProcedureRule


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "domain", "max_fine_fen", "grave", "active")
    search_fields = ("code", "name")


@admin.register(ProcedureRule)
class ProcedureRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "simple_individual_max_fen", "simple_org_max_fen")
