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

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    def line(self) -> str:
        verdict = "" if self.met is None else ("  ok" if self.met else "  MISSED")
        target = f" (target ≤ {self.target:g} {self.unit})" if self.target is not None else ""
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
    for _ in range(21):
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
