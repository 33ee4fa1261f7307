"""Follow-up talks at work (Kirkpatrick level 3): 30 and 90 days after a person completes a
module, its manager at that time holds a short talk and records it here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KINDS = (30, 90)
"""Days after the completion a follow-up talk is due."""


class Applying(models.TextChoices):
    YES = "yes", _("yes")
    PARTLY = "partly", _("partly")
    NOT_YET = "not_yet", _("not yet")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


APPLYING_COUNTED = (Applying.YES, Applying.PARTLY)
"""Answers that count as applying it (the application rate's numerator)."""


class Hindrance(models.TextChoices):
    TIME = "time", _("time")
    TOOLS = "tools", _("tools or systems")
    ROUTINES = "routines", _("routines")
    COLLEAGUES = "colleagues", _("support from colleagues")
    OTHER = "other", _("other")


class FollowUp(models.Model):
    """One follow-up talk due ``kind`` days after ``completed_on``. The manager, unit, role and
    gender are those of the day it fell due: the talk belongs to the manager of that time, and
    the figures count it where the person then worked."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="follow_ups")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()
    kind = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    manager = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups_to_hold"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gender = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The talk as recorded (``held_on`` set = recorded).
    held_on = models.DateField(_("date held"), null=True, blank=True)
    applying = models.CharField(
        _("is the person applying it?"), max_length=16, choices=Applying.choices, blank=True
    )
    hindrances = models.JSONField(_("what hinders"), default=list, blank=True)
    hindrance_other = models.TextField(_("what else hinders"), blank=True)
    support_needed = models.TextField(_("support needed"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module", "completed_on", "kind"], name="followup_unique_talk"
            )
        ]
        indexes = [
            models.Index(fields=["manager", "held_on", "due_on"], name="followup_manager_idx"),
            models.Index(fields=["organisation", "held_on"], name="followup_org_held_idx"),
            # The dashboard's figures are made anew when this changes (a talk recorded or changed).
            models.Index(fields=["organisation", "updated_at"], name="followup_org_updated_idx"),
            models.Index(fields=["unit", "held_on"], name="followup_unit_idx"),
            models.Index(fields=["person", "due_on"], name="followup_person_idx"),
            # The lead's free texts: only the talks with a text (most have none; the dashboard
            # read every talk of the published months to find them).
            models.Index(
                fields=["organisation", "held_on"],
                name="followup_org_texts_idx",
                condition=~models.Q(hindrance_other="", support_needed=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.module_id} +{self.kind}d"

    @property
    def recorded(self) -> bool:
        return self.held_on is not None


class RateMonth(models.Model):
    """One organisation's application rate of the talks held in one closed calendar month,
    published once by the daily run and never changed (ADR 0019)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    threshold = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="followup_rate_month_unique")
        ]


class RateAtom(models.Model):
    """The counted talks of one module held in the month, of people in one unit, gender and role
    as the talk recorded them: the people (each once, at its first talk of the module that
    month), talks, those applying it, and the block of the month's release per module."""

    run = models.ForeignKey(RateMonth, on_delete=models.CASCADE, related_name="atoms")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    unit_ref = models.PositiveIntegerField()
    path = models.CharField(max_length=1000)  # the unit's path at publication
    gender = models.CharField(max_length=8)
    role_ref = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField()
    talks = models.PositiveIntegerField()
    applying = models.PositiveIntegerField()
    block = models.IntegerField()
