"""The employee enrols on a module from the catalogue and books one of its sessions, clicking
only from its home page: the module's page lists the coming sessions with free places and the
waiting list; a full session puts it on the waiting list. On a desktop and at 390 px."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.learning.models import Booking, Enrolment, Module
from kompetenslyft.learning.services import booking_book, session_create

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def _module_with_sessions(network: Any) -> tuple[Module, Any, Any]:
    module = Module.objects.create(
        organisation=network.org_a, code="M-TEAMS", name="Teams i vardagen", category="Digitalt",
        level="basic", format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    start = (timezone.localtime() + dt.timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    full = session_create(
        module=module, organisation=network.org_a, starts_at=start, duration_minutes=60, capacity=1,
        place="Sal 1", trainers=[network.trainer],
    )  # fmt: skip
    booking_book(session=full, person=network.colleague)
    free = session_create(
        module=module, organisation=network.org_a, starts_at=start + dt.timedelta(days=3), duration_minutes=90,
        capacity=8, place="Stadshuset, rum 4 med ett långt namn på våning två", trainers=[network.trainer],
    )  # fmt: skip
    return module, full, free


def _enrol_and_book(page: Any, axe: Any, network: Any, module: Module, full: Any, free: Any) -> None:
    log_in(page, "employee")
    menu_link(page, "Moduler").click()
    page.get_by_role("button", name=f"Anmäl mig {module.name}").click()
    # Enrolled: the module's page, its sessions offered with places and waiting list.
    expect(page.get_by_role("heading", name=module.name)).to_be_visible()
    assert Enrolment.objects.filter(person=network.employee, module=module).exists()
    table = page.get_by_role("region", name=re.compile("^(Coming sessions|Kommande tillfällen)$"))
    expect(table).to_contain_text("Sal 1")
    expect(table).to_contain_text("Stadshuset, rum 4")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(axe, page)
    page.get_by_role("button", name="Boka").click()  # the free session (the full one offers the list)
    expect(page.get_by_role("status")).to_contain_text(re.compile("You are booked|Du är bokad"))
    assert Booking.objects.get(session=free, person=network.employee).status == Booking.Status.BOOKED
    page.get_by_role("button", name=re.compile("^(Join the waiting list|Ställ mig på väntelistan)")).click()
    expect(page.get_by_role("status")).to_contain_text(re.compile("waiting list|väntelistan"))
    assert Booking.objects.get(session=full, person=network.employee).status == Booking.Status.WAITING
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(axe, page)
    # Its journey shows the booking.
    page.get_by_role("main").get_by_role("link", name="Mitt lärande").first.click()
    expect(page.get_by_role("button", name=f"Avboka mig {module.name}")).to_be_visible()


def test_employee_enrols_from_the_catalogue_and_books_a_session(page: Any, axe: Any, network: Any) -> None:
    module, full, free = _module_with_sessions(network)
    _enrol_and_book(page, axe, network, module, full, free)


def test_employee_enrols_and_books_on_a_phone(browser: Any, live_server: Any, axe: Any, network: Any) -> None:
    module, full, free = _module_with_sessions(network)
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE", viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    phone.set_default_timeout(15000)
    try:
        _enrol_and_book(phone, axe, network, module, full, free)
    finally:
        context.close()
