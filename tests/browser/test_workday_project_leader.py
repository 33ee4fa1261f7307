"""The project leader from its home page, clicking only: the empty state explains how an
initiative begins, it creates its first initiative and sees it listed as its own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.learning.models import Initiative

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_project_leader_creates_its_first_initiative(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "projectleader")
    mine = page.locator('[data-card="my-initiatives"]')
    expect(mine).to_be_visible()
    assert_accessible(axe, page)
    mine.locator(".home-links a").first.click()
    expect(page.locator("#how-initiatives-begin")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Kod").fill("pia-lyft")
    page.get_by_label("Namn").fill("Pias lyft")
    targets = page.get_by_role("group", name="Målgruppens enheter (var och en med enheterna under)")
    targets.get_by_role("checkbox", name=network.unit1.name, exact=True).check()
    page.get_by_role("button", name="Skapa").click()
    expect(page.get_by_role("heading", name="Pias lyft")).to_be_visible()
    initiative = Initiative.objects.get(code="pia-lyft")
    assert list(initiative.owners.all()) == [network.project_leader]
    page.locator("a.brand").click()
    expect(page.locator('[data-card="my-initiatives"]').get_by_role("link", name="Pias lyft")).to_be_visible()
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kompetensinsatser").click()
    expect(page.get_by_role("link", name="Pias lyft")).to_be_visible()
    assert_accessible(axe, page)
