"""The employee's workday from its home page, clicking only: answers its open self-assessment,
books a session of an assigned module, asks a support question; on a 390 px phone the home
page and its menu fit and pass axe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.assessment.models import Answer
from kompetenslyft.assessment.services import campaign_create, campaign_open
from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Booking, Module, Proposal, SupportContact, SupportRequest
from kompetenslyft.learning.services import (
    initiative_create,
    proposals_confirm,
    proposals_generate,
    session_create,
)

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_employee_answers_books_and_asks(
    page: Any, browser: Any, live_server: Any, axe: Any, network: Any
) -> None:
    role = network.employee.role.name
    for kind, text in (
        (
            "framework",
            "competence_code,name,category,knowledge_goals\nAVVIK,Avvikelser,Dokumentation,Jag kan rapportera\n",
        ),
        ("requirements", f"role,competence_code,required_level\n{role},AVVIK,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-AVVIK,Avvikelser i praktiken,Dokumentation,basic,onsite,1.5,AVVIK\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    module = Module.objects.get(code="M-AVVIK")
    initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[module],
    )
    proposals_generate(initiative_id=initiative.pk)
    # The manager confirms the proposal: only then is the module on the employee's journey.
    assert proposals_confirm(
        proposals=Proposal.objects.filter(initiative=initiative, person=network.employee),
        actor=network.manager.user,
    )
    session_create(
        module=module,
        starts_at=timezone.now() + dt.timedelta(days=7),
        duration_minutes=90,
        capacity=10,
        place="Sal 1",
        trainers=[network.trainer],
    )
    SupportContact.objects.create(person=network.trainer, unit=network.dep1)
    today = timezone.localdate()
    campaign = campaign_create(
        organisation=network.org_a,
        name="Baslinje",
        measurement_point=0,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        units=[network.admin_a],
        roles=[],
    )
    campaign_open(campaign=campaign)

    log_in(page, "employee")
    assert_accessible(axe, page)
    # 1. The open self-assessment, from its card.
    page.locator('[data-card="self-assessment"] li a').first.click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Spara mina svar").click()
    expect(page.locator("main")).to_be_visible()
    assert Answer.objects.filter(person=network.employee).exists()
    # 2. Back home, on to its learning, book a session of the assigned module.
    page.locator("a.brand").click()
    page.locator('[data-card="my-learning"] .home-links a').first.click()
    page.get_by_role("button", name="Boka").first.click()
    expect(page.get_by_role("button", name="Avboka mig").first).to_be_visible()
    assert Booking.objects.filter(person=network.employee, status=Booking.Status.BOOKED).exists()
    # 3. A support question from the same page.
    page.get_by_label("Ämne (t.ex. systemet eller modulen)").fill("Avvikelser")
    page.get_by_label("Din fråga").fill("Var hittar jag blanketten?")
    page.get_by_role("button", name="Skicka frågan").click()
    expect(page.locator("main")).to_be_visible()
    assert SupportRequest.objects.filter(person=network.employee, topic="Avvikelser").exists()
    page.locator("a.brand").click()
    assert "Avvikelser i praktiken" in page.locator('[data-card="my-learning"]').inner_text()

    # 4. On a 390 px phone: the home page and the open menu fit, and pass axe.
    phone = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE", viewport={"width": 390, "height": 844}
    ).new_page()
    log_in(phone, "employee")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    header = phone.locator("header.site-header").bounding_box()
    assert header is not None and header["height"] < 200  # the menu no longer fills the screen
    assert_accessible(axe, phone)
    phone.locator("details.nav-narrow > summary").click()
    expect(phone.locator("details.nav-narrow .nav a").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(axe, phone)
    with phone.expect_navigation():
        phone.locator("details.nav-narrow .nav a[href='/learning/me/']").click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
