"""The competence team view opens on the manager's whole subtree, a page at a time."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from kompetenslyft.org.tests.factories import PersonFactory


def test_the_competence_team_shows_the_subtree_paged_and_never_others(network: Any) -> None:
    client = Client()
    client.force_login(network.manager.user)
    page = client.get(reverse("assessment:team"))
    people = {person.pk for person, _cells in page.context["rows"]}
    assert {network.employee.pk, network.colleague.pk, network.manager.pk} <= people
    assert network.other_employee.pk not in people and network.trainer.pk not in people
    PersonFactory.create_batch(20, unit=network.unit2)
    first = client.get(reverse("assessment:team"))
    assert len(first.context["rows"]) == 20 and first.context["page"].paginator.count == 23
    second = client.get(reverse("assessment:team"), {"page": 2})
    assert len(second.context["rows"]) == 3
    # Another unit asked for is not found (404), as every id outside one's scope.
    outside = client.get(reverse("assessment:team"), {"unit": network.unit3.pk})
    assert outside.status_code == 404 and network.other_employee.family_name not in outside.content.decode()
