"""The dashboard as its people reach it: the lead and the evaluator click from their home page
to it, filter to a role and a gender, see charts with their tables, never a group under k, on a
desktop and on a phone; axe-core finds nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kompetenslyft.evaluation.tests.dashboard_data import dashboard_data

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
K = 5


def _open_and_filter(page: Any, axe: Any, role: str, gender_label: str) -> str:
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/evaluation/dashboard/"))
    assert page.locator("svg[role=img]").count() >= 8
    assert_accessible(axe, page)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_label("Gender").select_option(label=gender_label)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"gender="))
    charts = page.locator("svg[role=img]")
    tables = page.locator("table caption")
    assert charts.count() == tables.count() >= 8
    assert_accessible(axe, page)
    return str(page.locator("main").inner_text())


def _numbers_in_tables(page: Any) -> list[int]:
    found = []
    for cell in page.locator("td.num").all_inner_texts():
        text = cell.replace("\u00a0", "").replace(" ", "")
        if re.fullmatch(r"[0-9]+", text):
            found.append(int(text))
    return found


def test_lead_and_evaluator_reach_and_filter_the_dashboard(
    page: Any, phone: Any, axe: Any, network: Any
) -> None:
    data = dashboard_data(network)
    log_in(page, "lead")
    text = _open_and_filter(page, axe, "undersköterska", "Women")
    assert "Unique participants by gender" in text

    log_in(phone, "evaluator")
    text = _open_and_filter(phone, axe, data.nurse.name, "Men")
    # One male nurse: every figure of that group is hidden, and says so; none is under k.
    assert "hidden (fewer than 5" in text
    assert all(n == 0 or n >= K for n in _numbers_in_tables(phone))
    # The chart scales to the phone's width (no sideways scrolling of the page).
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1
