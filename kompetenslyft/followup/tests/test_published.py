"""Attacks on the application rate by differencing (issue 10, L3; ADR 0019): read the
dashboard as top management, one talk is recorded (or a person moves), read again. The rate is
published per closed month: nothing moves until the month closes, and then only by whole
blocks of k or more people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kompetenslyft.core.published import next_month
from kompetenslyft.followup.services import publish_rate_months
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import module, talk
from .test_disclosure import people

pytestmark = pytest.mark.django_db


def read(network: Any) -> dict[str, Any]:
    """Every figure of the follow-up sections an aggregates-only viewer gets, per unit filter."""
    from kompetenslyft.evaluation.dashboard import Filters
    from kompetenslyft.evaluation.dashboard_page import SectionContext
    from kompetenslyft.followup import dashboard

    seen = {}
    for unit in (None, network.admin_a, network.dep1, network.dep2, network.unit1, network.unit2):
        ctx = SectionContext(Filters(network.org_a, unit=unit), False, "hidden*", "none")
        for section in dashboard.sections(ctx):
            seen[f"{unit}/{section.ident}"] = [[v.value for v in row] for row in section.table.rows]
    return seen


@pytest.fixture
def published(network: Any) -> Any:
    """Last month: 6 people of unit 1 and 5 of unit 2 had a talk, all applying it; published."""
    role = network.employee.role
    network.m = module(network)
    for p in people(network.unit1, role, 6) + people(network.unit2, role, 5):
        talk(p, network.m, applying="yes")
    publish_rate_months(today=timezone.localdate())
    return network


def test_one_new_talk_moves_nothing_until_its_month_closes(published: Any) -> None:
    network = published
    before = read(network)
    assert before["None/followup-modules"][0][1:3] == [11, 11]
    talk(
        PersonFactory(unit=network.unit2, role=network.employee.role),
        network.m,
        applying="no",
        held_on=timezone.localdate(),
    )
    assert read(network) == before  # the month under way shows nothing
    publish_rate_months(today=next_month(timezone.localdate()) + dt.timedelta(days=2))
    assert read(network) == before  # one talk in the month: under k, left out everywhere


def test_a_person_who_moves_moves_no_published_rate(published: Any) -> None:
    """One of unit 2's people moves to unit 1 and has its 90-day talk there. Placed by its
    latest talk, its earlier talk left unit 2's figures; now nothing published moves."""
    network = published
    before = read(network)
    mover = PersonFactory(unit=network.unit2, role=network.employee.role)
    talk(mover, network.m, applying="no", held_on=timezone.localdate().replace(day=1) - dt.timedelta(days=40))
    publish_rate_months(today=timezone.localdate())  # the month before last: one talk, left out
    middle = read(network)
    assert middle == before
    mover.unit = network.unit1
    mover.save()
    talk(mover, network.m, applying="yes", kind=90, held_on=timezone.localdate())
    publish_rate_months(today=next_month(timezone.localdate()) + dt.timedelta(days=2))
    assert read(network) == before


def test_a_month_of_k_people_moves_the_figures_by_a_whole_block(published: Any) -> None:
    network = published
    for p in people(network.unit1, network.employee.role, 5):
        talk(p, network.m, applying="no", held_on=timezone.localdate())
    publish_rate_months(today=next_month(timezone.localdate()) + dt.timedelta(days=2))
    after = read(network)
    assert after["None/followup-modules"][0][1:3] == [16, 11]
    # A unit minus its children across the new month: every shown count is 0 or k or more.
    for rows in after.values():
        for row in rows:
            assert row[1] is None or row[1] == 0 or row[1] >= 5
