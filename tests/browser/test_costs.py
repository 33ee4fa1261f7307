"""Costs, clicking only: the project leader goes from its home page to its initiative, opens
the costs, sets the hourly cost, adds a cost and reads the cost per participant; the lead
downloads the funder report's Excel with its Costs sheet. axe on each page. (Locators avoid
the new texts, which read in English until the catalogues are compiled.)"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from kompetenslyft.core.importing import import_file
from kompetenslyft.costs.models import CostEntry, CostSettings
from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.org.tests.factories import PersonFactory

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def initiative(network: Any) -> Initiative:
    org = network.org_a
    import_file(
        kind="modules",
        content=b"module_code,name,category,level,format,hours\nM1,Dokumentation,K,basic,onsite,2\n",
        filename="m.csv",
        organisation=org,
    )
    people = [PersonFactory(unit=network.unit1 if i % 2 else network.unit2) for i in range(6)]
    lines = ["employee_id,module_code,date,hours,status"] + [
        f"{p.employee_id},M1,2026-03-{i + 1:02d},2,attended" for i, p in enumerate(people)
    ]
    import_file(
        kind="attendance", content=("\n".join(lines) + "\n").encode(), filename="a.csv", organisation=org
    )
    initiative = Initiative.objects.create(
        organisation=org,
        code="pia",
        name="Pias lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(Module.objects.get(code="M1"))
    initiative.units.add(network.admin_a)
    initiative.owners.add(network.project_leader)
    return initiative


def test_project_leader_enters_costs_and_lead_downloads_them(
    page: Any, axe: Any, network: Any, initiative: Any
) -> None:
    log_in(page, "projectleader")
    page.locator('[data-card="my-initiatives"]').get_by_role("link", name="Pias lyft").click()
    expect(page.get_by_role("heading", name="Pias lyft")).to_be_visible()
    page.locator(f'a[href="/costs/initiatives/{initiative.pk}/"]').click()
    expect(page.locator("#cost-figures")).to_be_visible()
    assert_accessible(axe, page)
    # 6 participants, 12 hours; 300 an hour of working time (3 600) and 2 400 of other costs
    page.locator("#id_settings-hourly_cost").fill("300")
    page.locator(f'form[action="/costs/initiatives/{initiative.pk}/settings/"] button').click()
    page.locator("#id_entry-kind").select_option("other")
    page.locator("#id_entry-description").fill("Lokalhyra")
    page.locator("#id_entry-amount").fill("2 400")
    page.locator(f'form[action="/costs/initiatives/{initiative.pk}/entries/"] button').click()
    expect(page.locator('[data-figure="per-participant"]')).to_have_text(re.compile(r"^1\s000\s+SEK$"))
    assert CostSettings.objects.get(initiative=initiative).hourly_cost == 300
    assert CostEntry.objects.get(initiative=initiative).description == "Lokalhyra"
    assert_accessible(axe, page)

    page.context.clear_cookies()
    log_in(page, "lead")
    menu_link(page, "Rapport till finansiär").click()
    page.locator("#f-initiative").select_option(label="Pias lyft")
    page.locator("form.filters button[type=submit]").click()
    with page.expect_download() as download:
        page.locator('a[href*="format=xlsx"]').click()
    content = download.value.path().read_bytes()
    book = load_workbook(io.BytesIO(content))
    costs = book.worksheets[-1]
    rows = {row[0]: row[1] for row in costs.iter_rows(values_only=True) if row and row[0]}
    assert 6000 in rows.values() and 1000 in rows.values() and "Lokalhyra" in rows.values()
