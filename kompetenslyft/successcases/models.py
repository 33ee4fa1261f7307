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
