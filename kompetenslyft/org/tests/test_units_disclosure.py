"""The unit page's head counts for aggregates-only viewers (top management, external evaluator)
pass the disclosure control (ADR 0007): an attacker who reads every figure the page shows and
adds and subtracts them at will (a unit minus its children, a parent's total minus the
children's shown counts) never isolates a group of 1 to k−1 people. A lead, and a manager
inside its own units, see exact counts."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.org.models import Person, Unit
from kompetenslyft.org.tests.factories import PersonFactory, UnitFactory

ROW = re.compile(
    r'<span class="muted">\((?P<code>[^)]+)\)</span></td>\s*<td>.*?</td>\s*'
    r'<td class="num">(?P<direct>.*?)</td>\s*<td class="num">(?P<tree>.*?)</td>',
    re.S,
)


def _figures(client: Client) -> dict[str, tuple[int | None, int | None]]:
    """Unit code → (people directly in it, people in it and below); None where hidden."""
    response = client.get("/org/units/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()

    def value(cell: str) -> int | None:
        text = html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        return int(text) if text.isdigit() else None

    return {m["code"]: (value(m["direct"]), value(m["tree"])) for m in ROW.finditer(body)}


def _exact(org: Any) -> tuple[dict[int, int], dict[int, set[int]], dict[str, int]]:
    units = list(Unit.objects.filter(organisation=org))
    direct = {u.pk: Person.objects.filter(unit=u, is_active=True).count() for u in units}
    subtree = {u.pk: {v.pk for v in units if v.path.startswith(u.path)} for u in units}
    return direct, subtree, {u.unit_id: u.pk for u in units}


@pytest.fixture
def tree(network: Any) -> Any:
    """Alfa kommun with small and large groups: ADM 3 (+ 1 small unit below), DEP1 1,
    U1 7, U2 1, DEP2 0, U3 7, a small unit U4 of 2 under DEP2, and a unit of 6 under U3."""
    for _ in range(6):
        PersonFactory(unit=network.unit1)
    for _ in range(5):
        PersonFactory(unit=network.unit3)
    u4 = UnitFactory(organisation=network.org_a, unit_id="U4", parent=network.dep2)
    PersonFactory(unit=u4)
    PersonFactory(unit=u4)
    u5 = UnitFactory(organisation=network.org_a, unit_id="U5", parent=network.unit3)
    for _ in range(6):
        PersonFactory(unit=u5)
    lone = UnitFactory(organisation=network.org_a, unit_id="LONE", parent=network.admin_a)
    PersonFactory(unit=lone)
    # A second top unit of 2: the organisation's total (the start page's key figures) minus
    # the administration's total would give it.
    top2 = UnitFactory(organisation=network.org_a, unit_id="TOP2")
    PersonFactory(unit=top2)
    PersonFactory(unit=top2)
    return network


def _key_figure_people(client: Client) -> int | None:
    """The start page's "Alfa kommun: people" (None when hidden)."""
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    found = re.search(r'<li>(?:<span class="count">(\d+)</span> )?Alfa kommun: people', body)
    assert found, "the key figures card names the organisation's people"
    return int(found[1]) if found[1] else None


def _attack(
    figures: dict[str, tuple[int | None, int | None]], org: Any, total: int | None = None
) -> tuple[list, list]:
    """The small shown figures, and the hidden figures (with people) that are a combination of
    shown ones."""
    direct, subtree, by_code = _exact(org)
    k = org.anonymity_threshold
    atoms = sorted(u for u, n in direct.items() if n)
    index = {u: i for i, u in enumerate(atoms)}
    span = Span()
    hidden: list[tuple[str, list[int]]] = []
    small: list[str] = []
    assert set(figures) == set(by_code)
    for code, (shown_direct, shown_tree) in figures.items():
        unit = by_code[code]
        for kind, members, shown in (
            ("direct", {unit}, shown_direct),
            ("tree", subtree[unit], shown_tree),
        ):
            value = sum(direct[u] for u in members)
            vector = [1 if a in members else 0 for a in atoms]
            if shown is not None:
                assert shown == value, (code, kind)
                span.add(vector)
                if 0 < value < k:
                    small.append(f"{kind} {code} = {value}")
            elif value:
                hidden.append((f"{kind} {code}", vector))
    if total is not None:
        assert total == sum(direct.values())
        span.add([1] * len(atoms))
    # Every atom of fewer than k people is a group that must not be isolated.
    for unit, n in direct.items():
        if 0 < n < k:
            hidden.append((f"atom {unit}", [1 if a == unit else 0 for a in atoms]))
    assert all(len(v) == len(index) for _name, v in hidden)
    return small, [name for name, vector in hidden if span.contains(vector)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["top", "evaluator"])
def test_aggregate_viewers_cannot_isolate_a_small_group(tree: Any, who: str) -> None:
    client = Client()
    client.force_login(tree.top.user if who == "top" else tree.evaluator)
    figures = _figures(client)
    total = _key_figure_people(client) if who == "top" else None
    assert who != "top" or total == 30
    small, worked_out = _attack(figures, tree.org_a, total)
    assert small == []
    assert worked_out == []
    # Direct access: the small units' own counts are not on the page.
    assert figures["U2"][0] is None and figures["U4"][0] is None and figures["LONE"][0] is None
    assert figures["DEP1"][0] is None
    # What is a whole block stays exact (U5's 6); the large units the small groups pooled with
    # (U1, U3) go hidden with them, and the organisation's total (30) stays.
    assert figures["U5"] == (6, 6) and figures["TOP2"] == (None, None)
    assert figures["U1"] == (None, None) and figures["U3"] == (None, None)
    assert "too few" in client.get("/org/units/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.django_db
def test_differencing_a_parent_by_its_children_gives_nothing(tree: Any) -> None:
    """The parent's total minus the children's shown counts would be the parent's own small
    group: either the parent's total or a child's count is hidden."""
    client = Client()
    client.force_login(tree.evaluator)
    figures = _figures(client)
    for unit in Unit.objects.filter(organisation=tree.org_a):
        children = list(Unit.objects.filter(parent=unit))
        total = figures[unit.unit_id][1]
        own = Person.objects.filter(unit=unit, is_active=True).count()
        if not children or total is None or not 0 < own < tree.org_a.anonymity_threshold:
            continue
        shown_children = [figures[c.unit_id][1] for c in children]
        assert None in shown_children, unit.unit_id


@pytest.mark.django_db
def test_a_higher_threshold_hides_more_and_still_holds(tree: Any) -> None:
    tree.org_a.anonymity_threshold = 8
    tree.org_a.save()
    client = Client()
    client.force_login(tree.top.user)
    small, worked_out = _attack(_figures(client), tree.org_a, _key_figure_people(client))
    assert small == [] and worked_out == []


@pytest.mark.django_db
def test_lead_sees_exact_counts(tree: Any) -> None:
    client = Client()
    client.force_login(tree.lead.user)
    figures = _figures(client)
    assert figures["U2"] == (1, 1)
    assert figures["DEP1"] == (1, 9)
    assert figures["U4"] == (2, 2)
    # The attack finds what exact figures give away (so its silence above means something).
    small, worked_out = _attack(figures, tree.org_a)
    assert "direct U2 = 1" in small and worked_out


@pytest.mark.django_db
def test_top_management_sees_exact_counts_inside_the_units_it_manages(tree: Any) -> None:
    tree.dep1.manager = tree.top
    tree.dep1.save()
    client = Client()
    client.force_login(tree.top.user)
    figures = _figures(client)
    assert figures["DEP1"] == (1, 9)
    assert figures["U2"] == (1, 1)
    # Outside its own units, the control still applies.
    assert figures["U4"][0] is None and figures["LONE"][0] is None


@pytest.mark.django_db
def test_aggregate_viewers_reach_no_people_list_or_narrower_filter(tree: Any) -> None:
    """The people list (the one page that filters head counts by unit, role and status) is
    not theirs: a filter minus a narrower filter cannot be tried."""
    for user in (tree.top.user, tree.evaluator):
        client = Client()
        client.force_login(user)
        for url in (
            f"/org/people/?unit={tree.unit2.pk}&below=on&filtered=1",
            f"/org/people/export.csv?unit={tree.dep1.pk}",
            f"/org/people/{tree.colleague.pk}/",
        ):
            assert client.get(url).status_code == 404, (user, url)


@pytest.mark.django_db
def test_another_organisations_evaluator_sees_none_of_its_units(tree: Any) -> None:
    from kompetenslyft.org.tests.factories import UserFactory

    outsider = UserFactory(username="outsider")
    Grant.objects.create(user=outsider, organisation=tree.org_b, role=ProductRole.EVALUATOR)
    client = Client()
    client.force_login(outsider)
    figures = _figures(client)
    assert set(figures) == {"B1"}
