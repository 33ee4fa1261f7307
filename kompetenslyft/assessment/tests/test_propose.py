"""From the drill-down, a lead proposes the modules of one of its initiatives for exactly the
people listed; nobody else's proposals are made, no other organisation's people or initiatives
can be reached, and a manager's drill-down stays within its units."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kompetenslyft.learning.models import Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_for_people

from .test_views import client_for, run, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _initiative(organisation: Any, code: str, units: list[Any]) -> Any:
    module = Module.objects.get(organisation=organisation, code="M-MAIL")
    return initiative_create(
        organisation=organisation, code=code, name=f"Lyft {code}", units=units, modules=[module]
    )


@pytest.fixture
def proposing(world: Any) -> Any:  # noqa: F811 - the fixture above
    run(
        "modules",
        "module_code,name,category,level,format,hours,competence_codes\nM-MAIL,E-post grund,K,basic,onsite,2,MAIL\n",
        world.org_a,
    )
    world.initiative = _initiative(world.org_a, "lyft", [world.admin_a])
    return world


def drill(network: Any, at: Any) -> dict[str, Any]:
    return {"at": at.pk, "competence": network.mail.pk}


def test_the_lead_proposes_for_exactly_the_people_of_the_drill_down(proposing: Any) -> None:
    w = proposing
    client = client_for(w.lead.user)
    page = client.get(reverse("assessment:gap_people"), drill(w, w.admin_a)).content.decode()
    assert reverse("assessment:gap_propose") in page and w.initiative.name in page
    url = reverse("assessment:gap_propose") + f"?at={w.admin_a.pk}&competence={w.mail.pk}"
    response = client.post(url, {"initiative": w.initiative.pk})
    assert response.status_code == 302
    assert response.url == reverse("learning:proposals", args=[w.initiative.pk])
    proposed = set(Proposal.objects.filter(initiative=w.initiative).values_list("person_id", flat=True))
    # Below the goal (level 1 of 3): these two; the three at level 4 and everyone else: none.
    assert proposed == {w.employee.pk, w.other_employee.pk}
    assert all(p.assigned == 1 for p in Proposal.objects.filter(initiative=w.initiative))


def test_the_lead_cannot_propose_for_another_organisations_people_or_initiative(proposing: Any) -> None:
    w = proposing
    other = client_for(w.lead_b.user)
    url = reverse("assessment:gap_propose") + f"?at={w.admin_a.pk}&competence={w.mail.pk}"
    # The other organisation's lead: org A's drill-down is not its own.
    assert other.post(url, {"initiative": w.initiative.pk}).status_code == 404
    # Org A's lead with org B's initiative: not one of its organisation's.
    run("framework", "competence_code,name,category\nMAIL,E-post,K\n", w.org_b)
    run(
        "modules",
        "module_code,name,category,level,format,hours,competence_codes\nM-MAIL,E-post,K,basic,onsite,2,MAIL\n",
        w.org_b,
    )
    foreign = _initiative(w.org_b, "beta", [w.unit_b])
    assert client_for(w.lead.user).post(url, {"initiative": foreign.pk}).status_code == 404
    # And the service itself refuses people of another organisation.
    with pytest.raises(ValidationError):
        proposals_for_people(initiative=w.initiative, people=[w.person_b], actor=None)
    assert not Proposal.objects.exists()


def test_a_manager_drills_only_into_its_units_and_does_not_propose(proposing: Any) -> None:
    w = proposing
    client = client_for(w.manager.user)
    own = client.get(reverse("assessment:gap_people"), drill(w, w.dep1)).content.decode()
    assert w.employee.family_name in own and w.other_employee.family_name not in own
    assert reverse("assessment:gap_propose") not in own
    assert client.get(reverse("assessment:gap_people"), drill(w, w.admin_a)).status_code == 404
    url = reverse("assessment:gap_propose") + f"?at={w.dep1.pk}&competence={w.mail.pk}"
    assert client.post(url, {"initiative": w.initiative.pk}).status_code == 404
    assert not Proposal.objects.exists()


def test_bad_input_to_the_proposal_is_404_or_400(proposing: Any) -> None:
    w = proposing
    client = client_for(w.lead.user)
    url = reverse("assessment:gap_propose") + f"?at={w.admin_a.pk}&competence={w.mail.pk}"
    assert client.post(url, {"initiative": "nope"}).status_code in (400, 404)
    assert client.post(url, {"initiative": "999999"}).status_code == 404
    assert client.get(url).status_code == 405


def test_an_initiative_whose_modules_do_not_teach_the_competence_is_refused_by_name(proposing: Any) -> None:
    w = proposing
    run(
        "modules",
        "module_code,name,category,level,format,hours,competence_codes\nM-OTHER,Annat,K,basic,onsite,1,\n",
        w.org_a,
    )
    other = initiative_create(
        organisation=w.org_a, code="annat", name="Annat lyft", units=[w.admin_a],
        modules=[Module.objects.get(organisation=w.org_a, code="M-OTHER")],
    )  # fmt: skip
    client = client_for(w.lead.user)
    url = reverse("assessment:gap_propose") + f"?at={w.admin_a.pk}&competence={w.mail.pk}"
    response = client.post(url, {"initiative": other.pk}, follow=True)
    body = response.content.decode()
    # The page speaks Swedish (the organisation's language): the message names both.
    assert f"Ingen modul i Annat lyft lär ut {w.mail.local_name}" in body
    assert not Proposal.objects.exists()
