"""The needs analysis as people try it: a lead opens a baseline, an employee answers on a
phone, the lead sees the heatmap and drills down."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.assessment.models import Answer, Campaign
from kompetenslyft.core.importing import import_file

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_baseline_answer_on_a_phone_heatmap_and_drill_down(
    page: Any, phone: Any, axe: Any, network: Any
) -> None:
    role = network.employee.role.name
    import_file(
        kind="framework",
        content=b"competence_code,name,category,knowledge_goals\n"
        b"AVVIK,Avvikelserapportering,Dokumentation,Jag kan rapportera en avvikelse\n",
        filename="f.csv",
        organisation=network.org_a,
    )
    import_file(
        kind="requirements",
        content=f"role,competence_code,required_level\n{role},AVVIK,3\n".encode(),
        filename="r.csv",
        organisation=network.org_a,
    )

    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Självskattningar").click()
    page.get_by_label("Namn").fill("Baslinje hösten")
    page.get_by_role("checkbox", name=network.admin_a.name, exact=True).check()  # the tree of units
    assert_accessible(axe, page)
    page.get_by_role("button", name="Skapa").click()
    page.get_by_role("button", name="Öppna och skicka inbjudningar").click()
    expect(page.get_by_text("Självskattningen förbereds")).to_be_visible()
    page.reload()
    assert "öppen" in page.locator("dl.facts").inner_text()
    assert_accessible(axe, page)
    campaign = Campaign.objects.get(name="Baslinje hösten")
    assert campaign.status == Campaign.Status.OPEN

    log_in(phone, "employee")
    menu_link(phone, "Mina kompetenser").click()
    phone.get_by_role("link", name="Svara på självskattningen").click()
    expect(phone.get_by_role("group", name="Avvikelserapportering")).to_be_visible()
    expect(phone.get_by_text("Jag kan rapportera en avvikelse")).to_be_visible()
    assert_accessible(axe, phone)
    phone.get_by_role("radio", name="Jag kan med hjälp").check()
    phone.get_by_text("Sparat").wait_for()  # saved as it goes, before any button
    expect(phone.locator("#progress")).to_have_text(re.compile(r"^1 .* 1 "))  # the counter follows
    assert Answer.objects.get(person=network.employee).level == 2
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    phone.get_by_role("button", name="Spara mina svar").click()
    expect(phone.get_by_text("Tack! Dina svar är sparade.")).to_be_visible()

    menu_link(page, "Gapanalys").click()
    table = page.get_by_role("table")
    assert network.admin_a.name in table.inner_text()
    assert "100 %" in table.inner_text()
    assert_accessible(axe, page)
    page.get_by_role("link", name="100 %").click()
    expect(
        page.get_by_role("heading", name=f"Under målet i Avvikelserapportering – {network.admin_a.name}")
    ).to_be_visible()
    assert network.employee.family_name in page.locator("table").inner_text()
    assert_accessible(axe, page)


def test_evaluator_reaches_the_protected_heatmap_from_its_home_page(
    page: Any, axe: Any, network: Any
) -> None:
    """The evaluator clicks to the gap analysis and down the tree: small groups, and the cells
    they could be worked out from, say "för få"; nothing leads to people."""
    from kompetenslyft.assessment import gaps
    from kompetenslyft.org.tests.factories import PersonFactory

    role = network.employee.role
    PersonFactory.create_batch(6, unit=network.unit1, role=role)
    PersonFactory.create_batch(2, unit=network.unit2, role=role)
    import_file(
        kind="framework",
        content=b"competence_code,name,category\nAVVIK,Avvikelserapportering,Dokumentation\n",
        filename="f.csv",
        organisation=network.org_a,
    )
    import_file(
        kind="requirements",
        content=f"role,competence_code,required_level\n{role.name},AVVIK,3\n".encode(),
        filename="r.csv",
        organisation=network.org_a,
    )
    from kompetenslyft.org.models import Person

    rows = "".join(
        f"{p},AVVIK,2,0\n"
        for p in Person.objects.filter(organisation=network.org_a).values_list("employee_id", flat=True)
    )
    import_file(
        kind="assessments",
        content=("employee_id,competence_code,level,measurement_point\n" + rows).encode(),
        filename="a.csv",
        organisation=network.org_a,
    )
    gaps.rebuild(network.org_a)

    log_in(page, "evaluator")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Gapanalys").click()
    expect(page.get_by_text("Celler med färre än 5 svar visas inte")).to_be_visible()
    page.get_by_role("link", name=network.admin_a.name).click()
    page.get_by_role("link", name=network.dep1.name).click()
    table = page.get_by_role("table")
    # Hemtjänst: Norra (7 people) and Södra (3) below, and its manager directly in it (1):
    # Södra is too few, and so must one more cell be, or Hemtjänst minus Norra gives it away.
    assert table.inner_text().count("för få") >= 2
    assert page.locator("table a[href*='/gaps/people/']").count() == 0
    assert_accessible(axe, page)
