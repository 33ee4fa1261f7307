"""Delivery as people try it: a lead creates an initiative from the gaps, the proposal assigns
and exempts, a manager confirms, a trainer schedules and takes attendance on a phone, the
employee's progress moves and the funder report counts it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Attendance, Proposal, Session

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

# The main menu's item to the team's training (Training: "Team progress").
TEAM_LINK = re.compile(r"^Teamets framsteg$")


def test_initiative_to_funder_report(
    page: Any, phone: Any, axe: Any, network: Any, browser: Any, live_server: Any
) -> None:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nAVVIK,Avvikelser,Dokumentation\n"),
        ("requirements", f"role,competence_code,required_level\n{role},AVVIK,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-AVVIK,Avvikelser i praktiken,Dokumentation,basic,onsite,1.5,AVVIK\n",
        ),
        (
            "assessments",
            "employee_id,competence_code,level,measurement_point\n"
            f"{network.employee.employee_id},AVVIK,1,0\n{network.colleague.employee_id},AVVIK,4,0\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)

    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kompetensinsatser").click()
    page.get_by_label("Kod").fill("lyftet")
    page.get_by_label("Namn").fill("Digitalt lyft")
    targets = page.get_by_role("group", name="Målgruppens enheter (var och en med enheterna under)")
    targets.get_by_role("checkbox", name=network.admin_a.name, exact=True).check()
    page.get_by_role("group", name="Moduler").get_by_role(
        "checkbox", name="M-AVVIK Avvikelser i praktiken"
    ).check()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Skapa").click()
    expect(page.get_by_role("heading", name="Digitalt lyft")).to_be_visible()
    page.get_by_role("button", name="Föreslå tilldelning från gapet").click()
    page.get_by_text("Förslag tas fram från gapet").wait_for()
    page.reload()
    assert_accessible(axe, page)
    mine = Proposal.objects.get(person=network.employee).decisions()
    theirs = Proposal.objects.get(person=network.colleague).decisions()
    assert [d["s"] for d in mine.values()] == ["assigned"] and [d["s"] for d in theirs.values()] == ["exempt"]

    manager = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE").new_page()
    log_in(manager, "manager")
    menu_link(manager, TEAM_LINK).click()
    manager.get_by_role("link", name="Förslag: Digitalt lyft").click()
    rows = manager.locator("table").inner_text()
    assert network.employee.full_name in rows and network.other_employee.full_name not in rows
    assert_accessible(axe, manager)
    manager.get_by_role("button", name="Bekräfta förslagen som visas").click()
    confirmed = Proposal.objects.filter(status="confirmed").count()
    expect(manager.get_by_text(f"{confirmed} förslag bekräftades.")).to_be_visible()
    assert Proposal.objects.get(person=network.employee).status == "confirmed"
    assert Proposal.objects.get(person=network.other_employee).status == "proposed"

    trainer = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE").new_page()
    log_in(trainer, "trainer")
    trainer.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Utbildningstillfällen"
    ).click()
    schedule = trainer.locator("form", has=trainer.get_by_role("button", name="Schemalägg"))
    schedule.get_by_label("Modul", exact=True).select_option(label="M-AVVIK Avvikelser i praktiken")
    schedule.get_by_label("Börjar", exact=True).fill("2031-03-10T09:00")
    schedule.get_by_label("Plats", exact=True).fill("Stadshuset, sal 3")
    assert_accessible(axe, trainer)
    trainer.get_by_role("button", name="Schemalägg").click()
    expect(trainer.get_by_text("Anordnas av")).to_be_visible()
    # A trainer books no one (it sees its participants only); the manager picks its own people.
    expect(trainer.get_by_role("heading", name="Boka någon")).to_have_count(0)
    menu_link(manager, "Utbildningstillfällen").click()
    manager.get_by_role("link", name="2031-03-10 09:00").click()
    manager.get_by_role("checkbox", name=network.employee.full_name).check()
    assert manager.get_by_role("checkbox", name=network.other_employee.full_name).count() == 0
    assert_accessible(axe, manager)
    manager.get_by_role("button", name="Boka", exact=True).click()
    expect(manager.get_by_text(f"{network.employee.full_name} är bokad.")).to_be_visible()
    assert any(m.attachments and m.to == [network.employee.email] for m in mail.outbox)  # the .ics invitation

    # The register opens on the day of the session: that day comes.
    Session.objects.filter(place="Stadshuset, sal 3").update(starts_at=timezone.now())
    log_in(phone, "trainer")
    menu_link(phone, "Utbildningstillfällen").click()
    phone.get_by_role("row", name=re.compile("Avvikelser i praktiken")).get_by_role("link").first.click()
    phone.get_by_role("checkbox", name=network.employee.full_name).check()
    assert_accessible(axe, phone)
    phone.get_by_role("button", name="Spara närvaron").click()
    assert Attendance.objects.get(person=network.employee).status == "attended"

    employee = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE").new_page()
    log_in(employee, "employee")
    menu_link(employee, "Mitt lärande").click()
    # The journey's summary (matched in Swedish or English: catalogues compile after merging).
    expect(
        employee.get_by_text(re.compile(r"1 (av 1 tilldelad modul klar|of 1 assigned module done)"))
    ).to_be_visible()
    assert_accessible(axe, employee)

    for item in ("Lathundar", "Moduler", "Utbildningstillfällen"):
        menu_link(page, item).click()
        assert_accessible(axe, page)
    menu_link(manager, TEAM_LINK).click()  # the whole subtree
    assert network.employee.family_name in manager.locator("table").inner_text()
    assert_accessible(axe, manager)

    menu_link(page, "Rapport till finansiär").click()
    page.locator("#f-initiative").select_option("lyftet")
    page.get_by_role("button", name="Visa").click()
    figures = page.get_by_role("table").first.inner_text()
    assert "Unika deltagare\t1" in figures and "Utbildningstimmar\t1,5" in figures
    assert_accessible(axe, page)


def test_evaluator_reaches_the_funder_report_for_one_initiative(page: Any, axe: Any, network: Any) -> None:
    """From the menu, with one unit: one initiative over its whole period, no small group."""
    from kompetenslyft.org.tests.factories import PersonFactory

    org = network.org_a
    import_file(
        kind="modules",
        content=b"module_code,name,category,level,format,hours\nM1,E-post,K,basic,onsite,2\n",
        filename="m.csv",
        organisation=org,
    )
    lines = ["employee_id,module_code,date,hours,status"]
    for unit, gender, n in (
        (network.unit1, "woman", 1),
        (network.unit2, "man", 6),
        (network.unit3, "woman", 7),
    ):
        lines += [
            f"{p.employee_id},M1,2026-03-15,2,attended"
            for p in PersonFactory.create_batch(n, unit=unit, gender=gender)
        ]
    import_file(
        kind="attendance", content=("\n".join(lines) + "\n").encode(), filename="a.csv", organisation=org
    )

    log_in(page, "evaluator")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Rapport till finansiär"
    ).click()
    page.get_by_label("Enhet").select_option(label=network.dep1.name)
    assert page.get_by_label("Från").count() == 0  # no periods to subtract from each other
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_text("Siffrorna visas en kompetensinsats i taget")).to_be_visible()
    table = page.get_by_role("table").first.inner_text()
    assert "för få" in table  # the one woman of Hemtjänst Norra
    assert_accessible(axe, page)
