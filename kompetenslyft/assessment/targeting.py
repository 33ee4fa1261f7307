"""A self-assessment's target group before it opens: how many people it will reach (the lead
picks it from the unit tree of ``org.checkboxes``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import ngettext

from kompetenslyft.competence.selectors import RequirementIndex
from kompetenslyft.org.models import Organisation, Person, Unit


@dataclass(frozen=True)
class TargetCount:
    people: int  # active people of the units (and below) with the roles
    reached: int  # of them, those with at least one requirement: they get a questionnaire


def target_count(
    *, organisation: Organisation, unit_ids: Iterable[int], role_ids: Iterable[int]
) -> TargetCount:
    """The target group of these units (each with the units below it) and roles (none: every
    role), counted per (unit, role) group in the database."""
    paths = list(
        Unit.objects.filter(organisation=organisation, pk__in=sorted(set(unit_ids))).values_list(
            "path", flat=True
        )
    )
    if not paths:
        return TargetCount(0, 0)
    below = Q()
    for path in paths:
        below |= Q(path__startswith=path)
    people = Person.objects.filter(
        organisation=organisation,
        is_active=True,
        unit__in=Unit.objects.filter(below, organisation=organisation).values("pk"),
    )
    roles = sorted(set(role_ids))
    if roles:
        people = people.filter(role_id__in=roles)
    index = RequirementIndex(organisation)
    total = reached = 0
    for unit_id, role_id, count in (
        people.values_list("unit_id", "role_id").annotate(n=Count("pk")).order_by()
    ):
        total += count
        if index.for_group(unit_id, role_id):
            reached += count
    return TargetCount(total, reached)


def campaign_target_count(campaign: Any) -> TargetCount:
    return target_count(
        organisation=campaign.organisation,
        unit_ids=campaign.units.values_list("pk", flat=True),
        role_ids=campaign.roles.values_list("pk", flat=True),
    )


def count_text(count: TargetCount) -> str:
    people = ngettext(
        "%(people)s person in the target group",
        "%(people)s people in the target group",
        count.people,
    ) % {"people": count.people}
    reached = ngettext(
        "%(reached)s of them has requirements and gets a questionnaire.",
        "%(reached)s of them have requirements and get a questionnaire.",
        count.reached,
    ) % {"reached": count.reached}
    return f"{people}; {reached}"
