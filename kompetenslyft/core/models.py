"""Product roles granted to accounts, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductRole(models.TextChoices):
    """The roles of PRODUCT.md. Manager and employee follow from the person an account is
    linked to (the units it manages, itself); the others are granted per organisation."""

    LEAD = "lead", _("competence lead")
    PROJECT_LEADER = "project_leader", _("project leader")
    TRAINER = "trainer", _("trainer")
    TOP_MANAGEMENT = "top_management", _("top management")
    EVALUATOR = "evaluator", _("external evaluator")
    DATA_PROTECTION = "data_protection", _("data protection officer")


class Grant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=32, choices=ProductRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="grant_unique")]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class AuditEntry(models.Model):
    """Who changed people, roles and rights, when, and what changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"


class RequestThrottle(models.Model):
    """A counter of requests per key (a hashed client address or e-mail address) in a fixed
    window, kept in the database so that every app process sees the same counts."""

    key = models.CharField(max_length=64, unique=True)
    window_started_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("request throttle")
        verbose_name_plural = _("request throttles")

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count} since {self.window_started_at:%Y-%m-%d %H:%M}"
