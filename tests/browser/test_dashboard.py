"""The dashboard as its people reach it: the lead and the evaluator click from their home page
to it, filter to a role and a gender, see charts with their tables, never a group under k, on a
desktop and on a phone; axe-core finds nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kompetenslyft.evaluation.tests.dashboard_data import dashboard_data

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)
K = 5


def _open_and_filter(page: Any, axe: Any, role: str, gender: str) -> str:
    """From the home page (where logging in lands) through the menu."""
    menu_link(page, re.compile("^(Dashboard|Översikt)$")).click()
    page.wait_for_url(re.compile(r"/evaluation/dashboard/"))
    assert page.locator("svg[role=img]").count() >= 8
    assert_accessible(axe, page)
    filters = page.locator("form.filters")
    filters.get_by_label(re.compile("^(Role|Yrkesroll)$")).select_option(label=role)
    filters.get_by_label(re.compile("^(Gender|Kön)$")).select_option(value=gender)
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"gender="))
    charts = page.locator("svg[role=img]")
    tables = page.locator("table caption")
    assert charts.count() == tables.count() >= 8
    assert_accessible(axe, page)
    return str(page.locator("main").inner_text())


def _group_sizes(page: Any) -> list[int]:
    """The head counts of the groups shown (participants, requests, responses): the first
    figure of each row of those tables (the counts within a group shown — who completed, who
    answered — may be small, as "below" is in the gap)."""
    found = []
    selector = ", ".join(
        f"section[aria-labelledby=h-{ident}] tbody tr td:nth-of-type(1)"
        for ident in ("participants", "rates", "shares", "levels", "trend")
    )
    for cell in page.locator(selector).all_inner_texts():
        text = cell.replace("\u00a0", "").replace(" ", "")
        if re.fullmatch(r"[0-9]+", text):
            found.append(int(text))
    return found


def test_lead_and_evaluator_reach_and_filter_the_dashboard(
    page: Any, phone: Any, axe: Any, network: Any
) -> None:
    data = dashboard_data(network)
    log_in(page, "lead")
    text = _open_and_filter(page, axe, "undersköterska", "woman")
    assert re.search("Unique participants by gender|Unika deltagare per kön", text)
    # At 1280 px every table has its whole width (the chart is above it, not beside it).
    page.set_viewport_size({"width": 1280, "height": 900})
    cut = page.evaluate(
        "[...document.querySelectorAll('.chart-pair .table-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth + 1).length"
    )
    assert cut == 0

    log_in(phone, "evaluator")
    text = _open_and_filter(phone, axe, data.nurse.name, "man")
    # One male nurse: every figure of that group is hidden, and says so (a short mark in the
    # cells, its meaning once under the table); none is under k.
    assert re.search(r"hidden \(fewer than 5|dold \(färre än 5", text)
    assert text.count("färre än 5") + text.count("fewer than 5") < 12
    # Chart text stays legible on the phone (at least 11 px).
    smallest = phone.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0))"
    )
    assert smallest >= 11
    assert all(n == 0 or n >= K for n in _group_sizes(phone))
    # The chart scales to the phone's width (no sideways scrolling of the page).
    width = phone.evaluate("document.documentElement.scrollWidth")
    wide = phone.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 376)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert width <= 375 + 1, wide
