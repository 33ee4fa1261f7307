"""The lead pseudonymises a leaver, from its home page by clicking only: the retention page and
its dry run, the leaver's person page, the decision with a reason, the run's progress page to
done; then the person's name is nowhere on the people list (current staff or leavers). axe on
each page, and the pages at 390 px wide do not overflow.

Strings this branch adds are matched in Swedish or English (their Swedish is compiled when the
branch is merged)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.org.models import Person
from kompetenslyft.retention.models import Erasure

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def either(swedish: str, english: str, *, whole: bool = True) -> re.Pattern[str]:
    words = f"({re.escape(swedish)}|{re.escape(english)})"
    return re.compile(f"^{words}$" if whole else words)


def no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


@pytest.fixture
def leaver(network: Any) -> Person:
    from kompetenslyft.org.tests.factories import PersonFactory

    return PersonFactory(
        unit=network.unit1,
        given_name="Lotta",
        family_name="Lämnadsdotter",
        email="lotta.lamnadsdotter@alfa.example",
        employee_id="E-LOTTA",
        is_active=False,
        deactivated_on=dt.date(2020, 1, 31),
    )


@pytest.mark.parametrize("viewport", ["wide", "phone"])
def test_the_lead_pseudonymises_a_leaver(
    browser: Any, live_server: Any, axe: Any, network: Any, leaver: Person, viewport: str
) -> None:
    options: dict[str, Any] = {"base_url": live_server.url, "bypass_csp": True, "locale": "sv-SE"}
    if viewport == "phone":
        options.update(viewport=PHONE, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _walk(page, axe, leaver)
    finally:
        context.close()


def _walk(page: Any, axe: Any, leaver: Person) -> None:
    log_in(page, "lead")
    # Home page → the retention card.
    page.get_by_role(
        "link", name=either("Gallringsregler och provkörning", "Retention rules and dry run")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Gallring och radering", "Retention and erasure")
    )
    assert_accessible(axe, page)
    no_overflow(page)
    # The dry run: one leaver would go today, and who it is.
    dry = page.get_by_role(
        "region", name=either("Provkörning: det här skulle gallras i dag", "Dry run: what would go today")
    )
    expect(dry.get_by_role("row").nth(1).get_by_role("cell").last).to_have_text("1")
    page.get_by_role("link", name="Lotta Lämnadsdotter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lämnadsdotter")
    assert_accessible(axe, page)
    no_overflow(page)

    page.get_by_role("link", name=either("Pseudonymisera personen", "Pseudonymise this person")).click()
    assert_accessible(axe, page)
    no_overflow(page)
    page.get_by_label(either("Skäl för beslutet", "Reason for the decision")).fill(
        "Gallring enligt regel, begäran"
    )
    page.get_by_role("button", name=either("Pseudonymisera nu", "Pseudonymise now")).click()

    # The progress page, followed until the run is done (it refreshes itself while it runs).
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Gallringskörning", "Retention run"))
    expect(page.get_by_role("status").filter(has_text=either("klar", "done"))).to_be_visible(timeout=30000)
    assert_accessible(axe, page)
    no_overflow(page)
    assert Erasure.objects.filter(person_id=leaver.pk).exists()

    # The people list: current staff, then leavers (the filter), and the person is not there.
    menu_link(page, either("Medarbetare", "People")).click()
    expect(page.locator("#result-count")).to_be_visible()
    assert "Lämnadsdotter" not in page.content() and "Lotta" not in page.content()
    page.get_by_label("Status").select_option("inactive")
    page.get_by_role("button", name=either("Filtrera", "Filter")).click()
    expect(page.locator("#result-count")).to_be_visible()
    assert page.url.endswith("status=inactive") or "status=inactive" in page.url
    content = page.content()
    for old in ("Lämnadsdotter", "Lotta", "lotta.lamnadsdotter@alfa.example", "E-LOTTA"):
        assert old not in content, old
    assert_accessible(axe, page)
    no_overflow(page)
