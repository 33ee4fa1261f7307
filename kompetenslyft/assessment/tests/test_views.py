"""Self-assessment and gap pages: each role sees its own scope only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.assessment import gaps
from kompetenslyft.assessment.models import Answer, Campaign
from kompetenslyft.assessment.services import campaign_create, campaign_open
from kompetenslyft.competence.models import Competence
from kompetenslyft.core.importing import import_file
from kompetenslyft.org.tests.factories import PersonFactory


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(network: Any, django_capture_on_commit_callbacks: Any) -> Any:
    role = network.employee.role.name
    run("framework", "competence_code,name,category\nMAIL,E-post,Kommunikation\n", network.org_a)
    run("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n", network.org_a)
    extra = [PersonFactory(unit=network.unit3, role=network.employee.role) for _ in range(3)]
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            organisation=network.org_a,
            name="Baslinje",
            measurement_point=0,
            opens_on=today,
            closes_on=today + dt.timedelta(days=7),
            units=[network.admin_a],
            roles=[],
        )
        campaign_open(campaign=campaign)
    network.campaign = Campaign.objects.get(pk=campaign.pk)
    network.mail = Competence.objects.get(code="MAIL", framework__organisation=network.org_a)
    rows = [f"{network.employee.employee_id},MAIL,1,0", f"{network.other_employee.employee_id},MAIL,1,0"]
    rows += [f"{p.employee_id},MAIL,4,0" for p in extra]
    run(
        "assessments",
        "employee_id,competence_code,level,measurement_point\n" + "\n".join(rows) + "\n",
        network.org_a,
    )
    gaps.rebuild(network.org_a)
    return network


def test_employee_answers_its_own_questionnaire(world: Any) -> None:
    client = client_for(world.employee.user)
    url = reverse("assessment:answer", args=[world.campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and "E-post" in page.content.decode()
    response = client.post(url, {f"competence-{world.mail.pk}": "3"}, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    assert Answer.objects.get(person=world.employee, measurement_point=0).level == 3
    bad = client.post(url, {f"competence-{world.mail.pk}": "9"}, headers={"X-Requested-With": "fetch"})
    assert bad.status_code == 400
    assert client.post(url, {f"competence-{world.mail.pk}": "2"}).status_code == 302
    assert client_for(world.person_b.user or world.lead_b.user).get(url).status_code == 404


def test_someone_outside_the_target_group_gets_404(world: Any) -> None:
    outsider = client_for(world.lead_b.user)
    assert outsider.get(reverse("assessment:answer", args=[world.campaign.pk])).status_code == 404
    assert outsider.get(reverse("assessment:campaign", args=[world.campaign.pk])).status_code == 404


def test_lead_sees_response_rates_and_the_whole_heatmap(world: Any) -> None:
    client = client_for(world.lead.user)
    page = client.get(reverse("assessment:campaign", args=[world.campaign.pk])).content.decode()
    assert world.unit1.name in page and world.unit3.name in page
    heat = client.get(reverse("assessment:gaps")).content.decode()
    assert world.admin_a.name in heat
    drill = client.get(
        reverse("assessment:gap_people"), {"at": world.admin_a.pk, "competence": world.mail.pk}
    )
    body = drill.content.decode()
    assert world.employee.family_name in body and world.other_employee.family_name in body
    export = client.get(reverse("assessment:gaps_export", args=["csv"])).content.decode()
    assert ",Enhet," in export and ",Kompetens," in export and "MAIL" in export  # in Swedish
    assert client.get(reverse("assessment:gaps_export", args=["xlsx"])).status_code == 200


def test_manager_sees_its_subtree_only(world: Any) -> None:
    client = client_for(world.manager.user)
    heat = client.get(reverse("assessment:gaps")).content.decode()
    assert world.dep1.name in heat and world.dep2.name not in heat and world.unit3.name not in heat
    drill = client.get(reverse("assessment:gap_people"), {"at": world.dep1.pk, "competence": world.mail.pk})
    assert world.employee.family_name in drill.content.decode()
    assert world.other_employee.family_name not in drill.content.decode()
    outside = client.get(
        reverse("assessment:gap_people"), {"at": world.admin_a.pk, "competence": world.mail.pk}
    )
    assert outside.status_code == 404
    team = client.get(reverse("assessment:team"), {"unit": world.unit3.pk})
    assert world.other_employee.family_name not in team.content.decode()
    campaign = client.get(reverse("assessment:campaign", args=[world.campaign.pk])).content.decode()
    assert world.unit1.name in campaign and world.unit3.name not in campaign


def test_people_below_the_goal_by_subtree_unit_role_point_and_scope(world: Any) -> None:
    from kompetenslyft.assessment.gap_selectors import people_below
    from kompetenslyft.assessment.models import LATEST
    from kompetenslyft.core.access import access_for
    from kompetenslyft.org.tests.factories import RoleFactory

    lead, manager = access_for(world.lead.user), access_for(world.manager.user)

    def below(access: Any, unit: Any, **kwargs: Any) -> list[tuple[str, int, int]]:
        found = people_below(access, world.org_a, unit=unit, competence=world.mail, **kwargs)
        return [(row.person.family_name, row.level, row.required_level) for row in found]

    employee, other = world.employee.family_name, world.other_employee.family_name
    # the whole subtree, sorted by name; those at or above the goal (level 4 of 3) are not listed
    assert below(lead, world.admin_a) == sorted([(employee, 1, 3), (other, 1, 3)])
    assert below(lead, world.dep1) == [(employee, 1, 3)]
    assert below(lead, world.admin_a, direct=True) == []  # nobody answered directly in it
    assert below(lead, world.unit1, direct=True) == [(employee, 1, 3)]
    assert below(lead, world.admin_a, role=RoleFactory(organisation=world.org_a, name="Kock")) == []
    assert below(lead, world.admin_a, role=world.employee.role) == sorted([(employee, 1, 3), (other, 1, 3)])
    # a manager: its own subtree only, whatever unit is asked for
    assert below(manager, world.admin_a) == [(employee, 1, 3)]
    # a later measurement point at the goal: off the latest list, still on the first point's
    run(
        "assessments",
        f"employee_id,competence_code,level,measurement_point\n{world.employee.employee_id},MAIL,3,1\n",
        world.org_a,
    )
    assert below(lead, world.admin_a, point=LATEST) == [(other, 1, 3)]
    assert below(lead, world.admin_a, point=0) == sorted([(employee, 1, 3), (other, 1, 3)])
    assert below(lead, world.admin_a, point=1) == []


@pytest.mark.parametrize("viewer", ["top", "evaluator"])
def test_aggregate_roles_see_no_people_and_no_small_groups(world: Any, viewer: str) -> None:
    user = getattr(world, viewer)
    client = client_for(getattr(user, "user", user))
    heat = client.get(reverse("assessment:gaps"), {"unit": world.admin_a.pk})
    body = heat.content.decode()
    assert heat.status_code == 200
    # DEP1 has 1 answer (under the threshold of 5): hidden; nobody's name anywhere
    assert "too few" in body or "för få" in body
    for person in (world.employee, world.other_employee):
        assert person.family_name not in body
    assert (
        client.get(
            reverse("assessment:gap_people"), {"at": world.admin_a.pk, "competence": world.mail.pk}
        ).status_code
        == 404
    )
    assert client.get(reverse("assessment:team")).status_code == 404


def test_employee_sees_only_its_own_gaps(world: Any) -> None:
    client = client_for(world.employee.user)
    me = client.get(reverse("assessment:me")).content.decode()
    assert "E-post" in me
    for url in (
        reverse("assessment:gaps"),
        reverse("assessment:team"),
        reverse("assessment:campaigns"),
        reverse("assessment:campaign", args=[world.campaign.pk]),
    ):
        assert client.get(url).status_code == 404


def test_only_leads_open_close_and_remind(world: Any) -> None:
    for viewer in ("manager", "employee", "top"):
        client = client_for(getattr(world, viewer).user)
        for name in ("open", "close", "remind"):
            assert client.post(reverse(f"assessment:{name}", args=[world.campaign.pk])).status_code == 404
    assert Campaign.objects.get(pk=world.campaign.pk).status == Campaign.Status.OPEN
