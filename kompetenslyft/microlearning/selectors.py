"""Reads of micro-learning: a person's own set and points, and the team figures.

Team figures are a unit's (with the units below it) points and streak from the answers of the
people in the team game (learners not opted out, not left, active). Every unit figure, for
every viewer, passes :func:`kompetenslyft.core.disclosure.pool_paths` over the organisation's
unit tree of participants: a figure is shown only where its people are whole blocks of the
anonymity threshold or more, so no unit minus a child unit (nor any other difference) tells
a smaller group. No function here returns a person's points to anyone but the person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.core.disclosure import pool_paths
from kompetenslyft.knowledge.models import Question
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Organisation, Person, Unit

from .models import SCHEDULE, DailyRun, Item, Learner, ModuleSetting, QuestionSet, TeamChallenge
from .services import OPEN_DAYS

WEEKS = 8
DIRECT = "·"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- the person's own ---------------------------------------------------------------------------


def learner_of(person: Person) -> Learner | None:
    return Learner.objects.filter(person=person).first()


def open_set(person_id: int, today: dt.date | None = None) -> QuestionSet | None:
    """The person's questions for today: its newest set not answered and not too old."""
    today = today or timezone.localdate()
    return (
        QuestionSet.objects.filter(
            person_id=person_id,
            answered_on__isnull=True,
            day__gt=today - dt.timedelta(days=OPEN_DAYS),
            day__lte=today,
        )
        .order_by("-day")
        .first()
    )


def set_for_person(person_id: int, pk: int) -> QuestionSet | None:
    """One of the person's own sets; another person's is None (the view's 404)."""
    return QuestionSet.objects.filter(pk=pk, person_id=person_id).first()


def set_questions(question_set: QuestionSet) -> list[Question]:
    ids = [int(q) for q in question_set.questions]
    found = Question.objects.filter(pk__in=ids).prefetch_related("options").in_bulk()
    return [found[q] for q in ids if q in found]


def recent_sets(person_id: int, limit: int = 5) -> list[QuestionSet]:
    return list(
        QuestionSet.objects.filter(person_id=person_id, answered_on__isnull=False).order_by("-day")[:limit]
    )


@dataclass
class Figures:
    """Points per week (oldest first, Monday → points), the total and the streak in weeks."""

    weeks: list[tuple[dt.date, int]] = field(default_factory=list)
    total: int = 0
    streak: int = 0


def _figures(points_by_day: dict[dt.date, int], since: dt.date, today: dt.date) -> Figures:
    this_week = week_start(today)
    first = max(week_start(since), this_week - dt.timedelta(weeks=WEEKS - 1))
    by_week: dict[dt.date, int] = defaultdict(int)
    for day, points in points_by_day.items():
        if day >= since:
            by_week[week_start(day)] += points
    weeks = []
    monday = first
    while monday <= this_week:
        weeks.append((monday, by_week.get(monday, 0)))
        monday += dt.timedelta(weeks=1)
    streak = 0
    ordered = [p for _m, p in weeks]
    if ordered and ordered[-1] == 0:
        ordered = ordered[:-1]  # this week may still come
    for points in reversed(ordered):
        if not points:
            break
        streak += 1
    return Figures(weeks, sum(p for day, p in points_by_day.items() if day >= since), streak)


def own_figures(person_id: int, today: dt.date | None = None) -> Figures:
    """The person's own points (for itself only): a right answer a point, a day with answers one."""
    today = today or timezone.localdate()
    since = week_start(today) - dt.timedelta(weeks=WEEKS - 1)
    points: dict[dt.date, int] = defaultdict(int)
    for day, right in QuestionSet.objects.filter(person_id=person_id, answered_on__gte=since).values_list(
        "answered_on", "right"
    ):
        if day is not None:
            points[day] += right + 1
    return _figures(points, since, today)


# --- team figures ---------------------------------------------------------------------------------


@dataclass
class TeamFigure:
    challenge: TeamChallenge
    shown: bool
    participants: int | None = None
    figures: Figures | None = None


def _participants() -> Q:
    return Q(team_opt_out=False, left=False, person__is_active=True)


def team_figures(
    organisation: Organisation, challenges: list[TeamChallenge], today: dt.date | None = None
) -> list[TeamFigure]:
    """The figures of ``challenges`` (one organisation's), each shown or hidden by the one
    release of the organisation's participants (the same for every viewer)."""
    if not challenges:
        return []
    today = today or timezone.localdate()
    paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))

    def key(path: str) -> tuple[int, ...]:
        return tuple(int(p) for p in path.strip("/").split("/") if p)

    counts = dict(
        Learner.objects.filter(_participants(), organisation=organisation)
        .values_list("person__unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    atoms: dict[tuple[Hashable, ...], int] = {
        key(paths[u]) + (DIRECT,): n for u, n in counts.items() if u in paths
    }
    release = pool_paths(atoms, organisation.anonymity_threshold)
    earliest = min(max(c.started_on, week_start(today) - dt.timedelta(weeks=WEEKS - 1)) for c in challenges)
    by_unit_day: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, day, right, n in (
        QuestionSet.objects.filter(
            organisation=organisation,
            answered_on__gte=earliest,
            person__micro_learner__team_opt_out=False,
            person__micro_learner__left=False,
            person__is_active=True,
        )
        .values_list("person__unit_id", "answered_on")
        .annotate(right=Sum("right"), n=Count("pk"))
        .order_by()
    ):
        by_unit_day[unit_id][day] += (right or 0) + n
    result = []
    for challenge in challenges:
        prefix = key(paths.get(challenge.unit_id, "/"))
        inside = [a for a in atoms if a[: len(prefix)] == prefix]
        n = sum(atoms[a] for a in inside)
        if n < organisation.anonymity_threshold or not release.shown(inside):
            result.append(TeamFigure(challenge, False))
            continue
        units = [u for u, p in paths.items() if key(p)[: len(prefix)] == prefix]
        points: dict[dt.date, int] = defaultdict(int)
        for u in units:
            for day, p in by_unit_day.get(u, {}).items():
                points[day] += p
        result.append(TeamFigure(challenge, True, n, _figures(points, challenge.started_on, today)))
    return result


def challenges_of_person(person: Person) -> list[TeamChallenge]:
    """The challenges the person's unit is in (its unit's or one above it)."""
    unit_ids = [int(p) for p in person.unit.path.strip("/").split("/") if p]
    return list(
        TeamChallenge.objects.filter(unit_id__in=unit_ids).select_related("unit").order_by("unit__path")
    )


def challenge_units(access: Access) -> QuerySet[Unit]:
    """The units whose challenge the viewer may switch and see: the lead's organisation, a
    manager's units and those below (an employee: none)."""
    return Unit.objects.filter(access.units_with_people_filter())


def challenges_for(access: Access) -> list[TeamChallenge]:
    return list(
        TeamChallenge.objects.filter(unit__in=challenge_units(access))
        .select_related("unit", "organisation")
        .order_by("unit__name", "pk")
    )


def challenge_for(access: Access, pk: int) -> TeamChallenge | None:
    return (
        TeamChallenge.objects.filter(pk=pk, unit__in=challenge_units(access)).select_related("unit").first()
    )


# --- the lead's modules ---------------------------------------------------------------------------


@dataclass
class ModuleRow:
    module: Module
    questions: int
    enabled: bool
    learners: int


def modules_for_lead(organisation: Organisation) -> list[ModuleRow]:
    """The modules with a question bank in the organisation, with the switch and how many
    people got micro-learning from them."""
    modules = (
        Module.objects.filter(question_banks__organisation=organisation)
        .annotate(
            n=Count(
                "question_banks__questions",
                filter=Q(question_banks__organisation=organisation, question_banks__questions__retired=False),
            )
        )
        .order_by("name", "pk")
    )
    enabled = set(
        ModuleSetting.objects.filter(organisation=organisation, enabled=True).values_list(
            "module_id", flat=True
        )
    )
    learners = dict(
        Item.objects.filter(person__organisation=organisation)
        .values_list("module_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    return [ModuleRow(m, m.n, m.pk in enabled, learners.get(m.pk, 0)) for m in modules]  # type: ignore[attr-defined]


def module_for_lead(organisation: Organisation, pk: int) -> Module | None:
    return Module.objects.filter(pk=pk, question_banks__organisation=organisation).distinct().first()


def last_run() -> DailyRun | None:
    return DailyRun.objects.order_by("-day").first()


def schedule() -> tuple[int, ...]:
    return SCHEDULE


def lead_organisation(access: Access) -> Organisation | None:
    orgs = sorted(access.lead_org_ids)
    if not orgs:
        return None
    return Organisation.objects.filter(pk=orgs[0]).first()


def viewer_person(access: Access) -> Any:
    if not access.person_id:
        return None
    return Person.objects.select_related("unit", "organisation").filter(pk=access.person_id).first()
