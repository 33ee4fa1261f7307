"""Micro-learning per initiative (ADR 0013): on by default, switched off by the initiative's
lead or project leader through its own URL (audited); the daily run honours it both for new
completions and for courses that began within the initiative."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.learning.models import Initiative
from kompetenslyft.microlearning import services
from kompetenslyft.microlearning.models import Course, QuestionSet

from .helpers import complete, switched_on_module

pytestmark = pytest.mark.django_db


def _initiative(network: Any, module: Any, **period: Any) -> Initiative:
    initiative = Initiative.objects.create(organisation=network.org_a, code="lyft", name="Lyft", **period)
    initiative.modules.add(module)
    initiative.owners.add(network.project_leader)
    return initiative


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_switched_off_an_initiative_starts_no_course_and_sends_no_set(network: Any) -> None:
    module = switched_on_module(network)
    today = timezone.localdate()
    initiative = _initiative(network, module, starts_on=today - dt.timedelta(days=30))
    assert services.initiative_enabled(initiative)
    services.initiative_switch(initiative=initiative, enabled=False, actor=network.lead.user)
    assert not services.initiative_enabled(initiative)
    complete(network.employee, module, days_ago=1)
    assert services.microlearning_daily(today=today) == {"enrolled": 0, "sets": 0, "emails": 0}
    assert not Course.objects.exists()
    # On again: the completion (within the catch-up window) starts its course.
    services.initiative_switch(initiative=initiative, enabled=True, actor=network.lead.user)
    assert services.microlearning_daily(today=today + dt.timedelta(days=1))["enrolled"] == 1


def test_switched_off_after_a_course_began_no_more_sets_come(network: Any) -> None:
    module = switched_on_module(network)
    today = timezone.localdate()
    initiative = _initiative(network, module, starts_on=today - dt.timedelta(days=30))
    complete(network.employee, module, days_ago=1)
    assert services.microlearning_daily(today=today)["enrolled"] == 1
    services.initiative_switch(initiative=initiative, enabled=False, actor=network.project_leader.user)
    later = today + dt.timedelta(days=1)
    assert services.microlearning_daily(today=later)["sets"] == 0
    assert not QuestionSet.objects.exists()
    services.initiative_switch(initiative=initiative, enabled=True, actor=network.project_leader.user)
    assert services.microlearning_daily(today=later + dt.timedelta(days=1))["sets"] == 1


def test_a_completion_outside_the_switched_off_initiatives_period_still_counts(network: Any) -> None:
    module = switched_on_module(network)
    today = timezone.localdate()
    initiative = _initiative(
        network, module, starts_on=today - dt.timedelta(days=90), ends_on=today - dt.timedelta(days=30)
    )
    services.initiative_switch(initiative=initiative, enabled=False, actor=network.lead.user)
    complete(network.employee, module, days_ago=1)  # after the initiative's period
    assert services.microlearning_daily(today=today)["enrolled"] == 1


def test_the_switch_on_the_initiative_page_is_a_post_of_its_own_and_audited(network: Any) -> None:
    module = switched_on_module(network)
    initiative = _initiative(network, module)
    page_url = reverse("learning:initiative", args=[initiative.pk])
    url = reverse("microlearning:initiative_switch", args=[initiative.pk])
    lead = client_for(network.lead.user)
    page = lead.get(page_url).content.decode()
    assert url in page and 'data-microlearning-initiative="on"' in page
    assert lead.get(url).status_code == 405
    response = lead.post(url, {})  # no "enabled": off
    assert response.status_code == 302 and response["Location"].startswith(page_url)
    assert not services.initiative_enabled(initiative)
    assert 'data-microlearning-initiative="off"' in lead.get(page_url).content.decode()
    entry = AuditEntry.objects.filter(action="microlearning.initiative_switched").latest("pk")
    assert entry.target_id == str(initiative.pk) and entry.changes == {"enabled": False}
    assert client_for(network.project_leader.user).post(url, {"enabled": "on"}).status_code == 302
    assert services.initiative_enabled(initiative)
    for user in (network.employee.user, network.manager.user, network.top.user, network.lead_b.user):
        assert client_for(user).post(url, {}).status_code == 404, user
        assert url not in client_for(user).get(page_url).content.decode()
    assert services.initiative_enabled(initiative)
    assert lead.post("/micro/initiatives/999999/switch/", {}).status_code == 404
