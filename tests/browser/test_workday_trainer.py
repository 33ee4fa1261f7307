"""The trainer's workday, by clicking only from its home page: to its session of today, the
register (also on a 390 px phone, without sideways scrolling), then a question waiting for it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.learning.models import Attendance, Booking, Module, SupportContact, SupportRequest
from kompetenslyft.learning.services import session_create, support_request_create

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

# Strings new in this issue are compiled into Swedish at integration: match both until then.
SESSIONS = re.compile(r"^Utbildningstillfällen$")
QUESTIONS = re.compile(r"Frågor till mig|Questions to me")


def test_trainer_takes_the_register_and_answers_a_question(
    browser: Any, live_server: Any, axe: Any, network: Any
) -> None:
    module = Module.objects.create(
        organisation=network.org_a, code="M-JOUR", name="Journalföring", category="Dokumentation",
        level="basic", format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    session = session_create(
        module=module, starts_at=timezone.now(), duration_minutes=90, capacity=10,
        place="Solgården, personalrummet", trainers=[network.trainer],
    )  # fmt: skip
    for person in (network.employee, network.colleague):
        Booking.objects.create(session=session, person=person, status=Booking.Status.BOOKED)
    SupportContact.objects.create(person=network.trainer, unit=network.dep1)
    support_request_create(person=network.employee, topic="Journalen", question="Var skriver jag avvikelser?")
    mail.outbox.clear()

    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE",
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
    )  # fmt: skip
    phone = context.new_page()
    phone.set_default_timeout(15000)
    log_in(phone, "trainer")
    menu_link(phone, SESSIONS).click()
    assert_accessible(axe, phone)
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    phone.get_by_role("link", name=when).click()
    expect(phone.get_by_role("heading", name="Journalföring")).to_be_visible()
    assert_accessible(axe, phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Every button and folded section of the register page shows its text (none is a bare box).
    blank = phone.evaluate(
        """[...document.querySelectorAll('main button, main summary, main [role=button]')]
        .filter(e => e.offsetParent !== null && !e.innerText.trim()).map(e => e.outerHTML.slice(0, 160))"""
    )
    assert blank == []
    phone.get_by_role("checkbox", name=network.employee.full_name).check()
    phone.get_by_role("button", name="Spara närvaron").click()
    # What was saved, not everyone on the register: one ticked present, one absent.
    expect(
        phone.get_by_text(
            re.compile(
                r"^(Närvaron sparades: 1 närvarande, 1 frånvarande\.|Attendance saved: 1 present, 1 absent\.)$"
            )
        )
    ).to_be_visible()
    assert Attendance.objects.get(person=network.employee).status == Attendance.Status.ATTENDED
    assert Attendance.objects.get(person=network.colleague).status == Attendance.Status.NO_SHOW
    # Once the register is taken, nothing can be cancelled any more.
    assert phone.get_by_role("button", name=re.compile("Ställ in|Cancel the session")).count() == 0
    assert_accessible(axe, phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    menu_link(phone, SESSIONS).click()
    phone.get_by_role("link", name=QUESTIONS).click()
    expect(phone.get_by_text("Var skriver jag avvikelser?")).to_be_visible()
    assert_accessible(axe, phone)
    phone.get_by_label("Svar").fill("Under fliken Avvikelser i journalen.")
    phone.get_by_role("button", name=re.compile("Skicka svaret")).click()
    expect(phone.get_by_text("Svaret är skickat.")).to_be_visible()
    question = SupportRequest.objects.get()
    assert (
        question.answer == "Under fliken Avvikelser i journalen." and question.answered_by == network.trainer
    )
    told = [m for m in mail.outbox if "Journalen" in m.subject]  # (and the evaluation request)
    assert [m.to for m in told] == [[network.employee.email]]  # the asker is told
    assert_accessible(axe, phone)
    context.close()


def test_a_cancelled_session_and_a_recording_on_the_journey_and_the_leads_questions(
    page: Any, axe: Any, network: Any
) -> None:
    from kompetenslyft.learning.services import booking_book, session_cancel, session_update

    module = Module.objects.create(
        organisation=network.org_a, code="M-JOUR", name="Journalföring", category="Dokumentation",
        level="basic", format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    soon = timezone.now() + dt.timedelta(days=3)
    cancelled = session_create(module=module, starts_at=soon, duration_minutes=60, capacity=5, place="Sal A")
    session_create(module=module, starts_at=soon + dt.timedelta(days=7), duration_minutes=60,
                   capacity=5, place="Sal B")  # fmt: skip
    past = session_create(
        module=module, starts_at=timezone.now() - dt.timedelta(days=10), duration_minutes=60,
        capacity=5, place="Sal C",
    )  # fmt: skip
    Attendance.objects.create(
        person=network.employee, module=module, session=past, date=timezone.localdate(), hours=1,
        unit=network.unit1, role=network.employee.role,
    )  # fmt: skip
    session_update(session=past, recording_link="https://video.example/journal")
    booking_book(session=cancelled, person=network.employee)
    session_cancel(session=cancelled)
    support_request_create(person=network.employee, topic="Journalen", question="Var skriver jag?")

    log_in(page, "employee")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mitt lärande").click()
    expect(page.get_by_role("link", name=re.compile("Journalföring"))).to_be_visible()  # the recording
    expect(page.get_by_text("Sal B")).to_be_visible()  # the other session, offered to book
    assert_accessible(axe, page)
    page.context.clear_cookies()
    log_in(page, "lead")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kompetensinsatser").click()
    page.get_by_role(
        "link", name=re.compile("Organisationens alla supportärenden|All support questions")
    ).click()
    expect(page.get_by_text("Var skriver jag?")).to_be_visible()
    assert_accessible(axe, page)
