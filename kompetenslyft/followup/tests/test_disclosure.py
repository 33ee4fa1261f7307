"""The application rate under the anonymity rules: a group of k−1 talks is hidden, and so is
every figure from which it could be worked out (a unit minus its children, a total minus the
other rows, a filter minus a narrower one); free texts reach the lead only, per module of k."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import SectionContext
from kompetenslyft.followup import dashboard
from kompetenslyft.org.models import Role
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import module, publish, talk

pytestmark = pytest.mark.django_db


def people(unit: Any, role: Any, n: int) -> list[Any]:
    return PersonFactory.create_batch(n, unit=unit, role=role, gender="woman")


def tables(network: Any, *, exact: bool, **filters: Any) -> dict[str, dict[str, list[Any]]]:
    """Section id → row label → [talks, applying, rate] (None where hidden), once the closed
    months are published."""
    publish(network.org_a)
    ctx = SectionContext(Filters(network.org_a, **filters), exact, "hidden*", "none")
    found = {}
    for section in dashboard.sections(ctx):
        found[section.ident] = {str(row[0].value): [v.value for v in row[1:]] for row in section.table.rows}
    return found


@pytest.fixture
def roles(network: Any) -> tuple[Any, Any]:
    r1 = network.employee.role
    r2 = Role.objects.create(organisation=network.org_a, name="sjuksköterska")
    return r1, r2


def test_a_group_of_k_minus_1_is_hidden_and_cannot_be_worked_out(network: Any, roles: Any) -> None:
    r1, r2 = roles
    m = module(network)
    for p in people(network.unit1, r1, 8):
        talk(p, m, applying="yes")
    for p in people(network.unit1, r2, 4):
        talk(p, m, applying="not_yet")
    shown = tables(network, exact=False)["followup-roles"]
    assert shown["sjuksköterska"] == [None, None, None]
    # The total is shown; the other role then cannot be (the total minus it is the small group).
    assert shown["All"] == [12, 8, 8 / 12]
    assert shown["undersköterska"] == [None, None, None]
    # A filter minus a narrower filter: the role filter on the whole is hidden as well.
    assert tables(network, exact=False, role=r2)["followup-modules"]["All"] == [None, None, None]
    assert tables(network, exact=False, role=r1)["followup-modules"]["All"] == [None, None, None]
    # The lead sees it exactly.
    assert tables(network, exact=True)["followup-roles"]["sjuksköterska"] == [4, 0, 0.0]


def test_a_unit_minus_its_children_reveals_nothing(network: Any, roles: Any) -> None:
    r1, _r2 = roles
    m = module(network)
    for p in people(network.unit1, r1, 6):
        talk(p, m, applying="yes")
    for p in people(network.unit2, r1, 2):
        talk(p, m, applying="not_yet")
    for p in people(network.unit3, r1, 7):
        talk(p, m, applying="partly")
    by_unit = tables(network, exact=False, unit=network.dep1)["followup-units"]
    assert by_unit["Hemtjänst Södra"] == [None, None, None]
    if by_unit["Hemtjänst"][0] is not None:
        # The department is shown: then Norra must not be, or Södra = Hemtjänst − Norra.
        assert by_unit["Hemtjänst Norra"] == [None, None, None]
    # Across requests: the department's total and Norra's total by the unit filter.
    dep = tables(network, exact=False, unit=network.dep1)["followup-modules"]["All"]
    norra = tables(network, exact=False, unit=network.unit1)["followup-modules"]["All"]
    assert dep[0] is None or norra[0] is None
    # And the organisation minus the other department.
    whole = tables(network, exact=False)["followup-modules"]["All"]
    other = tables(network, exact=False, unit=network.dep2)["followup-modules"]["All"]
    assert whole == [15, 13, 13 / 15]
    if other[0] is not None:
        assert whole[0] - other[0] >= 5
    # Every shown count of every table and filter is 0 or k or more.
    for unit in (
        None,
        network.admin_a,
        network.dep1,
        network.dep2,
        network.unit1,
        network.unit2,
        network.unit3,
    ):
        for section in tables(network, exact=False, unit=unit).values():
            for values in section.values():
                assert values[0] is None or values[0] == 0 or values[0] >= 5


def test_not_applicable_is_not_counted(network: Any, roles: Any) -> None:
    r1, _r2 = roles
    m = module(network)
    for p in people(network.unit1, r1, 5):
        talk(p, m, applying="partly")
    for p in people(network.unit1, r1, 3):
        talk(p, m, applying="not_applicable")
    assert tables(network, exact=True)["followup-modules"]["All"] == [5, 5, 1.0]


def test_free_texts_only_for_the_lead_per_module_of_k(network: Any, roles: Any) -> None:
    r1, _r2 = roles
    big, small = module(network), module(network, "M2", "Läkemedel")
    for i, p in enumerate(people(network.unit1, r1, 5)):
        talk(p, big, applying="yes", support_needed=f"Stöd {i}", hindrance_other="Bemanning")
    for p in people(network.unit2, r1, 4):
        talk(p, small, applying="yes", support_needed="Hemligt stöd")
    lead = tables(network, exact=True)
    assert "followup-texts" in lead
    texts = [row for row in lead["followup-texts"]]
    assert texts == ["Avvikelser i praktiken"]
    ctx = SectionContext(Filters(network.org_a), True, "hidden*", "none")
    section = [s for s in dashboard.sections(ctx) if s.ident == "followup-texts"][0]
    answers = [row[2].value for row in section.table.rows]
    assert "Bemanning" in answers and "Stöd 0" in answers and "Hemligt stöd" not in answers
    html = str(section.table_html())
    for p in network.unit1.people.all():
        assert p.family_name not in html
    assert "followup-texts" not in tables(network, exact=False)


def test_dashboard_page_for_top_management_has_no_texts(network: Any, roles: Any) -> None:
    r1, _r2 = roles
    m = module(network)
    for p in people(network.unit1, r1, 6):
        talk(p, m, applying="yes", support_needed="Mer handledning")
    publish(network.org_a)  # the texts are those of the talks the table counts (published)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(network.top.user)
    html = client.get(reverse("evaluation:dashboard")).content.decode()
    assert "Application at work per module" in html
    assert "Mer handledning" not in html
    client.force_login(network.lead.user)
    html = client.get(reverse("evaluation:dashboard")).content.decode()
    assert "Mer handledning" in html


def test_blocks_count_people_not_talks(network: Any, roles: Any) -> None:
    """The attack: 3 people with two talks each (30 and 90 days) are 6 talks — over the
    threshold of 5 when the blocks counted talks, though only 3 people stand behind them."""
    r1, _r2 = roles
    m = module(network)
    three = people(network.unit1, r1, 3)
    for p in three:
        talk(p, m, applying="yes", kind=30)
        talk(p, m, applying="no", kind=90)
    shown = tables(network, exact=False)
    assert shown["followup-modules"]["All"] == [None, None, None]
    assert all(row == [None, None, None] for row in shown["followup-units"].values())
    assert tables(network, exact=True)["followup-modules"]["All"] == [6, 3, 0.5]
    # Two more people: 5 people, 10 talks — now shown, every talk of theirs counted.
    for p in people(network.unit1, r1, 2):
        talk(p, m, applying="yes", kind=30)
        talk(p, m, applying="yes", kind=90)
    assert tables(network, exact=False)["followup-modules"]["All"] == [10, 7, 0.7]


def test_a_module_minus_the_whole_tells_nothing_of_one_persons_other_talk(network: Any, roles: Any) -> None:
    """5 people had a talk on M1; one of them also one on M2. The whole (6 talks of 5 people)
    minus M1 would be that one person's M2 talk: M2's part (one person) is hidden and left out
    of the whole, so the whole equals M1's row and their difference tells nothing."""
    r1, _r2 = roles
    m1, m2 = module(network), module(network, code="M2", name="Läkemedel")
    five = people(network.unit1, r1, 5)
    for p in five:
        talk(p, m1, applying="yes")
    talk(five[0], m2, applying="no")
    rows = tables(network, exact=False)["followup-modules"]
    assert rows["All"] == [5, 5, 1.0] == rows["Avvikelser i praktiken"]
    assert rows["Läkemedel"] == [None, None, None]
    assert tables(network, exact=False, module=m1)["followup-modules"]["All"] == [5, 5, 1.0]
    assert tables(network, exact=False, module=m2)["followup-modules"]["All"] == [None, None, None]


def test_free_texts_keep_the_pages_word_of_k_talks_in_the_table(network: Any, roles: Any) -> None:
    """The note says "for modules with k or more recorded talks": a module whose row shows
    fewer (4 published; two more this month, not yet published, and one not applicable) has no
    texts, though it has 7 talks in the database."""
    from django.utils import timezone

    r1, _r2 = roles
    m = module(network)
    for p in people(network.unit1, r1, 4):
        talk(p, m, applying="yes", support_needed="Stöd i en liten grupp")
    for p in people(network.unit1, r1, 2):
        talk(p, m, applying="yes", support_needed="Denna månad", held_on=timezone.localdate())
    for p in people(network.unit1, r1, 1):
        talk(p, m, applying="not_applicable", support_needed="Ej tillämpligt")
    lead = tables(network, exact=True)
    assert lead["followup-modules"]["Avvikelser i praktiken"][0] == 4
    assert lead["followup-texts"] == {}
    # One more talk last month: the row shows 5, and its texts (only those counted) appear.
    talk(people(network.unit1, r1, 1)[0], m, applying="partly", support_needed="Femte samtalet")
    lead = tables(network, exact=True)
    assert lead["followup-modules"]["Avvikelser i praktiken"][0] == 5
    ctx = SectionContext(Filters(network.org_a), True, "hidden*", "none")
    section = [s for s in dashboard.sections(ctx) if s.ident == "followup-texts"][0]
    answers = {row[2].value for row in section.table.rows}
    assert answers == {"Stöd i en liten grupp", "Femte samtalet"}
