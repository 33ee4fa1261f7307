"""The funder report for viewers outside their own units: the attack that gave "1 participant,
1 woman" for one unit and one day, repeated through the page and by differencing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kompetenslyft.core.importing import import_file
from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.learning.reports import FunderScope, protected_funder_figures
from kompetenslyft.org.models import Unit
from kompetenslyft.org.tests.factories import PersonFactory

K = 5
GENDERS = {"woman": "women", "man": "men", "other": "other_or_unspecified"}


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


@pytest.fixture
def attended(network: Any) -> Any:
    org = network.org_a
    run("modules", "module_code,name,category,level,format,hours\nM1,E-post,K,basic,onsite,2\n", org)
    lines = ["employee_id,module_code,date,hours,status"]
    plan = [
        (network.unit1, "woman", 1, "2026-03-15"),  # the one the attack found
        (network.unit2, "man", 5, "2026-03-12"),
        (network.unit2, "", 2, "2026-03-12"),
        (network.unit3, "woman", 6, "2026-03-10"),
        (network.unit3, "man", 1, "2026-03-10"),
        (network.unit3, "other", 5, "2026-03-11"),
        (network.dep2, "woman", 2, "2026-03-20"),
    ]
    for unit, gender, n, day in plan:
        for person in PersonFactory.create_batch(n, unit=unit, gender=gender):
            lines.append(f"{person.employee_id},M1,{day},2,attended")
    run("attendance", "\n".join(lines) + "\n", org)
    org.anonymity_threshold = K
    org.save()
    return network


def figures_on_page(client: Client, **query: str) -> list[Any]:
    response = client.get(reverse("learning:funder"), {**query, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [row[1] for row in sheet.iter_rows(min_row=6, max_row=10, values_only=True)]


@pytest.mark.parametrize("who", ["evaluator", "top", "project_leader"])
def test_one_unit_one_day_shows_no_small_group(attended: Any, who: str) -> None:
    client = Client()
    user = getattr(attended, who)
    client.force_login(user if who == "evaluator" else user.user)
    total, women, men, other, hours = figures_on_page(
        client, unit="DEP1", **{"from": "2026-03-15", "to": "2026-03-15"}
    )
    # DEP1 in March: 1 woman, 5 men, 2 other. The woman and the two are not shown, and the
    # total is not either (or the total minus the men would give them away); the men are.
    assert men == 5
    assert all(isinstance(v, str) for v in (total, women, other, hours))  # "too few", in Swedish


def test_the_lead_sees_exact_figures(attended: Any) -> None:
    client = Client()
    client.force_login(attended.lead.user)
    total, women, men, other, hours = figures_on_page(
        client, unit="DEP1", **{"from": "2026-03-15", "to": "2026-03-15"}
    )
    assert (total, women, men, other) == (1, 1, 0, 0)


def test_no_hidden_figure_can_be_worked_out(attended: Any) -> None:
    """Every unit of the tree (not only those the page offers) and the whole organisation,
    each with its genders, combined by any sum or difference."""
    org = attended.org_a
    units = list(Unit.objects.filter(organisation=org))
    scopes = [None, *units]
    month = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    truth: dict[tuple[int, str], int] = {}
    from kompetenslyft.learning.models import Attendance

    for unit_id, gender in Attendance.objects.values_list("unit_id", "person__gender"):
        key = (unit_id, gender if gender in ("woman", "man") else "other")
        truth[key] = truth.get(key, 0) + 1
    index = {a: i for i, a in enumerate(sorted(truth))}
    span = Span()
    hidden = []
    for unit in scopes:
        figures = protected_funder_figures(FunderScope([org], None, *month, unit))
        inside = {u.pk for u in units if unit is None or u.path.startswith(unit.path)}
        for column, key in [(None, "total"), *GENDERS.items()]:
            vector = [0] * len(index)
            value = 0
            for (u, g), i in index.items():
                if u in inside and (column is None or g == column):
                    vector[i] = 1
                    value += truth[(u, g)]
            shown = figures["unique_participants"][key]
            if shown is None:
                if value:
                    hidden.append(((unit.unit_id if unit else "all", key, value), vector))
            else:
                assert shown == value
                assert not 0 < shown < K, (unit, key, shown)
                span.add(vector)
    assert hidden, "the test data must hold small groups"
    assert [cell for cell, vector in hidden if span.contains(vector)] == []


def test_periods_are_whole_months(attended: Any) -> None:
    figures = protected_funder_figures(
        FunderScope([attended.org_a], None, dt.date(2026, 3, 15), dt.date(2026, 3, 15), None)
    )
    assert figures["period"] == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert figures["unique_participants"]["total"] == 22
