"""The evaluation results as the trainer, the manager and the evaluator reach them: from the
home page through the menu, then a filter; axe-core finds nothing, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.evaluation.tests.attack import build
from kompetenslyft.learning.models import Session

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

# The new strings are English until the integrator compiles their translations.
RESULTS = re.compile("Utvärderingsresultat|Evaluation results")


@pytest.fixture
def answered(network: Any) -> Any:
    fx = build(network)
    session = Session.objects.create(
        organisation=network.org_a, module=fx.modules["M1"], starts_at=timezone.now() - dt.timedelta(days=2)
    )
    session.trainers.add(network.trainer)
    return network


@pytest.mark.parametrize("username", ["trainer", "manager", "evaluator"])
def test_results_from_home_and_a_filter(
    page: Any, phone: Any, axe: Any, answered: Any, username: str
) -> None:
    for tab in (page, phone):
        log_in(tab, username)  # lands on the home page
        menu_link(tab, RESULTS).click()
        expect(tab.get_by_role("heading", name=RESULTS, level=1)).to_be_visible()
        tab.locator("table").first.wait_for()
        assert_accessible(axe, tab)
        tab.locator("#f-gender").select_option("woman")
        tab.locator("form.filters button[type=submit]").click()
        tab.wait_for_url(re.compile(r"gender=woman"))
        expect(tab.locator("#f-gender")).to_have_value("woman")
        assert_accessible(axe, tab)
        if username == "evaluator":
            assert tab.locator("#comments").count() == 0  # no free text for aggregates-only viewers
