"""The lead's module workday, by clicking only: from the home page to the catalogue, a new
module with a prerequisite, shared with the network; another organisation's lead adopts it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.learning.models import Module, ModuleAdoption
from kompetenslyft.learning.module_services import module_create

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_creates_a_module_with_a_prerequisite_and_shares_it(
    page: Any, axe: Any, network: Any, browser: Any, live_server: Any
) -> None:
    base = module_create(
        organisation=network.org_a,
        code="GRUND",
        name="Digitala grunder",
        category="Digitalt",
        level="basic",
        module_format="onsite",
        hours=Decimal("1"),
    )
    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Moduler").click()
    expect(page.get_by_role("heading", name="Modulkatalog")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name=re.compile("^(Ny modul|New module)$")).click()
    assert_accessible(axe, page)
    page.get_by_label(re.compile("^(Modulkod|Module code)$")).fill("GDPR")
    page.get_by_label(re.compile("^Namn$")).fill("Dataskydd i vardagen")
    page.get_by_label(re.compile("^Kategori$")).fill("Juridik")
    page.get_by_label(re.compile("^(Format)$")).select_option("elearning")
    page.get_by_label(re.compile("^(Timmar|Hours)$")).fill("2")
    page.get_by_label(re.compile("^(Upprepa var|Repeat every)")).fill("24")
    page.get_by_role("group", name=re.compile("^(Förkunskaper|Prerequisites)")).get_by_label(
        "GRUND Digitala grunder"
    ).check()
    page.get_by_role("button", name=re.compile("^(Spara modulen|Save the module)$")).click()
    expect(page.get_by_role("heading", name="Dataskydd i vardagen")).to_be_visible()
    assert_accessible(axe, page)
    module = Module.objects.get(code="GDPR")
    assert (module.organisation, module.refresh_months, list(module.prerequisites.all())) == (
        network.org_a,
        24,
        [base],
    )
    page.get_by_role("button", name=re.compile("^(Dela med nätverket|Share with the network)$")).click()
    expect(page.get_by_role("button", name=re.compile("^(Sluta dela|Stop sharing)$"))).to_be_visible()
    module.refresh_from_db()
    assert module.shared
    assert_accessible(axe, page)

    # The lead of another organisation finds it in the network and adopts it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE")
    other = context.new_page()
    log_in(other, "leadb")
    other.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Moduler").click()
    other.get_by_role("link", name=re.compile("^(Delat i nätverket|Shared in the network)$")).click()
    assert_accessible(axe, other)
    expect(other.get_by_text("Digitala grunder")).to_have_count(0)  # not shared: never listed
    other.get_by_role("button", name=re.compile("Dataskydd i vardagen")).click()
    expect(other.get_by_role("link", name="GDPR Dataskydd i vardagen")).to_be_visible()
    assert ModuleAdoption.objects.get().organisation == network.org_b
    other.get_by_role("link", name="GDPR Dataskydd i vardagen").click()
    expect(other.get_by_role("link", name=re.compile("^(Redigera modulen|Edit the module)$"))).to_have_count(
        0
    )
    assert_accessible(axe, other)
    context.close()
