"""Reads of sign-in: whether a password log-in needs a second factor, and the account's devices."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from kompetenslyft.core.models import Grant, ProductRole

from .models import SignInSettings


def second_factor_needed(user: Any) -> bool:
    """A lead of an organisation that requires it, or an operator (staff or superuser) where
    ``KOMPETENSLYFT_OPERATOR_SECOND_FACTOR`` is set, gives a TOTP code after the password."""
    if (user.is_superuser or user.is_staff) and settings.KOMPETENSLYFT_OPERATOR_SECOND_FACTOR:
        return True
    lead_orgs = Grant.objects.filter(user=user, role=ProductRole.LEAD).values("organisation_id")
    return SignInSettings.objects.filter(organisation_id__in=lead_orgs, second_factor_required=True).exists()


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
