"""Brinkerhoff's success cases: the stories the lead (or the initiative's project leader)
writes down after interviewing people where the effect was largest or smallest — anonymised,
attached to the initiative, picked up by its final (funder) report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Story(models.Model):
    class Kind(models.TextChoices):
        SUCCESS = "success", _("success")
        NON_SUCCESS = "non_success", _("non-success")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        "learning.Initiative", on_delete=models.CASCADE, related_name="success_stories"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    what_was_done = models.TextField(_("what was done"))
    result = models.TextField(_("the result"))
    helped = models.TextField(_("what helped"), blank=True)
    hindered = models.TextField(_("what hindered"), blank=True)
    contact_list = models.ForeignKey(
        "ContactList", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    group = models.CharField(
        _("the group the interviews came from"), max_length=300, blank=True, help_text="Kept as drawn."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title", "id"]
        indexes = [models.Index(fields=["initiative", "kind"], name="story_initiative_kind_idx")]

    def __str__(self) -> str:
        return self.title


class ContactList(models.Model):
    """People the lead may ask for an interview about one candidate group (a unit and those
    below it, a role, or a module of the initiative): the unit's manager and a random sample of
    at least k of everyone in the group who took part, drawn without looking at any result, so
    the list tells nothing of who did well or badly. Drawn by the lead only (audited)."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("unit")
        ROLE = "role", _("role")
        MODULE = "module", _("module")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey("learning.Initiative", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    key = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    took_part = models.PositiveIntegerField(help_text="Everyone in the group who took part.")
    participant_ids = models.JSONField(default=list, help_text="The sample drawn, in random order.")
    manager_ids = models.JSONField(default=list)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.label


class MovementMonth(models.Model):
    """One initiative's gap movement of the participations measured in one closed calendar
    month, published once by the daily run and never changed (ADR 0019). ``signature`` names
    what the movement is of (the initiative's modules and period, the baseline and follow-up
    points): a change of those starts a new series, and pages read the current one only."""

    initiative = models.ForeignKey("learning.Initiative", on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    month = models.DateField()  # its first day
    threshold = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "signature", "month"], name="successcases_movement_month_unique"
            )
        ]


class MovementAtom(models.Model):
    """The participations of one module measured in the month, in one unit and role (of the
    person's first counted attendance of the module in the period): their count, summed mean
    movement and the block of the month's release of the module."""

    run = models.ForeignKey(MovementMonth, on_delete=models.CASCADE, related_name="atoms")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    unit_ref = models.PositiveIntegerField()
    path = models.CharField(max_length=1000)
    role_ref = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField()
    total = models.FloatField()
    block = models.IntegerField()
