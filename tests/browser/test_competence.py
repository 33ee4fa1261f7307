"""A competence lead picks a framework and sets requirements; the employee sees them."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.competence.models import Requirement

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_picks_a_framework_and_sets_requirements(
    page: Any, axe: Any, network: Any, browser: Any, live_server: Any
) -> None:
    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ramverk").click()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Använd DigComp 2.2 – Ramverk för digital kompetens").click()
    expect(page.get_by_text("CC BY 4.0")).to_be_visible()
    assert_accessible(axe, page)
    menu_link(page, "Ramverk").click()
    page.get_by_role("button", name="Använd Verksamhetens digitala system").click()
    page.get_by_role("link", name="Sätt kompetenskrav per yrkesroll").first.click()
    role = network.employee.role.name
    page.get_by_label(f"{role} – Avvikelserapportering: krävd nivå").select_option("3")
    page.get_by_label(f"{role} – Avvikelserapportering: obligatorisk").check()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Spara kompetenskraven").click()
    expect(page.get_by_text("1 kompetenskrav sparades.")).to_be_visible()
    requirement = Requirement.objects.get()
    assert (requirement.competence.code, requirement.required_level, requirement.mandatory) == (
        "AVVIK",
        3,
        True,
    )

    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE")
    employee = context.new_page()
    log_in(employee, "employee")
    menu_link(employee, "Min sida").click()
    expect(employee.get_by_role("heading", name="Det här kräver din yrkesroll")).to_be_visible()
    assert "Avvikelserapportering" in employee.locator("table").first.inner_text()
    assert_accessible(axe, employee)
    context.close()
