"""The final survey as people try it: the lead clicks from home to an initiative, creates the
survey from Solna's questions and sends it; an attendee answers on a phone from its journey
page; the lead sees the results once everyone asked has answered. axe-core on every page, desktop and phone.

The survey's own texts are new msgids (their translations are merged by the integrator), so
names match the Swedish text or the English msgid."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.evaluation import surveys
from kompetenslyft.evaluation.models import Question, Survey, SurveyRequest
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.tests.factories import PersonFactory

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def name(english: str, swedish: str) -> re.Pattern[str]:
    return re.compile(f"^({re.escape(swedish)}|{re.escape(english)})")


def test_final_survey_from_creation_to_results(
    page: Any, phone: Any, axe: Any, network: Any, browser: Any, live_server: Any
) -> None:
    today = timezone.localdate()
    module = Module.objects.create(
        organisation=network.org_a, code="M-LMO", name="LMO", category="c", level="basic",
        format="onsite", hours=2,
    )  # fmt: skip
    initiative = Initiative.objects.create(
        organisation=network.org_a, code="lyft", name="Digitalt lyft",
        starts_on=today - dt.timedelta(days=60), ends_on=today + dt.timedelta(days=30),
    )  # fmt: skip
    initiative.modules.add(module)
    initiative.units.add(network.admin_a)
    people = [network.employee, *(PersonFactory(unit=network.unit1) for _ in range(5))]
    for person in people:
        Attendance.objects.create(
            person=person, module=module, unit=person.unit, date=today - dt.timedelta(days=5), hours=2
        )

    # The lead: home → initiatives → the initiative → create the survey → send it.
    log_in(page, "lead")
    menu_link(page, "Kompetensinsatser").click()
    page.get_by_role("link", name="Digitalt lyft").click()
    page.get_by_role("link", name=name("Create the final survey", "Skapa slutenkäten")).click()
    assert_accessible(axe, page)
    page.get_by_label(name("Title", "Titel")).fill("Slutenkät Digitalt lyft")
    page.get_by_role("button", name=name("Create the survey", "Skapa enkäten")).click()
    expect(page.get_by_role("heading", name=name("Questions", "Frågor"))).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label(name("New question", "Ny fråga")).fill("Vad tar du med dig till jobbet?")
    page.get_by_label(name("Kind of answer", "Typ av svar")).last.select_option("text")
    page.get_by_role("button", name=name("Add the question", "Lägg till frågan")).click()
    page.get_by_role("button", name=name("Move up", "Flytta upp")).last.click()
    texts = list(Survey.objects.get().questions.values_list("text", flat=True))
    assert texts[-2] == "Vad tar du med dig till jobbet?" and len(texts) == 8
    page.get_by_role("button", name=name("Send the survey", "Skicka enkäten")).click()
    expect(page.get_by_role("link", name=name("See the results", "Se resultaten"))).to_be_visible()
    assert_accessible(axe, page)
    survey = Survey.objects.get()
    assert survey.status == "sent" and survey.requests.count() == 6
    assert {m.to[0] for m in mail.outbox} >= {p.email for p in people}

    # An attendee on a phone: home → My learning → answer.
    log_in(phone, "employee")
    menu_link(phone, "Mitt lärande").click()
    assert_accessible(axe, phone)
    phone.get_by_role("link", name=name("Answer the survey", "Svara på enkäten")).click()
    assert_accessible(axe, phone)
    for question in survey.questions.filter(kind=Question.Kind.SCALE):
        phone.get_by_role("group", name=re.compile(re.escape(question.text))).get_by_role(
            "radio", name=re.compile("^4")
        ).check()
    phone.get_by_role("textbox", name=re.compile("Vad tar du med dig")).fill("Mer mod att prova själv")
    phone.get_by_role("button", name=name("Send my answers", "Skicka mina svar")).click()
    expect(phone.get_by_text(name("Thank you – your answer is received.", "Tack"))).to_be_visible()
    assert_accessible(axe, phone)
    menu_link(phone, "Mitt lärande").click()
    expect(phone.get_by_text(name("answer received", "svar mottaget"))).to_be_visible()

    # While open and not everyone has answered nothing shows (the page says when it will);
    # once everyone asked has answered the lead sees the figures and the free text.
    page.get_by_role("link", name=name("See the results", "Se resultaten")).click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile("(once the survey has closed|när enkäten har stängt)")
    )
    assert_accessible(axe, page)
    others = SurveyRequest.objects.filter(survey=survey).exclude(person=network.employee)
    text_question = survey.questions.get(kind=Question.Kind.TEXT, text__startswith="Vad tar du med dig")
    for i, request in enumerate(others):
        values: dict[int, int | str] = {q.pk: 3 for q in survey.questions.filter(kind=Question.Kind.SCALE)}
        values[text_question.pk] = f"Svar {i}"
        surveys.survey_answer(request=request, submission=surveys.Submission(values))
    page.reload()
    table = page.get_by_role("table").inner_text()
    assert "6" in table and "Mer mod att prova själv" in page.content()
    assert_accessible(axe, page)
    phone = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE", viewport={"width": 375, "height": 740}
    ).new_page()
    log_in(phone, "lead")
    menu_link(phone, name("Final surveys", "Slutenkäter")).click()
    phone.get_by_role("link", name="Slutenkät Digitalt lyft").click()
    expect(phone.get_by_role("table")).to_be_visible()
    assert_accessible(axe, phone)
