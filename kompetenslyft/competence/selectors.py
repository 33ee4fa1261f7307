"""Reads on frameworks and requirements, including how requirements resolve for a person."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from .models import Competence, Framework, FrameworkAdoption, KnowledgeGoal, Requirement


def frameworks_in_use(organisation: Any) -> QuerySet[Framework]:
    """The organisation's own frameworks and the shared ones it has adopted."""
    adopted = FrameworkAdoption.objects.filter(organisation=organisation).values("framework_id")
    return Framework.objects.filter(Q(organisation=organisation) | Q(pk__in=adopted)).order_by("name")


def frameworks_available(organisation: Any) -> QuerySet[Framework]:
    """Shared frameworks the organisation has not adopted yet."""
    adopted = FrameworkAdoption.objects.filter(organisation=organisation).values("framework_id")
    return Framework.objects.filter(organisation__isnull=True).exclude(pk__in=adopted).order_by("name")


def framework_visible(organisation_ids: Iterable[int], framework_pk: int) -> Framework:
    """A framework that one of these organisations owns, or any shared one."""
    return Framework.objects.filter(
        Q(organisation_id__in=list(organisation_ids)) | Q(organisation__isnull=True)
    ).get(pk=framework_pk)


def framework_tree(framework: Framework) -> list[Any]:
    """Categories with their competences and knowledge goals, in order (three queries)."""
    competences = Competence.objects.order_by("position", "code").prefetch_related(
        Prefetch("goals", queryset=KnowledgeGoal.objects.order_by("position", "id"))
    )
    return list(
        framework.categories.order_by("position", "name").prefetch_related(
            Prefetch("competences", queryset=competences)
        )
    )


def competences_in_use(organisation: Any) -> QuerySet[Competence]:
    return (
        Competence.objects.filter(framework__in=frameworks_in_use(organisation))
        .select_related("category", "framework")
        .order_by("framework__name", "category__position", "position", "code")
    )


def competence_names(organisation: Any, codes: Iterable[str]) -> dict[str, str]:
    """code → the competence's name in the active language, for codes of the organisation's
    frameworks (a code used by two frameworks gets the first one's name)."""
    found: dict[str, str] = {}
    for competence in competences_in_use(organisation).filter(code__in=sorted(set(codes))):
        found.setdefault(competence.code, competence.local_name)
    return found


@dataclass(frozen=True)
class CodeIndex:
    """Competence codes of an organisation's frameworks; a code used by two frameworks is
    ambiguous and refused by imports."""

    by_code: dict[str, int]
    ambiguous: frozenset[str]


def competence_codes(organisation: Any) -> CodeIndex:
    by_code: dict[str, int] = {}
    ambiguous: set[str] = set()
    for pk, code in competences_in_use(organisation).values_list("pk", "code"):
        key = code.casefold()
        if key in by_code:
            ambiguous.add(key)
        by_code[key] = pk
    return CodeIndex(by_code, frozenset(ambiguous))


@dataclass(frozen=True)
class ResolvedRequirement:
    competence_id: int
    required_level: int
    mandatory: bool


def resolve(requirements: Iterable[tuple[int, int, bool]]) -> dict[int, ResolvedRequirement]:
    """(competence_id, level, mandatory) rows that apply → one per competence: the highest
    level counts (formats.md); mandatory if any applying requirement is."""
    resolved: dict[int, ResolvedRequirement] = {}
    for competence_id, level, mandatory in requirements:
        current = resolved.get(competence_id)
        if current is None:
            resolved[competence_id] = ResolvedRequirement(competence_id, level, mandatory)
        else:
            resolved[competence_id] = ResolvedRequirement(
                competence_id, max(level, current.required_level), mandatory or current.mandatory
            )
    return resolved


def unit_ancestor_ids(unit: Any) -> list[int]:
    return [int(pk) for pk in unit.path.strip("/").split("/") if pk]


def requirements_for(*, role_id: int, unit: Any) -> dict[int, ResolvedRequirement]:
    """What a role in a unit must reach: requirements without a unit, or with this unit or one
    above it."""
    rows = (
        Requirement.objects.filter(role_id=role_id)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=unit_ancestor_ids(unit)))
        .values_list("competence_id", "required_level", "mandatory")
    )
    return resolve(rows)


@dataclass
class PersonRequirement:
    competence: Competence
    required_level: int
    mandatory: bool


def person_requirements(person: Any) -> list[PersonRequirement]:
    resolved = requirements_for(role_id=person.role_id, unit=person.unit)
    competences = (
        Competence.objects.filter(pk__in=resolved)
        .select_related("category", "framework")
        .prefetch_related(Prefetch("goals", queryset=KnowledgeGoal.objects.order_by("position", "id")))
        .order_by("framework__name", "category__position", "position", "code")
    )
    return [
        PersonRequirement(c, resolved[c.pk].required_level, resolved[c.pk].mandatory) for c in competences
    ]


class RequirementIndex:
    """Every requirement of an organisation in memory, to resolve many (unit, role) groups
    without a query each (gap summaries, campaign generation)."""

    def __init__(self, organisation: Any) -> None:
        from kompetenslyft.org.models import Unit

        self.paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))
        self.by_role: dict[int, list[tuple[int, int | None, int, bool]]] = {}
        for role_id, competence_id, unit_id, level, mandatory in Requirement.objects.filter(
            organisation=organisation
        ).values_list("role_id", "competence_id", "unit_id", "required_level", "mandatory"):
            self.by_role.setdefault(role_id, []).append((competence_id, unit_id, level, mandatory))
        self._cache: dict[tuple[int, int], dict[int, ResolvedRequirement]] = {}

    def for_group(self, unit_id: int, role_id: int) -> dict[int, ResolvedRequirement]:
        key = (unit_id, role_id)
        if key not in self._cache:
            path = self.paths.get(unit_id, "")
            rows = [
                (competence_id, level, mandatory)
                for competence_id, req_unit, level, mandatory in self.by_role.get(role_id, [])
                if req_unit is None or path.startswith(self.paths.get(req_unit, "\0"))
            ]
            self._cache[key] = resolve(rows)
        return self._cache[key]


def requirement_grid(
    organisation: Any, framework: Framework, unit: Any | None
) -> dict[tuple[int, int], Requirement]:
    """Requirements set directly on this unit (or on every unit), keyed by (role, competence)."""
    rows = Requirement.objects.filter(organisation=organisation, competence__framework=framework)
    rows = rows.filter(unit=unit) if unit is not None else rows.filter(unit__isnull=True)
    return {(r.role_id, r.competence_id): r for r in rows}
