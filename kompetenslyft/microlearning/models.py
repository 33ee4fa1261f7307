"""Micro-learning between sessions: short question sets over the weeks after a completed
module (spaced repetition, a Leitner box per person × question), and the opt-in team game
(a unit's points and streak, never a person's to anyone but itself).

* ``ModuleSetting``: the lead switches micro-learning on for a module in its organisation.
* ``Learner``: one row per person who has received micro-learning: its own choices (paused,
  left, e-mails, out of the team game).
* ``Course``: a person × module completion that started micro-learning.
* ``Item``: the person's Leitner box and next day for one question of the module's bank.
* ``QuestionSet``: the questions of one day (3–5), the answers and how many were right.
* ``TeamChallenge``: a unit (and the units below it) in the team game since a day.
* ``DailyRun``: the progress and counts of the day's run (the background task).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

SCHEDULE = (2, 7, 21, 45)
"""Days after the completion on which the module's first questions come."""
BOX_DAYS = {1: 2, 2: 7, 3: 16, 4: 35, 5: 60}
"""Days until an item in a box comes again: a missed question goes back to box 1 (two days),
a right answer moves it up one box (further apart); right in box 5, it is learnt."""
SET_MIN, SET_MAX = 3, 5


class ModuleSetting(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module"], name="micro_setting_unique")
        ]


class Learner(models.Model):
    person = models.OneToOneField("org.Person", on_delete=models.CASCADE, related_name="micro_learner")
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    paused = models.BooleanField(default=False)
    left = models.BooleanField(default=False)
    emails = models.BooleanField(default=True)
    team_opt_out = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "team_opt_out", "left"], name="micro_learner_team_idx")
        ]

    @property
    def in_team_game(self) -> bool:
        return not (self.team_opt_out or self.left)


class Course(models.Model):
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "module"], name="micro_course_unique")]


class Item(models.Model):
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey("knowledge.Question", on_delete=models.CASCADE, related_name="+")
    box = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(null=True, blank=True)  # None: learnt
    right = models.PositiveIntegerField(default=0)
    wrong = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "question"], name="micro_item_unique")]
        indexes = [models.Index(fields=["due_on", "person"], name="micro_item_due_idx")]


class QuestionSet(models.Model):
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    questions = models.JSONField(default=list)  # question ids in the order shown
    answers = models.JSONField(default=dict)  # question id (text) → chosen option ids
    right = models.PositiveSmallIntegerField(default=0)
    answered_on = models.DateField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="micro_set_unique")]
        indexes = [
            models.Index(fields=["person", "answered_on"], name="micro_set_person_idx"),
            models.Index(fields=["organisation", "answered_on"], name="micro_set_org_answered_idx"),
            models.Index(fields=["day", "emailed_at"], name="micro_set_day_idx"),
        ]

    @property
    def points(self) -> int:
        """A right answer is a point, and a day with answers one more."""
        return self.right + 1 if self.answered_on else 0


class TeamChallenge(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="micro_challenge")
    started_on = models.DateField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class DailyRun(models.Model):
    day = models.DateField(unique=True)
    stage = models.CharField(max_length=16, default="started")  # started | sets | e-mails | done
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    enrolled = models.PositiveIntegerField(default=0)
    sets = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)


class InitiativeSetting(models.Model):
    """Micro-learning for one initiative: on unless its lead or project leader switched it off.
    Off, a completion of one of the initiative's modules within its period starts no course and
    a course that began so gets no more sets (ADR 0013)."""

    initiative = models.OneToOneField("learning.Initiative", on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class TeamWeekRun(models.Model):
    """One organisation's closed week (Monday–Sunday) whose team figures are published: written
    once, after the week has ended, by the daily run; never changed afterwards (ADR 0012)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    monday = models.DateField()
    threshold = models.PositiveSmallIntegerField()
    participants = models.PositiveIntegerField(default=0)  # in the whole organisation, that week
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "monday"], name="micro_week_run_unique")
        ]


class TeamWeek(models.Model):
    """A unit's (with the units below it) published figure of one closed week: who took part
    that week (answered at least once, in the team game when the week was published) and their
    points. ``shown`` is False where the week's release of fixed blocks (``pool_paths``) hides
    the unit; its figures are then None. A unit with nobody taking part that week has no row."""

    run = models.ForeignKey(TeamWeekRun, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    shown = models.BooleanField()
    participants = models.PositiveIntegerField(null=True, blank=True)
    points = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="micro_team_week_unique")]
