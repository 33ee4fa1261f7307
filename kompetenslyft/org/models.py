"""Organisations, their unit trees, occupational roles and people (with history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    anonymity_threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold"),
        default=5,
        help_text=_("Evaluation results are never shown for a group smaller than this."),
    )
    evaluation_days = models.PositiveSmallIntegerField(
        _("days an evaluation stays open"),
        default=14,
        help_text=_(
            "A module evaluation closes this many days after the session; one reminder is sent before."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the texts the product writes for the organisation (e.g. checklists)."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="SEK", help_text=_("ISO 4217 code, e.g. SEK or NOK.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A node of an organisation's unit tree (administration → department → unit).

    ``path`` is a materialised path of primary keys (``/3/17/42/``): the subtree of a unit is
    every unit whose path starts with its own, one indexed range scan on any database.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    unit_id = models.CharField(_("unit id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children"
    )
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    manager = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
        verbose_name=_("manager"),
    )
    # The employee id named by the import; kept when no such person exists yet and resolved
    # when that person is imported (formats.md).
    manager_employee_id = models.CharField(_("manager's employee id"), max_length=64, blank=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit_id"], name="unit_id_unique_in_org")
        ]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """An occupational role (undersköterska, förskollärare …) within an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="role_name_unique_in_org")
        ]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    OTHER = "other", _("other")
    UNSPECIFIED = "", _("unspecified")


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    employee_id = models.CharField(_("employee id"), max_length=64)
    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.RESTRICT, related_name="people", verbose_name=_("unit"))
    role = models.ForeignKey(Role, on_delete=models.RESTRICT, related_name="people", verbose_name=_("role"))
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_on = models.DateField(_("deactivated on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        ordering = ["family_name", "given_name", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "employee_id"], name="employee_id_unique_in_org")
        ]
        indexes = [
            models.Index(
                fields=["organisation", "family_name", "given_name", "employee_id"],
                name="person_org_name_idx",
            ),
            models.Index(
                fields=["unit", "family_name", "given_name", "employee_id"], name="person_unit_name_idx"
            ),
            # Covers a manager's or lead's people (units, active) and their name order: the team
            # and proposals pages count and page 50,000 people without reading the table.
            models.Index(
                fields=["unit", "is_active", "family_name", "given_name"], name="person_unit_active_name_idx"
            ),
            # The same for a lead's whole organisation: its first page of 50 is read off the
            # index in name order, and its count without the table.
            models.Index(
                fields=["organisation", "is_active", "family_name", "given_name"],
                name="person_org_active_name_idx",
            ),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Placement(models.Model):
    """Where a person worked and as what, from one date to another (history of moves)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(Unit, on_delete=models.RESTRICT, related_name="+")
    role = models.ForeignKey(Role, on_delete=models.RESTRICT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Last day, inclusive; empty = now.")

    class Meta:
        ordering = ["person", "valid_from", "id"]
        indexes = [models.Index(fields=["person", "valid_from"], name="placement_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.unit_id}/{self.role_id} {self.valid_from}–{self.valid_to or ''}"


class ImportBatch(models.Model):
    """An uploaded import file from its upload to its confirmation. Kept in the database (not on
    local disk) so that any app process or task worker can check or apply what another one
    received. The preview (a dry run) and the import itself run as background tasks that write
    their progress here; an upload that is never confirmed is deleted after
    ``KOMPETENSLYFT_IMPORT_RETENTION_DAYS`` (``kompetenslyft purge_imports``)."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("being checked")
        PREVIEWED = "previewed", _("previewed")
        IMPORTING = "importing", _("being imported")
        REFUSED = "refused", _("refused")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    RUNNING = (Status.CHECKING, Status.IMPORTING)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    keep_missing = models.BooleanField(default=False)
    allow_deactivation = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
