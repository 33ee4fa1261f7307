"""The Django admin is the operator's tool: only installation superusers may enter it, so that
no organisation's people leak to another organisation's staff through it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from .audit import AuditEvent, audit_record
from .models import AuditEntry, Grant


def _superusers_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
admin.site.site_header = "Kompetenslyft"


class AuditedModelAdmin(admin.ModelAdmin):
    """A model admin whose additions, changes and deletions (one by one or with "delete
    selected") are written to the audit log with the old and new values of ``audit_fields``."""

    audit_type = ""
    audit_fields: tuple[str, ...] = ()
    audit_verbs = ("created", "changed", "deleted")

    def audit_organisation(self, obj: Any, *, deleting: bool = False) -> Any:
        return getattr(obj, "organisation", None)

    def audit_target(self, obj: Any) -> tuple[str, str]:
        return str(obj.pk), str(obj)

    def audit_snapshot(self, obj: Any) -> dict[str, Any]:
        return {name: audit_value(obj, name) for name in self.audit_fields}

    def audit(self, request: HttpRequest, obj: Any, verb: str, changes: dict[str, Any]) -> None:
        target_id, label = self.audit_target(obj)
        audit_record(
            actor=request.user,
            organisation=self.audit_organisation(obj, deleting=verb == self.audit_verbs[2]),
            event=AuditEvent(f"{self.audit_type}.{verb}", self.audit_type, target_id, label, changes),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: dict[str, Any] = dict.fromkeys(self.audit_fields)
        if change and obj.pk:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = self.audit_snapshot(stored)
        super().save_model(request, obj, form, change)
        after = self.audit_snapshot(obj)
        changes = {
            name: [before[name], after[name]] for name in self.audit_fields if before[name] != after[name]
        }
        if change and not changes:
            return
        self.audit(request, obj, self.audit_verbs[1] if change else self.audit_verbs[0], changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self.audit(request, obj, self.audit_verbs[2], self._removed(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The "delete selected" action: one entry per deleted object."""
        with transaction.atomic():
            for obj in queryset:
                self.audit(request, obj, self.audit_verbs[2], self._removed(obj))
            super().delete_queryset(request, queryset)

    def _removed(self, obj: Any) -> dict[str, Any]:
        return {name: [value, None] for name, value in self.audit_snapshot(obj).items() if value is not None}


def audit_value(obj: Model, name: str) -> Any:
    """A field's value as the audit log shows it: related objects by name and key."""
    field = obj._meta.get_field(name)
    if not field.is_relation:
        return getattr(obj, name)
    related = getattr(obj, name)
    if related is None:
        return None
    if hasattr(related, "get_username"):
        return related.get_username()
    key = (
        getattr(related, "employee_id", None)
        or getattr(related, "unit_id", None)
        or getattr(related, "code", None)
    )
    return f"{related} ({key or related.pk})"


@admin.register(Grant)
class GrantAdmin(AuditedModelAdmin):
    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
    audit_type = "grant"
    audit_fields = ("user", "organisation", "role")
    audit_verbs = ("added", "changed", "removed")

    def audit(self, request: HttpRequest, obj: Any, verb: str, changes: dict[str, Any]) -> None:
        # Grants are logged against the account that holds them (as grant_add/grant_remove do).
        audit_record(
            actor=request.user,
            organisation=obj.organisation,
            event=AuditEvent(f"grant.{verb}", "user", str(obj.user_id), str(obj.user), changes),
        )


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
        with transaction.atomic():
            self._audit_deleted(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_deleted(request, obj)
            super().delete_queryset(request, queryset)

    def _audit_deleted(self, request: HttpRequest, obj: Any) -> None:
        rights = {f: [getattr(obj, f), None] for f in RIGHTS_FIELDS if getattr(obj, f)}
        grants = [f"{g.organisation.code}:{g.role}" for g in obj.grants.select_related("organisation")]
        audit_record(
            actor=request.user,
            organisation=None,
            event=AuditEvent(
                "account.deleted",
                "user",
                str(obj.pk),
                obj.get_username(),
                {**rights, **({"grants": [grants, None]} if grants else {})},
            ),
        )


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
