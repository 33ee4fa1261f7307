"""Competence frameworks (categories → competences → knowledge goals) and requirements per
role and unit — "the competence house"."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """The level scale of formats.md, for self-assessed and required levels alike."""

    NOT_AT_ALL = 0, _("Not at all")
    KNOW_OF = 1, _("I know of it")
    WITH_HELP = 2, _("I can with help")
    ON_MY_OWN = 3, _("I can on my own")
    TEACH = 4, _("I can teach others")


LEVEL_HELP = {
    0: _("I have not used it or do not know what it is."),
    1: _("I know what it is and what it is for, but I have not used it myself."),
    2: _("I can use it when someone shows me or helps me."),
    3: _("I can use it on my own in my daily work."),
    4: _("I know it so well that I can help and teach my colleagues."),
}


class Translated(models.Model):
    """A name (and description) in the languages of the product; ``translations`` holds
    ``{"sv": {"name": …, "description": …}, "nb": {…}, "en": {…}}``."""

    name = models.CharField(_("name"), max_length=300)
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def _local(self, field: str) -> str:
        language = (get_language() or "sv")[:2]
        value = (self.translations or {}).get(language, {}).get(field)
        return value or getattr(self, field, "")

    @property
    def local_name(self) -> str:
        return self._local("name")

    @property
    def local_description(self) -> str:
        return self._local("description")


class Framework(Translated):
    organisation = models.ForeignKey(
        "org.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="frameworks",
        help_text=_("Empty: shared with every organisation of the installation."),
    )
    code = models.SlugField(_("code"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    attribution = models.TextField(_("attribution"), blank=True)
    level_mapping = models.TextField(_("how its levels map onto ours"), blank=True)
    builtin = models.CharField(
        max_length=64, blank=True, help_text="Key of a framework shipped with the product."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="framework_code_unique_in_org",
                condition=Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["code"], name="framework_code_unique_shared", condition=Q(organisation__isnull=True)
            ),
        ]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def local_level_mapping(self) -> str:
        return self._local("level_mapping")


class FrameworkAdoption(models.Model):
    """An organisation uses a shared framework (its own frameworks it always uses)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="adoptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "framework"], name="adoption_unique")]


class Category(Translated):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["framework", "name"], name="category_name_unique")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Competence(Translated):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competences")
    category = models.ForeignKey(
        Category, on_delete=models.RESTRICT, related_name="competences", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["category__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competence_code_unique")]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KnowledgeGoal(models.Model):
    """What a person can do afterwards. ``translations`` as on :class:`Translated`
    (``{"nb": {"text": …}}``): the shipped frameworks' goals are in every language."""

    competence = models.ForeignKey(Competence, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("knowledge goal"))
    position = models.PositiveIntegerField(default=0)
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["competence", "position", "id"]
        verbose_name = _("knowledge goal")
        verbose_name_plural = _("knowledge goals")

    def __str__(self) -> str:
        return self.text

    @property
    def local_text(self) -> str:
        language = (get_language() or "sv")[:2]
        return (self.translations or {}).get(language, {}).get("text") or self.text


class Requirement(models.Model):
    """A role must reach a level of a competence — in every unit, or in one unit and below."""

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="requirements"
    )
    role = models.ForeignKey(
        "org.Role", on_delete=models.CASCADE, related_name="requirements", verbose_name=_("role")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("competence")
    )
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("unit"),
        help_text=_("Empty: every unit."),
    )
    required_level = models.PositiveSmallIntegerField(_("required level"), choices=Level.choices)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "competence"],
                name="requirement_unique_everywhere",
                condition=Q(unit__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["role", "competence", "unit"],
                name="requirement_unique_in_unit",
                condition=Q(unit__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"], name="requirement_org_role_idx")]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return f"{self.role} · {self.competence.code} ≥ {self.required_level}"
