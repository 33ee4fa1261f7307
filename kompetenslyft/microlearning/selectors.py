"""Reads of micro-learning: a person's own set and points, and the team figures.

Team figures are a unit's (with the units below it) points per CLOSED week, published once by
the daily run and never changed (ADR 0012): each week from who took part that week, released in
fixed blocks of the anonymity threshold or more (``core.disclosure.pool_paths``), so no unit
minus a child unit, no week before and after someone leaves, and no answer this week tells a
smaller group. No function here returns a person's points to anyone but the person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.knowledge.models import Question
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Organisation, Person, Unit

from .models import (
    SCHEDULE,
    DailyRun,
    Item,
    Learner,
    ModuleSetting,
    QuestionSet,
    TeamChallenge,
    TeamWeek,
    TeamWeekRun,
)
from .services import OPEN_DAYS, WEEKS, week_start

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

    weeks: list[tuple[dt.date, int | None]] = field(default_factory=list)
    total: int = 0
    streak: int = 0


def _figures(points_by_day: dict[dt.date, int], since: dt.date, today: dt.date) -> Figures:
    this_week = week_start(today)
    first = max(week_start(since), this_week - dt.timedelta(weeks=WEEKS - 1))
    by_week: dict[dt.date, int] = defaultdict(int)
    for day, points in points_by_day.items():
        if day >= since:
            by_week[week_start(day)] += points
    weeks: list[tuple[dt.date, int | None]] = []
    monday = first
    while monday <= this_week:
        weeks.append((monday, by_week.get(monday, 0)))
        monday += dt.timedelta(weeks=1)
    streak = 0
    ordered = [p for _m, p in weeks]
    if ordered and ordered[-1] == 0:
        ordered = ordered[:-1]  # this week may still come
    for week_points in reversed(ordered):
        if not week_points:
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
    """A challenge's published weeks (ADR 0012). ``shown``: some published week has a figure;
    ``pending``: no week since the start has closed and been published yet. ``weeks`` (in
    ``figures``) holds ``(monday, points)`` per published week, ``points`` None where the week's
    release hid the unit or nobody of it took part (the two read the same: "too few");
    ``participants`` are those of the latest published week."""

    challenge: TeamChallenge
    shown: bool
    participants: int | None = None
    figures: Figures | None = None
    pending: bool = False
    last_week: tuple[dt.date, int | None] | None = None


def _streak(points: list[int | None]) -> int:
    """Published weeks in a row, up to the latest, with points (a hidden week ends it)."""
    streak = 0
    for p in reversed(points):
        if not p:
            break
        streak += 1
    return streak


def team_figures(
    organisation: Organisation, challenges: list[TeamChallenge], today: dt.date | None = None
) -> list[TeamFigure]:
    """The published figures of ``challenges`` (one organisation's): per closed week, as the
    daily run froze them (``services.publish_team_weeks``), the same for every viewer. Nothing
    of the week under way is shown; a published week never changes."""
    if not challenges:
        return []
    today = today or timezone.localdate()
    earliest = min(week_start(c.started_on) for c in challenges)
    runs = dict(
        TeamWeekRun.objects.filter(
            organisation=organisation, monday__gte=earliest, monday__lt=week_start(today)
        ).values_list("pk", "monday")
    )
    rows: dict[tuple[int, dt.date], TeamWeek] = {
        (row.unit_id, runs[row.run_id]): row
        for row in TeamWeek.objects.filter(run_id__in=list(runs), unit_id__in=[c.unit_id for c in challenges])
    }
    mondays = sorted(runs.values())
    result = []
    for challenge in challenges:
        weeks: list[tuple[dt.date, int | None]] = []
        participants: list[int | None] = []
        for monday in mondays:
            if monday < week_start(challenge.started_on):
                continue
            row = rows.get((challenge.unit_id, monday))
            if row is not None and row.shown:
                weeks.append((monday, row.points))
                participants.append(row.participants)
            else:
                # A week nobody took part in reads as one where 1 to k−1 did (hidden): a 0 beside
                # a hidden week would tell that a few took part in the hidden one.
                weeks.append((monday, None))
                participants.append(None)
        if not weeks:
            result.append(TeamFigure(challenge, False, pending=True))
            continue
        points = [p for _m, p in weeks]
        shown = any(p is not None for p in points)
        figures = Figures(weeks[-WEEKS:], sum(p for p in points if p is not None), _streak(points))
        result.append(
            TeamFigure(
                challenge,
                shown,
                participants[-1] if shown else None,
                figures if shown else None,
                last_week=weeks[-1] if shown else None,
            )
        )
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
