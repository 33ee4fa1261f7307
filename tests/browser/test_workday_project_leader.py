"""The project leader from its home page, clicking only: the empty state explains how an
initiative begins, it creates its first initiative and sees it listed as its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
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


def test_project_leader_is_told_why_the_period_and_modules_are_locked(
    page: Any, axe: Any, network: Any
) -> None:
    """Once people took part, the project leader's initiative page keeps the period read-only
    and offers no module change, saying why and who can (ADR 0019, addendum)."""
    import datetime as dt

    from kompetenslyft.learning.models import Attendance, Module

    module = Module.objects.create(
        organisation=network.org_a,
        code="M1",
        name="Journal",
        category="c",
        level="basic",
        format="onsite",
        hours=2,
    )
    initiative = Initiative.objects.create(
        organisation=network.org_a,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 31),
    )
    initiative.modules.add(module)
    initiative.units.add(network.admin_a)
    initiative.owners.add(network.project_leader)
    Attendance.objects.create(
        person=network.employee, module=module, unit=network.unit1, date=dt.date(2026, 3, 10), hours=2
    )
    log_in(page, "projectleader")
    page.goto(reverse("learning:initiative", args=[initiative.pk]))
    expect(page.get_by_role("heading", name="Lyft")).to_be_visible()
    expect(page.locator("#modules-locked")).to_be_visible()  # the reason (translated with the catalogue)
    expect(page.get_by_role("link", name="Ändra modulerna")).to_have_count(0)
    page.locator("summary").filter(has_text="period").click()
    expect(page.locator("#scope-locked")).to_be_visible()
    ends = page.locator('input[name="details-ends_on"]')
    expect(ends).to_have_attribute("readonly", "")
    assert_accessible(axe, page)
    details = page.locator('form[action$="/details/"]')
    details.locator('input[name="details-name"]').fill("Lyftet")
    details.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", name="Lyftet")).to_be_visible()
    initiative.refresh_from_db()
    assert (initiative.name, initiative.ends_on) == ("Lyftet", dt.date(2026, 3, 31))
