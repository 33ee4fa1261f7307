from __future__ import annotations

from django.contrib import admin

from .models import Initiative, JobAid, Module, Session, SupportContact


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organisation", "status", "starts_on", "ends_on")
    list_filter = ("organisation", "status")
    search_fields = ("name", "code")
    filter_horizontal = ("units", "roles", "modules")
    raw_id_fields = ("owners", "steering_group")


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "organisation", "category", "level", "format", "hours")
    list_filter = ("organisation", "level", "format")
    search_fields = ("code", "name")
    filter_horizontal = ("competences", "mandatory_roles", "prerequisites", "job_aids")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("module", "organisation", "starts_at", "place", "capacity", "cancelled")
    list_filter = ("organisation", "cancelled")
    raw_id_fields = ("module", "initiative", "trainers")
    filter_horizontal = ("open_to",)


@admin.register(JobAid)
class JobAidAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "owner", "version", "plain_language", "updated_at")
    list_filter = ("organisation", "plain_language")
    search_fields = ("title", "owner")
    exclude = ("attachment",)
    filter_horizontal = ("competences",)


@admin.register(SupportContact)
class SupportContactAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "initiative")
    raw_id_fields = ("person", "unit", "initiative")
