from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from kompetenslyft.core.admin import AuditedModelAdmin
from kompetenslyft.core.audit import AuditEvent, audit_record

from .models import Organisation, Person, Placement, Role, Unit


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "anonymity_threshold")
    search_fields = ("name", "code")
    # The anonymity threshold decides which aggregates top management and evaluators see.
    audit_type = "organisation"
    audit_fields = ("code", "name", "anonymity_threshold")

    def audit_organisation(self, obj: Any, *, deleting: bool = False) -> Any:
        # The log of a deleted organisation goes with it; its own deletion is kept.
        return None if deleting else obj


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
    list_display = ("name", "unit_id", "organisation", "manager")
    list_filter = ("organisation",)
    search_fields = ("name", "unit_id")
    raw_id_fields = ("parent", "manager")
    readonly_fields = ("path", "depth")
    # A unit's manager sees the people of the unit and every unit below it.
    audit_type = "unit"
    audit_fields = ("organisation", "unit_id", "name", "parent", "manager", "manager_employee_id")

    def audit_target(self, obj: Any) -> tuple[str, str]:
        return obj.unit_id, obj.name


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name",)


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0
    raw_id_fields = ("unit", "role")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("family_name", "given_name", "employee_id", "organisation", "unit", "role", "is_active")
    list_filter = ("organisation", "is_active", "gender")
    search_fields = ("family_name", "given_name", "employee_id", "email")
    raw_id_fields = ("unit", "role", "user")
    list_select_related = ("organisation", "unit", "role")
    inlines = [PlacementInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # people who leave are deactivated, never deleted

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        before = model_to_dict(Person.objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        after = model_to_dict(obj)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        audit_record(
            actor=request.user,
            organisation=obj.organisation,
            event=AuditEvent(
                "person.changed" if change else "person.created",
                "person",
                obj.employee_id,
                obj.full_name,
                changes,
            ),
        )
