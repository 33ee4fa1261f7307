"""One computation per figure: the dashboard's goal attainment is the initiative page's and the
funder report's (``people_reaching`` through ``competence_reach``), and its unique participants
are ``participant_figures``' (the funder report's, the costs')."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.evaluation.dashboard_participation import participation
from kompetenslyft.learning import reports, selectors
from kompetenslyft.learning.reports import FunderScope, participant_figures

from .dashboard_data import dashboard_data


@pytest.fixture
def data(network: Any) -> Any:
    return dashboard_data(network)


def _reached(page: Any) -> list[float | None]:
    section = next(s for s in page.sections if s.ident == "goals")
    return [row[2].value for row in section.table.rows]


def test_the_dashboards_goal_attainment_is_the_initiative_pages(data: Any) -> None:
    filters = Filters(data.org_a, initiative=data.initiative)
    page = build_page(filters, exact=True)
    statuses = selectors.goal_attainment(data.initiative)
    expected = [float(s.value) for s in statuses]
    assert _reached(page) == pytest.approx(expected, abs=1e-4)
    reach = next(s for s in statuses if s.goal.kind == "reach")
    reached, concerned = selectors.people_reaching(
        data.initiative, selectors.goal_competence_ids(data.initiative, reach.goal)
    )
    assert concerned and float(reach.value) == pytest.approx(reached / concerned, abs=1e-4)
    # The funder report's goal table says the same.
    funder = reports.goal_attainment(data.initiative, protected=False)
    shares = [
        r.result for r in funder if r.is_share and r.target == pytest.approx(float(reach.goal.target_share))
    ]
    assert shares and shares[0] == pytest.approx(float(reach.value), abs=1e-4)


def test_an_aggregates_only_viewer_sees_the_same_reach_or_none(data: Any) -> None:
    filters = Filters(data.org_a, initiative=data.initiative)
    exact = _reached(build_page(filters, exact=True))
    protected = _reached(build_page(filters, exact=False))
    for shown, true in zip(protected, exact, strict=True):
        assert shown is None or shown == pytest.approx(true)


def test_the_dashboards_unique_participants_are_the_funder_reports(data: Any) -> None:
    for filters, scope in (
        (Filters(data.org_a, initiative=data.initiative), FunderScope([data.org_a], data.initiative)),
        (Filters(data.org_a), FunderScope([data.org_a])),
        (Filters(data.org_a, unit=data.dep1), FunderScope([data.org_a], unit=data.dep1)),
    ):
        people = participation(filters, exact=True)
        counted, hours = participant_figures(scope)
        assert people.participants["total"] == counted["total"]
        assert people.participants["woman"] == counted["women"]
        assert people.hours["total"] == pytest.approx(hours)
