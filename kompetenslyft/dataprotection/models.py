"""Data protection: register extracts (GDPR art. 15) and the log of who read whose data.

Design of the access log: ADR 0017."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    """What was read: one value per logged page or export (``dataprotection.access``)."""

    PERSON_PAGE = "person_page", _("person's page")
    PROPOSAL = "proposal", _("person's proposal in an initiative")
    PEOPLE_LIST = "people_list", _("list of people")
    PEOPLE_EXPORT = "people_export", _("export of people (CSV)")
    TEAM_PROGRESS = "team_progress", _("team progress")
    TEAM_COMPETENCES = "team_competences", _("team competences")
    GAP_PEOPLE = "gap_people", _("people behind a gap")
    FOLLOW_UPS = "follow_ups", _("follow-up talks")
    FOLLOW_UP = "follow_up", _("a follow-up talk")
    SESSION_REGISTER = "session_register", _("session participants")
    SUPPORT_QUESTIONS = "support_questions", _("support questions")
    CONTACT_LIST = "contact_list", _("success-case contact list")
    CONTACT_LIST_EXPORT = "contact_list_export", _("success-case contact list (CSV)")
    REGISTER_EXTRACT = "register_extract", _("register extract")


class AccessEntry(models.Model):
    """One read of person-level data by someone other than the person: a page view or an
    export. The people it showed are its :class:`AccessPerson` rows (one per person, written
    in bulk); ``people`` is their number."""

    created_at = models.DateTimeField(auto_now_add=True)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reader_label = models.CharField(max_length=200)
    reader_person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=AccessKind.choices)
    path = models.CharField(max_length=500, blank=True)
    people = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="dp_access_org_time"),
            models.Index(fields=["reader", "-created_at"], name="dp_access_reader_time"),
        ]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.reader_label} {self.kind} ({self.people})"


class AccessPerson(models.Model):
    """A person whose data an :class:`AccessEntry` showed."""

    entry = models.ForeignKey(AccessEntry, on_delete=models.CASCADE, related_name="persons")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["person", "entry"], name="dp_access_person")]
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="dp_access_person_unique")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.person_id}"


class RegisterExtract(models.Model):
    """A register extract (GDPR art. 15) of a person, built by a background task as JSON and
    PDF; downloadable by whoever asked for it and by the person itself, deleted after
    ``KEPT_DAYS`` days."""

    KEPT_DAYS = 7

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(max_length=8, default="sv")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    json_content = models.BinaryField(blank=True, default=b"")
    pdf_content = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="dp_extract_person")]

    def __str__(self) -> str:
        return f"extract {self.pk} of {self.person_id} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
