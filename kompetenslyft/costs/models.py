"""The costs of an initiative (what it cost, and what it saved in travel): entries by kind and
the initiative's settings for the participants' working time and the travel remote formats
save. Amounts are in the organisation's currency (``Organisation.currency``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CostSettings(models.Model):
    """Per initiative: what an hour of a participant's working time costs, and what one onsite
    attendance would have cost in travel (money and minutes)."""

    initiative = models.OneToOneField(
        "learning.Initiative", on_delete=models.CASCADE, related_name="cost_settings"
    )
    hourly_cost = models.DecimalField(
        _("participants' hourly cost"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    travel_cost = models.DecimalField(
        _("travel cost per onsite attendance"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    travel_minutes = models.PositiveIntegerField(
        _("travel minutes per onsite attendance"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)


class RoleHourlyCost(models.Model):
    """Per initiative and role: what an hour of working time of a participant in that role
    costs. A role without one counts at the initiative's participants' hourly cost (the
    default of :class:`CostSettings`)."""

    initiative = models.ForeignKey(
        "learning.Initiative", on_delete=models.CASCADE, related_name="role_hourly_costs"
    )
    role = models.ForeignKey("org.Role", on_delete=models.CASCADE, related_name="+")
    hourly_cost = models.DecimalField(_("hourly cost"), max_digits=10, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "role"], name="costs_role_hourly_unique")
        ]


class CostEntry(models.Model):
    class Kind(models.TextChoices):
        TRAINER = "trainer", _("trainers' hours")
        PRODUCTION = "production", _("production")
        LICENCE = "licence", _("licences")
        TRAVEL = "travel", _("travel")
        OTHER = "other", _("other")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        "learning.Initiative", on_delete=models.CASCADE, related_name="cost_entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    module = models.ForeignKey(
        "learning.Module", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        "learning.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Trainers' hours: hours × rate (hours empty: the sessions' own hours); other kinds: amount.
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(_("hourly rate"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["initiative", "kind"], name="costentry_init_kind_idx")]
