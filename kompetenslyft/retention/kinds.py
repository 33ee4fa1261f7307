"""The kinds of data this app keeps for a limited time (registered in ``AppConfig.ready``;
other apps register theirs with ``registry.register``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kompetenslyft.followup.models import FollowUp
from kompetenslyft.learning.models import SupportRequest
from kompetenslyft.org.models import Person

from . import registry
from .models import Erasure
from .pseudonymise import pseudonymise_people


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the installation's time zone: "recorded before that day" as a
    range on the column (``__date`` made SQLite cast every row's timestamp in Python: 0.8 s of
    the lead's retention page at 50,000 people)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def leavers_due(organisation: Any, cutoff: dt.date) -> QuerySet[Person]:
    """People who left on or before ``cutoff`` and are not pseudonymised yet."""
    return Person.objects.filter(
        organisation=organisation, is_active=False, deactivated_on__lte=cutoff, erasure__isnull=True
    ).order_by("deactivated_on", "pk")


def _leavers_apply(organisation: Any, cutoff: dt.date, progress: Callable[[int], None]) -> int:
    ids = list(leavers_due(organisation, cutoff).values_list("pk", flat=True))
    return pseudonymise_people(ids, source=Erasure.Source.RULE, progress=progress)


def _old_support(organisation: Any, cutoff: dt.date) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(organisation=organisation, created_at__lt=_midnight(cutoff)).filter(
        Q(faq_published_at__isnull=True) | ~Q(question="") | ~Q(answer="") | ~Q(topic="")
    )


def _support_apply(organisation: Any, cutoff: dt.date, progress: Callable[[int], None]) -> int:
    old = _old_support(organisation, cutoff)
    # A published FAQ entry keeps its edited texts (nothing of the asker); the rest goes.
    kept = old.filter(faq_published_at__isnull=False).update(topic="", question="", answer="")
    deleted, _by_model = old.filter(faq_published_at__isnull=True).delete()
    progress(kept + deleted)
    return kept + deleted


def _old_notes(organisation: Any, cutoff: dt.date) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(organisation=organisation, recorded_at__lt=_midnight(cutoff)).exclude(
        hindrance_other="", support_needed=""
    )


def _notes_apply(organisation: Any, cutoff: dt.date, progress: Callable[[int], None]) -> int:
    done = _old_notes(organisation, cutoff).update(hindrance_other="", support_needed="")
    progress(done)
    return done


def register_builtin() -> None:
    registry.register(
        "leavers",
        label=_("People who have left"),
        description=_("Pseudonymised everywhere this long after the day they left."),
        default_months=24,
        count=lambda organisation, cutoff: leavers_due(organisation, cutoff).count(),
        apply=_leavers_apply,
        people=leavers_due,
        order=10,
    )
    registry.register(
        "support_questions",
        label=_("Support questions"),
        description=_("Deleted this long after they were asked; published FAQ texts stay."),
        default_months=36,
        count=lambda organisation, cutoff: _old_support(organisation, cutoff).count(),
        apply=_support_apply,
        order=20,
    )
    registry.register(
        "followup_notes",
        label=_("Notes of follow-up talks"),
        description=_("The free texts of a talk are emptied this long after it was recorded."),
        default_months=36,
        count=lambda organisation, cutoff: _old_notes(organisation, cutoff).count(),
        apply=_notes_apply,
        order=30,
    )
