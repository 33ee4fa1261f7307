"""Frameworks, requirements and how they resolve, held to formats.md."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kompetenslyft.competence.models import Competence, Framework, FrameworkAdoption, Requirement
from kompetenslyft.competence.selectors import RequirementIndex, person_requirements, requirements_for
from kompetenslyft.competence.services import framework_adopt
from kompetenslyft.core.importing import ImportRefused, import_file
from kompetenslyft.org.models import Role

FRAMEWORK = (
    "competence_code;name;category;description;knowledge_goals\n"
    "MAIL;E-post;Kommunikation;Outlook;Jag kan läsa e-post\n"
    'DOK;Social dokumentation;Dokumentation;;"Jag kan dokumentera\nJag kan signera"\n'
)


def run(kind: str, text: str, org: Any, **kwargs: Any) -> Any:
    return import_file(kind=kind, content=text.encode(), filename=f"{kind}.csv", organisation=org, **kwargs)


def refused(kind: str, text: str, org: Any) -> list[str]:
    with translation.override("en"):
        with pytest.raises(ImportRefused) as info:
            run(kind, text, org)
        return [str(e) for e in info.value.result.errors]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_builtin_frameworks_ship_with_the_product(db: Any) -> None:
    digcomp = Framework.objects.get(code="digcomp22", organisation=None)
    assert digcomp.categories.count() == 5
    assert digcomp.competences.count() == 21
    assert "CC BY 4.0" in digcomp.attribution
    assert "5–8" in digcomp.level_mapping
    systems = Framework.objects.get(code="systems", organisation=None)
    codes = set(systems.competences.values_list("code", flat=True))
    assert {
        "MAIL",
        "INTRA",
        "AVVIK",
        "LON",
        "SOCDOK",
        "HEMAPP",
        "TEAMS",
        "LARPORTAL",
        "HRRAPP",
        "REHAB",
        "REKRYT",
    } <= codes
    assert Competence.objects.get(framework=systems, code="AVVIK").goals.exists()


def test_framework_import_is_idempotent_and_splits_goals(network: Any) -> None:
    result = run("framework", FRAMEWORK, network.org_a)
    assert result.counts == {"frameworks_created": 1, "new": 2}
    mail = Competence.objects.get(code="MAIL", framework__organisation=network.org_a)
    assert list(mail.goals.values_list("text", flat=True)) == ["Jag kan läsa e-post"]
    dok = Competence.objects.get(code="DOK", framework__organisation=network.org_a)
    assert list(dok.goals.values_list("text", flat=True)) == ["Jag kan dokumentera", "Jag kan signera"]
    comma = 'competence_code,name,category,knowledge_goals\nMAIL,E-post,Kommunikation,"Jag kan läsa; Jag kan boka"\n'
    changed = run("framework", comma, network.org_a)
    assert changed.counts == {"changed": 1}
    assert list(mail.goals.values_list("text", flat=True)) == ["Jag kan läsa", "Jag kan boka"]
    assert run("framework", comma, network.org_a).counts == {"unchanged": 1}


def test_bad_framework_rows(network: Any) -> None:
    errors = refused(
        "framework", "competence_code,name,category\n,Namnlös,K\nA,,K\nA,Igen,K\n", network.org_a
    )
    assert errors == [
        "row 2, column competence_code: is empty",
        "row 3, column name: is empty",
        "row 4, column competence_code: 'A' appears again (first in row 3)",
    ]


def test_requirements_import_and_resolution(network: Any) -> None:
    run("framework", FRAMEWORK, network.org_a)
    RoleName = network.employee.role.name
    text = (
        "role,competence_code,required_level,unit_id,mandatory\n"
        f"{RoleName},MAIL,2,,ja\n"
        f"{RoleName.upper()},MAIL,3,DEP1,no\n"  # higher in the home-care department and below
        f"{RoleName},DOK,3,U3,\n"
    )
    result = run("requirements", text, network.org_a)
    assert result.counts == {"new": 3}
    mail = Competence.objects.get(code="MAIL", framework__organisation=network.org_a)
    dok = Competence.objects.get(code="DOK", framework__organisation=network.org_a)
    in_unit1 = requirements_for(role_id=network.employee.role_id, unit=network.unit1)
    assert (
        in_unit1[mail.pk].required_level == 3 and in_unit1[mail.pk].mandatory
    )  # highest level; mandatory if any
    assert dok.pk not in in_unit1
    in_unit3 = requirements_for(role_id=network.employee.role_id, unit=network.unit3)
    assert in_unit3[mail.pk].required_level == 2 and in_unit3[dok.pk].required_level == 3
    index = RequirementIndex(network.org_a)
    assert index.for_group(network.unit1.pk, network.employee.role_id) == in_unit1
    assert index.for_group(network.unit3.pk, network.employee.role_id) == in_unit3
    assert run("requirements", text, network.org_a).counts == {"unchanged": 3}
    page = (
        client_for(network.employee.user)
        .get(reverse("org:person", args=[network.employee.pk]))
        .content.decode()
    )
    assert "E-post" in page and "Social dokumentation" not in page
    assert [r.competence.code for r in person_requirements(network.other_employee)] == ["MAIL", "DOK"]


def test_bad_requirements_are_named(network: Any) -> None:
    run("framework", FRAMEWORK, network.org_a)
    role = network.employee.role.name
    errors = refused(
        "requirements",
        (
            "role,competence_code,required_level,unit_id,mandatory\n"
            f"rörmokare,MAIL,2,,\n"
            f"{role},NOPE,2,,\n"
            f"{role},MAIL,5,,\n"
            f"{role},MAIL,2,NOWHERE,kanske\n"
            f"{role},MAIL,2,,\n"
            f"{role},MAIL,3,,\n"
        ),
        network.org_a,
    )
    assert errors == [
        "row 2, column role: 'rörmokare' is not a role of the organisation",
        "row 3, column competence_code: 'NOPE' is not a competence of the organisation's frameworks",
        "row 4, column required_level: '5' is not a level 0–4",
        "row 5, column unit_id: 'NOWHERE' is not a unit of the organisation",
        "row 5, column mandatory: 'kanske' is not yes or no",
        "row 7, column competence_code: the same role, competence and unit appear again (first in row 6)",
    ]
    assert not Requirement.objects.exists()


def test_another_organisations_framework_is_not_in_use_here(network: Any) -> None:
    run("framework", FRAMEWORK, network.org_b)
    role = network.employee.role.name
    assert refused(
        "requirements", f"role,competence_code,required_level\n{role},MAIL,2\n", network.org_a
    ) == ["row 2, column competence_code: 'MAIL' is not a competence of the organisation's frameworks"]
    own_b = Framework.objects.get(organisation=network.org_b)
    lead_a = client_for(network.lead.user)
    assert lead_a.get(reverse("competence:framework", args=[own_b.pk])).status_code == 404
    assert lead_a.post(reverse("competence:adopt", args=[own_b.pk])).status_code == 404
    assert not FrameworkAdoption.objects.exists()


@pytest.mark.parametrize("viewer", ["manager", "employee", "top", "trainer", "project_leader"])
def test_only_leads_edit_frameworks_and_requirements(network: Any, viewer: str) -> None:
    client = client_for(getattr(network, viewer).user)
    digcomp = Framework.objects.get(code="digcomp22")
    for url in (
        reverse("competence:frameworks"),
        reverse("competence:requirements"),
        reverse("competence:framework", args=[digcomp.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("competence:adopt", args=[digcomp.pk])).status_code == 404


def test_lead_adopts_and_sets_requirements_in_the_grid(network: Any) -> None:
    client = client_for(network.lead.user)
    systems = Framework.objects.get(code="systems")
    assert client.post(reverse("competence:adopt", args=[systems.pk])).status_code == 302
    assert FrameworkAdoption.objects.filter(organisation=network.org_a, framework=systems).exists()
    page = client.get(reverse("competence:requirements"), {"framework": systems.pk})
    assert page.status_code == 200
    role = Role.objects.get(organisation=network.org_a, name=network.employee.role.name)
    avvik = Competence.objects.get(framework=systems, code="AVVIK")
    response = client.post(
        reverse("competence:requirements") + f"?framework={systems.pk}&unit={network.dep1.pk}",
        {f"level-{role.pk}-{avvik.pk}": "3", f"mandatory-{role.pk}-{avvik.pk}": "on"},
    )
    assert response.status_code == 302
    requirement = Requirement.objects.get()
    assert (
        requirement.role,
        requirement.competence,
        requirement.unit,
        requirement.required_level,
        requirement.mandatory,
    ) == (role, avvik, network.dep1, 3, True)
    # clearing the cell removes it
    client.post(
        reverse("competence:requirements") + f"?framework={systems.pk}&unit={network.dep1.pk}",
        {f"level-{role.pk}-{avvik.pk}": ""},
    )
    assert not Requirement.objects.exists()


def test_shared_frameworks_are_edited_by_the_operator_only(network: Any) -> None:
    systems = Framework.objects.get(code="systems")
    framework_adopt(organisation=network.org_a, framework=systems)
    client = client_for(network.lead.user)
    assert client.get(reverse("competence:competence_new", args=[systems.pk])).status_code == 404
    clash = refused("framework", FRAMEWORK, network.org_a)
    assert clash == [
        "row 2, column competence_code: 'MAIL' is already a competence of another framework in use"
    ]
    run("framework", FRAMEWORK.replace("MAIL", "EPOST"), network.org_a, framework_code="own")
    own = Framework.objects.get(organisation=network.org_a, code="own")
    response = client.post(
        reverse("competence:competence_new", args=[own.pk]),
        {"code": "NEW", "name": "Ny kompetens", "category": "Kommunikation", "goals": "Mål ett\nMål två"},
    )
    assert response.status_code == 302
    assert list(Competence.objects.get(code="NEW").goals.values_list("text", flat=True)) == [
        "Mål ett",
        "Mål två",
    ]


def test_the_grid_pages_roles_and_a_save_changes_its_own_page_only(network: Any, monkeypatch: Any) -> None:
    from kompetenslyft.competence import views

    monkeypatch.setattr(views, "ROLES_PER_PAGE", 1)
    client = client_for(network.lead.user)
    systems = Framework.objects.get(code="systems")
    framework_adopt(organisation=network.org_a, framework=systems)
    Role.objects.create(organisation=network.org_a, name="sjuksköterska")
    roles = list(Role.objects.filter(organisation=network.org_a).order_by("name", "pk"))
    assert len(roles) >= 2
    avvik = Competence.objects.get(framework=systems, code="AVVIK")
    url = reverse("competence:requirements") + f"?framework={systems.pk}"
    client.post(url, {f"level-{roles[0].pk}-{avvik.pk}": "2"})
    assert Requirement.objects.get().role == roles[0]
    # page 2 shows the second role only, keeps the filter in its links, and its save (where the
    # first role's cells are absent) leaves the first role's requirement alone
    page = client.get(url + "&page=2").content.decode()
    assert f'name="level-{roles[1].pk}-{avvik.pk}"' in page
    assert f'name="level-{roles[0].pk}-{avvik.pk}"' not in page
    assert f"framework={systems.pk}&amp;page=1" in page
    client.post(url + "&page=2", {f"level-{roles[1].pk}-{avvik.pk}": "4"})
    assert sorted(Requirement.objects.values_list("role_id", "required_level")) == sorted(
        [(roles[0].pk, 2), (roles[1].pk, 4)]
    )
    assert client.get(url + "&page=x").status_code in (200, 400)
    assert client.get(url + "&unit=abc").status_code == 400
