"""Micro-learning by clicking only, on a phone: the employee goes from its home page to today's
questions, answers them, reads the feedback, and sees its unit's team points (and no one's
name); the manager then finds the team challenge from its home page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.microlearning.models import QuestionSet
from kompetenslyft.microlearning.services import microlearning_daily
from kompetenslyft.microlearning.tests.helpers import complete, right_answers, switched_on_module
from kompetenslyft.microlearning.tests.test_services import _challenge, _publish, _team

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_employee_answers_todays_questions_on_a_phone_and_sees_its_units_points(
    phone: Any, page: Any, axe: Any, network: Any
) -> None:
    complete(network.employee, switched_on_module(network), days_ago=2)
    microlearning_daily()
    question_set = QuestionSet.objects.get(person=network.employee)
    team = _team(network, network.unit1, 5, right=2)  # 5 × (2 + 1) = 15 points last week
    _challenge(network.unit1)
    _publish()

    log_in(phone, "employee")
    phone.get_by_role("link", name=re.compile(r"(Svara på dagens frågor|Answer today's questions)")).click()
    assert_accessible(axe, phone)
    for options in right_answers(question_set).values():
        for option in options:
            phone.locator(f'input[value="{option}"]').check()
    phone.get_by_role("button", name=re.compile(r"^(Skicka mina svar|Send my answers)$")).click()
    expect(phone.get_by_role("status").first).to_contain_text(
        re.compile(rf"{len(question_set.questions)} (av|of) {len(question_set.questions)}")
    )
    expect(phone.locator("ol.questions")).to_contain_text(re.compile(r"(Rätt\.|Right\.)"))
    assert_accessible(axe, phone)
    phone.get_by_role(
        "link", name=re.compile(r"(Mikrolärande och lagpoäng|Micro-learning and team points)")
    ).click()
    # Today's answers wait for the week to close: the unit's figure is last week's (ADR 0012).
    team_points = 15
    table = phone.get_by_role("region", name=re.compile(r"(Min enhets lag|My unit's team)")).first
    expect(table).to_contain_text(network.unit1.name)
    expect(table.locator("[data-last-week]")).to_have_attribute("data-last-week", str(team_points))
    expect(table.locator("[data-total]")).to_have_attribute("data-total", str(team_points))
    for person in team:
        expect(phone.locator("main")).not_to_contain_text(person.family_name)
    assert_accessible(axe, phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    log_in(page, "manager")
    page.get_by_role("link", name=re.compile(r"^(Lagpoäng och sviter|Team points and streaks)$")).click()
    expect(
        page.get_by_role("region", name=re.compile(r"(Enheter i utmaningen|Units in the challenge)")).first
    ).to_contain_text(str(team_points))
    expect(page.locator("[data-last-week]").first).to_have_attribute("data-last-week", str(team_points))
    assert_accessible(axe, page)
