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
from kompetenslyft.learning.models import Initiative, Module
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
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Digitalt lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(Module.objects.get(code="M1"))
    network.initiative = initiative
    return network


def figures_on_page(client: Client, **query: str) -> list[Any]:
    response = client.get(reverse("learning:funder"), {**query, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[1]  # the participants
    return [row[1] for row in sheet.iter_rows(min_row=2, max_row=6, values_only=True)]


@pytest.mark.parametrize("who", ["evaluator", "top", "project_leader"])
def test_one_unit_one_day_shows_no_small_group(attended: Any, who: str) -> None:
    client = Client()
    user = getattr(attended, who)
    client.force_login(user if who == "evaluator" else user.user)
    total, women, men, other, hours = figures_on_page(
        client, unit="DEP1", **{"from": "2026-03-15", "to": "2026-03-15"}
    )
    # DEP1 in March: 1 woman, 5 men, 2 other. The woman and the two are not shown, and the
    # total is not either (or the total minus the men would give them away). The one man of
    # DEP2 pools with DEP1's five (units × gender × role are one release, ADR 0006), so the
    # men are shown for the whole organisation only.
    assert all(isinstance(v, str) for v in (total, women, other, hours))  # "too few", in Swedish
    assert isinstance(men, str)


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
    month = (None, None)
    truth: dict[tuple[int, str], int] = {}
    from kompetenslyft.learning.models import Attendance

    for unit_id, gender in Attendance.objects.values_list("unit_id", "person__gender"):
        key = (unit_id, gender if gender in ("woman", "man") else "other")
        truth[key] = truth.get(key, 0) + 1
    index = {a: i for i, a in enumerate(sorted(truth))}
    span = Span()
    hidden = []
    for unit in scopes:
        figures = protected_funder_figures(FunderScope([org], attended.initiative, *month, unit))
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


@pytest.mark.parametrize("who", ["evaluator", "top", "project_leader"])
def test_no_periods_and_no_all_against_one_for_protected_viewers(attended: Any, who: str) -> None:
    """Distinct people over nested periods (Aug–Oct minus Aug–Sep) or over all initiatives
    against one differ by small groups: such viewers get one initiative over its whole period."""
    client = Client()
    user = getattr(attended, who)
    client.force_login(user if who == "evaluator" else user.user)
    one_day = figures_on_page(client, unit="DEP2", **{"from": "2026-03-10", "to": "2026-03-10"})
    whole = figures_on_page(client, unit="DEP2")
    assert one_day == whole  # the dates are not applied
    page = client.get(reverse("learning:funder")).content.decode()
    assert 'name="from"' not in page and 'name="initiative"><option value="">' not in page
    assert attended.initiative.name in page


def test_the_lead_keeps_periods_and_all_initiatives(attended: Any) -> None:
    client = Client()
    client.force_login(attended.lead.user)
    page = client.get(reverse("learning:funder")).content.decode()
    assert 'name="from"' in page and 'name="initiative"><option value="">' in page


@pytest.mark.parametrize("who", ["lead", "top"])
def test_bad_periods_and_modules_outside_the_initiative_are_400(attended: Any, who: str) -> None:
    """Refused with a 400 naming the parameter, never answered as if the filter were not there."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(attended, who).user)
    url = reverse("learning:funder")
    response = client.get(url, {"from": "2026-01-01", "to": "2025-01-01"})
    assert response.status_code == 400 and "from: after to" in response.content.decode()
    assert client.get(url, {"from": "2026-01-01", "to": "2026-01-01"}).status_code == 200
    run(
        "modules", "module_code,name,category,level,format,hours\nM2,Excel,K,basic,onsite,2\n", attended.org_a
    )
    outside = Module.objects.get(code="M2")
    response = client.get(url, {"initiative": "lyft", "module": str(outside.pk)})
    assert response.status_code == 400 and "module:" in response.content.decode()
    inside = Module.objects.get(code="M1")
    assert client.get(url, {"initiative": "lyft", "module": str(inside.pk)}).status_code == 200
