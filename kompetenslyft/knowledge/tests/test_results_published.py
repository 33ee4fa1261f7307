"""Attacks on the knowledge results by differencing (issue 10, leaks L2 and L3; ADR 0019): an
aggregates-only viewer reads the dashboard, something happens to one person, and it reads again.

* L2 — a unit change: a person's tries were placed by the unit of its latest try, so when it
  moved and took another test, both units' figures moved and the difference told its score.
  Each try now counts in the unit and role of the time of the try, in a frozen month.
* L3 — over time: a single new try changed a figure at once. Results are now published per
  closed month; the month under way shows nothing, and a closed month only through its release
  of whole blocks of k or more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kompetenslyft.core.published import month_start, next_month
from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.knowledge.models import KnowledgeTest, ResultMonth
from kompetenslyft.knowledge.results import PRE, Results
from kompetenslyft.knowledge.services import publish_result_months
from kompetenslyft.org.tests.factories import PersonFactory

from .test_results import _months_ago, _take


def _figures(work: Any) -> dict[str, list[Any]]:
    """Every knowledge figure an aggregates-only viewer gets on the dashboard, for the whole
    organisation and each unit as the filter (the tables' cells as displayed)."""
    seen: dict[str, list[Any]] = {}
    for unit in (None, work.admin_a, work.dep1, work.dep2, work.unit1, work.unit2, work.unit3):
        page = build_page(Filters(organisation=work.org_a, unit=unit), exact=False)
        for section in page.sections:
            if section.ident.startswith("knowledge-"):
                seen[f"{unit}/{section.ident}"] = [
                    [cell.display for cell in row] for row in section.table.rows
                ]
    return seen


def _teams(work: Any) -> Any:
    return KnowledgeTest.objects.create(organisation=work.org_a, module=work.teams, kind=PRE, pass_mark=60)


@pytest.fixture
def two_units(work: Any) -> Any:
    """Two months ago: 5 people in unit 1 and 6 in unit 2 — one of them Pelle, who scored 100
    where the others scored 40 — took M-MAIL's test before the module; the 5 of unit 1 took
    M-TEAMS's as well. That month is published."""
    work.teams_pre = _teams(work)
    work.in_unit1 = [PersonFactory(unit=work.unit1) for _ in range(5)]
    work.in_unit2 = [PersonFactory(unit=work.unit2) for _ in range(5)]
    work.pelle = PersonFactory(unit=work.unit2, given_name="Pelle")
    for person in work.in_unit1 + work.in_unit2:
        _take(work.pre, person, 40, at=_months_ago(2))
    _take(work.pre, work.pelle, 100, at=_months_ago(2))
    for person in work.in_unit1:
        _take(work.teams_pre, person, 40, at=_months_ago(2))
    publish_result_months(today=month_start(_months_ago(1).date()))
    assert ResultMonth.objects.filter(organisation=work.org_a).count() == 1
    return work


def test_l2_a_unit_change_moves_no_published_figure(two_units: Any) -> None:
    """Pelle moves to unit 1 and takes M-TEAMS's test there. Placed by its latest try, its
    M-MAIL score of 100 left unit 2 (and joined unit 1) in every figure over several modules:
    unit 2 before minus after told it. Now nothing already published moves."""
    work = two_units
    before = _figures(work)
    results = Results(work.org_a)
    unit2 = results.figure(kind=PRE, unit=work.unit2)
    assert unit2.people == 6 and unit2.mean == pytest.approx((5 * 40 + 100) / 6 / 100)

    work.pelle.unit = work.unit1
    work.pelle.save()
    _take(work.teams_pre, work.pelle, 90, at=_months_ago(1))
    assert before == _figures(work)  # the month under way (or not yet published) shows nothing
    publish_result_months(today=timezone.localdate())  # last month closes and is published
    after = _figures(work)
    assert before == after, "a published figure moved after one person's unit change"
    fresh = Results(work.org_a)
    for unit in (None, work.unit1, work.unit2, work.dep1):
        for modules in (None, frozenset([work.mail.pk]), frozenset([work.teams.pk])):
            assert fresh.figure(kind=PRE, unit=unit, modules=modules) == results.figure(
                kind=PRE, unit=unit, modules=modules
            ), (unit, modules)


def test_l2_each_try_counts_where_the_person_was_then_for_every_filter(two_units: Any) -> None:
    """Once the new month has k people of its own, Pelle's new try counts in unit 1 (where it
    took it) and its old one stays in unit 2 — for the unit, role and module filters alike."""
    work = two_units
    work.pelle.unit = work.unit1
    work.pelle.save()
    for person in [*work.in_unit2[:4], work.pelle]:
        _take(work.teams_pre, person, 90, at=_months_ago(1))  # 4 in unit 2, Pelle in unit 1
    publish_result_months(today=timezone.localdate())
    results = Results(work.org_a)
    teams = frozenset([work.teams.pk])
    mail = frozenset([work.mail.pk])
    assert results.figure(kind=PRE, unit=work.unit2, modules=mail).people == 6  # Pelle's M-MAIL stays
    assert results.figure(kind=PRE, unit=work.unit1, modules=mail).people == 5
    # Last month's M-TEAMS: 5 people, one block over department 1 (4 + Pelle): unit 1 and unit 2
    # alone are parts of it, so neither shows last month; the department shows it whole.
    dep1 = results.figure(kind=PRE, unit=work.dep1, modules=teams)
    assert dep1.people == 10 and dep1.mean == pytest.approx((5 * 40 + 5 * 90) / 10 / 100)
    unit2 = results.figure(kind=PRE, unit=work.unit2, modules=teams)
    assert unit2.hidden
    unit1 = results.figure(kind=PRE, unit=work.unit1, modules=teams)
    assert unit1.people == 5 and unit1.mean == pytest.approx(0.4)  # only its published month


def test_l3_a_new_try_moves_nothing_until_its_month_closes(two_units: Any) -> None:
    """Read, one new try (today), read again: the same. When the month closes, the try alone is
    fewer than k: it is left out, and the pages still read the same. With k people in the month,
    the figures move by a whole block of k."""
    work = two_units
    publish_result_months(today=timezone.localdate())  # last month: no tries
    before = _figures(work)
    newcomer = PersonFactory(unit=work.unit1)
    _take(work.pre, newcomer, 100, at=timezone.now())
    assert _figures(work) == before
    next_first = next_month(month_start(timezone.localdate()))
    publish_result_months(today=next_first + dt.timedelta(days=1))
    assert _figures(work) == before  # one try in the month: below k, left out
    ResultMonth.objects.filter(month=month_start(timezone.localdate())).delete()
    for _ in range(4):
        _take(work.pre, PersonFactory(unit=work.unit1), 100, at=timezone.now())
    publish_result_months(today=next_first + dt.timedelta(days=1))
    whole = Results(work.org_a).figure(kind=PRE, modules=frozenset([work.mail.pk]))
    assert whole.people == 11 + 5  # the new month's whole block of 5


def test_differences_across_filters_and_months_single_out_no_one(two_units: Any) -> None:
    """A unit minus its children, and a filter minus a narrower one, over two published months:
    every difference of shown figures is 0 or k or more people."""
    work = two_units
    _take(work.pre, PersonFactory(unit=work.unit3), 70, at=_months_ago(1))  # one in Solgården
    for _ in range(5):
        _take(work.pre, PersonFactory(unit=work.unit1), 60, at=_months_ago(1))
    publish_result_months(today=timezone.localdate())
    results = Results(work.org_a)
    mail = frozenset([work.mail.pk])
    units = [None, work.admin_a, work.dep1, work.dep2, work.unit1, work.unit2, work.unit3]
    for modules in (None, mail):  # a unit minus one below it (or the whole): 0 or k or more
        shown = {}
        for unit in units:
            f = results.figure(kind=PRE, unit=unit, modules=modules)
            if not f.hidden and not f.empty:
                shown[unit.path if unit else "/"] = f.people
        assert shown and all(p >= 5 for p in shown.values())
        for a, people_a in shown.items():
            for b, people_b in shown.items():
                if b.startswith(a):
                    assert people_a == people_b or people_a - people_b >= 5, (modules, a, b)
    assert results.figure(kind=PRE, unit=work.unit3).hidden
    assert results.figure(kind=PRE, unit=work.dep2).hidden
    # Last month's release pooled Solgården's one try with unit 1's five: the whole organisation
    # shows that block of 6, department 1 and unit 1 leave last month out.
    whole, dep1 = results.figure(kind=PRE), results.figure(kind=PRE, unit=work.dep1)
    assert (whole.people, dep1.people) == (22, 16)
    assert results.figure(kind=PRE, unit=work.unit1).people == 10
