"""Every access rule, and an attempt to break it. Outside one's scope the answer is 404 and
nothing of the other person, unit or organisation appears anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.core.access import access_for
from kompetenslyft.org.models import ImportBatch, Person


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def visible_names(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- person pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "target", "status"),
    [
        ("employee", "employee", 200),
        ("employee", "colleague", 404),  # a colleague in a sibling unit
        ("employee", "manager", 404),  # not even its own manager
        ("employee", "person_b", 404),
        ("manager", "employee", 200),  # in a unit below the managed one
        ("manager", "colleague", 200),
        ("manager", "manager", 200),
        ("manager", "other_employee", 404),  # another department of the same administration
        ("manager", "lead", 404),  # the administration above
        ("manager", "person_b", 404),
        ("lead", "employee", 200),
        ("lead", "other_employee", 200),
        ("lead", "person_b", 404),  # organisation B
        ("lead_b", "employee", 404),
        ("lead_b", "person_b", 200),
        ("top", "employee", 404),  # aggregates only
        ("top", "top", 200),
        ("trainer", "employee", 404),
        ("project_leader", "employee", 404),
    ],
)
def test_person_page_scope(network: Any, viewer: str, target: str, status: int) -> None:
    user = getattr(network, viewer).user
    person = getattr(network, target)
    response = client_for(user).get(reverse("org:person", args=[person.pk]))
    assert response.status_code == status
    if status == 404:
        assert person.family_name not in response.content.decode()


def test_evaluator_sees_no_person(network: Any) -> None:
    client = client_for(network.evaluator)
    for person in Person.objects.all():
        assert client.get(reverse("org:person", args=[person.pk])).status_code == 404
    assert client.get(reverse("org:people")).status_code == 404
    assert client.get(reverse("org:me")).status_code == 404


def test_unknown_person_is_404_like_a_forbidden_one(network: Any) -> None:
    client = client_for(network.employee.user)
    missing = client.get(reverse("org:person", args=[999999]))
    forbidden = client.get(reverse("org:person", args=[network.colleague.pk]))
    assert missing.status_code == forbidden.status_code == 404


def test_anonymous_is_sent_to_login(network: Any) -> None:
    for url in (
        reverse("org:people"),
        reverse("org:person", args=[network.employee.pk]),
        reverse("org:units"),
        reverse("org:import"),
        reverse("org:people_export"),
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- lists, search, filters, exports -------------------------------------------------------


def test_people_list_of_a_manager_holds_its_subtree_only(network: Any) -> None:
    page = visible_names(client_for(network.manager.user), reverse("org:people"))
    for inside in (network.employee, network.colleague, network.manager):
        assert inside.family_name in page
    for outside in (network.other_employee, network.lead, network.person_b, network.top):
        assert outside.family_name not in page


def test_search_does_not_reach_outside_the_scope(network: Any) -> None:
    client = client_for(network.manager.user)
    for term in (network.other_employee.family_name, network.person_b.employee_id, network.person_b.email):
        response = client.get(reverse("org:people"), {"q": term})
        assert list(response.context["page"].object_list) == []
        body = response.content.decode().split("<tbody>")[1]
        assert network.other_employee.family_name not in body
        assert network.person_b.family_name not in body


def test_unit_filter_outside_the_subtree_gives_nobody(network: Any) -> None:
    # A unit outside the manager's scope is answered as one that does not exist (404).
    client = client_for(network.manager.user)
    for unit in (network.unit3, network.unit_b):
        response = client.get(reverse("org:people") + f"?unit={unit.pk}&filtered=1")
        assert response.status_code == 404
        assert network.other_employee.family_name not in response.content.decode()


def test_lead_of_a_sees_nobody_of_b_even_when_filtering_by_b(network: Any) -> None:
    client = client_for(network.lead.user)
    response = client.get(reverse("org:people") + f"?organisation={network.org_b.pk}")
    assert response.status_code == 404 and network.person_b.family_name not in response.content.decode()
    page = visible_names(client, reverse("org:people"))
    assert network.person_b.family_name not in page
    assert network.other_employee.family_name in page


def test_export_has_the_same_scope_as_the_screen(network: Any) -> None:
    response = client_for(network.manager.user).get(reverse("org:people_export"))
    body = b"".join(response.streaming_content).decode()
    assert network.employee.employee_id in body
    assert network.colleague.employee_id in body
    assert network.other_employee.employee_id not in body
    assert network.person_b.employee_id not in body
    response = client_for(network.employee.user).get(reverse("org:people_export"))
    assert response.status_code == 404


@pytest.mark.parametrize("viewer", ["employee", "top", "trainer", "project_leader"])
def test_roles_without_people_lists(network: Any, viewer: str) -> None:
    client = client_for(getattr(network, viewer).user)
    assert client.get(reverse("org:people")).status_code == 404
    assert client.get(reverse("org:people_export")).status_code == 404


def test_unit_tree_scopes(network: Any) -> None:
    manager_page = visible_names(client_for(network.manager.user), reverse("org:units"))
    assert network.unit1.name in manager_page and network.unit2.name in manager_page
    assert network.unit3.name not in manager_page and network.unit_b.name not in manager_page
    top_page = visible_names(client_for(network.top.user), reverse("org:units"))
    assert network.unit3.name in top_page and network.unit_b.name not in top_page
    # top management sees counts, never names of people (not even managers)
    assert network.manager.family_name not in top_page
    assert client_for(network.employee.user).get(reverse("org:units")).status_code == 404


# --- imports and the admin -------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["manager", "employee", "top", "trainer", "project_leader"])
def test_only_leads_import(network: Any, viewer: str) -> None:
    client = client_for(getattr(network, viewer).user)
    assert client.get(reverse("org:import")).status_code == 404


def test_a_lead_cannot_see_or_confirm_another_organisations_import(network: Any) -> None:
    batch = ImportBatch.objects.create(
        organisation=network.org_b,
        kind="people",
        filename="b.csv",
        content=b"x",
        uploaded_by=network.lead_b.user,
        status=ImportBatch.Status.PREVIEWED,
    )
    client = client_for(network.lead.user)
    assert client.get(reverse("org:import_preview", args=[batch.pk])).status_code == 404
    assert client.get(reverse("org:import_progress", args=[batch.pk])).status_code == 404
    assert client.post(reverse("org:import_confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_a_lead_cannot_upload_into_another_organisation(network: Any) -> None:
    client = client_for(network.lead.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("units.csv", b"unit_id,name\nX1,Intruder\n", content_type="text/csv")
    response = client.post(
        reverse("org:import"), {"kind": "units", "organisation": network.org_b.pk, "file": upload}
    )
    assert response.status_code == 400  # the form refuses the choice
    assert not ImportBatch.objects.filter(organisation=network.org_b).exists()


@pytest.mark.parametrize("viewer", ["lead", "manager", "employee", "top"])
def test_the_admin_is_for_the_operator_only(network: Any, viewer: str) -> None:
    user = getattr(network, viewer).user
    user.is_staff = True  # even a staff flag set by mistake opens nothing
    user.save()
    client = client_for(user)
    for url in ("/admin/", "/admin/org/person/", f"/admin/org/person/{network.person_b.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert network.person_b.family_name not in response.content.decode()


def test_the_operator_reaches_the_admin(network: Any) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-very-secret-1")
    assert client_for(root).get("/admin/org/person/").status_code == 200


def test_a_deactivated_manager_loses_its_scope(network: Any) -> None:
    network.manager.is_active = False
    network.manager.save()
    access = access_for(network.manager.user)
    assert not access.is_manager
    assert client_for(network.manager.user).get(reverse("org:people")).status_code == 404


def test_people_list_query_count_does_not_grow_with_the_page(
    network: Any, django_assert_max_num_queries: Any, settings: Any
) -> None:
    from kompetenslyft.org.tests.factories import PersonFactory

    for _ in range(60):
        PersonFactory(unit=network.unit1)
    client = client_for(network.manager.user)
    settings.KOMPETENSLYFT_PAGE_SIZE = 5
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("org:people"))
    settings.KOMPETENSLYFT_PAGE_SIZE = 50
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("org:people"))
    assert len(small.captured_queries) == len(large.captured_queries)
