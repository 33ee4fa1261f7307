"""Reads of self-assessment and gaps, scoped by core.access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from kompetenslyft.competence.models import Competence
from kompetenslyft.competence.selectors import person_requirements
from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Organisation, Person, Unit
from kompetenslyft.org.selectors import in_subtrees

from .models import Answer, Campaign, GapState, Participant

# --- campaigns ---------------------------------------------------------------------------------


def campaigns_for_lead(access: Access) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("organisation")
    if not access.is_superuser:
        campaigns = campaigns.filter(organisation_id__in=sorted(access.lead_org_ids))
    return campaigns


def campaigns_visible(access: Access) -> QuerySet[Campaign]:
    """Leads see their organisations' campaigns; managers those that reach their units."""
    if access.is_superuser:
        return Campaign.objects.all()
    q = Q(organisation_id__in=sorted(access.lead_org_ids))
    if access.managed_paths:
        q |= Q(pk__in=Participant.objects.filter(access.people_filter("person__")).values("campaign_id"))
    return Campaign.objects.filter(q).distinct()


def person_campaigns(person: Person) -> list[Participant]:
    return list(
        Participant.objects.filter(person=person).select_related("campaign").order_by("-campaign__opens_on")
    )


@dataclass
class Question:
    competence: Competence
    required_level: int
    mandatory: bool
    level: int | None


def questionnaire(person: Person, campaign: Campaign) -> list[Question]:
    answers = dict(
        Answer.objects.filter(person=person, measurement_point=campaign.measurement_point).values_list(
            "competence_id", "level"
        )
    )
    return [
        Question(r.competence, r.required_level, r.mandatory, answers.get(r.competence.pk))
        for r in person_requirements(person)
    ]


@dataclass
class ResponseRow:
    unit: Unit
    invited: int
    completed: int
    started: int

    @property
    def rate(self) -> float:
        return self.completed / self.invited if self.invited else 0.0


def response_rates(access: Access, campaign: Campaign) -> list[ResponseRow]:
    participants = Participant.objects.filter(campaign=campaign).filter(access.people_filter("person__"))
    rows = participants.values("unit_id").annotate(
        invited=Count("pk"),
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        started=Count("pk", filter=Q(answered__gt=0)),
    )
    units = Unit.objects.in_bulk([r["unit_id"] for r in rows])
    result = [ResponseRow(units[r["unit_id"]], r["invited"], r["completed"], r["started"]) for r in rows]
    return sorted(result, key=lambda r: r.unit.path)


def not_answered(access: Access, campaign: Campaign, unit_id: int | None = None) -> QuerySet[Participant]:
    participants = (
        Participant.objects.filter(campaign=campaign, completed_at__isnull=True)
        .filter(access.people_filter("person__"))
        .select_related("person", "unit")
    )
    if unit_id:
        participants = participants.filter(unit_id=unit_id)
    return participants.order_by("person__family_name", "person__given_name")


# --- gaps --------------------------------------------------------------------------------------
def measurement_points(organisation: Organisation) -> list[int]:
    """The measurement points with answers (kept in GapState by the summary's writers)."""
    state = GapState.objects.filter(organisation=organisation).values_list("points", flat=True).first()
    return list(state or [])


def measurement_periods(organisation: Organisation) -> dict[int, tuple[dt.date, dt.date]]:
    """Each measurement point's period: the first and the last day of its answers in the whole
    organisation (kept in GapState by the summary's writers, as the points are)."""
    state = GapState.objects.filter(organisation=organisation).values_list("periods", flat=True).first()
    return {
        int(point): (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        for point, (first, last) in (state or {}).items()
    }


@dataclass
class OwnGap:
    competence: Competence
    required_level: int
    mandatory: bool
    level: int | None
    point: int | None

    @property
    def gap(self) -> int | None:
        return None if self.level is None else max(0, self.required_level - self.level)


def person_gaps(person: Person) -> list[OwnGap]:
    latest = {a.competence_id: a for a in Answer.objects.filter(person=person, is_latest=True)}
    result = []
    for r in person_requirements(person):
        answer = latest.get(r.competence.pk)
        result.append(
            OwnGap(
                r.competence,
                r.required_level,
                r.mandatory,
                answer.level if answer else None,
                answer.measurement_point if answer else None,
            )
        )
    return result


def person_open_gaps(person: Person) -> list[OwnGap]:
    """Only the competences where the person's latest answer is below its requirement (what a
    suggestion needs): two narrow queries and the gap competences alone, instead of
    :func:`person_gaps`' every requirement with its knowledge goals."""
    from kompetenslyft.competence.selectors import requirements_for

    if person.role_id is None or person.unit_id is None:
        return []
    resolved = requirements_for(role_id=person.role_id, unit=person.unit)
    latest = {
        competence_id: (level, point)
        for competence_id, level, point in Answer.objects.filter(
            person=person, is_latest=True, competence_id__in=list(resolved)
        ).values_list("competence_id", "level", "measurement_point")
    }
    below = {
        pk: r
        for pk, r in resolved.items()
        if pk in latest and latest[pk][0] is not None and latest[pk][0] < r.required_level
    }
    competences = Competence.objects.filter(pk__in=list(below)).order_by("code")
    return [
        OwnGap(c, below[c.pk].required_level, below[c.pk].mandatory, latest[c.pk][0], latest[c.pk][1])
        for c in competences
    ]


def team_people(access: Access, unit: Unit) -> QuerySet[Person]:
    """The people (in scope) of a unit and the units below it, in name order."""
    return (
        Person.objects.filter(access.people_filter(), in_subtrees(unit.path), is_active=True)
        .select_related("role", "unit")
        .order_by("family_name", "given_name", "pk")
    )


def team_gaps(
    access: Access, unit: Unit, people: list[Person] | None = None
) -> tuple[list[Competence], list[tuple[Person, list[OwnGap | None]]]]:
    """A manager's team: its people (in scope; ``people``, e.g. one page of
    :func:`team_people`, or those directly in the unit) × the competences they must reach."""
    from kompetenslyft.competence.selectors import RequirementIndex

    if people is None:
        people = list(
            Person.objects.filter(access.people_filter(), unit=unit, is_active=True)
            .select_related("role")
            .order_by("family_name", "given_name")
        )
    index = RequirementIndex(unit.organisation)
    latest: dict[tuple[int, int], Answer] = {
        (a.person_id, a.competence_id): a for a in Answer.objects.filter(person__in=people, is_latest=True)
    }
    competence_ids: set[int] = set()
    for person in people:
        competence_ids |= set(index.for_group(person.unit_id, person.role_id))
    competences = list(
        Competence.objects.filter(pk__in=competence_ids).order_by("framework__name", "position")
    )
    rows = []
    for person in people:
        resolved = index.for_group(person.unit_id, person.role_id)
        cells: list[OwnGap | None] = []
        for competence in competences:
            requirement = resolved.get(competence.pk)
            if requirement is None:
                cells.append(None)
                continue
            answer = latest.get((person.pk, competence.pk))
            cells.append(
                OwnGap(
                    competence,
                    requirement.required_level,
                    requirement.mandatory,
                    answer.level if answer else None,
                    answer.measurement_point if answer else None,
                )
            )
        rows.append((person, cells))
    return competences, rows
