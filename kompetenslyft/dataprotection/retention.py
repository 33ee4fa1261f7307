"""The access log's retention (record of processing): entries older than the organisation's
retention time for "access_log" are deleted by the nightly retention run, a thousand at a time
(SQLite has one writer: short transactions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessEntry

BATCH = 1000


def _old(organisation: Any, cutoff: dt.date) -> QuerySet[AccessEntry]:
    start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time()))
    return AccessEntry.objects.filter(organisation=organisation, created_at__lt=start)


def _apply(organisation: Any, cutoff: dt.date, progress: Callable[[int], None]) -> int:
    done = 0
    while True:
        ids = list(_old(organisation, cutoff).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        with transaction.atomic():
            AccessEntry.objects.filter(pk__in=ids).delete()  # and their people (cascade)
        done += len(ids)
        progress(done)


def register() -> None:
    from kompetenslyft.retention import registry

    registry.register(
        "access_log",
        label=_("Access log"),
        description=_("Who read whose data: entries are deleted this long after the read."),
        default_months=24,
        count=lambda organisation, cutoff: _old(organisation, cutoff).count(),
        apply=_apply,
        order=40,
    )
