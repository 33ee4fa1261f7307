"""The lead changes an initiative after creating it, by clicking only: from its home page via
the menu it opens the initiative, changes a goal (typing 80 %), removes a plan entry, changes
the target units and marks a checklist item done; the page passes axe and fits 390 px."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.initiative_services import goal_create, plan_entry_create
from kompetenslyft.learning.models import InitiativeGoal, Module, PlanEntry
from kompetenslyft.learning.services import initiative_create

from .conftest import assert_accessible, log_in
from .test_workday_lead import either

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_changes_an_initiative(page: Any, axe: Any, network: Any) -> None:
    import_file(
        kind="modules",
        content=b"module_code,name,category,level,format,hours\nM-MAIL,E-post grund,K,basic,onsite,1.5\n",
        filename="m.csv",
        organisation=network.org_a,
    )
    initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=list(Module.objects.all()),
        budget=Decimal("1250000"),
    )
    goal = goal_create(
        initiative=initiative, data={"kind": "reach", "description": "E-post", "target_share": Decimal("0.5")}
    )
    entry = plan_entry_create(
        initiative=initiative, data={"kind": "action", "text": "Boka lokaler i stadshuset"}
    )
    first_item = min(initiative.entries.filter(kind="checklist", phase="before"), key=lambda e: e.position)

    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kompetensinsatser").click()
    page.get_by_role("link", name="Digitalt lyft").click()
    expect(page.get_by_role("heading", name="Digitalt lyft", level=1)).to_be_visible()
    expect(page.get_by_text("1\u00a0250\u00a0000\u00a0SEK")).to_be_visible()
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("50\u00a0%")

    # A goal, typed in percent.
    row = page.locator(f"#goal-{goal.pk}")
    row.get_by_text(re.compile("^Ändra")).click()
    row.locator(f'input[name="goal-{goal.pk}-target_share"]').fill("80")
    assert_accessible(axe, page)  # with the goal's form open
    row.get_by_role("button", name="Spara").click()
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("80\u00a0%")
    assert InitiativeGoal.objects.get(pk=goal.pk).target_share == Decimal("0.8")

    # A plan entry removed.
    row = page.locator(f"#entry-{entry.pk}")
    row.get_by_text(re.compile("^Ändra")).click()
    row.get_by_role("link", name=re.compile("^Ta bort ur planen")).click()
    expect(page.locator("blockquote")).to_contain_text("Boka lokaler i stadshuset")  # asked first
    assert_accessible(axe, page)
    page.get_by_role("main").get_by_role("button", name=re.compile("^Ta bort ur planen")).click()
    expect(page.get_by_text("Boka lokaler i stadshuset")).to_have_count(0)
    assert not PlanEntry.objects.filter(pk=entry.pk).exists()

    # The target group narrowed to one department.
    page.locator("#target").get_by_role(
        "link", name=either("Ändra målgruppens enheter", "Change the target units")
    ).click()
    targets = page.get_by_role("group", name="Målgruppens enheter (var och en med enheterna under)")
    targets.get_by_role("checkbox", name=network.admin_a.name, exact=True).uncheck()
    targets.get_by_role("checkbox", name=network.dep1.name, exact=True).check()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Spara enheterna").click()
    expect(page.locator("dl.facts")).to_contain_text(network.dep1.name)
    assert list(initiative.units.all()) == [network.dep1]

    # The first checklist item (before) marked done.
    checklist = page.locator(f"#entry-{first_item.pk}")
    checklist.get_by_role("button", name=re.compile("^markera klar")).click()
    expect(
        page.locator(f"#entry-{first_item.pk}").get_by_role("button", name=re.compile("klar"))
    ).to_have_attribute("aria-pressed", "true")
    first_item.refresh_from_db()
    assert first_item.done
    assert_accessible(axe, page)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
