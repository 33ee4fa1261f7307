"""The competence lead's workday, from its home page by clicking only: imports a people file (a
bad row first: all its problems are named; then a good file), opens a self-assessment for a
target group picked in the unit tree (and sees how many it reaches), opens the heatmap, drills
into a cell, proposes modules for those people, and reads the funder report. axe on each page.

Strings this branch adds are matched in Swedish or English (their Swedish is compiled when the
branch is merged)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.assessment.models import Campaign
from kompetenslyft.learning.models import Proposal
from kompetenslyft.org.models import Person

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def either(swedish: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({re.escape(swedish)}|{re.escape(english)})$")


@pytest.fixture
def needs(network: Any) -> Any:
    """A framework, a requirement, answers below it, a module teaching it and an initiative:
    what the lead's day starts from."""
    from kompetenslyft.assessment import gaps
    from kompetenslyft.core.importing import import_file
    from kompetenslyft.learning.models import Module
    from kompetenslyft.learning.services import initiative_create

    role = network.employee.role.name
    org = network.org_a
    for kind, text in (
        ("framework", "competence_code,name,category\nJOURNAL,Dokumentation i journalsystemet,System\n"),
        ("requirements", f"role,competence_code,required_level\n{role},JOURNAL,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-JOURNAL,Journalföring grund,System,basic,onsite,2,JOURNAL\n",
        ),
        (
            "assessments",
            "employee_id,competence_code,level,measurement_point\n"
            f"{network.employee.employee_id},JOURNAL,1,0\n{network.colleague.employee_id},JOURNAL,4,0\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)
    gaps.rebuild(org)
    initiative_create(
        organisation=org,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[Module.objects.get(code="M-JOURNAL")],
    )
    return network


def menu(page: Any, swedish: str, english: str) -> None:
    page.get_by_role("link", name=either(swedish, english)).first.click()


def upload(page: Any, name: str, text: str, *, keep_missing: bool = False) -> None:
    page.get_by_label(re.compile("^(Vad filen innehåller|What the file holds)$")).select_option("people")
    page.get_by_label(re.compile(r"^(Fil \(CSV eller \.xlsx\)|File \(CSV or \.xlsx\))$")).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    if keep_missing:
        page.get_by_label(re.compile("^(Behåll medarbetare|Keep people)")).check()
    page.get_by_role("button", name=either("Visa förhandsgranskningen", "Show the preview")).click()


def test_the_leads_workday_from_its_home_page(page: Any, axe: Any, needs: Any) -> None:
    network = needs
    log_in(page, "lead")

    # Import: a bad row first, every problem of it named; then a good file.
    menu(page, "Import", "Import")
    expect(page.get_by_role("heading", name=either("Mallar", "Templates"))).to_be_visible()
    assert_accessible(axe, page)
    bad = "employee_id,given_name,family_name,unit_id,role,email\nX1,,Ny,NOPE,undersköterska,inte-en-adress\n"
    upload(page, "fel.csv", bad)
    expect(page.get_by_role("heading", name=either("Importen avvisades", "Import refused"))).to_be_visible()
    row = page.locator('tr[data-row="2"]')
    expect(row).to_have_count(1)
    for column in ("given_name", "unit_id", "email"):
        expect(row).to_contain_text(column)
    assert_accessible(axe, page)
    page.get_by_role("link", name=either("Importera en annan fil", "Import another file")).click()
    upload(
        page,
        "nya.csv",
        "employee_id,given_name,family_name,unit_id,role\nN1,Nina,Ny,U1,undersköterska\n",
        keep_missing=True,
    )
    page.get_by_role("button", name=either("Bekräfta importen", "Confirm the import")).click()
    expect(
        page.get_by_role("heading", name=either("Importen är genomförd", "Import applied"))
    ).to_be_visible()
    assert Person.objects.filter(employee_id="N1", unit=network.unit1).exists()

    # A self-assessment for a target group picked in the tree, counted before it is created.
    menu(page, "Självskattningar", "Self-assessments")
    page.get_by_label(either("Namn", "Name")).fill("Baslinje journal")
    page.get_by_role("checkbox", name=network.dep1.name, exact=True).check()
    expected = Person.objects.filter(is_active=True, unit__path__startswith=network.dep1.path).count()
    page.get_by_role("button", name=either("Räkna målgruppen", "Count the target group")).click()
    expect(page.locator("#target-count")).to_contain_text(str(expected))
    expect(page.get_by_role("checkbox", name=network.dep1.name, exact=True)).to_be_checked()
    assert_accessible(axe, page)
    page.get_by_role("button", name=either("Skapa", "Create")).click()
    expect(page.locator("#target-count")).to_contain_text(str(expected))
    assert_accessible(axe, page)
    page.get_by_role(
        "button", name=either("Öppna och skicka inbjudningar", "Open and send invitations")
    ).click()
    assert Campaign.objects.get(name="Baslinje journal").status != Campaign.Status.DRAFT

    # The heatmap (competences by name), a cell, and proposals for exactly those people.
    menu(page, "Gapanalys", "Gaps")
    header = page.locator("table.heatmap thead")
    expect(header).to_contain_text("Dokumentation i journalsystemet")
    assert_accessible(axe, page)
    page.locator("table.heatmap td a").first.click()
    expect(page.locator("table")).to_contain_text(network.employee.family_name)
    assert_accessible(axe, page)
    page.get_by_label(either("Kompetensinsats", "Initiative")).select_option(label="Digitalt lyft")
    page.get_by_role("button", name=either("Föreslå moduler", "Propose modules")).click()
    expect(page.get_by_role("heading", name=re.compile("Digitalt lyft"))).to_be_visible()
    assert set(Proposal.objects.values_list("person_id", flat=True)) == {network.employee.pk}
    assert_accessible(axe, page)

    # The funder report, from the menu.
    menu(page, "Rapport till finansiär", "Funder report")
    expect(
        page.get_by_role("heading", name=either("Rapport till finansiär", "Funder report"))
    ).to_be_visible()
    assert_accessible(axe, page)
