"""The knowledge tests' blocks on learning pages (``learning.hooks.add_panel``): the tests on
the employee's journey, and on a module's page the link to its tests and question banks."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kompetenslyft.core.access import access_for
from kompetenslyft.org.models import Person

from . import selectors
from .models import KnowledgeTest


def journey_panel(request: Any, person: Any) -> str:
    states = selectors.tests_for_person(person)
    passed = selectors.passed_before(person, shown={s.test.pk for s in states})
    if not states and not passed:
        return ""
    return render_to_string(
        "knowledge/_journey_panel.html", {"states": states, "passed": passed}, request=request
    )


def module_panel(request: Any, module: Any) -> str:
    access = access_for(request.user)
    manages = selectors.manages_module(access, module) is not None
    tests = []
    if access.person_id and access.person_organisation_id:
        tests = list(
            KnowledgeTest.objects.filter(
                module=module, organisation_id=access.person_organisation_id, active=True
            ).order_by("kind")
        )
        if tests:  # only those the person may open (the same rule as its journey's list)
            person = Person.objects.get(pk=access.person_id)
            modules, done = selectors.journey_module_ids(person)
            tests = [t for t in tests if selectors.offered(t, modules, done)]
    if not manages and not tests:
        return ""
    return render_to_string(
        "knowledge/_module_panel.html",
        {"module": module, "manages": manages, "tests": tests},
        request=request,
    )
