"""Success cases: the candidates' figures are released figures only (a group under k has none,
nor one a difference of shown groups would reveal), who reaches the page, the stories written,
refused and picked up by the funder report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.followup.tests.helpers import module, publish, talk
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.successcases.figures import candidates
from kompetenslyft.successcases.models import Story

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def effect(network: Any) -> Any:
    org = network.org_a
    org.anonymity_threshold = 3
    org.save()
    m = module(network)
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(m)
    initiative.owners.add(network.project_leader)
    role = network.employee.role
    # unit1: 4 talks, all applying; unit2: 2 talks, none applying (under k); unit3: 3, one applying.
    for unit, n, applying in ((network.unit1, 4, 4), (network.unit2, 2, 0), (network.unit3, 3, 1)):
        for i in range(n):
            person = PersonFactory(unit=unit, role=role)
            talk(person, m, applying="yes" if i < applying else "no")
    network.initiative, network.module = initiative, m
    publish_all(org)
    return network


def publish_all(organisation: Any) -> None:
    """The effect figures of the closed months, as if the daily run published them only now."""
    from kompetenslyft.knowledge.models import ResultMonth
    from kompetenslyft.knowledge.services import publish_result_months

    publish(organisation)
    ResultMonth.objects.filter(organisation=organisation).delete()
    publish_result_months()


def test_no_group_under_k_and_no_difference_of_shown_groups_reveals_one(effect: Any) -> None:
    found = candidates(effect.initiative)
    units = {r.key: r for r in found.units}
    k = found.threshold
    assert units[effect.unit2.pk].talks is None and units[effect.unit2.pk].applying is None
    shown = {pk: r.talks for pk, r in units.items() if r.talks is not None}
    assert all(n >= k for n in shown.values())
    # a unit minus any shown unit below it never leaves a group under k (nor above: the tree)
    from kompetenslyft.org.models import Unit

    paths = dict(Unit.objects.filter(pk__in=shown).values_list("pk", "path"))
    for a, na in shown.items():
        for b, nb in shown.items():
            if a != b and paths[b].startswith(paths[a]):
                assert not 0 < na - nb < k, (a, b)
    # the whole organisation (9 talks) is shown; its largest and smallest are named groups
    assert units[effect.admin_a.pk].talks == 9
    assert found.largest() and all(r.score is not None for r in found.largest())
    assert not {(r.kind, r.key) for r in found.largest()} & {(r.kind, r.key) for r in found.smallest()}


def test_a_person_counts_once_in_a_row_over_several_modules(effect: Any) -> None:
    """The attack: 2 people in a new department (Daglig verksamhet) with a talk and a test before each of two
    of the initiative's modules are 4 talks and 4 tries — over the threshold of 3 when each
    person counted once per module ("4 people" from 2). A row counts distinct people."""
    from decimal import Decimal

    from django.utils import timezone

    from kompetenslyft.knowledge.models import Attempt, KnowledgeTest
    from kompetenslyft.knowledge.results import PRE
    from kompetenslyft.org.tests.factories import UnitFactory

    dep3 = UnitFactory(
        organisation=effect.org_a, unit_id="DEP3", name="Daglig verksamhet", parent=effect.admin_a
    )
    second = module(effect, code="M2", name="Läkemedel")
    effect.initiative.modules.add(second)
    tests = [
        KnowledgeTest.objects.create(organisation=effect.org_a, module=m, kind=PRE, pass_mark=60)
        for m in (effect.module, second)
    ]
    last_month = timezone.now() - dt.timedelta(days=timezone.localdate().day + 5)
    two = [PersonFactory(unit=dep3, role=effect.employee.role) for _ in range(2)]
    for person in two:
        for m, test in zip((effect.module, second), tests, strict=True):
            talk(person, m, applying="yes")
            Attempt.objects.create(
                test=test,
                person=person,
                unit=person.unit,
                role=person.role,
                number=1,
                started_at=last_month,
                submitted_at=last_month,
                score=Decimal(70),
                passed=True,
            )
    publish_all(effect.org_a)
    row = {r.key: r for r in candidates(effect.initiative).units}[dep3.pk]
    assert (row.talks, row.applying, row.before) == (None, None, None)
    # One more person in the unit: 3 people, their 6 talks and 6 tries are shown.
    third = PersonFactory(unit=dep3, role=effect.employee.role)
    for m, test in zip((effect.module, second), tests, strict=True):
        talk(third, m, applying="no")
        Attempt.objects.create(
            test=test,
            person=third,
            unit=third.unit,
            role=third.role,
            number=1,
            started_at=last_month,
            submitted_at=last_month,
            score=Decimal(40),
            passed=False,
        )
    publish_all(effect.org_a)
    row = {r.key: r for r in candidates(effect.initiative).units}[dep3.pk]
    assert row.talks == 6 and row.applying == pytest.approx(4 / 6)
    assert row.before == pytest.approx((4 * 70 + 2 * 40) / 6 / 100)


def test_who_reaches_the_page(effect: Any) -> None:
    url = reverse("successcases:initiative", args=[effect.initiative.pk])
    lead = client_for(effect.lead.user)
    home = lead.get(reverse("home"), **EN).content.decode()
    assert reverse("successcases:overview") in home
    assert url in lead.get(reverse("successcases:overview")).content.decode()
    page = lead.get(url, **EN).content.decode()
    assert "Where the effect is largest" in page and effect.unit1.parent.name in page
    initiative_page = lead.get(reverse("learning:initiative", args=[effect.initiative.pk]), **EN)
    assert url in initiative_page.content.decode()
    assert client_for(effect.project_leader.user).get(url).status_code == 200
    for user in (
        effect.employee.user,
        effect.manager.user,
        effect.top.user,
        effect.lead_b.user,
        effect.evaluator,
    ):
        assert client_for(user).get(url).status_code == 404, user
        assert (
            client_for(user)
            .post(reverse("successcases:story_add", args=[effect.initiative.pk]), {})
            .status_code
            == 404
        )
    assert client_for(effect.employee.user).get(reverse("successcases:overview")).status_code == 404
    assert lead.get("/successcases/initiatives/abc/").status_code == 404


def test_stories_are_written_refused_and_reach_the_funder_report(effect: Any) -> None:
    client = client_for(effect.project_leader.user)
    add = reverse("successcases:story_add", args=[effect.initiative.pk])
    data = {
        "kind": "success",
        "title": '=HYPERLINK("x")',
        "what_was_done": "Teamet gick igenom avvikelserna varje vecka.",
        "result": "Fler avvikelser hanterade inom 14 dagar.",
        "helped": "Chefens stöd",
        "hindered": "",
    }
    assert client.post(add, {**data, "result": ""}, **EN).status_code == 400
    assert client.post(add, {**data, "kind": "maybe"}, **EN).status_code == 400
    assert client.post(add, {**data, "helped": "a\x00b"}, **EN).status_code == 400
    assert client.post(add, data).status_code == 302
    story = Story.objects.get()
    assert story.organisation_id == effect.org_a.pk
    edit = reverse("successcases:story_edit", args=[effect.initiative.pk, story.pk])
    assert client.post(edit, {**data, "kind": "non_success"}).status_code == 302
    assert Story.objects.get().kind == "non_success"
    # another organisation's lead can neither read nor change it
    assert client_for(effect.lead_b.user).post(edit, data).status_code == 404
    assert set(AuditEntry.objects.filter(action__startswith="story.").values_list("action", flat=True)) == {
        "story.create",
        "story.update",
    }
    # the funder report: on screen, and in Excel with the formula neutralised
    lead = client_for(effect.lead.user)
    page = lead.get(reverse("learning:funder"), {"initiative": "lyft"}, **EN).content.decode()
    assert "<h2>Success cases</h2>" in page and "Teamet gick igenom" in page
    book = load_workbook(
        io.BytesIO(
            lead.get(reverse("learning:funder"), {"initiative": "lyft", "format": "xlsx"}, **EN).content
        )
    )
    cells = [c for row in book["Success cases"].iter_rows(values_only=True) for c in row if c]
    assert '\'=HYPERLINK("x")' in cells
    # "All initiatives": the stories stay, each with its initiative named.
    every = lead.get(reverse("learning:funder"), **EN).content.decode()
    assert "<h2>Success cases</h2>" in every and "Teamet gick igenom" in every
    assert f'<th scope="row">{effect.initiative.name}</th>' in every
    remove = reverse("successcases:story_remove", args=[effect.initiative.pk, story.pk])
    assert client.post(remove).status_code == 302 and not Story.objects.exists()


def test_the_page_writes_percentages_and_leaves_out_rows_without_figures(effect: Any) -> None:
    """The reviewer saw "applying it: 0.67" beside "67 %" in the table, and rows of only "–"."""
    import re

    page = (
        client_for(effect.lead.user)
        .get(reverse("successcases:initiative", args=[effect.initiative.pk]), **EN)
        .content.decode()
    )
    assert re.search(r"applying it: \d+ %", page) and not re.search(r"applying it: 0[.,]\d", page)
    rows = re.findall(r'<tr data-key="[^"]*"><th scope="row">.*?</tr>', page, re.S)
    cells = [re.findall(r'<td class="num"[^>]*>(.*?)</td>', r, re.S) for r in rows]
    assert rows and all(any(c.strip() != "–" for c in row) for row in cells)
    omitted = sum(int(n) for n in re.findall(r'data-omitted="(\d+)"', page))
    assert omitted >= 1 and "left out: all" in page  # Hemtjänst Norra's row of "–" only, said why


def test_both_pages_say_which_months_and_why_the_talks_can_differ(effect: Any) -> None:
    """The reviewer saw 19 talks on the success cases beside 264 on the dashboard for one role.
    Both read the same published months (the privacy mechanism, ADR 0019); the success cases
    count whole groups of k only for every viewer (ADR 0011), the dashboard gives the lead the
    exact figures. Both pages say which months, and the lead's dashboard and the success cases
    say why their figures can differ."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import override

    from kompetenslyft.core.published import previous_month

    with override("en"):
        month = date_format(previous_month(timezone.localdate()), "YEAR_MONTH_FORMAT")
    cases = (
        client_for(effect.lead.user)
        .get(reverse("successcases:initiative", args=[effect.initiative.pk]), **EN)
        .content.decode()
    )
    assert f"The figures cover the closed months up to {month}." in cases
    assert "count only whole groups of 3 or more people" in cases
    dashboard = client_for(effect.lead.user).get(reverse("evaluation:dashboard"), **EN).content.decode()
    assert f"Figures from the closed months up to {month}." in dashboard
    assert "You see the exact figures; the success cases count only whole groups of 3" in dashboard
    # an aggregates-only viewer sees the months, and nothing of exact figures it does not see
    top = client_for(effect.top.user).get(reverse("evaluation:dashboard"), **EN).content.decode()
    assert f"Figures from the closed months up to {month}." in top
    assert "You see the exact figures" not in top
