"""Results per module, unit and role: before vs after, shown only for groups of k or more, and
never so that a smaller group can be worked out (a unit minus its children, a role minus the
rest); the dashboard's sections for an aggregates-only viewer and for the lead alike."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import combinations
from typing import Any

import pytest
from django.utils import timezone

from kompetenslyft.core.published import month_start
from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.knowledge.models import Attempt, ResultMonth
from kompetenslyft.knowledge.results import POST, PRE, Results
from kompetenslyft.knowledge.services import publish_result_months
from kompetenslyft.learning.models import Attendance
from kompetenslyft.org.models import Unit
from kompetenslyft.org.tests.factories import PersonFactory, RoleFactory


def _months_ago(n: int) -> dt.datetime:
    """Noon on the 10th of the month ``n`` months before this one."""
    month = month_start(timezone.localdate())
    for _ in range(n):
        month = month_start(month - dt.timedelta(days=1))
    return timezone.make_aware(dt.datetime.combine(month.replace(day=10), dt.time(12)))


def _take(test: Any, person: Any, score: int, *, number: int = 1, at: dt.datetime | None = None) -> None:
    """A try handed in ``at`` (last month unless told: the month the tests publish)."""
    when = at or _months_ago(1)
    Attempt.objects.create(
        test=test,
        person=person,
        unit=person.unit,
        role=person.role,
        number=number,
        started_at=when,
        submitted_at=when,
        score=Decimal(score),
        passed=score >= test.pass_mark,
    )


def _results(organisation: Any, *, today: dt.date | None = None) -> Results:
    """The results once the closed months (up to ``today``'s) are published."""
    publish_result_months(today=today or timezone.localdate())
    return Results(organisation)


def _complete(module: Any, person: Any) -> None:
    Attendance.objects.create(
        person=person,
        module=module,
        unit=person.unit,
        role=person.role,
        date=timezone.localdate(),
        hours=Decimal(1),
        status=Attendance.Status.COMPLETED,
    )


@pytest.fixture
def taken(work: Any) -> Any:
    """Before: 6 in unit 1 (score 40), 6 in unit 2 (50), 2 in unit 3 (90, a small group);
    after: the 12 of department 1 (80), and a second try that does not count."""
    nurse = RoleFactory(organisation=work.org_a, name="sjuksköterska")
    people = {
        "u1": [PersonFactory(unit=work.unit1) for _ in range(6)],
        "u2": [PersonFactory(unit=work.unit2, role=nurse) for _ in range(6)],
        "u3": [PersonFactory(unit=work.unit3) for _ in range(2)],
    }
    for key, score in (("u1", 40), ("u2", 50), ("u3", 90)):
        for person in people[key]:
            _take(work.pre, person, score)
    for person in people["u1"] + people["u2"]:
        _complete(work.mail, person)
        _take(work.post, person, 80)
    _take(work.post, people["u1"][0], 0, number=2)
    work.people, work.nurse = people, nurse
    publish_result_months(today=timezone.localdate())
    return work


def test_module_figures_are_exact_means_of_first_tries(taken: Any) -> None:
    results = _results(taken.org_a)
    before = results.figure(kind=PRE, modules=frozenset([taken.mail.pk]))
    after = results.figure(kind=POST, modules=frozenset([taken.mail.pk]))
    assert before.people == 14 and before.mean == pytest.approx((6 * 40 + 6 * 50 + 2 * 90) / 14 / 100)
    assert before.pass_rate == pytest.approx(2 / 14)  # pass mark 60: only the two of unit 3
    assert (after.people, after.mean, after.pass_rate) == (12, pytest.approx(0.8), pytest.approx(1.0))


def test_a_small_unit_is_hidden_and_no_difference_of_shown_units_reveals_it(taken: Any) -> None:
    results = _results(taken.org_a)
    assert results.figure(kind=PRE, unit=taken.unit3).hidden
    assert results.figure(kind=PRE, unit=taken.dep2).hidden
    units = list(Unit.objects.filter(organisation=taken.org_a))
    shown = {u.pk: results.figure(kind=PRE, unit=u) for u in units}
    shown = {pk: f for pk, f in shown.items() if not f.hidden and not f.empty}
    paths = {u.pk: u.path for u in units}
    for a, b in combinations(shown, 2):
        if paths[a].startswith(paths[b]) or paths[b].startswith(paths[a]):
            gap = abs(shown[a].people - shown[b].people)
            assert gap == 0 or gap >= 5, (a, b, gap)
    # The organisation's total minus department 1 would single out unit 3's two people.
    total = results.figure(kind=PRE)
    dep1 = results.figure(kind=PRE, unit=taken.dep1)
    assert total.hidden or dep1.hidden or total.people - dep1.people >= 5


def test_roles_are_released_so_that_a_role_minus_the_rest_reveals_no_small_group(taken: Any) -> None:
    results = _results(taken.org_a)
    nurses = results.figure(kind=PRE, role_id=taken.nurse.pk)
    others = results.figure(kind=PRE, role_id=taken.employee.role_id)
    total = results.figure(kind=PRE)
    assert (nurses.people, others.people, total.people) == (6, 8, 14)
    for role in (nurses, others):  # the total minus one role is the other role: 5 or more
        assert total.people - role.people >= 5
    # A role within a small unit is hidden, and so is the unit minus that role.
    assert results.figure(kind=PRE, unit=taken.unit3, role_id=taken.employee.role_id).hidden
    dep1_others = results.figure(kind=PRE, unit=taken.dep1, role_id=taken.employee.role_id)
    admin_others = results.figure(kind=PRE, unit=taken.admin_a, role_id=taken.employee.role_id)
    assert dep1_others.hidden or admin_others.hidden or admin_others.people - dep1_others.people >= 5


@pytest.mark.parametrize("exact", [False, True])
def test_the_dashboard_sections_hide_small_groups_for_every_viewer(taken: Any, exact: bool) -> None:
    page = build_page(Filters(organisation=taken.org_a), exact=exact)
    sections = {s.ident: s for s in page.sections}
    assert {"knowledge-modules", "knowledge-units", "knowledge-roles"} <= set(sections)
    (row,) = sections["knowledge-modules"].table.rows
    assert row[0].value == "E-post grund" and row[1].value == 14 and row[4].value == 12
    assert row[7].value == pytest.approx(0.8 - (6 * 40 + 6 * 50 + 2 * 90) / 14 / 100)
    small = build_page(Filters(organisation=taken.org_a, unit=taken.dep2), exact=exact)
    unit_rows = {r[0].value: r for r in {s.ident: s for s in small.sections}["knowledge-units"].table.rows}
    assert unit_rows["Särskilt boende"][1].hidden and unit_rows["Solgården"][1].hidden
    assert unit_rows["Solgården"][2].hidden


def test_the_after_results_count_only_people_who_completed_the_module(taken: Any) -> None:
    """Five more tried the test after the module without completing it: they do not count."""
    for _ in range(5):
        _take(taken.post, PersonFactory(unit=taken.unit1), 0, at=_months_ago(2))
    after = _results(taken.org_a).figure(kind=POST, modules=frozenset([taken.mail.pk]))
    assert (after.people, after.mean) == (12, pytest.approx(0.8))


def test_an_organisation_with_only_a_test_after_the_module_has_results(taken: Any) -> None:
    taken.pre.delete()
    after = _results(taken.org_a).figure(kind=POST, modules=frozenset([taken.mail.pk]))
    assert after.people == 12


def _knowledge(page: Any) -> list[tuple[str, str]]:
    return [(str(s.chart), str(s.table_html())) for s in page.sections if s.ident.startswith("knowledge-")]


def test_a_filter_down_to_one_person_does_not_tell_whether_it_took_the_test(taken: Any) -> None:
    """The attack: a unit filter and a role filter that leave one named person; for a viewer
    without exact figures the page must be the same whether that person took the test or not
    (0 versus hidden told it before)."""
    counsellor = RoleFactory(organisation=taken.org_a, name="kurator")
    alone = PersonFactory(unit=taken.unit1, role=counsellor)
    filters = Filters(organisation=taken.org_a, unit=taken.unit1, role=counsellor)
    did_not = _knowledge(build_page(filters, exact=False))
    _take(taken.pre, alone, 100)
    took = _knowledge(
        build_page(Filters(organisation=taken.org_a, unit=taken.unit1, role=counsellor), exact=False)
    )
    assert len(took) == 3 and took == did_not
    assert "hidden*" in took[0][0] and "hidden*" in took[0][1]


@pytest.mark.parametrize("exact", [False, True])
def test_chart_and_table_agree_on_groups_with_no_tries(taken: Any, exact: bool) -> None:
    """A role with no tries: hidden in both for a viewer without exact figures; 0 and a dash
    (not "hidden") in both for the lead."""
    RoleFactory(organisation=taken.org_a, name="kurator")
    page = build_page(Filters(organisation=taken.org_a), exact=exact)
    roles = {s.ident: s for s in page.sections}["knowledge-roles"]
    (row,) = [r for r in roles.table.rows if r[0].value == "kurator"]
    chart = str(roles.chart)
    group = "</text>".join(chart[chart.index("kurator") :].split("</text>")[1:3])  # its two bars
    if exact:
        assert (row[1].value, row[2].hidden, row[2].display) == (0, False, "–")
        assert "hidden*" not in group and group.count(">–") == 2
    else:
        assert row[1].hidden and row[2].hidden and row[4].hidden
        assert group.count("hidden*") == 2


def test_the_dash_in_a_results_table_is_explained_under_it(taken: Any) -> None:
    """The review: the lead's tables showed "–" with no word of what it meant (nobody took the
    test), beside "hidden*", which its note explains. Hidden figures stay hidden."""
    RoleFactory(organisation=taken.org_a, name="kurator")
    page = build_page(Filters(organisation=taken.org_a), exact=True)
    roles = {s.ident: s for s in page.sections}["knowledge-roles"]
    assert roles.shows_blank_note and roles.blank_note.startswith("–: nobody took the test")
    # Only where the table has a dash: the module's row has figures on both sides.
    assert not {s.ident: s for s in page.sections}["knowledge-modules"].shows_blank_note
    from django.urls import reverse

    from .conftest import client_for

    html = client_for(taken.lead.user).get(reverse("evaluation:dashboard")).content.decode()
    section = html[html.index('id="h-knowledge-roles"') :]
    section = section[: section.index("</section>")]
    assert '<td class="num">–</td>' in section
    assert f'<p class="muted blank-note">{roles.blank_note}</p>' in section
    # A viewer without exact figures meets no dash here (a group nobody tested looks hidden).
    others = build_page(Filters(organisation=taken.org_a), exact=False)
    assert not any(s.shows_blank_note for s in others.sections if s.ident.startswith("knowledge-"))


def _teams_pre(work: Any) -> Any:
    from kompetenslyft.knowledge.models import KnowledgeTest

    return KnowledgeTest.objects.create(organisation=work.org_a, module=work.teams, kind=PRE, pass_mark=60)


def test_a_person_counts_once_per_module_and_small_groups_stay_hidden(work: Any) -> None:
    """The attack: 3 people took the tests of two modules — 6 tries. Counted per try in one
    release, a figure over both modules said "6" and passed the threshold of 5. Each module is
    released on its own (a person is in one of its blocks at most), so nothing shows."""
    teams = _teams_pre(work)
    both = frozenset([work.mail.pk, work.teams.pk])
    people = [PersonFactory(unit=work.unit1) for _ in range(3)]
    for person in people:
        _take(work.pre, person, 40)
        _take(teams, person, 80)
    results = _results(work.org_a)
    for modules in (None, both, frozenset([work.mail.pk]), frozenset([work.teams.pk])):
        for unit in (None, work.unit1, work.dep1):
            assert results.figure(kind=PRE, modules=modules, unit=unit).hidden, (modules, unit)
    # Two more who took both, the same month: each module's 5 people are a block; over both
    # modules the figure is their sum (each person once per module), the mean over the 10 tries.
    for person in [PersonFactory(unit=work.unit1) for _ in range(2)]:
        _take(work.pre, person, 40)
        _take(teams, person, 80)
    ResultMonth.objects.all().delete()  # the month again, as if published only now
    results = _results(work.org_a)
    whole = results.figure(kind=PRE)
    assert (whole.people, whole.mean, whole.pass_rate) == (10, pytest.approx(0.6), pytest.approx(0.5))
    assert results.figure(kind=PRE, modules=both, unit=work.unit1).people == 10
    assert results.figure(kind=PRE, modules=frozenset([work.mail.pk])).people == 5
    assert results.figure(kind=PRE, modules=frozenset([work.teams.pk])).mean == pytest.approx(0.8)


def test_a_filter_of_modules_minus_a_narrower_one_tells_no_hidden_module(work: Any) -> None:
    """6 people took M-MAIL's test; one of them also M-TEAMS's. Both modules minus M-MAIL alone
    would tell that one person's M-TEAMS score: M-TEAMS alone is hidden, and its part is left
    out of the figure over both and over every module, so they equal M-MAIL's."""
    teams = _teams_pre(work)
    people = [PersonFactory(unit=work.unit1) for _ in range(6)]
    for person in people:
        _take(work.pre, person, 50)
    _take(teams, people[0], 100)
    results = _results(work.org_a)
    mail = results.figure(kind=PRE, modules=frozenset([work.mail.pk]))
    assert (mail.people, mail.mean) == (6, pytest.approx(0.5))
    assert results.figure(kind=PRE, modules=frozenset([work.teams.pk])).hidden
    # The hidden module's part is left out of every wider figure: they all equal M-MAIL's.
    for wider in (
        results.figure(kind=PRE, modules=frozenset([work.mail.pk, work.teams.pk])),
        results.figure(kind=PRE),
        results.figure(kind=PRE, unit=work.unit1),
    ):
        assert (wider.people, wider.mean, wider.pass_rate) == (mail.people, mail.mean, mail.pass_rate)
