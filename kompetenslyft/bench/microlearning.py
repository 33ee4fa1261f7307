"""Issue 10, micro-learning: the day's sends for everyone. Every person of the organisation
completed a module with a 12-question bank two days ago; the completions are enrolled (their
first items spread over the schedule), then the daily run as the background task makes the
day's question set for everyone due and e-mails each one (locmem backend: the messages are
built and handed over, not delivered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Person

from .runner import BENCH_CODE, BenchContext, Figure, timed

CODE = "BENCH-MICRO"
QUESTIONS = 12


def _bank(organisation: Organisation) -> Any:
    from kompetenslyft.knowledge.services import bank_import
    from kompetenslyft.learning.models import Module
    from kompetenslyft.microlearning.services import module_switch

    module, _created = Module.objects.get_or_create(
        organisation=organisation,
        code=CODE,
        defaults={
            "name": "Mikrolärande",
            "category": "Bench",
            "level": "basic",
            "format": "onsite",
            "hours": 1,
        },
    )
    gift = "\n\n".join(
        f"::B{n}::Fråga {n}: är {n} ett jämnt tal?{{{'TRUE' if n % 2 == 0 else 'FALSE'}#Fel.#Rätt!}}"
        for n in range(1, QUESTIONS + 1)
    )
    bank_import(
        organisation=organisation, module=module, content=gift.encode(), filename="bench.gift", actor=None
    )
    module_switch(organisation=organisation, module=module, enabled=True, actor=None)
    return module


def _seed(organisation: Organisation, module: Any) -> int:
    from kompetenslyft.learning.models import Attendance
    from kompetenslyft.microlearning.models import Course, DailyRun, Item, Learner, QuestionSet

    with transaction.atomic():
        for model in (QuestionSet, Item, Course, Learner):
            model.objects.filter(person__organisation=organisation)._raw_delete(connection.alias)
        DailyRun.objects.all().delete()
        Attendance.objects.filter(module=module)._raw_delete(connection.alias)
    day = timezone.localdate() - dt.timedelta(days=2)
    people = Person.objects.filter(organisation=organisation, is_active=True).order_by("pk")
    rows = (
        (pk, module.pk, unit, role, day, "1.00", "completed", "import")
        for pk, unit, role in people.values_list("pk", "unit_id", "role_id").iterator(chunk_size=5000)
    )
    with transaction.atomic():
        seeded = bulk_insert(
            Attendance._meta.db_table,
            ("person_id", "module_id", "unit_id", "role_id", "date", "hours", "status", "source"),
            rows,
        )
    analyse(Attendance)
    return seeded


def op_microlearning(ctx: BenchContext) -> None:
    from kompetenslyft.microlearning import services
    from kompetenslyft.microlearning.tasks import daily_task

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    module = _bank(organisation)
    seeded = _seed(organisation, module)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    seconds, enrolled = timed(lambda: services.enrol_new_completions(today=yesterday))
    ctx.report(
        Figure(
            f"micro-learning: enrol {seeded} completions ({QUESTIONS} questions each)",
            seconds,
            "s",
            None,
            note=f"{enrolled} courses",
        )
    )
    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        seconds, result = timed(daily_task.call)
        again, second = timed(daily_task.call)
    finally:
        settings.EMAIL_BACKEND = backend
    ctx.report(
        Figure(
            f"micro-learning: the day's sends for everyone as a task ({result['sets']} sets)",
            seconds,
            "s",
            60.0,
            note=f"{result['emails']} e-mails",
        )
    )
    ctx.report(
        Figure("  … run again the same day (sends none)", again, "s", None, note=f"{second['sets']} sets")
    )
