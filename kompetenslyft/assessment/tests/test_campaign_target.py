"""A new self-assessment's target group: picked in a tree of checkboxes (a unit includes those
below it), counted before it is created (by a button, or live as JSON for the script), shown on
the draft; only a lead of the organisation counts or creates."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.assessment.models import Campaign
from kompetenslyft.assessment.targeting import target_count
from kompetenslyft.org.models import Person, Unit

from .test_views import run

pytestmark = pytest.mark.django_db


def lead(network: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(network.lead.user)
    return client


def active_below(unit: Unit) -> int:
    return Person.objects.filter(is_active=True, unit__path__startswith=unit.path).count()


def test_units_are_a_tree_of_checkboxes_and_checking_one_includes_those_below(network: Any) -> None:
    page = lead(network).get(reverse("assessment:campaigns")).content.decode()
    assert "Checking a unit includes every unit below it." in page
    assert "<select" not in page.split('id="campaign-form"')[1].split("</form>")[0]
    dep1 = page.index(f'name="units" value="{network.dep1.pk}"')
    unit1 = page.index(f'name="units" value="{network.unit1.pk}"')
    dep2 = page.index(f'name="units" value="{network.dep2.pk}"')
    # U1 sits in DEP1's nested list, before DEP2 starts
    assert dep1 < unit1 < dep2 and '<ul class="tree">' in page[dep1:unit1]
    assert f'name="units" value="{network.unit_b.pk}"' not in page  # another organisation's


def test_the_count_button_counts_the_subtree_and_keeps_what_was_filled_in(network: Any) -> None:
    response = lead(network).post(
        reverse("assessment:campaign_count") + f"?organisation={network.org_a.pk}",
        {"name": "Höst", "units": [network.dep1.pk], "measurement_point": "0"},
    )
    body = response.content.decode()
    expected = active_below(network.dep1)
    assert response.status_code == 200 and expected >= 3
    assert f"{expected} people in the target group" in body
    assert 'value="Höst"' in body and f'value="{network.dep1.pk}" checked' in body
    assert not Campaign.objects.exists()


def test_the_live_count_answers_json_and_counts_only_people_with_requirements_as_reached(
    network: Any,
) -> None:
    role = network.employee.role
    run("framework", "competence_code,name,category\nMAIL,E-post,K\n", network.org_a)
    run(
        "requirements", f"role,competence_code,required_level,unit_id\n{role.name},MAIL,3,U1\n", network.org_a
    )
    response = lead(network).post(
        reverse("assessment:campaign_count") + f"?organisation={network.org_a.pk}",
        {"units": [network.admin_a.pk], "roles": [role.pk]},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    data = json.loads(response.content)
    everyone = Person.objects.filter(
        is_active=True, role=role, unit__path__startswith=network.admin_a.path
    ).count()
    in_u1 = Person.objects.filter(is_active=True, role=role, unit=network.unit1).count()
    assert data["people"] == everyone and data["reached"] == in_u1 and 0 < in_u1 < everyone
    assert str(everyone) in data["text"]


def test_creating_leads_to_the_draft_which_shows_its_count(network: Any) -> None:
    client = lead(network)
    today = timezone.localdate()
    response = client.post(
        reverse("assessment:campaign_create") + f"?organisation={network.org_a.pk}",
        {
            "name": "Höst",
            "measurement_point": "0",
            "opens_on": today.isoformat(),
            "closes_on": (today + dt.timedelta(days=7)).isoformat(),
            "units": [network.dep2.pk],
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.status == Campaign.Status.DRAFT
    page = client.get(response.url).content.decode()
    assert f"{active_below(network.dep2)} people in the target group" in page
    # Without a unit: refused, the page again with the error
    again = client.post(
        reverse("assessment:campaign_create") + f"?organisation={network.org_a.pk}", {"name": "x"}
    )
    assert again.status_code == 400 and Campaign.objects.count() == 1


def test_only_a_lead_of_the_organisation_counts_and_never_another_organisations_units(network: Any) -> None:
    url = reverse("assessment:campaign_count")
    for person in (network.manager, network.employee):
        client = Client()
        client.force_login(person.user)
        assert client.post(url, {"units": [network.admin_a.pk]}).status_code == 404
        assert (
            client.post(reverse("assessment:campaign_create"), {"units": [network.admin_a.pk]}).status_code
            == 404
        )
    other = Client()
    other.force_login(network.lead_b.user)
    assert (
        other.post(url + f"?organisation={network.org_a.pk}", {"units": [network.admin_a.pk]}).status_code
        == 404
    )
    # Its own organisation, naming org A's unit: counts nobody.
    response = other.post(url, {"units": [network.admin_a.pk]}, HTTP_X_REQUESTED_WITH="fetch")
    assert json.loads(response.content)["people"] == 0
    assert target_count(organisation=network.org_b, unit_ids=[network.admin_a.pk], role_ids=[]).people == 0
    assert lead(network).post(url, {"units": ["²"]}).status_code == 400
