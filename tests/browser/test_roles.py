"""Each product role logs in through the real form and sees exactly its own scope; every page
visited passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def people_rows(page: Any) -> str:
    return page.locator("table tbody").inner_text()


def status_of(page: Any, path: str) -> int:
    """What the signed-in account gets when it asks for an address it has no link to (a page
    outside its scope answers 404). A request in the page's session; the page stays where it is,
    so the test still reaches every page it looks at by clicking."""
    return int(page.request.get(path).status)


def test_login_page_is_swedish_and_accessible(page: Any, axe: Any, network: Any) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "sv"
    expect(page.get_by_role("heading", name="Logga in i Kompetenslyft")).to_be_visible()
    assert_accessible(axe, page)
    # the skip link is the first thing a keyboard reaches, and it shows when focused
    first = page.evaluate(
        "document.querySelector('a[href], button, input:not([type=hidden]), select').textContent"
    )
    assert first == "Hoppa till innehållet"
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    skip.focus()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    skip.press("Enter")
    assert page.url.endswith("#main")


def test_wrong_password_is_refused_in_swedish(page: Any, network: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Användarnamn eller e-post").fill("employee")
    page.get_by_label("Lösenord").fill("not-the-password")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/accounts/login/" in page.url


def test_competence_lead_sees_its_whole_organisation(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "lead")
    assert_accessible(axe, page)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Medarbetare").click()
    rows = people_rows(page)
    for inside in (network.employee, network.colleague, network.other_employee, network.manager):
        assert inside.family_name in rows
    assert network.person_b.family_name not in rows
    assert_accessible(axe, page)
    page.get_by_role("search", name="Filtrera medarbetare").get_by_label("Sök").fill(
        network.other_employee.family_name
    )
    page.get_by_role("button", name="Filtrera").click()
    assert page.locator("table tbody tr").count() == 1
    page.get_by_role(
        "link", name=f"{network.other_employee.family_name}, {network.other_employee.given_name}"
    ).click()
    expect(page.get_by_role("heading", name=network.other_employee.full_name)).to_be_visible()
    assert_accessible(axe, page)
    menu_link(page, "Enheter").click()
    assert network.unit3.name in page.locator("table").inner_text()
    assert network.unit_b.name not in page.locator("table").inner_text()
    assert_accessible(axe, page)
    assert status_of(page, f"/org/people/{network.person_b.pk}/") == 404


def test_manager_sees_its_units_and_those_below_only(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "manager")
    menu_link(page, "Medarbetare").click()
    rows = people_rows(page)
    assert network.employee.family_name in rows and network.colleague.family_name in rows
    assert network.other_employee.family_name not in rows and network.lead.family_name not in rows
    assert_accessible(axe, page)
    menu_link(page, "Enheter").click()
    tree = page.locator("table").inner_text()
    assert network.unit1.name in tree and network.unit3.name not in tree
    assert status_of(page, f"/org/people/{network.other_employee.pk}/") == 404
    assert status_of(page, "/org/import/") == 404


def test_employee_sees_itself_only(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "employee")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Min sida").click()
    expect(page.get_by_role("heading", name=network.employee.full_name)).to_be_visible()
    assert_accessible(axe, page)
    nav = page.get_by_role("navigation", name="Huvudmeny").inner_text()
    assert "Medarbetare" not in nav and "Import" not in nav
    assert status_of(page, "/org/people/") == 404
    assert status_of(page, f"/org/people/{network.colleague.pk}/") == 404


@pytest.mark.parametrize("username", ["top", "evaluator"])
def test_top_management_and_evaluator_see_aggregates_only(
    page: Any, axe: Any, network: Any, username: str
) -> None:
    log_in(page, username)
    menu_link(page, "Enheter").click()
    table = page.locator("table").inner_text()
    assert network.unit3.name in table
    assert network.manager.family_name not in table
    assert page.locator("table a").count() == 0  # no way through to people
    assert_accessible(axe, page)
    assert status_of(page, "/org/people/") == 404
    assert status_of(page, f"/org/people/{network.employee.pk}/") == 404


@pytest.mark.parametrize("username", ["trainer", "projectleader"])
def test_trainer_and_project_leader_see_no_people_yet(
    page: Any, axe: Any, network: Any, username: str
) -> None:
    log_in(page, username)
    assert_accessible(axe, page)
    assert status_of(page, "/org/people/") == 404
    assert status_of(page, f"/org/people/{network.employee.pk}/") == 404


def test_lead_of_another_organisation_sees_only_its_own(page: Any, network: Any) -> None:
    log_in(page, "leadb")
    menu_link(page, "Medarbetare").click()
    rows = people_rows(page)
    assert network.person_b.family_name in rows
    assert network.employee.family_name not in rows
    assert status_of(page, f"/org/people/{network.employee.pk}/") == 404


def test_employee_on_a_phone(phone: Any, axe: Any, network: Any) -> None:
    log_in(phone, "employee")
    menu_link(phone, "Min sida").click()
    expect(phone.get_by_role("heading", name=network.employee.full_name)).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "the page scrolls sideways on a phone"
    assert_accessible(axe, phone)


def test_language_switch(page: Any, network: Any) -> None:
    log_in(page, "employee")
    page.get_by_label("Språk").select_option("nb")
    page.get_by_role("button", name="Ändra").click()
    assert page.locator("html").get_attribute("lang") == "nb"
    expect(
        page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Min side")
    ).to_be_visible()
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Endre").click()
    expect(
        page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My page")
    ).to_be_visible()
