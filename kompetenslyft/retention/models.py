"""Retention (GDPR art. 5.1e) and erasure (art. 17): the lead's rules per kind of data, the
people pseudonymised, and the runs that applied the rules (ADR 0018)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRule(models.Model):
    """An organisation's own retention time for one kind of data (``registry``); without a row
    the installation's default (``KOMPETENSLYFT_RETENTION_MONTHS``) holds."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    months = models.PositiveIntegerField(_("months"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="retention_rule_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.kind}={self.months}"


class Erasure(models.Model):
    """A person pseudonymised everywhere (``pseudonymise.py``). Holds no identifier of the
    person: its row in org.Person now carries only the pseudonym."""

    class Source(models.TextChoices):
        RULE = "rule", _("retention rule")
        DECISION = "decision", _("lead's decision")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.OneToOneField("org.Person", on_delete=models.CASCADE, related_name="erasure")
    pseudonym = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    statements = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "created_at"], name="retention_erasure_org_idx")]

    def __str__(self) -> str:
        return self.pseudonym


class RetentionRun(models.Model):
    """One background run: the nightly application of the rules (every organisation) or a
    lead's decision (one person). Its progress is written as it goes."""

    class Kind(models.TextChoices):
        NIGHTLY = "nightly", _("nightly run")
        DECISION = "decision", _("lead's decision")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
