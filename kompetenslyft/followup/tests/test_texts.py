"""The lead's free texts of follow-up talks cannot be cut down to a few people (the attacker's
findings, session 9): the unit, role and gender filters do not apply to them — two filters set
against each other gave the one man's text — and a month's texts of a module show only when k
or more people had a talk about it that month (k talks from two people showed theirs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import SectionContext
from kompetenslyft.followup import dashboard
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import module, publish, talk

pytestmark = pytest.mark.django_db


def texts(network: Any, *, exact: bool = True, **filters: Any) -> set[str]:
    ctx = SectionContext(Filters(network.org_a, **filters), exact, "hidden*", "none")
    found: set[str] = set()
    for section in dashboard.sections(ctx):
        if section.ident == "followup-texts":
            found |= {str(row[2].value) for row in section.table.rows}
    return found


def test_no_filter_sets_one_persons_text_apart(network: Any) -> None:
    k = network.org_a.anonymity_threshold
    role = network.employee.role
    m = module(network)
    for i, p in enumerate(PersonFactory.create_batch(k, unit=network.unit1, role=role, gender="woman")):
        talk(p, m, applying="yes", support_needed=f"Stöd {i}")
    man = PersonFactory(unit=network.unit2, role=role, gender="man")
    talk(man, m, applying="no", support_needed="Min chef lyssnar aldrig på mig")
    publish(network.org_a)
    everyone = texts(network)
    assert "Min chef lyssnar aldrig på mig" in everyone and len(everyone) == k + 1
    for narrower in (
        {"gender": "woman"},
        {"gender": "man"},
        {"unit": network.unit1},
        {"unit": network.unit2},
    ):
        assert texts(network, **narrower) == everyone, narrower
    assert texts(network, exact=False) == set()  # the lead's only


def test_a_month_of_fewer_than_k_people_shows_no_text(network: Any) -> None:
    k = network.org_a.anonymity_threshold
    role = network.employee.role
    m = module(network)
    one, two = PersonFactory.create_batch(2, unit=network.unit1, role=role)
    for i in range(k):  # k talks, two people
        talk(one if i % 2 else two, m, applying="no", kind=30 + i, support_needed=f"Text {i}")
    publish(network.org_a)
    assert texts(network) == set()
    # The month before, k people: their texts show, the small month's still do not.
    earlier = timezone.localdate().replace(day=1) - dt.timedelta(days=50)
    for i, p in enumerate(PersonFactory.create_batch(k, unit=network.unit2, role=role)):
        talk(p, m, applying="yes", held_on=earlier, support_needed=f"Tidigare {i}")
    publish(network.org_a)
    shown = texts(network)
    assert shown == {f"Tidigare {i}" for i in range(k)}
