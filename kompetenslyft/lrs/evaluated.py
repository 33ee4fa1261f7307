"""That an evaluation was given, as the platform's statement — and nothing else (ADR 0014).

The answering transaction does nothing after its commit (evaluation's anonymity test: no task,
no mail), so the statements are written by the daily run from ``Request.answered_on`` (a date):
one per answered request, with no result, no session, the day at midnight as its timestamp, in
shuffled order, a statement id derived from the request (a run again stores nothing new). Neither
the statement, nor its stored time, nor its place in the stored order can be laid beside the
placed, shuffled answers."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.conf import settings
from django.utils import timezone

from kompetenslyft.evaluation.models import Request

from . import emit

DAYS_BACK = 7


def statement_id(request_pk: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.KOMPETENSLYFT_BASE_URL}/evaluated/{request_pk}"))


def evaluations_given(*, today: dt.date | None = None) -> int:
    """Write the statements of the requests answered in the week before ``today`` (today's are
    left to tomorrow's run). Returns how many were written or were there already."""
    today = today or timezone.localdate()
    rows = list(
        Request.objects.filter(answered_on__gte=today - dt.timedelta(days=DAYS_BACK), answered_on__lt=today)
        .select_related("person", "module")
        .only(
            "pk",
            "organisation_id",
            "answered_on",
            "person__employee_id",
            "module__code",
            "module__name",
            "module__activity_iri",
        )
    )
    random.SystemRandom().shuffle(rows)
    by_organisation: dict[int, list[dict]] = {}
    for request in rows:
        day = request.answered_on or today
        made = emit.statement(
            request.person,
            emit.EVALUATED,
            emit.module_activity(request.module),
            when=timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0))),
        )
        made["id"] = statement_id(request.pk)
        by_organisation.setdefault(request.organisation_id, []).append(made)
    for organisation_id, items in by_organisation.items():
        emit.store(organisation_id=organisation_id, statements=items)
    return len(rows)
