"""A self-assessment's target group before it opens: how many people it will reach, and the
unit tree the lead picks it from (checking a unit includes every unit below it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode] = field(default_factory=list)


def unit_tree(units: Iterable[Unit]) -> list[UnitNode]:
    """The units as a tree (siblings by name); a unit whose parent is not among them is a root."""
    nodes = {u.pk: UnitNode(u) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def sort(level: list[UnitNode]) -> None:
        level.sort(key=lambda n: n.unit.name.casefold())
        for n in level:
            sort(n.children)

    sort(roots)
    return roots


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
