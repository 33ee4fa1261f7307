"""An employee searches from its home page in the header's box and opens a result; the
published questions sit next to the job aids. Axe on each page; 390 px without overflow."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.learning.faq_services import support_request_publish
from kompetenslyft.learning.models import Module, SupportRequest
from kompetenslyft.search.services import index_module

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_employee_searches_and_opens_a_result(browser: Any, live_server: Any, axe: Any, network: Any) -> None:
    for code, name, organisation in (
        ("SOC", "Social dokumentation", network.org_a),
        ("OUT", "Outlook för nybörjare", network.org_a),
        ("HEM", "Hemmelig dokumentasjon", network.org_b),  # another organisation's: never found
    ):
        module = Module.objects.create(
            organisation=organisation,
            code=code,
            name=name,
            category="System",
            level="basic",
            format="onsite",
            hours=Decimal("1"),
            description="Journalen och rutinerna.",
        )
        index_module(module)
    asked = SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.colleague,
        unit=network.unit2,
        topic="Journal",
        question="Karin här: var dokumenterar jag?",
        answer="I journalen.",
    )
    support_request_publish(support_request=asked, question="Var dokumenterar jag?", answer="I journalen.")

    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE", viewport={"width": 390, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    log_in(page, "employee")
    box = page.get_by_role("search").get_by_role("searchbox", name=re.compile("^Sök"))
    box.fill("dokumentera")
    box.press("Enter")
    results = page.get_by_role("main").get_by_role("listitem")
    expect(results).to_have_count(2)
    expect(page.get_by_role("link", name="Social dokumentation")).to_be_visible()
    expect(page.get_by_role("link", name="Var dokumenterar jag?")).to_be_visible()
    assert "Hemmelig" not in page.content() and "Karin" not in page.content()
    assert page.evaluate(NO_OVERFLOW)
    assert_accessible(axe, page)

    page.get_by_role("link", name="Social dokumentation").click()
    expect(page.get_by_role("heading", name="Social dokumentation")).to_be_visible()
    assert re.search(r"/learning/modules/\d+/$", page.url)

    # The published question, from the job aids.
    menu = page.get_by_role("navigation", name="Huvudmeny")
    menu.locator("details.nav-narrow > summary").click()  # on a phone the menu is folded
    menu.locator("details.nav-narrow").get_by_role("link", name=re.compile("Lathundar")).click()
    page.get_by_role("main").get_by_role("link", name=re.compile("FAQ|[Vv]anliga frågor")).click()
    expect(page.get_by_role("heading", name="Var dokumenterar jag?")).to_be_visible()
    assert "Karin" not in page.content()
    assert page.evaluate(NO_OVERFLOW)
    assert_accessible(axe, page)
    context.close()
