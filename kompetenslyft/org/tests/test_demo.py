"""The demo network loads through the real import path, with one login per product role."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kompetenslyft.core.access import access_for
from kompetenslyft.core.models import ProductRole
from kompetenslyft.org.demo import load_demo
from kompetenslyft.org.models import Organisation, Person, Unit


@pytest.mark.django_db
def test_demo_network(capsys: Any) -> None:
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    for username in (
        "admin",
        "lead",
        "project-leader",
        "trainer",
        "manager",
        "employee",
        "top-management",
        "evaluator",
        "lead-fjellvik",
    ):
        assert f"  {username}" in out
    solvik = Organisation.objects.get(code="solvik")
    people = Person.objects.filter(organisation=solvik).count()
    assert 1200 <= people <= 1400
    assert 25 <= Unit.objects.filter(organisation=solvik).count() <= 35
    assert Unit.objects.filter(organisation=solvik, manager__isnull=True).count() == 0
    assert Organisation.objects.filter(code="fjellvik").exists()
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    assert ProductRole.LEAD in access_for(users["lead"]).product_roles
    manager = access_for(users["manager"])
    assert manager.is_manager
    assert Person.objects.filter(access_for(users["manager"]).people_filter()).count() > 200
    assert access_for(users["employee"]).product_roles == ["employee"]
    trainers = Person.objects.filter(user__grants__role=ProductRole.TRAINER).count()
    assert trainers >= 10  # the group of digital competence leaders
    # a second run changes nothing and prints the same logins
    load_demo()
    assert Person.objects.filter(organisation=solvik).count() == people
