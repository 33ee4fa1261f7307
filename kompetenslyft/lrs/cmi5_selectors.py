"""Reads of cmi5: the units a person may launch (modules on its journey), a module's courses."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kompetenslyft.learning.models import Enrolment, Proposal
from kompetenslyft.learning.selectors import completed_modules

from .models import Cmi5Course, Cmi5Unit


def journey_module_ids(person: Any) -> set[int]:
    """Modules on the person's journey: its confirmed proposals, its enrolments, and what it
    completed (to take again)."""
    found: set[int] = set()
    for items in Proposal.objects.filter(person=person, status=Proposal.Status.CONFIRMED).values_list(
        "items", flat=True
    ):
        found |= {
            pk for pk, decision in Proposal(items=items).decisions().items() if decision["s"] == "assigned"
        }
    found |= set(Enrolment.objects.filter(person=person).values_list("module_id", flat=True))
    found |= completed_modules([person.pk]).get(person.pk, set())
    return found


def units_for_person(person: Any, module_ids: set[int] | None = None) -> QuerySet[Cmi5Unit]:
    modules = journey_module_ids(person) if module_ids is None else module_ids
    return (
        Cmi5Unit.objects.filter(course__organisation_id=person.organisation_id, course__module_id__in=modules)
        .select_related("course", "course__module")
        .order_by("course__module__code", "course_id", "position")
    )


def unit_for_person(person: Any, pk: int) -> Cmi5Unit | None:
    return units_for_person(person).filter(pk=pk).first()


def courses_of(module: Any, organisation_ids: list[int]) -> QuerySet[Cmi5Course]:
    return (
        Cmi5Course.objects.filter(module=module, organisation_id__in=organisation_ids)
        .prefetch_related("units")
        .order_by("-imported_at")
    )
