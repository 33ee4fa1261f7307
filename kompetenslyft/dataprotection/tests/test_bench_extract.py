"""The bench op ``extract`` seeds five years of one person's history, times its register
extract against the 2 s target, and removes what it seeded."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.bench import sampling
from kompetenslyft.bench.extract import seed_history
from kompetenslyft.bench.runner import OPERATIONS, BenchContext, Figure
from kompetenslyft.dataprotection import extract
from kompetenslyft.lrs.models import Statement
from kompetenslyft.org.models import Person

pytestmark = pytest.mark.django_db


def test_the_bench_op_times_the_extract_and_cleans_up(network: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(sampling, "QUICK", True)
    people = Person.objects.count()
    figures: list[Figure] = []
    OPERATIONS["extract"](BenchContext(synthetic=None, organisation=network.org_a, report=figures.append))  # type: ignore[arg-type]
    seed, timing = figures
    assert seed.note == "setup" and "3000 learning records" in seed.name
    assert timing.unit == "s" and timing.target == 2.0 and timing.value > 0
    assert Person.objects.count() == people and not Statement.objects.exists()


def test_the_seeded_history_is_in_the_extract(network: Any) -> None:
    person, counts = seed_history(network.org_a, years=1)
    data = extract.build(Person.objects.select_related("organisation", "unit", "role").get(pk=person.pk))
    rows = {s["key"]: len(s["rows"]) for s in data["sections"]}
    assert rows["statements"] == counts["learning records"]
    assert rows["micro_sets"] == counts["micro-learning sets"]
    assert rows["attendance"] == rows["bookings"] == counts["sessions booked and attended"]
    assert rows["reads"] == counts["reads of its data"]
    assert rows["knowledge_tests"] == 40 and rows["follow_ups"] == 40 and rows["support_asked"] == 25
