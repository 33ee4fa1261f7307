"""The heatmap shows aggregates-only viewers no head count per unit (ADR 0007): "how many the
requirement concerns" is a count of the people of a unit and role that no release protects,
so outside the viewer's own units it is left out, on screen and in the exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from kompetenslyft.assessment import gaps
from kompetenslyft.org.tests.factories import PersonFactory, UnitFactory

from .test_views import client_for, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_unit(world: Any) -> Any:  # noqa: F811
    """Two people required to answer, none answered: the cell used to read "0 / 2"."""
    unit = UnitFactory(organisation=world.org_a, unit_id="QUIET", name="Tysta enheten", parent=world.admin_a)
    PersonFactory(unit=unit, role=world.employee.role)
    PersonFactory(unit=unit, role=world.employee.role)
    gaps.rebuild(world.org_a)
    return unit


def _row(body: str, name: str) -> str:
    start = body.index('<th scope="row">', body.index("<tbody"))
    start = body.index(name, start)
    return body[start : body.index("</tr>", start)]


@pytest.mark.parametrize("viewer", ["top", "evaluator"])
def test_aggregate_viewers_see_no_required_head_count(world: Any, silent_unit: Any, viewer: str) -> None:  # noqa: F811
    user = getattr(world, viewer)
    client = client_for(getattr(user, "user", user))
    seen = 0
    for query in ({}, {"unit": world.admin_a.pk}, {"unit": world.admin_a.pk, "role": world.employee.role.pk}):
        body = client.get(reverse("assessment:gaps"), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        if "Tysta enheten</th>" in body or "Tysta enheten</a></th>" in body:
            row = _row(body, "Tysta enheten")
            assert "<small>0</small>" in row and "0 / 2" not in row
            seen += 1
        assert "(2)" not in body and "(3)" not in body and "(9)" not in body
        export = client.get(reverse("assessment:gaps_export", args=["csv"]), query, HTTP_ACCEPT_LANGUAGE="en")
        rows = list(csv.reader(io.StringIO(export.content.decode().lstrip("\ufeff"))))
        header, data = rows[0], rows[1:]
        required = header.index("People with the requirement")
        assert data and all(r[required] == "" for r in data)
    assert seen


def test_lead_and_manager_keep_the_required_head_count(world: Any, silent_unit: Any) -> None:  # noqa: F811
    body = (
        client_for(world.lead.user)
        .get(reverse("assessment:gaps"), {"unit": world.admin_a.pk})
        .content.decode()
    )
    assert "0 / 2" in _row(body, "Tysta enheten")
    manager = client_for(world.manager.user)
    export = manager.get(reverse("assessment:gaps_export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(export.content.decode().lstrip("\ufeff"))))
    required = rows[0].index("People with the requirement")
    assert any(r[required] not in ("", "0") for r in rows[1:])
