"""The competence lead's level-4 workday, by clicking only: from the start page it creates an
indicator, imports its values from a CSV file, links it to an initiative on the initiative's
page and sees it on the dashboard beside the training period (chart and table); axe-core
finds nothing on the way, on a desktop and on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.indicators.figures import add_months
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.indicators.tests.data import FIRST, MONTHS, indicator_data

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def _values_file() -> bytes:
    lines = ["indicator;unit_id;month;value"]
    for i in range(MONTHS):
        month = add_months(FIRST, i)
        text = f"{month.year:04d}-{month.month:02d}"
        north = "50" if text < "2026-03" else "70"
        lines += [f"AVV14;U1;{text};{north}", f"AVV14;U2;{text};60", f"AVV14;U3;{text};40"]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def test_lead_creates_imports_links_and_sees_the_indicator(
    page: Any, phone: Any, axe: Any, network: Any
) -> None:
    n = indicator_data(network, with_indicator=False)
    log_in(page, "lead")
    # From the start page's card.
    page.get_by_role("link", name=re.compile("^(New indicator|Nytt nyckeltal)$")).first.click()
    page.get_by_label(re.compile("^(Code|Kod)$")).fill("AVV14")
    page.get_by_label(re.compile("^(Name|Namn)$")).fill("Avvikelser hanterade inom 14 dagar")
    page.get_by_label(re.compile("^(Unit of measure|Måttenhet)$")).select_option("percent")
    page.get_by_label(re.compile("^(Which direction is better|Vilket håll som är bättre)$")).select_option(
        "higher"
    )
    page.get_by_label(re.compile("^(Target|Målvärde)$")).fill("80")
    assert_accessible(axe, page)
    page.get_by_role("button", name=re.compile("^(Save the indicator|Spara nyckeltalet)$")).click()
    expect(page.get_by_role("heading", level=1, name="Avvikelser hanterade inom 14 dagar")).to_be_visible()
    indicator = Indicator.objects.get(code="AVV14")
    assert_accessible(axe, page)

    # Import its values from the indicator's page.
    page.get_by_role(
        "link", name=re.compile("^(Import values \\(CSV or Excel\\)|Importera värden \\(CSV eller Excel\\))$")
    ).click()
    page.get_by_label("Vad filen innehåller").select_option("indicator_values")
    page.get_by_label("Fil (CSV eller .xlsx)").set_input_files(
        files=[{"name": "nyckeltal.csv", "mimeType": "text/csv", "buffer": _values_file()}]
    )
    page.get_by_role("button", name="Visa förhandsgranskningen").click()
    expect(page.get_by_role("heading", name="Förhandsgranska import")).to_be_visible()
    page.get_by_role("button", name="Bekräfta importen").click()
    expect(page.get_by_role("heading", name="Importen är genomförd")).to_be_visible()
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 3 * MONTHS

    # Link it on the initiative's page.
    menu_link(page, re.compile("^(Initiatives|Kompetensinsatser)$")).click()
    page.get_by_role("link", name="Digitalt lyft").first.click()
    page.get_by_role("combobox", name=re.compile("^(Indicator|Nyckeltal)$")).select_option(
        label="Avvikelser hanterade inom 14 dagar"
    )
    page.get_by_role("button", name=re.compile("^(Link indicators|Koppla nyckeltal)$")).click()
    expect(page.get_by_role("link", name="Avvikelser hanterade inom 14 dagar")).to_be_visible()
    assert list(indicator.initiatives.all()) == [n.initiative]
    assert_accessible(axe, page)

    # The dashboard, the initiative chosen: the chart with the training period and its table.
    menu_link(page, re.compile("^(Dashboard|Översikt)$")).click()
    page.get_by_label(re.compile("^(Initiative|Kompetensinsats)$")).select_option(label="Digitalt lyft")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"initiative="))
    section = page.locator(f"section[aria-labelledby=h-indicator-{indicator.pk}-{n.initiative.pk}]")
    expect(section.locator("svg[role=img]")).to_be_visible()
    assert re.search("Training period|Utbildningsperiod", section.locator("svg").inner_html())
    rows = section.locator("tbody tr").all_inner_texts()
    february = next(r for r in rows if r.startswith("2026-02"))
    # Trained units (2, mean 55.0) beside the units that never trained (1, mean 40.0): a unit
    # that trains later is no longer in both groups before its training (the reviewer's fix).
    assert re.sub(r"\s+", " ", february).replace(",", ".").endswith("55.0 2 40.0 1")
    assert re.search("Before|Före", february)
    assert_accessible(axe, page)

    # The indicator page on a phone: chart and table, nothing wider than the screen.
    log_in(phone, "lead")
    menu_link(phone, re.compile("^(Indicators|Nyckeltal)$")).click()
    phone.get_by_role("link", name="Avvikelser hanterade inom 14 dagar").click()
    expect(phone.locator("svg[role=img]").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert_accessible(axe, phone)
