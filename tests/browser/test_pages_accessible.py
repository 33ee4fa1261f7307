"""Every remaining page, reached by clicking as the role that uses it, passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.assessment import gaps
from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import SupportContact, SupportRequest

from .conftest import assert_accessible, log_in, menu_link

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
    framework = network.employee.role.requirements.first().competence.framework

    def check() -> None:
        assert page.locator("h1").count() == 1, page.url  # a page of the product, not an error
        assert_accessible(axe, page)

    menu_link(page, "Gapanalys").click()
    page.get_by_role("link", name="Förflyttning mellan mätpunkter").click()
    expect(page).to_have_url(re.compile(r"/assessment/gaps/movement/"))
    check()
    menu_link(page, "Teamets kompetenser").click()
    # The unit drop-down offers the top of the tree and the chosen unit's children: walk down.
    for unit in (network.admin_a, network.dep1, network.unit1):
        page.locator("#id_unit").select_option(str(unit.pk))
        page.get_by_role("button", name="Visa").click()
        expect(page).to_have_url(re.compile(rf"/assessment/gaps/team/\?unit={unit.pk}"))
    check()
    menu_link(page, "Gapanalys").click()
    page.get_by_label("Mätpunkt").select_option("0")
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("link", name="100 %").first.click()  # the drill-down to the people below
    expect(page).to_have_url(re.compile(r"/assessment/gaps/people/\?.*competence="))
    check()
    menu_link(page, "Självskattningar").click()
    check()
    menu_link(page, "Medarbetare").click()
    page.get_by_role("search", name="Filtrera medarbetare").get_by_label("Sök").fill("a")
    page.get_by_role("button", name="Filtrera").click()
    expect(page).to_have_url(re.compile(r"/org/people/\?(.*&)?q=a(&|$)"))
    check()
    page.get_by_role("link", name=f"{network.employee.family_name}, {network.employee.given_name}").click()
    expect(page.get_by_role("heading", name=network.employee.full_name)).to_be_visible()
    check()
    menu_link(page, "Ramverk").click()
    page.get_by_role("link", name=framework.local_name).first.click()
    page.get_by_role("link", name="Lägg till en kompetens").click()
    expect(page).to_have_url(re.compile(rf"/competence/frameworks/{framework.pk}/competences/new/"))
    check()
    page.context.clear_cookies()
    log_in(page, "trainer")
    menu_link(page, "Supportärenden").click()
    assert "Hur delar jag en kalender?" in page.content()
    assert_accessible(axe, page)
    page.context.clear_cookies()
    log_in(page, "employee")
    menu_link(page, "Mina kompetenser").click()
    expect(page).to_have_url(re.compile(r"/assessment/me/"))
    assert_accessible(axe, page)
