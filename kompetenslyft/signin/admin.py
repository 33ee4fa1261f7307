from __future__ import annotations

from django import forms
from django.contrib import admin

from kompetenslyft.core.admin import AuditedModelAdmin

from .models import SignInSettings


class SignInSettingsForm(forms.ModelForm):
    class Meta:
        model = SignInSettings
        fields = (
            "organisation",
            "provider_name",
            "issuer",
            "client_id",
            "client_secret",
            "person_claim",
            "claim_name",
            "scopes",
            "groups_claim",
            "role_map",
            "second_factor_required",
        )
        widgets = {"client_secret": forms.PasswordInput(render_value=True)}


@admin.register(SignInSettings)
class SignInSettingsAdmin(AuditedModelAdmin):
    form = SignInSettingsForm
    list_display = ("organisation", "provider_name", "issuer", "second_factor_required")
    audit_type = "sign_in_settings"
    # The secret itself is never written to the audit log.
    audit_fields = (
        "provider_name",
        "issuer",
        "client_id",
        "person_claim",
        "claim_name",
        "scopes",
        "groups_claim",
        "role_map",
        "second_factor_required",
    )
