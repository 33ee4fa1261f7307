"""Completions and recorded talks for the follow-up tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone


def module(network: Any, code: str = "M1", name: str = "Avvikelser i praktiken") -> Any:
    from kompetenslyft.learning.models import Module

    return Module.objects.create(
        organisation=network.org_a,
        code=code,
        name=name,
        category="Dokumentation",
        level="basic",
        format="onsite",
        hours=2,
    )


def complete(person: Any, mod: Any, *, days_ago: int) -> Any:
    from kompetenslyft.learning.models import Attendance

    return Attendance.objects.create(
        person=person,
        module=mod,
        unit_id=person.unit_id,
        role_id=person.role_id,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        hours=Decimal("2"),
        status=Attendance.Status.COMPLETED,
        source="import",
    )


def talk(person: Any, mod: Any, *, applying: str, kind: int = 30, manager: Any = None, **extra: Any) -> Any:
    """A recorded talk written directly (the figures' tests need many), held last month unless
    ``held_on`` is given (the month :func:`publish` publishes)."""
    from .. import models

    today = timezone.localdate()
    extra.setdefault("held_on", today.replace(day=1) - dt.timedelta(days=20))
    completed = today - dt.timedelta(days=kind + 1 + models.FollowUp.objects.count())
    return models.FollowUp.objects.create(
        organisation=person.organisation,
        person=person,
        module=mod,
        completed_on=completed,
        kind=kind,
        due_on=completed + dt.timedelta(days=kind),
        manager=manager,
        unit=person.unit,
        role=person.role,
        gender=person.gender,
        applying=applying,
        recorded_at=timezone.now(),
        **extra,
    )


def publish(organisation: Any) -> None:
    """Publish the closed months as if the daily run published them only now (withdrawing what
    an earlier call of the same test published, so that its later talks count)."""
    from ..models import RateMonth
    from ..services import publish_rate_months

    RateMonth.objects.filter(organisation=organisation).delete()
    publish_rate_months(today=timezone.localdate())
