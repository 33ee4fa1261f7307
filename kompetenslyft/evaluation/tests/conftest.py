"""A session held yesterday with people booked on it, for the asking and answering tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone


@dataclass
class Held:
    network: Any
    module: Any
    initiative: Any
    session: Any
    people: list[Any]
    role: Any


def hold_session(
    network: Any, *, days_ago: int = 1, people: list[Any] | None = None, module: Any = None
) -> Any:
    from kompetenslyft.learning.models import Booking, Module
    from kompetenslyft.learning.services import initiative_create, session_create

    if module is None:
        module = Module.objects.create(
            organisation=network.org_a,
            code=f"M-EV{Module.objects.count()}",
            name="Avvikelser i praktiken",
            category="Dokumentation",
            level="basic",
            format="onsite",
            hours=2,
        )
    initiative = initiative_create(
        organisation=network.org_a,
        code=f"lyft{module.pk}-{days_ago}",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[module],
    )
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(9, 0))
    )
    session = session_create(
        module=module,
        starts_at=start,
        duration_minutes=90,
        capacity=30,
        place="Sal 1",
        trainers=[network.trainer],
        initiative=initiative,
    )
    for person in people or []:
        Booking.objects.create(session=session, person=person, status=Booking.Status.BOOKED)
    return session


@pytest.fixture
def held(network: Any) -> Held:
    from kompetenslyft.org.tests.factories import PersonFactory

    role = network.employee.role
    people = [network.employee, *PersonFactory.create_batch(5, unit=network.unit1, role=role, gender="woman")]
    session = hold_session(network, people=people)
    return Held(network, session.module, session.initiative, session, people, role)


@pytest.fixture(autouse=True)
def _only_the_evaluations_own_sections(monkeypatch: Any) -> None:
    """The dashboard's own sections: those other apps add (``register_sections``) are tested
    in those apps."""
    from kompetenslyft.evaluation import dashboard_page

    monkeypatch.setattr(dashboard_page, "_extra_sections", [])
