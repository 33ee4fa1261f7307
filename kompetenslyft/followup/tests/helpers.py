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
    """A recorded talk written directly (the figures' tests need many)."""
    from .. import models

    today = timezone.localdate()
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
        held_on=today,
        applying=applying,
        recorded_at=timezone.now(),
        **extra,
    )
