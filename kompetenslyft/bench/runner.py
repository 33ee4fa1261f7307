"""The operations each issue names, timed. Later issues add theirs to OPERATIONS."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.core.models import AuditEntry, Grant
from kompetenslyft.org.imports import import_file
from kompetenslyft.org.models import ImportBatch, Organisation, Person, Placement, Role, Unit
from kompetenslyft.org.services import account_for_person, organisation_create

from .synthetic import SyntheticOrganisation, write_synthetic

BENCH_CODE = "bench"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None
    note: str = ""
    higher: bool = False  # a rate: met at or above the target

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher else self.value <= self.target

    def line(self) -> str:
        verdict = "" if self.met is None else ("  met" if self.met else "  NOT MET")
        target = (
            f" (target {'≥' if self.higher else '≤'} {self.target:g} {self.unit})"
            if self.target is not None
            else ""
        )
        note = f"  [{self.note}]" if self.note else ""
        return f"{self.name:<58} {self.value:>10.3f} {self.unit}{target}{verdict}{note}"


@dataclass
class BenchContext:
    synthetic: SyntheticOrganisation
    organisation: Organisation | None = None
    figures: list[Figure] = field(default_factory=list)
    report: Callable[[Figure], None] = print


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def settle() -> None:
    """After the bench's bulk loads, what the database's own upkeep does within minutes in
    production: PostgreSQL's VACUUM ANALYZE (statistics, and the visibility map that lets the
    covering indexes answer without the table), SQLite's ANALYZE. Pages are timed after it."""
    from kompetenslyft.core.db import SQLITE_ANALYSIS_LIMIT

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM cannot run inside a transaction (a test's): ANALYZE there.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        elif connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")


def drop_organisation(code: str) -> None:
    """Remove a bench organisation quickly (raw deletes in dependency order)."""
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        return
    with transaction.atomic():
        using = connection.alias
        AuditEntry.objects.filter(organisation=organisation)._raw_delete(using)
        Grant.objects.filter(organisation=organisation)._raw_delete(using)
        ImportBatch.objects.filter(organisation=organisation)._raw_delete(using)
        Placement.objects.filter(person__organisation=organisation)._raw_delete(using)
        Unit.objects.filter(organisation=organisation).update(manager=None, parent=None)
        user_ids = list(
            Person.objects.filter(organisation=organisation, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        Person.objects.filter(organisation=organisation)._raw_delete(using)
        Unit.objects.filter(organisation=organisation)._raw_delete(using)
        Role.objects.filter(organisation=organisation)._raw_delete(using)
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(pk__in=user_ids).delete()
        organisation.delete()


def op_import(ctx: BenchContext) -> None:
    drop_organisation(BENCH_CODE)
    organisation = organisation_create(code=BENCH_CODE, name="Bench kommun")
    ctx.organisation = organisation
    s = ctx.synthetic
    units_bytes, people_bytes = s.units_file.read_bytes(), s.people_file.read_bytes()

    def both() -> None:
        import_file(kind="units", content=units_bytes, filename="units.csv", organisation=organisation)
        import_file(kind="people", content=people_bytes, filename="people.csv", organisation=organisation)

    seconds, _ = timed(both)
    ctx.report(Figure(f"import {s.people} people + {s.units} units (fresh)", seconds, "s", 60.0))
    seconds, _ = timed(both)
    ctx.report(Figure("re-import of the unchanged files", seconds, "s", 20.0))


def op_people_list(ctx: BenchContext) -> None:
    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    # The manager whose subtree is largest (an administration: about 5,000 people at 50,000).
    units = list(Unit.objects.filter(organisation=organisation, depth=0, manager__isnull=False))
    best, best_count = None, -1
    for unit in units:
        count = Person.objects.filter(is_active=True, unit__path__startswith=unit.path).count()
        if count > best_count:
            best, best_count = unit, count
    if best is None or best.manager is None:
        raise RuntimeError("the bench organisation has no manager; run `bench seed` first")
    user = account_for_person(person=best.manager)
    client = Client()
    client.force_login(user)
    url = reverse("org:people")
    client.get(url)  # warm up
    samples = []
    for _ in range(sampling.count(21)):
        seconds, response = timed(lambda: client.get(url))
        if response.status_code != 200:
            raise RuntimeError(f"people list answered {response.status_code}")
        samples.append(seconds * 1000)
    ctx.report(
        Figure(
            f"people list of a manager ({best_count} people in subtree), median",
            statistics.median(samples),
            "ms",
            150.0,
        )
    )
    search = []
    for term in ("Lind", "Hussein", "ek"):

        def query(term: str = term) -> Any:
            return client.get(url, {"q": term})

        seconds, _ = timed(query)
        search.append(seconds * 1000)
    ctx.report(Figure("  … with a name search, median", statistics.median(search), "ms", 150.0))
    counts = []
    for size in (25, 200):
        settings.KOMPETENSLYFT_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries.captured_queries))
    settings.KOMPETENSLYFT_PAGE_SIZE = 50
    ctx.report(
        Figure(
            "  … queries for a page of 25 / of 200",
            counts[1] - counts[0],
            "extra queries",
            0.0,
            note=f"{counts[0]} / {counts[1]}",
        )
    )


OPERATIONS: dict[str, Callable[[BenchContext], None]] = {
    "import": op_import,
    "people-list": op_people_list,
}


def prepare(directory: Path, people: int, units: int) -> SyntheticOrganisation:
    return write_synthetic(directory, people=people, units=units)


# --- issue 3: needs analysis -------------------------------------------------------------------

BENCH_COMPETENCES = 60


def _seed_requirements(organisation: Organisation) -> list[int]:
    from kompetenslyft.competence.models import Competence

    lines = ["competence_code,name,category,knowledge_goals"]
    for number in range(1, BENCH_COMPETENCES + 1):
        lines.append(
            f"K{number:02d},Kompetens {number},Kategori {1 + (number - 1) // 10},Mål {number}a;Mål {number}b"
        )
    import_file(
        kind="framework",
        content=("\n".join(lines) + "\n").encode(),
        filename="framework.csv",
        organisation=organisation,
        framework_code="bench",
    )
    roles = list(Role.objects.filter(organisation=organisation).values_list("name", flat=True))
    lines = ["role,competence_code,required_level,unit_id,mandatory"]
    for r_index, role in enumerate(roles):
        for number in range(1, BENCH_COMPETENCES + 1):
            lines.append(
                f"{role},K{number:02d},{2 + (r_index + number) % 3},,{'ja' if number % 4 == 0 else 'nej'}"
            )
    import_file(
        kind="requirements",
        content=("\n".join(lines) + "\n").encode(),
        filename="requirements.csv",
        organisation=organisation,
    )
    return list(
        Competence.objects.filter(framework__organisation=organisation)
        .order_by("code")
        .values_list("pk", flat=True)
    )


def _seed_answers(organisation: Organisation, competence_ids: list[int]) -> int:
    """Everyone answers every competence at points 0 and 1 (written in bulk, as an earlier tool's
    export would be)."""
    import datetime as dt
    import random

    from django.utils import timezone

    from kompetenslyft.assessment.models import Answer

    rnd = random.Random(3)
    Answer.objects.filter(person__organisation=organisation)._raw_delete(connection.alias)
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True).values_list("pk", flat=True)
    )
    first = timezone.now() - dt.timedelta(days=200)
    second = timezone.now() - dt.timedelta(days=20)
    columns = (
        "person_id",
        "competence_id",
        "measurement_point",
        "level",
        "measured_at",
        "source",
        "is_latest",
    )

    def generate() -> Any:
        for person_id in people:
            for competence_id in competence_ids:
                level = rnd.randint(0, 4)
                yield (person_id, competence_id, 0, level, first, "import", False)
                yield (
                    person_id,
                    competence_id,
                    1,
                    min(4, level + rnd.choice((0, 0, 1, 1, 2))),
                    second,
                    "import",
                    True,
                )

    with transaction.atomic():
        rows = bulk_insert(Answer._meta.db_table, columns, generate())
    analyse(Answer)
    return rows


def _lead_client(organisation: Organisation, role: str = "lead") -> Client:
    from django.contrib.auth import get_user_model

    from kompetenslyft.org.services import grant_add

    user, _created = get_user_model().objects.get_or_create(username=f"bench-{role}")
    grant_add(user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    return client


def _median_ms(client: Client, url: str, params: dict[str, Any], runs: int = 11) -> float:
    client.get(url, params)  # warm up
    samples = []
    for _ in range(sampling.count(runs)):
        seconds, response = timed(lambda: client.get(url, params))
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        samples.append(seconds * 1000)
    return statistics.median(samples)


def op_gap(ctx: BenchContext) -> None:
    import json

    from kompetenslyft.assessment import gaps
    from kompetenslyft.assessment.reports import build_gap

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    competence_ids = _seed_requirements(organisation)
    seconds, rows = timed(lambda: _seed_answers(organisation, competence_ids))
    ctx.report(Figure(f"seed {rows} answers (2 measurement points)", seconds, "s", note="setup"))
    seconds, cells = timed(lambda: gaps.rebuild(organisation))
    ctx.report(Figure(f"full rebuild of the gap summary ({cells} cells, background task)", seconds, "s"))
    seconds, data = timed(lambda: json.dumps(build_gap(organisation=BENCH_CODE)))
    ctx.report(Figure(f"report gap --format json ({len(json.loads(data)['rows'])} rows)", seconds, "s", 3.0))
    seconds, _ = timed(lambda: json.dumps(build_gap(organisation=BENCH_CODE, measurement_point=0)))
    ctx.report(Figure("report gap --measurement-point 0", seconds, "s", 3.0))
    seconds, _ = timed(lambda: json.dumps(build_gap(organisation=BENCH_CODE, anonymised=True)))
    ctx.report(
        Figure("report gap --anonymised (every figure through the disclosure control)", seconds, "s", 3.0)
    )


def op_campaign(ctx: BenchContext) -> None:
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.assessment.models import Campaign
    from kompetenslyft.assessment.services import campaign_create, campaign_generate, target_people

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    Campaign.objects.filter(organisation=organisation).delete()
    today = timezone.localdate()
    tops = list(Unit.objects.filter(organisation=organisation, parent__isnull=True))

    def generate() -> int:
        campaign = campaign_create(
            organisation=organisation,
            name="Bench",
            measurement_point=2,
            opens_on=today,
            closes_on=today + dt.timedelta(days=14),
            units=tops,
            roles=[],
        )
        Campaign.objects.filter(pk=campaign.pk).update(
            status=Campaign.Status.GENERATING, progress_total=target_people(campaign).count()
        )
        return campaign_generate(campaign_id=campaign.pk, invite=False)

    seconds, people = timed(generate)
    ctx.report(Figure(f"generate and open a campaign for {people} people (task)", seconds, "s", 60.0))


OPERATIONS["gap"] = op_gap
OPERATIONS["campaign"] = op_campaign


# --- issue 4: initiatives and delivery ---------------------------------------------------------


def _bench_modules(organisation: Organisation) -> list[Any]:
    from kompetenslyft.learning.models import Module

    lines = ["module_code,name,category,level,format,hours,competence_codes,mandatory_roles"]
    for number in range(1, BENCH_COMPETENCES + 1):
        mandatory = "undersköterska" if number == 60 else ""
        lines.append(
            f"BM{number:02d},Modul {number},Kategori {1 + (number - 1) // 10},basic,onsite,1.5,"
            f"K{number:02d},{mandatory}"
        )
    import_file(
        kind="modules",
        content=("\n".join(lines) + "\n").encode(),
        filename="modules.csv",
        organisation=organisation,
    )
    return list(Module.objects.filter(organisation=organisation).order_by("code"))


def op_learning(ctx: BenchContext) -> None:
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone

    from kompetenslyft.learning.models import Attendance, Initiative, Proposal
    from kompetenslyft.learning.reports import build_funder
    from kompetenslyft.learning.services import initiative_create, proposals_generate

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    from kompetenslyft.competence.models import Requirement

    if not Requirement.objects.filter(organisation=organisation).exists():
        _seed_requirements(organisation)
    modules = _bench_modules(organisation)
    Initiative.objects.filter(organisation=organisation, code="bench").delete()
    tops = list(Unit.objects.filter(organisation=organisation, parent__isnull=True))
    initiative = initiative_create(
        organisation=organisation, code="bench", name="Bench", units=tops, modules=modules
    )
    seconds, people = timed(lambda: proposals_generate(initiative_id=initiative.pk))
    stored = Proposal.objects.filter(initiative=initiative).count()
    ctx.report(
        Figure(
            f"assignment proposals: {people} people × {len(modules)} modules (task)",
            seconds,
            "s",
            15.0,
            note=f"{stored} proposals",
        )
    )

    # 1,000,000 attendance rows, then `report funder`.
    Attendance.objects.filter(person__organisation=organisation)._raw_delete(connection.alias)
    rnd = random.Random(9)
    people_units = list(
        Person.objects.filter(organisation=organisation, is_active=True).values_list(
            "pk", "unit_id", "role_id"
        )
    )
    module_ids = [m.pk for m in modules]
    first_day = timezone.localdate() - dt.timedelta(days=365)
    per_person = max(1, 1_000_000 // len(people_units))

    def rows() -> Any:
        for person_id, unit_id, role_id in people_units:
            for index, module_id in enumerate(rnd.sample(module_ids, min(per_person, len(module_ids)))):
                status = "no_show" if rnd.random() < 0.03 else ("completed" if index % 3 == 0 else "attended")
                yield (
                    person_id,
                    module_id,
                    unit_id,
                    role_id,
                    first_day + dt.timedelta(days=rnd.randint(0, 360)),
                    Decimal("1.50"),
                    status,
                    "import",
                )

    with transaction.atomic():
        seeded = bulk_insert(
            Attendance._meta.db_table,
            ("person_id", "module_id", "unit_id", "role_id", "date", "hours", "status", "source"),
            rows(),
        )
    analyse(Attendance)
    from kompetenslyft.learning.participation import rebuild as participation_rebuild

    seconds, summary_rows = timed(lambda: participation_rebuild(organisation))
    ctx.report(Figure(f"participation summary rebuilt ({summary_rows} rows)", seconds, "s"))
    ctx.report(Figure(f"seed {seeded} attendance rows", 0.0, "s", note="setup"))
    seconds, data = timed(lambda: build_funder(organisation=BENCH_CODE))
    ctx.report(
        Figure(
            f"report funder over {seeded} attendance rows",
            seconds,
            "s",
            3.0,
            note=f"{data['unique_participants']['total']} participants",
        )
    )
    seconds, _ = timed(
        lambda: build_funder(
            organisation=BENCH_CODE,
            unit=tops[0].unit_id,
            date_from=(first_day + dt.timedelta(days=90)).isoformat(),
        )
    )
    ctx.report(Figure("  … with --unit (an administration) and --from", seconds, "s", 3.0))


OPERATIONS["learning"] = op_learning


# --- issue 7: files cannot take the server down (kompetenslyft/bench/files.py) ---------------
from .files import file_operations  # noqa: E402 - registered after the operations above

OPERATIONS.update(file_operations())

# Issue 7 (kompetenslyft/bench/beside.py). Pages are timed once all the data is in place: the
# people list moves after the loads.
from .beside import op_pages, op_rebuild  # noqa: E402

OPERATIONS["people-list"] = OPERATIONS.pop("people-list")
OPERATIONS["pages"] = op_pages

# Issue 8, the funder report whole (kompetenslyft/bench/funder.py).
from .funder import op_evaluation_report, op_evaluations, op_funder_pages  # noqa: E402

OPERATIONS["evaluations"] = op_evaluations
OPERATIONS["funder-pages"] = op_funder_pages
OPERATIONS["evaluation-report"] = op_evaluation_report
OPERATIONS["rebuild"] = op_rebuild

# Issue 8, the dashboard (kompetenslyft/bench/dashboard.py): timed once everything is loaded.
from .dashboard import op_dashboard  # noqa: E402

OPERATIONS["dashboard"] = op_dashboard

# Issue 9, search (kompetenslyft/bench/search.py): an organisation of its own, any order.
from .search import op_search  # noqa: E402

OPERATIONS["search"] = op_search

# Issue 9, the manager's workday (kompetenslyft/bench/manager.py): team view and proposals.
from .manager import op_manager  # noqa: E402

OPERATIONS["manager"] = op_manager

# Issue 9, every role's start page with its cards' data (kompetenslyft/bench/homes.py).
from .homes import op_homes  # noqa: E402

OPERATIONS["homes"] = op_homes

# Issue 9, every role's workday over HTTP (kompetenslyft/bench/workday.py): last, with all data.
from .workday import op_workday  # noqa: E402

OPERATIONS["workday"] = op_workday

# Issue 10, indicators (kompetenslyft/bench/indicators.py).
from .indicators import op_indicators  # noqa: E402

OPERATIONS["indicators"] = op_indicators
# Issue 10, knowledge tests (kompetenslyft/bench/knowledge.py): the test page and test results.
from .knowledge import op_knowledge  # noqa: E402

OPERATIONS["knowledge"] = op_knowledge
# Issue 10, follow-up at work (kompetenslyft/bench/followup.py): its own completions and talks.
from .followup import op_followup  # noqa: E402

OPERATIONS["followup"] = op_followup


# --- issue 11: the learning record store ------------------------------------------------------
from .lrs import op_lrs  # noqa: E402

OPERATIONS["lrs"] = op_lrs
# Issue 10, micro-learning (kompetenslyft/bench/microlearning.py): its own completions, the day's sends.
from .microlearning import op_microlearning  # noqa: E402

OPERATIONS["microlearning"] = op_microlearning
# Issue 10, the effect over HTTP (kompetenslyft/bench/effect.py): the dashboard's effect sections
# with four users at once, and the success-case page.
from .effect import op_effect  # noqa: E402

OPERATIONS["effect"] = op_effect

# Issue 12, sign-in through the provider (kompetenslyft/bench/oidc.py): the product's part of the callback.
from .oidc import op_oidc  # noqa: E402

OPERATIONS["oidc"] = op_oidc

# Issue 12, erasure (kompetenslyft/bench/retention.py): 5,000 leavers and 1,000,000 statements
# pseudonymised by the nightly retention task; an organisation of its own.
from .retention import op_erasure  # noqa: E402

OPERATIONS["erasure"] = op_erasure
# Issue 12, the register extract of a person with five years of history (kompetenslyft/bench/extract.py).
from .extract import op_extract  # noqa: E402

OPERATIONS["extract"] = op_extract
