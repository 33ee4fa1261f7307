"""Self-assessment campaigns (measurement points), answers, and the gap summary."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LATEST = -1  # the measurement-point key of "each person's latest answer"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        GENERATING = "generating", _("being prepared")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=200)
    measurement_point = models.PositiveSmallIntegerField(
        _("measurement point"), help_text=_("0 is the baseline; 1, 2 … are the follow-ups.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name=_("units (and those below)"))
    roles = models.ManyToManyField(
        "org.Role", blank=True, related_name="+", verbose_name=_("roles (none chosen: every role)")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A person in a campaign's target group (generated when the campaign opens)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="campaign_participations")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    questions = models.PositiveSmallIntegerField(default=0)
    answered = models.PositiveSmallIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="participant_unique")]
        indexes = [models.Index(fields=["campaign", "unit"], name="participant_campaign_unit_idx")]


class Answer(models.Model):
    """A self-assessed level of one competence at one measurement point."""

    class Source(models.TextChoices):
        CAMPAIGN = "campaign", _("questionnaire")
        IMPORT = "import", _("import")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="answers")
    competence = models.ForeignKey("competence.Competence", on_delete=models.CASCADE, related_name="answers")
    measurement_point = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField()
    measured_at = models.DateTimeField()
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.CAMPAIGN)
    is_latest = models.BooleanField(
        default=True, help_text="The person's answer at its highest measurement point."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "competence", "measurement_point"], name="answer_unique"
            )
        ]
        indexes = [models.Index(fields=["person", "is_latest"], name="answer_person_latest_idx")]


class GapCell(models.Model):
    """Counts of the gap for the people of one role directly in one unit (``direct_*``) and in
    the unit and every unit below it (``tree_*``), per competence and measurement point
    (``LATEST`` = each person's latest answer). Kept current by ``assessment.gaps`` off the
    request path; ``gaps.rebuild`` recomputes it from scratch and must give the same rows."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", on_delete=models.CASCADE, related_name="+")
    competence = models.ForeignKey("competence.Competence", on_delete=models.CASCADE, related_name="+")
    point = models.SmallIntegerField()
    direct_required = models.PositiveIntegerField(default=0)
    direct_assessed = models.PositiveIntegerField(default=0)
    direct_below = models.PositiveIntegerField(default=0)
    tree_required = models.PositiveIntegerField(default=0)
    tree_assessed = models.PositiveIntegerField(default=0)
    tree_below = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "role", "competence", "point"], name="gapcell_unique")
        ]
        indexes = [
            models.Index(
                fields=["organisation", "point", "unit", "competence"], name="gapcell_org_point_unit_idx"
            )
        ]


def new_epoch() -> str:
    return uuid.uuid4().hex


class GapState(models.Model):
    """When an organisation's gap summary was last rebuilt, and whether a rebuild is due."""

    organisation = models.OneToOneField("org.Organisation", on_delete=models.CASCADE, related_name="+")
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True)
    points = models.JSONField(default=list, help_text="The measurement points that have answers.")
    periods = models.JSONField(
        default=dict,
        help_text="Per measurement point, the first and last day of its answers: {point: [from, to]}.",
    )
    version = models.PositiveBigIntegerField(
        default=0, help_text="Raised by every write to the summary (keys the disclosure control's cache)."
    )
    epoch = models.CharField(
        max_length=32,
        default=new_epoch,
        help_text="New with every state row: the version can repeat after a restore, the two together cannot.",
    )
