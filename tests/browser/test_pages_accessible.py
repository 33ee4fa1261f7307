"""Every remaining page, visited as the role that uses it, passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.assessment import gaps
from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import SupportContact, SupportRequest

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_remaining_pages(page: Any, axe: Any, network: Any) -> None:
    role = network.employee.role.name
    for kind, text in (
        (
            "framework",
            "competence_code,name,category,knowledge_goals\nMAIL,E-post,Kommunikation,Jag kan läsa e-post\n",
        ),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n"),
        (
            "assessments",
            "employee_id,competence_code,level,measurement_point\n"
            f"{network.employee.employee_id},MAIL,1,0\n{network.employee.employee_id},MAIL,3,1\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    gaps.rebuild(network.org_a)
    SupportContact.objects.create(person=network.trainer, unit=network.admin_a)
    SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.employee,
        unit=network.unit1,
        topic="Outlook",
        question="Hur delar jag en kalender?",
    )

    page.goto("/accounts/password-reset/")
    assert_accessible(axe, page)
    log_in(page, "lead")
    for url in (
        "/assessment/gaps/movement/",
        f"/assessment/gaps/team/?unit={network.unit1.pk}",
        f"/assessment/gaps/people/?at={network.admin_a.pk}&competence="
        f"{network.employee.role.requirements.first().competence_id}",
        "/assessment/",
        "/org/people/?q=a",
        f"/org/people/{network.employee.pk}/",
        "/competence/frameworks/"
        + str(network.employee.role.requirements.first().competence.framework_id)
        + "/competences/new/",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(axe, page)
    page.context.clear_cookies()
    log_in(page, "trainer")
    page.goto("/learning/support/")
    assert "Hur delar jag en kalender?" in page.content()
    assert_accessible(axe, page)
    page.context.clear_cookies()
    log_in(page, "employee")
    page.goto("/assessment/me/")
    assert_accessible(axe, page)
