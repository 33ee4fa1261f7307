"""Suggestions on the journey: from the person's remaining gaps and from what its role made of
a module (released figures only: a role group under k gives no reason), each with its reason."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.competence.models import Competence
from kompetenslyft.followup.tests.helpers import module, publish, talk
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.recommend import selectors

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def modules(network: Any, monkeypatch: Any) -> Any:
    network.org_a.anonymity_threshold = 3
    network.org_a.save()
    covering = module(network, "M-DOK", "Dokumentera i journalen")
    useful = module(network, "M-AVV", "Avvikelser i praktiken")
    module(network, "M-ANN", "Annat")  # neither: never suggested
    competence = Competence.objects.filter(name__isnull=False).first()
    assert competence is not None
    covering.competences.add(competence)
    gap = SimpleNamespace(competence=competence, gap=2)
    monkeypatch.setattr(selectors, "person_open_gaps", lambda person: [gap])
    network.covering, network.useful, network.competence = covering, useful, competence
    return network


def test_a_gap_and_a_roles_application_rate_give_suggestions_with_reasons(modules: Any) -> None:
    role = modules.employee.role
    for i in range(4):  # four people of the role, three applying it: 75 %
        talk(PersonFactory(unit=modules.unit1, role=role), modules.useful, applying="yes" if i < 3 else "no")
    publish(modules.org_a)  # the month the talks were held has closed and is published
    found = {s.module.code: s for s in selectors.suggestions(modules.employee)}
    assert list(found) == ["M-DOK", "M-AVV"]
    assert found["M-DOK"].reasons == [f"Covers your gap in {modules.competence.local_name}"]
    assert found["M-AVV"].reasons == [f"75 % of the people in your role ({role.name}) apply it at work"]
    # the journey shows them
    client = Client()
    client.force_login(modules.employee.user)
    page = client.get(reverse("learning:me"), **EN).content.decode()
    assert "Suggested for you" in page and "apply it at work" in page
    assert reverse("learning:module", args=[modules.covering.pk]) in page


def test_a_role_group_under_k_gives_no_reason_and_a_taken_module_is_not_suggested(modules: Any) -> None:
    role = modules.employee.role
    for _ in range(2):  # two people: under k = 3
        talk(PersonFactory(unit=modules.unit1, role=role), modules.useful, applying="yes")
    publish(modules.org_a)
    found = {s.module.code: s for s in selectors.suggestions(modules.employee)}
    assert list(found) == ["M-DOK"]
    from kompetenslyft.learning.models import Enrolment

    Enrolment.objects.create(person=modules.employee, module=modules.covering)
    assert selectors.suggestions(modules.employee) == []
