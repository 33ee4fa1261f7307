"""Follow-up at work by clicking only: the manager goes from its home page to the talk that has
fallen due and records it; the employee then reads it on its journey."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.followup.models import FollowUp
from kompetenslyft.followup.services import followups_create_due
from kompetenslyft.followup.tests.helpers import complete, module

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_records_the_talk_and_the_employee_sees_it(
    page: Any, phone: Any, axe: Any, network: Any
) -> None:
    complete(network.employee, module(network), days_ago=30)
    assert followups_create_due() == 1

    log_in(page, "manager")
    page.get_by_role("link", name=re.compile(r"^(Uppföljningssamtal att hålla|Follow-up talks due)$")).click()
    assert_accessible(axe, page)
    page.get_by_role(
        "link",
        name=re.compile(rf"(Registrera samtalet med|Record the talk with) {network.employee.given_name}"),
    ).click()
    assert_accessible(axe, page)
    page.get_by_label(re.compile(r"^(Delvis|Partly)$")).check()
    page.get_by_label(re.compile(r"^(Tid|Time)$")).check()
    page.get_by_label(re.compile(r"(Vilket stöd behövs|What support is needed)")).fill(
        "Handledning en gång i veckan"
    )
    page.get_by_role("button", name=re.compile(r"^(Registrera samtalet|Record the talk)$")).click()
    expect(page.get_by_role("status").first).to_contain_text(network.employee.full_name)
    row = FollowUp.objects.get()
    assert (row.applying, row.hindrances, row.support_needed) == (
        "partly",
        ["time"],
        "Handledning en gång i veckan",
    )
    # The menu leads to the recorded talks as well.
    menu_link(page, re.compile(r"^(Uppföljningssamtal|Follow-up talks)$")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    log_in(phone, "employee")
    menu_link(phone, re.compile(r"^(Mitt lärande|My learning)$")).click()
    section = phone.get_by_role(
        "region", name=re.compile(r"(Uppföljningssamtal med din chef|Follow-up talks with your manager)")
    )
    expect(section).to_contain_text("Handledning en gång i veckan")
    assert_accessible(axe, phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
