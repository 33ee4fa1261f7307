"""How the people of an organisation sign in: its OpenID Connect provider (ADR 0015) and
whether password log-in of leads needs a second factor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonClaim(models.TextChoices):
    EMAIL = "email", _("e-mail")
    EMPLOYEE_ID = "employee_id", _("employee id")


class SignInSettings(models.Model):
    """One row per organisation that has a provider or asks a second factor. An organisation
    without a row (and without ``KOMPETENSLYFT_OIDC_<CODE>_*`` in the environment) signs in
    with passwords only."""

    organisation = models.OneToOneField(
        "org.Organisation", on_delete=models.CASCADE, related_name="sign_in", verbose_name=_("organisation")
    )
    provider_name = models.CharField(
        _("provider name"),
        max_length=100,
        blank=True,
        help_text=_('Shown on the log-in page: "Sign in with …".'),
    )
    issuer = models.URLField(
        _("issuer"),
        blank=True,
        help_text=_(
            "The provider's issuer URL; its /.well-known/openid-configuration is read. Empty: no provider."
        ),
    )
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    person_claim = models.CharField(
        _("the person is found by"), max_length=16, choices=PersonClaim.choices, default=PersonClaim.EMAIL
    )
    claim_name = models.CharField(
        _("claim name"),
        max_length=100,
        default="email",
        help_text=_("The claim that holds the e-mail or employee id, e.g. email, upn or employee_id."),
    )
    scopes = models.CharField(_("scopes"), max_length=300, default="openid email profile")
    groups_claim = models.CharField(
        _("groups claim"),
        max_length=100,
        blank=True,
        help_text=_("Empty: roles are not taken from the provider."),
    )
    role_map = models.JSONField(
        _("groups to roles"),
        default=dict,
        blank=True,
        help_text=_('A group value to a product role, e.g. {"kl-leads": "lead", "kl-trainers": "trainer"}.'),
    )
    second_factor_required = models.BooleanField(
        _("second factor for leads"),
        default=False,
        help_text=_("Password log-in of a competence lead asks a code from an authenticator app."),
    )

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")

    def __str__(self) -> str:
        return str(self.organisation_id)
