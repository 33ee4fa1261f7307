"""The Django admin is the operator's tool: only installation superusers may enter it, so that
no organisation's people leak to another organisation's staff through it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .audit import AuditEvent, audit_record
from .models import AuditEntry, Grant


def _superusers_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Kompetenslyft"


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: Grant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            organisation=obj.organisation,
            event=AuditEvent(
                "grant.changed" if change else "grant.added",
                "user",
                str(obj.user_id),
                str(obj.user),
                {"role": obj.role},
            ),
        )

    def delete_model(self, request: HttpRequest, obj: Grant) -> None:
        audit_record(
            actor=request.user,
            organisation=obj.organisation,
            event=AuditEvent("grant.removed", "user", str(obj.user_id), str(obj.user), {"role": obj.role}),
        )
        super().delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "organisation", "action", "target_label")
    list_filter = ("action", "organisation")
    search_fields = ("actor_label", "target_label", "target_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser")


class AuditedUserAdmin(UserAdmin):
    """Changes to an account's rights (active, staff, superuser, groups) are audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = (
            get_user_model().objects.filter(pk=obj.pk).values(*RIGHTS_FIELDS).first() if change else None
        ) or {}
        super().save_model(request, obj, form, change)
        changes = {
            f: [before.get(f), getattr(obj, f)] for f in RIGHTS_FIELDS if before.get(f) != getattr(obj, f)
        }
        if changes or not change:
            audit_record(
                actor=request.user,
                organisation=None,
                event=AuditEvent(
                    "account.changed" if change else "account.created",
                    "user",
                    str(obj.pk),
                    obj.get_username(),
                    changes,
                ),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            organisation=None,
            event=AuditEvent("account.deleted", "user", str(obj.pk), obj.get_username()),
        )
        super().delete_model(request, obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
