"""Success cases, clicking only: the lead goes from its home page to the success cases of an
initiative, reads where the effect is largest, records a story, and the initiative's funder
report shows it. axe on the page. (Locators avoid the new texts, which read in English until
the catalogues are compiled.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.followup.tests.helpers import module, publish, talk
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.successcases.models import Story

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_lead_chooses_where_to_interview_and_records_a_story(page: Any, axe: Any, network: Any) -> None:
    network.org_a.anonymity_threshold = 3
    network.org_a.save()
    m = module(network)
    initiative = Initiative.objects.create(
        organisation=network.org_a, code="lyft", name="Lyftet", starts_on=dt.date(2026, 1, 1)
    )
    initiative.modules.add(m)
    for i in range(4):
        talk(PersonFactory(unit=network.unit1, role=network.employee.role), m, applying="yes" if i else "no")
    publish(network.org_a)  # last month's talks, as the daily run publishes them (ADR 0019)
    log_in(page, "lead")
    page.locator('[data-card="success-cases"] a').first.click()
    page.locator(f'a[href="/successcases/initiatives/{initiative.pk}/"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lyftet")
    expect(page.locator("main")).to_contain_text(network.unit1.name)
    assert_accessible(axe, page)
    page.locator("#id_kind_0").check()
    page.locator("#id_title").fill("Avvikelser på APT")
    page.locator("#id_what_was_done").fill("Laget går igenom avvikelserna varje vecka.")
    page.locator("#id_result").fill("Fler hanteras inom 14 dagar.")
    page.locator(f'form[action="/successcases/initiatives/{initiative.pk}/stories/"] button').click()
    expect(page.locator("#stories ~ article").first).to_contain_text("Avvikelser på APT")
    assert Story.objects.get().initiative_id == initiative.pk
    assert_accessible(axe, page)


def test_lead_draws_a_contact_list_and_records_a_story_from_it(page: Any, axe: Any, network: Any) -> None:
    from decimal import Decimal

    from kompetenslyft.learning.models import Attendance
    from kompetenslyft.successcases.models import ContactList

    network.org_a.anonymity_threshold = 3
    network.org_a.save()
    m = module(network)
    initiative = Initiative.objects.create(
        organisation=network.org_a, code="lyft", name="Lyftet", starts_on=dt.date(2026, 1, 1)
    )
    initiative.modules.add(m)
    for i in range(4):
        person = PersonFactory(unit=network.unit1, role=network.employee.role)
        talk(person, m, applying="yes" if i else "no")
        Attendance.objects.create(
            person=person,
            module=m,
            unit=network.unit1,
            role=person.role,
            date=dt.date(2026, 3, 2),
            hours=Decimal(2),
            status="completed",
        )
    publish(network.org_a)  # last month's talks, as the daily run publishes them (ADR 0019)
    log_in(page, "lead")
    page.locator('[data-card="success-cases"] a').first.click()
    page.locator(f'a[href="/successcases/initiatives/{initiative.pk}/"]').click()
    expect(page.locator("#how-ranked")).to_be_visible()
    page.locator("#contacts-group").select_option(f"unit:{network.unit1.pk}")
    page.locator(f'form[action="/successcases/initiatives/{initiative.pk}/contacts/"] button').click()
    expect(page.locator("#not-a-ranking")).to_be_visible()
    expect(page.locator('[data-contacts="participants"] li')).to_have_count(4)
    assert_accessible(axe, page)
    drawn = ContactList.objects.get()
    expect(
        page.locator(f'a[href="/successcases/initiatives/{initiative.pk}/contacts/{drawn.pk}/csv/"]')
    ).to_be_visible()
    # the story form opens with the list it came from chosen
    page.locator(
        f'main a[href="/successcases/initiatives/{initiative.pk}/?contacts={drawn.pk}#record-story"]'
    ).click()
    expect(page.locator("#id_contact_list")).to_have_value(str(drawn.pk))
    page.locator("#id_kind_0").check()
    page.locator("#id_title").fill("Checklista vid hembesök")
    page.locator("#id_what_was_done").fill("Gruppen använder checklistan varje morgon.")
    page.locator("#id_result").fill("Färre missade avvikelser.")
    page.locator("#id_contact_list").select_option(str(drawn.pk))
    page.locator(f'form[action="/successcases/initiatives/{initiative.pk}/stories/"] button').click()
    expect(page.locator("[data-story-group]").first).to_contain_text(network.unit1.name)
    assert Story.objects.get().contact_list_id == drawn.pk
