"""Rights-bearing changes made in the Django admin reach the audit log with old and new values."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kompetenslyft.core.models import AuditEntry, Grant, ProductRole
from kompetenslyft.org.models import Organisation, Unit
from kompetenslyft.org.tests.factories import UnitFactory, UserFactory


@pytest.fixture
def root_client(network: Any) -> Client:
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-very-secret-1")
    client = Client()
    client.force_login(root)
    return client


def unit_form(unit: Unit, **changes: Any) -> dict[str, Any]:
    data = {
        "organisation": unit.organisation_id,
        "unit_id": unit.unit_id,
        "name": unit.name,
        "parent": unit.parent_id or "",
        "manager": unit.manager_id or "",
        "manager_employee_id": unit.manager_employee_id,
    }
    data.update(changes)
    return data


def test_a_units_manager_changed_in_the_admin_is_audited(network: Any, root_client: Client) -> None:
    unit = network.dep1
    old, new = network.manager, network.employee
    response = root_client.post(f"/admin/org/unit/{unit.pk}/change/", unit_form(unit, manager=new.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Unit.objects.get(pk=unit.pk).manager_id == new.pk
    entry = AuditEntry.objects.get(action="unit.changed")
    assert entry.actor_label == "root"
    assert entry.organisation_id == network.org_a.pk
    assert (entry.target_type, entry.target_id, entry.target_label) == ("unit", "DEP1", unit.name)
    assert entry.changes == {
        "manager": [f"{old.full_name} ({old.employee_id})", f"{new.full_name} ({new.employee_id})"]
    }
    # the manager removed: old → nothing
    root_client.post(
        f"/admin/org/unit/{unit.pk}/change/", unit_form(Unit.objects.get(pk=unit.pk), manager="")
    )
    latest = AuditEntry.objects.filter(action="unit.changed").first()
    assert latest is not None
    assert latest.changes == {"manager": [f"{new.full_name} ({new.employee_id})", None]}


def test_saving_a_unit_unchanged_writes_nothing(network: Any, root_client: Client) -> None:
    unit = network.unit1
    assert root_client.post(f"/admin/org/unit/{unit.pk}/change/", unit_form(unit)).status_code == 302
    assert not AuditEntry.objects.filter(target_type="unit").exists()


def test_units_deleted_with_delete_selected_are_audited(network: Any, root_client: Client) -> None:
    spare = UnitFactory(organisation=network.org_a, unit_id="SPARE", name="Reserv", parent=network.dep2)
    spare.manager = network.other_employee
    spare.save()
    response = root_client.post(
        "/admin/org/unit/", {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=spare.pk).exists()
    entry = AuditEntry.objects.get(action="unit.deleted")
    assert entry.target_id == "SPARE"
    other = network.other_employee
    assert entry.changes["manager"] == [f"{other.full_name} ({other.employee_id})", None]
    assert entry.changes["parent"] == [f"{network.dep2.name} (DEP2)", None]


def test_the_anonymity_threshold_changed_in_the_admin_is_audited(network: Any, root_client: Client) -> None:
    org = network.org_a
    before = org.anonymity_threshold
    response = root_client.post(
        f"/admin/org/organisation/{org.pk}/change/",
        {
            "code": org.code,
            "name": org.name,
            "anonymity_threshold": 2,
            "evaluation_days": org.evaluation_days,
            "language": org.language,
            "currency": org.currency,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Organisation.objects.get(pk=org.pk).anonymity_threshold == 2
    entry = AuditEntry.objects.get(action="organisation.changed")
    assert entry.organisation_id == org.pk and entry.actor_label == "root"
    assert entry.changes == {"anonymity_threshold": [before, 2]}


def test_grants_added_changed_and_deleted_in_the_admin_are_audited(network: Any, root_client: Client) -> None:
    user = network.employee.user
    response = root_client.post(
        "/admin/core/grant/add/",
        {"user": user.pk, "organisation": network.org_a.pk, "role": ProductRole.TRAINER},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    grant = Grant.objects.get(user=user)
    added = AuditEntry.objects.get(action="grant.added")
    assert (added.target_type, added.target_id, added.actor_label) == ("user", str(user.pk), "root")
    assert added.changes == {
        "user": [None, "employee"],
        "organisation": [None, "Alfa kommun (alpha)"],
        "role": [None, "trainer"],
    }

    response = root_client.post(
        f"/admin/core/grant/{grant.pk}/change/",
        {"user": user.pk, "organisation": network.org_a.pk, "role": ProductRole.LEAD},
    )
    assert response.status_code == 302
    changed = AuditEntry.objects.get(action="grant.changed")
    assert changed.changes == {"role": ["trainer", "lead"]}

    response = root_client.post(f"/admin/core/grant/{grant.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    removed = AuditEntry.objects.get(action="grant.removed")
    assert removed.changes["role"] == ["lead", None] and removed.changes["user"] == ["employee", None]


def test_grants_deleted_with_delete_selected_are_audited(network: Any, root_client: Client) -> None:
    grants = list(Grant.objects.filter(organisation=network.org_a, role=ProductRole.TOP_MANAGEMENT))
    grants += list(Grant.objects.filter(organisation=network.org_a, role=ProductRole.EVALUATOR))
    assert len(grants) == 2
    response = root_client.post(
        "/admin/core/grant/",
        {"action": "delete_selected", "_selected_action": [g.pk for g in grants], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Grant.objects.filter(pk__in=[g.pk for g in grants]).exists()
    removed = {
        (e.target_id, e.changes["role"][0], e.organisation_id)
        for e in AuditEntry.objects.filter(action="grant.removed")
    }
    assert removed == {
        (str(network.top.user.pk), "top_management", network.org_a.pk),
        (str(network.evaluator.pk), "evaluator", network.org_a.pk),
    }


def test_accounts_deleted_with_delete_selected_are_audited(network: Any, root_client: Client) -> None:
    doomed = UserFactory(username="doomed", is_staff=True)
    Grant.objects.create(user=doomed, organisation=network.org_b, role=ProductRole.LEAD)
    response = root_client.post(
        "/admin/auth/user/", {"action": "delete_selected", "_selected_action": [doomed.pk], "post": "yes"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="account.deleted")
    assert entry.target_label == "doomed"
    assert entry.changes["is_staff"] == [True, None]
    assert entry.changes["grants"][0] == ["beta:lead"]
