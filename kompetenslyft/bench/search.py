"""Issue 9: search over 10,000 modules, job aids and published questions (≤ 50 ms).

Builds an organisation of its own ("bench-search") with one searchable entry per 5 people of
the bench size (10,000 at 50,000), rebuilds the index and times ``search.selectors.search``
as an employee of that organisation, on the database in use."""

from __future__ import annotations

import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import JobAid, Module, SupportRequest
from kompetenslyft.org.models import Organisation, Person, Role, Unit
from kompetenslyft.org.services import organisation_create
from kompetenslyft.search import selectors
from kompetenslyft.search.services import reindex

from .runner import BenchContext, Figure, timed

CODE = "bench-search"
WORDS = (
    "dokumentation journal avvikelse rapportering lönesystem schema Teams Outlook intranät läkemedel "
    "hygien bemanning kalender e-post säkerhet behörighet signering planering uppföljning digital "
    "hemtjänst omsorg rutin lathund inloggning utskrift mobil app vårdplan genomförandeplan"
).split()
QUERIES = (
    "dokumentera",
    "journal",
    "avvikelser rapportering",
    "Teams",
    "inloggning mobil",
    "läkemedel signering",
    "rutiner hemtjänst",
    "planera uppföljning",
    "kalendern",
    "behörigheter",
)


def _seed(organisation: Organisation, size: int) -> None:
    rnd = random.Random(9)
    unit = Unit.objects.create(organisation=organisation, unit_id="S1", name="Sök")
    unit.path = f"/{unit.pk}/"
    unit.save(update_fields=["path"])
    role = Role.objects.create(organisation=organisation, name="Medarbetare")
    person = Person.objects.create(
        organisation=organisation,
        employee_id="S1",
        given_name="Sara",
        family_name="Sök",
        unit=unit,
        role=role,
    )

    # A vocabulary of the product's words and 2,000 others (syllables joined, as compounds
    # are): one text word in ten is a product word, so a common query term is in about one
    # entry of ten, not in every other one.
    syllables = "ar be da ef gu hi jo ka lu mo ne pi ro sa te uv vi ys ål äm öd".split()
    others = sorted({"".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))) for _ in range(2_000)})

    def text(words: int) -> str:
        return " ".join(rnd.choice(WORDS) if rnd.random() < 0.1 else rnd.choice(others) for _ in range(words))

    modules, aids = size * 4 // 10, size * 3 // 10
    questions = size - modules - aids
    now = timezone.now()
    with transaction.atomic():
        Module.objects.bulk_create(
            [
                Module(
                    organisation=organisation,
                    code=f"S{n}",
                    name=f"{rnd.choice(WORDS)} {text(3)}".capitalize(),
                    category=rnd.choice(WORDS),
                    level="basic",
                    format="onsite",
                    hours=Decimal("1.5"),
                    description=text(25),
                )
                for n in range(modules)
            ],
            batch_size=1000,
        )
        JobAid.objects.bulk_create(
            [
                JobAid(organisation=organisation, title=f"Lathund: {rnd.choice(WORDS)} {text(4)}", owner="IT")
                for _ in range(aids)
            ],
            batch_size=1000,
        )
        SupportRequest.objects.bulk_create(
            [
                SupportRequest(
                    organisation=organisation,
                    person=person,
                    unit=unit,
                    topic="IT",
                    question=text(12),
                    answer=text(30),
                    faq_question=f"Hur fungerar {rnd.choice(WORDS)} {text(5)}?",
                    faq_answer=text(30),
                    faq_published_at=now,
                )
                for _ in range(questions)
            ],
            batch_size=1000,
        )


def op_search(ctx: BenchContext) -> None:
    size = max(300, min(10_000, ctx.synthetic.people // 5))
    Organisation.objects.filter(code=CODE).delete()
    organisation = organisation_create(code=CODE, name="Bench sök")
    seconds, _ = timed(lambda: _seed(organisation, size))
    ctx.report(Figure(f"search: seed {size} modules, job aids and questions", seconds, "s", note="setup"))
    seconds, entries = timed(reindex)
    ctx.report(Figure(f"search: kompetenslyft reindex ({entries} entries)", seconds, "s"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")
    access = Access(user_id=None, person_organisation_id=organisation.pk)
    samples, found = [], []
    for query in QUERIES:
        selectors.search(access, query)  # warm up
        for _ in range(5):
            start = time.perf_counter()
            page = selectors.search(access, query)
            samples.append((time.perf_counter() - start) * 1000)
            found.append(page.total)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    note = f"{connection.vendor}, {len(samples)} searches, {min(found)}–{max(found)} found"
    ctx.report(
        Figure(f"search over {size} entries, one page, median", statistics.median(samples), "ms", 50.0, note)
    )
    ctx.report(Figure("  … p95", p95, "ms", 50.0, note))
