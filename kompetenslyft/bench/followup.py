"""Issue 10, follow-up at work: the daily run that makes every follow-up talk due (a
completion for each of the organisation's people, 30 days ago) as the background task does it,
and the application-rate sections of the dashboard for the whole organisation."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Mod
from django.utils import timezone

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Person

from .beside import _percentile
from .runner import BENCH_CODE, BenchContext, Figure, timed

CODE = "BENCH-FOLLOWUP"
RUNS = 21


def _seed(organisation: Organisation) -> tuple[Any, int]:
    from kompetenslyft.followup.models import FollowUp
    from kompetenslyft.learning.models import Attendance, Module

    module, _created = Module.objects.get_or_create(
        organisation=organisation,
        code=CODE,
        defaults={
            "name": "Uppföljning i praktiken",
            "category": "Bench",
            "level": "basic",
            "format": "onsite",
            "hours": 2,
        },
    )
    with transaction.atomic():
        FollowUp.objects.filter(organisation=organisation)._raw_delete(connection.alias)
        Attendance.objects.filter(module=module)._raw_delete(connection.alias)
    today = timezone.localdate()
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "role_id")
    )

    def rows() -> Any:
        for n, (pk, unit, role) in enumerate(people):
            yield (
                pk,
                module.pk,
                unit,
                role,
                today - dt.timedelta(days=30 + n % 14),
                "2.00",
                "completed",
                "import",
            )

    with transaction.atomic():
        seeded = bulk_insert(
            Attendance._meta.db_table,
            ("person_id", "module_id", "unit_id", "role_id", "date", "hours", "status", "source"),
            rows(),
        )
    analyse(Attendance)
    return module, seeded


def _record(organisation: Organisation) -> int:
    """Record three in five talks: yes, partly, not yet, not applicable in turn — held last
    month, which the daily run then publishes (ADR 0019)."""
    from kompetenslyft.followup.models import FollowUp, RateMonth
    from kompetenslyft.followup.services import publish_rate_months

    today = timezone.localdate().replace(day=1) - dt.timedelta(days=10)
    talks = FollowUp.objects.filter(organisation=organisation).annotate(r=Mod(F("pk"), Value(5)))
    recorded = 0
    for r, applying in ((0, "yes"), (1, "partly"), (2, "not_yet")):
        recorded += talks.filter(r=r).update(
            held_on=today, applying=applying, recorded_at=timezone.now(), updated_at=timezone.now()
        )
    recorded += (
        FollowUp.objects.filter(organisation=organisation)
        .annotate(r=Mod(F("pk"), Value(20)))
        .filter(r=3)
        .update(
            held_on=today, applying="not_applicable", recorded_at=timezone.now(), updated_at=timezone.now()
        )
    )
    analyse(FollowUp)
    RateMonth.objects.filter(organisation=organisation).delete()
    publish_rate_months()
    return recorded


def op_followup(ctx: BenchContext) -> None:
    from kompetenslyft.evaluation.dashboard import Filters
    from kompetenslyft.evaluation.dashboard_page import SectionContext
    from kompetenslyft.followup import dashboard, figures
    from kompetenslyft.followup.tasks import daily_task

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    _module, seeded = _seed(organisation)
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        seconds, result = timed(daily_task.call)
    finally:
        settings.EMAIL_BACKEND = backend
    ctx.report(
        Figure(
            f"follow-up daily run as a task ({seeded} completions)",
            seconds,
            "s",
            None,
            note=f"{result['made']} talks made, {result['digests']} manager digests",
        )
    )
    seconds, second = timed(daily_task.call)
    ctx.report(
        Figure("  … run again the same day (makes none)", seconds, "s", None, note=f"{second['made']} made")
    )
    seconds, recorded = timed(lambda: _record(organisation))
    ctx.report(Figure("  … record talks held last month and publish it", seconds, "s", None, note="setup"))

    def build(exact: bool) -> Any:
        ctx_ = SectionContext(Filters(organisation), exact, "hidden*", "no data")
        return dashboard.sections(ctx_)

    figures._memo.clear()
    cold, _sections = timed(lambda: build(False))
    for exact, who in ((False, "aggregates only"), (True, "lead, exact")):
        samples = []
        for _ in range(sampling.count(RUNS)):
            start = time.perf_counter()
            build(exact)
            samples.append((time.perf_counter() - start) * 1000)
        ctx.report(
            Figure(
                f"application-rate sections, whole organisation ({who}), p95",
                _percentile(samples, 0.95),
                "ms",
                300.0,
                note=f"{recorded} talks recorded; median {statistics.median(samples):.0f} ms",
            )
        )
    ctx.report(
        Figure("  … first build after a month is published (stored release read)", cold * 1000, "ms", None)
    )
