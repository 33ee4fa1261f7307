"""The module evaluation as people meet it: the lead adds a question to the initiative, the
trainer takes the register and shows the QR block, one attendee answers on a phone from its
journey page, another by following the link the trainer's page shows. Every page clicked to
from home; axe finds nothing.

New texts are matched in Swedish or English (the catalogues are compiled after merging)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.evaluation.models import Answer, QuestionAnswer, Request
from kompetenslyft.learning.models import Booking, Module
from kompetenslyft.learning.services import initiative_create, session_create

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def _phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,
        locale="sv-SE",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def _answer(page: Any, axe: Any) -> None:
    """Fill the evaluation form as a person would and send it."""
    expect(page.get_by_role("heading", name=re.compile("Utvärdering|Evaluation"))).to_be_visible()
    assert_accessible(axe, page)
    for name, value in (("motivated", "4"), ("level", "3"), ("method_good", "3"), ("important", "4")):
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.get_by_role("group", name="Fick du öva?").locator('input[value="2"]').check()
    page.get_by_role("button", name=re.compile("Skicka mitt svar|Send my answer")).click()
    expect(page.get_by_text(re.compile("Tack|Thank you"))).to_be_visible()
    assert_accessible(axe, page)


def test_trainer_shows_the_code_and_attendees_answer(
    page: Any, axe: Any, network: Any, browser: Any, live_server: Any, settings: Any
) -> None:
    settings.KOMPETENSLYFT_BASE_URL = live_server.url
    module = Module.objects.create(
        organisation=network.org_a,
        code="M-AVVIK",
        name="Avvikelser i praktiken",
        category="Dokumentation",
        level="basic",
        format="onsite",
        hours=1.5,
    )
    initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[module],
    )
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 5)))
    session = session_create(
        module=module,
        starts_at=start,
        duration_minutes=90,
        capacity=10,
        place="Stadshuset, sal 3",
        trainers=[network.trainer],
        initiative=initiative,
    )
    for person in (network.employee, network.other_employee):
        Booking.objects.create(session=session, person=person, status=Booking.Status.BOOKED)

    # The lead adds a question to the initiative's evaluations, from its home page.
    log_in(page, "lead")
    menu_link(page, "Kompetensinsatser").click()
    page.get_by_role("link", name="Digitalt lyft").click()
    page.locator('input[name="question-text"]').fill("Fick du öva?")
    page.locator('select[name="question-kind"]').select_option("scale")
    page.get_by_role("button", name=re.compile("Lägg till frågan|Add the question")).click()
    expect(page.get_by_role("listitem").filter(has_text="Fick du öva?")).to_be_visible()
    assert_accessible(axe, page)

    # The trainer: home → sessions → its session; takes the register; the QR block shows.
    trainer = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="sv-SE").new_page()
    log_in(trainer, "trainer")
    menu_link(trainer, "Utbildningstillfällen").click()
    trainer.get_by_role("link", name=timezone.localtime(start).strftime("%Y-%m-%d %H:%M")).click()
    expect(trainer.locator("svg[role=img]")).to_have_count(0)
    trainer.get_by_role("checkbox", name=network.employee.full_name).check()
    trainer.get_by_role("checkbox", name=network.other_employee.full_name).check()
    trainer.get_by_role("button", name="Spara närvaron").click()
    block = trainer.get_by_role("region", name=re.compile("Utvärdering|Evaluation"))
    expect(block.locator("svg[role=img]")).to_be_visible()
    link = block.locator("figcaption a").get_attribute("href")
    assert link and block.locator("figcaption a").inner_text() == link
    assert_accessible(axe, trainer)
    assert Request.objects.filter(session=session).count() == 2

    # "Show large": the code alone, filling the screen, for the room (desktop and phone width).
    session_page = trainer.url
    block.get_by_role("link", name=re.compile("Visa stor|Show large")).click()
    large = trainer.locator("svg[role=img]")
    expect(large).to_be_visible()
    box = large.bounding_box()
    viewport = trainer.viewport_size
    assert box and viewport and box["height"] >= 0.7 * viewport["height"] - 120
    assert trainer.locator("figcaption a").inner_text() == link
    assert_accessible(axe, trainer)
    trainer.set_viewport_size(PHONE)
    assert_accessible(axe, trainer)
    box = large.bounding_box()
    assert box and box["width"] >= 0.85 * PHONE["width"]
    trainer.get_by_role(
        "link", name=re.compile("Tillbaka till utbildningstillfället|Back to the session")
    ).click()
    assert trainer.url == session_page
    # "See the results of this module": the trainer's results, that module chosen.
    trainer.get_by_role(
        "link", name=re.compile("resultaten? för den här modulen|results of this module")
    ).click()
    assert f"module={session.module_id}" in trainer.url and "view=trainer-" in trainer.url
    expect(trainer.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(axe, trainer)

    # An attendee on a phone: home → My learning → the evaluation.
    phone = _phone(browser, live_server)
    log_in(phone, "employee")
    menu_link(phone, "Mitt lärande").click()
    evaluate = phone.get_by_role("link", name=re.compile("(Utvärdera|Evaluate).*Avvikelser i praktiken"))
    assert_accessible(axe, phone)
    evaluate.click()
    _answer(phone, axe)
    menu_link(phone, "Mitt lärande").click()
    expect(
        phone.get_by_text(re.compile("Ditt svar har tagits emot|Your answer was received"))
    ).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Utvärdera|Evaluate"))).to_have_count(0)

    # Another attendee follows the link shown under the QR code: log in, then its own evaluation.
    other = _phone(browser, live_server)
    other.goto(link)
    other.get_by_label("Användarnamn eller e-post").fill("other")
    other.get_by_label("Lösenord").fill("correct-horse-battery")
    other.get_by_role("button", name="Logga in").click()
    _answer(other, axe)

    assert Answer.objects.count() == 2 and QuestionAnswer.objects.count() == 2
    assert Request.objects.filter(session=session, answered_on=timezone.localdate()).count() == 2
