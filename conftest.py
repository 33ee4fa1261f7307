"""Shared fixtures: a small network of two organisations with one account per product role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kompetenslyft.core.models import Grant, ProductRole


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Service-level messages are asserted in English; requests pick their own language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class Network:
    org_a: Any
    org_b: Any
    admin_a: Any
    dep1: Any
    unit1: Any
    unit2: Any
    dep2: Any
    unit3: Any
    unit_b: Any
    lead: Any
    lead_b: Any
    manager: Any
    employee: Any
    colleague: Any
    other_employee: Any
    person_b: Any
    top: Any
    evaluator: Any
    trainer: Any
    project_leader: Any


@pytest.fixture
def network(db: Any) -> Network:
    from kompetenslyft.org.tests.factories import (
        OrganisationFactory,
        PersonFactory,
        RoleFactory,
        UnitFactory,
        UserFactory,
    )

    org_a = OrganisationFactory(code="alpha", name="Alfa kommun")
    org_b = OrganisationFactory(code="beta", name="Beta kommune")
    admin_a = UnitFactory(organisation=org_a, unit_id="ADM", name="Omsorgsförvaltningen")
    dep1 = UnitFactory(organisation=org_a, unit_id="DEP1", name="Hemtjänst", parent=admin_a)
    unit1 = UnitFactory(organisation=org_a, unit_id="U1", name="Hemtjänst Norra", parent=dep1)
    unit2 = UnitFactory(organisation=org_a, unit_id="U2", name="Hemtjänst Södra", parent=dep1)
    dep2 = UnitFactory(organisation=org_a, unit_id="DEP2", name="Särskilt boende", parent=admin_a)
    unit3 = UnitFactory(organisation=org_a, unit_id="U3", name="Solgården", parent=dep2)
    unit_b = UnitFactory(organisation=org_b, unit_id="B1", name="Hjemmetjenesten")
    RoleFactory(organisation=org_a, name="undersköterska")

    def person_with_login(username: str, unit: Any, **kwargs: Any) -> Any:
        user = UserFactory(username=username)
        return PersonFactory(unit=unit, user=user, family_name=f"{username.capitalize()}sson", **kwargs)

    lead = person_with_login("lead", admin_a, given_name="Lena")
    lead_b = person_with_login("leadb", unit_b, given_name="Lars")
    manager = person_with_login("manager", dep1, given_name="Maria")
    dep1.manager = manager
    dep1.save()
    employee = person_with_login("employee", unit1, given_name="Elin")
    colleague = PersonFactory(unit=unit2, given_name="Karin", family_name="Kollega")
    other_employee = person_with_login("other", unit3, given_name="Olle")
    person_b = PersonFactory(unit=unit_b, given_name="Berit", family_name="Bergersen")
    top = person_with_login("top", admin_a, given_name="Tove")
    trainer = person_with_login("trainer", unit3, given_name="Tina")
    project_leader = person_with_login("projectleader", admin_a, given_name="Pia")
    evaluator = UserFactory(username="evaluator")
    Grant.objects.create(user=lead.user, organisation=org_a, role=ProductRole.LEAD)
    Grant.objects.create(user=lead_b.user, organisation=org_b, role=ProductRole.LEAD)
    Grant.objects.create(user=top.user, organisation=org_a, role=ProductRole.TOP_MANAGEMENT)
    Grant.objects.create(user=trainer.user, organisation=org_a, role=ProductRole.TRAINER)
    Grant.objects.create(user=project_leader.user, organisation=org_a, role=ProductRole.PROJECT_LEADER)
    Grant.objects.create(user=evaluator, organisation=org_a, role=ProductRole.EVALUATOR)
    return Network(
        org_a,
        org_b,
        admin_a,
        dep1,
        unit1,
        unit2,
        dep2,
        unit3,
        unit_b,
        lead,
        lead_b,
        manager,
        employee,
        colleague,
        other_employee,
        person_b,
        top,
        evaluator,
        trainer,
        project_leader,
    )
