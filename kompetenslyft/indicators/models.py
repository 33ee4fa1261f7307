"""Organisation indicators (Kirkpatrick level 4): figures the competence lead follows per unit
and month — "deviation reports handled within 14 days", "time spent documenting per visit" —
linked to initiatives so that the dashboard shows them around the training period."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    class Measure(models.TextChoices):
        PERCENT = "percent", _("per cent (%)")
        COUNT = "count", _("count")
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")
        MINUTES = "minutes", _("minutes")
        NUMBER = "number", _("number")

    class Better(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measure = models.CharField(_("unit of measure"), max_length=16, choices=Measure.choices)
    better = models.CharField(_("which direction is better"), max_length=8, choices=Better.choices)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    initiatives: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "learning.Initiative", blank=True, related_name="indicators", verbose_name=_("initiatives")
    )
    values_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="indicator_code_unique")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def symbol(self) -> str:
        """The unit written after a value ("%", "days" …)."""
        return "%" if self.measure == self.Measure.PERCENT else str(self.get_measure_display())


class IndicatorValue(models.Model):
    """One unit's figure for one month (``month`` is the first day of it)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "month"], name="indicator_value_unique")
        ]
        indexes = [models.Index(fields=["indicator", "month"], name="indicator_value_month_idx")]
