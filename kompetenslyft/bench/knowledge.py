"""Issue 10, knowledge tests: the test page at the bench size (≤ 100 ms) and the results the
dashboard shows (≤ 300 ms). ``bench run --only knowledge``.

Seeds, in the bench organisation, one module with a question bank per 5,000 people (60 questions
each, imported as GIFT through the real import), a test before and after each, and first tries
in proportion: each person belongs to one module's group, 60 % of them took the test before it
and 40 % the test after. Then one employee starts a try by the page's button and its test page
(the drawn questions) and the test's start page are timed in-process; the results (the release
over every try, and the dashboard's three sections for the whole organisation) are timed too."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.learning.services import enrol
from kompetenslyft.org.models import Organisation, Person
from kompetenslyft.org.services import account_for_person

from .runner import BENCH_CODE, BenchContext, Figure, timed

QUESTIONS = 60
DRAWN = 15
TARGET_PAGE_MS = 100.0
TARGET_RESULTS_MS = 300.0


def _gift(number: int) -> bytes:
    rnd = random.Random(number)
    blocks = [f"$CATEGORY: $course$/top/Bench {number}"]
    for q in range(1, QUESTIONS + 1):
        kind = q % 3
        if kind == 0:
            blocks.append(
                f"::F{q}::Påstående {q} om rutin {rnd.randint(1, 99)} stämmer.{{{'T' if q % 2 else 'F'}#Fel.#Rätt.}}"
            )
        elif kind == 1:
            blocks.append(
                f"::F{q}::Vad gäller för rutin {q}?{{=Svar A#Rätt. ~Svar B#Fel. ~Svar C#Fel. ~Svar D#Fel.####Läs rutinen.}}"
            )
        else:
            blocks.append(f"::F{q}::Vilka stämmer om {q}?{{~%50%Ett ~%50%Två ~%-100%Tre ~%-100%Fyra}}")
    return "\n\n".join(blocks).encode()


def _seed(organisation: Organisation, people: list[tuple[int, int, int]]) -> list[Any]:
    from kompetenslyft.knowledge import services
    from kompetenslyft.knowledge.models import Attempt, KnowledgeTest, QuestionBank, ResultMonth
    from kompetenslyft.knowledge.services import publish_result_months
    from kompetenslyft.learning.models import Module

    QuestionBank.objects.filter(organisation=organisation).delete()
    KnowledgeTest.objects.filter(organisation=organisation).delete()
    groups = max(2, len(people) // 5000)
    modules = []
    for number in range(1, groups + 1):
        module, _created = Module.objects.get_or_create(
            organisation=organisation,
            code=f"BKT{number:02d}",
            defaults={
                "name": f"Kunskapsmodul {number}",
                "category": "Bench",
                "level": "basic",
                "format": "onsite",
                "hours": Decimal("1.5"),
            },
        )
        services.bank_import(
            organisation=organisation,
            module=module,
            content=_gift(number),
            filename=f"bank{number}.gift",
            actor=None,
        )
        tests = {
            kind: services.test_save(
                organisation=organisation,
                module=module,
                kind=kind,
                pass_mark=70,
                questions_drawn=DRAWN,
                max_attempts=0,
                wait_hours=0,
                active=True,
                actor=None,
            )
            for kind in ("pre", "post")
        }
        modules.append((module, tests))
    rnd = random.Random(10)
    # The tries were handed in over the three months before this one (closed, so published).
    now = timezone.now()
    months = [now - dt.timedelta(days=now.day + 2 + 30 * n) for n in range(3)]
    drawn: dict[int, str] = {}
    for _module, tests in modules:
        for test in tests.values():
            pool = list(
                QuestionBank.objects.get(module=test.module, organisation=organisation)
                .questions.prefetch_related("options")
                .order_by("pk")[:DRAWN]
            )
            drawn[test.pk] = json.dumps([[q.pk, [o.pk for o in q.options.all()]] for q in pool])

    def rows() -> Any:
        for index, (person_id, unit_id, role_id) in enumerate(people):
            _module, tests = modules[index % len(modules)]
            share = rnd.random()
            for kind, taken in (("pre", share < 0.6), ("post", share < 0.4)):
                if not taken:
                    continue
                score = Decimal(rnd.randint(20, 100) if kind == "post" else rnd.randint(0, 90))
                test = tests[kind]
                yield (
                    test.pk,
                    person_id,
                    unit_id,
                    role_id,
                    1,
                    drawn[test.pk],
                    "{}",
                    months[index % 3],
                    months[index % 3],
                    score,
                    score >= 70,
                )

    with transaction.atomic():
        count = bulk_insert(
            Attempt._meta.db_table,
            (
                "test_id",
                "person_id",
                "unit_id",
                "role_id",
                "number",
                "drawn",
                "answers",
                "started_at",
                "submitted_at",
                "score",
                "passed",
            ),
            rows(),
        )
    analyse(Attempt)
    # The daily run publishes the closed months (ADR 0019): the pages read only what it stored.
    ResultMonth.objects.filter(organisation=organisation).delete()
    publish_result_months()
    return [modules, count]


def op_knowledge(ctx: BenchContext) -> None:
    from kompetenslyft.evaluation.dashboard import Filters
    from kompetenslyft.knowledge.models import Attempt, KnowledgeTest
    from kompetenslyft.knowledge.results import Results, dashboard_sections

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True)
        .order_by("pk")
        .values_list("pk", "unit_id", "role_id")
    )
    seconds, (modules, attempts) = timed(lambda: _seed(organisation, people))
    ctx.report(
        Figure(
            f"knowledge: seed {len(modules)} banks × {QUESTIONS} questions, {attempts} tries over 3 "
            "closed months, published",
            seconds,
            "s",
            note="setup",
        )
    )
    # An employee of the first module's group who has not taken its test before the module.
    test = KnowledgeTest.objects.get(organisation=organisation, module=modules[0][0], kind="pre")
    taken = set(Attempt.objects.filter(test=test).values_list("person_id", flat=True))
    person = Person.objects.get(pk=next(p for p, _u, _r in people[:: len(modules)] if p not in taken))
    enrol(person=person, module=test.module)  # a test is offered to those it applies to: on the journey
    client = Client()
    client.force_login(account_for_person(person=person))
    response = client.post(reverse("knowledge:test_start", args=[test.pk]))
    if response.status_code != 302:
        raise RuntimeError(f"starting the test answered {response.status_code}")
    for name, url in (
        ("knowledge test page (the drawn questions)", response["Location"]),
        ("  … the test's start page", reverse("knowledge:test", args=[test.pk])),
    ):
        client.get(url)  # warm up
        samples = []
        for _ in range(sampling.count(21)):
            seconds, page = timed(partial(client.get, url))
            if page.status_code != 200:
                raise RuntimeError(f"{url} answered {page.status_code}")
            samples.append(seconds * 1000)
        ctx.report(
            Figure(f"{name}, {len(people)} people, median", statistics.median(samples), "ms", TARGET_PAGE_MS)
        )
    samples = []
    for _ in range(sampling.count(7)):
        seconds, _results = timed(lambda: Results(organisation))
        samples.append(seconds * 1000)
    ctx.report(
        Figure(
            f"  … test results' published months read ({attempts} tries)",
            statistics.median(samples),
            "ms",
            note="info",
        )
    )

    class _Context:
        filters = Filters(organisation=organisation)
        exact = False
        hidden = "hidden*"
        empty = "–"

    seconds, _sections = timed(lambda: dashboard_sections(_Context()))
    ctx.report(
        Figure(
            "  … dashboard sections, first build after a month is published",
            seconds * 1000,
            "ms",
            note="info",
        )
    )
    samples = []
    for _ in range(sampling.count(20)):
        seconds, _sections = timed(lambda: dashboard_sections(_Context()))
        samples.append(seconds * 1000)
    samples.sort()
    ctx.report(
        Figure(
            "dashboard: knowledge test sections, whole organisation, p95",
            samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)],
            "ms",
            TARGET_RESULTS_MS,
            note=f"{len(samples)} builds, the published months kept per process until the next publication",
        )
    )
