"""The dashboard's participants, training hours and completion: exact for the lead; for the
aggregates-only viewers exactly the funder report's figures (``protected_funder_figures``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from kompetenslyft.core import disclosure
from kompetenslyft.learning.models import Attendance, Initiative, InitiativeGoal, Proposal
from kompetenslyft.learning.reports import (
    FunderScope,
    completed_figures,
    participant_figures,
    protected_funder_figures,
)
from kompetenslyft.org.models import Unit

from .cube import GENDERS
from .dashboard import Filters, memo

GENDER_COLUMN = {"woman": "woman", "man": "man"}


def _attendance_marker() -> Any:
    return Attendance.objects.aggregate(m=Max("pk"))["m"]


# --- participants, hours, completion -----------------------------------------------------------


@dataclass
class Participation:
    """Distinct people with an attended or completed row in scope, per gender and in total,
    the hours of those rows, the people who completed, and (with an initiative) the people
    it assigns a module to. ``None`` = hidden."""

    participants: dict[str, int | None]  # total, woman, man, other
    hours: dict[str, float | None]
    completed: dict[str, int | None]
    assigned: int | None
    protected: bool
    target_count: int | None = None
    target_women: float | None = None
    period: tuple[dt.date | None, dt.date | None] = (None, None)


def _gender_q(prefix: str, gender: str | None) -> Q:
    if gender is None:
        return Q()
    if gender == "other":
        return ~Q(**{f"{prefix}gender__in": ["woman", "man"]})
    return Q(**{f"{prefix}gender": gender})


def _scope(filters: Filters, gender: str | None) -> FunderScope:
    return FunderScope(
        [filters.organisation],
        filters.initiative,
        filters.day_from,
        filters.day_to,
        filters.unit,
        filters.role,
        filters.module,
        gender,
    )


def _participants(filters: Filters) -> tuple[dict[str, int], dict[str, float]]:
    """Unique participants and training hours in total and by gender, exact, from the one
    count of unique participants (``learning.reports.participant_figures``)."""
    found, total_hours = participant_figures(_scope(filters, filters.gender))
    people = {key: int(found[FUNDER_KEYS[key]]) for key in ("total", *GENDERS)}
    hours: dict[str, float] = {"total": float(total_hours)}
    for g in GENDERS:
        if filters.gender is not None:
            hours[g] = float(total_hours) if g == filters.gender else 0.0
        else:
            hours[g] = float(participant_figures(_scope(filters, g))[1]) if people[g] else 0.0
    return people, hours


def _release_of(filters: Filters, atoms: dict[tuple[int, Any], int]) -> disclosure.Release:
    parents = dict(Unit.objects.filter(organisation=filters.organisation).values_list("pk", "parent_id"))
    return disclosure.protect(
        parents, atoms, filters.organisation.anonymity_threshold, publish_root=True, keep="columns"
    )


def _assigned_rows(filters: Filters) -> QuerySet[Proposal]:
    """The initiative's proposals that assign a module; without an initiative, those of every
    initiative of the organisation (a person assigned by two counts once: see the callers)."""
    if filters.initiative is None:
        return Proposal.objects.filter(initiative__organisation=filters.organisation, assigned__gt=0)
    return Proposal.objects.filter(initiative=filters.initiative, assigned__gt=0)


def participation(filters: Filters, *, exact: bool) -> Participation:
    marker = _attendance_marker()
    # per initiative, from an index (a join to the initiatives read 50,000 rows: 50 ms a page)
    proposals = list(
        (
            Proposal.objects.filter(initiative=filters.initiative)
            if filters.initiative is not None
            else Proposal.objects.filter(
                initiative_id__in=list(
                    Initiative.objects.filter(organisation=filters.organisation).values_list("pk", flat=True)
                )
            )
        )
        .values("initiative_id")
        .annotate(m=Max("updated_at"), n=Count("pk"))
        .values_list("initiative_id", "m", "n")
        .order_by("initiative_id")
    )
    key = ("participation", exact, filters.key(), marker, str(proposals), _funder_version(filters))
    return memo(key, lambda: _participation(filters, exact=exact))  # type: ignore[no-any-return]


def _participation(filters: Filters, *, exact: bool) -> Participation:
    initiative = filters.initiative
    target_count: int | None = None
    target_women: float | None = None
    if initiative is not None:
        goal = InitiativeGoal.objects.filter(
            initiative=initiative, kind=InitiativeGoal.Kind.PARTICIPANTS
        ).first()
        if goal is not None:
            target_count = goal.target_count
            if goal.women_share is not None and goal.target_count is not None:
                target_women = float(goal.women_share) * goal.target_count
    if exact:
        # Participants and hours: THE count (``participant_figures``), as the funder report,
        # the initiative page and the costs give them; who completed beside it.
        people, hours = _participants(filters)
        completed = completed_figures(_scope(filters, filters.gender))
        # The lead's figures are exact: the people assigned a module by the initiative, or
        # without one by any initiative of the organisation (each person once).
        rows = _assigned_rows(filters)
        if filters.unit is not None:
            rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=filters.unit.path).values("pk"))
        if filters.role is not None:
            rows = rows.filter(person__role=filters.role)
        assigned: int | None = (
            rows.filter(_gender_q("person__", filters.gender)).values("person").distinct().count()
        )
        if filters.gender is not None:
            for table in (people, hours, completed):
                for g in GENDERS:
                    if g != filters.gender:
                        table[g] = 0
        return Participation(
            dict(people),
            dict(hours),
            dict(completed),
            assigned,
            protected=False,
            target_count=target_count,
            target_women=target_women,
            period=(filters.day_from, filters.day_to),
        )
    # Aggregates only: exactly the funder report's figures (``protected_funder_figures``: one
    # initiative over its whole period, one release of its participants over units × gender ×
    # role, ADR 0004 and 0006), so that the two pages show the same figures and no two
    # releases over the same people can be set against each other. The period and module
    # filters do not apply to them.
    empty: dict[str, Any] = dict.fromkeys(("total", *GENDERS))
    if initiative is None:
        return Participation(dict(empty), dict(empty), dict(empty), None, protected=True)
    figures = _funder(filters, filters.gender)
    shown_people: dict[str, int | None] = {
        key: figures["unique_participants"][FUNDER_KEYS[key]] for key in ("total", *GENDERS)
    }
    shown_hours: dict[str, float | None] = dict.fromkeys(("total", *GENDERS))
    shown_hours["total"] = figures["training_hours"]
    for g in GENDERS:
        if filters.gender is None and shown_people[g] is not None:
            # Hours of one gender: the funder report with that gender chosen (the same release).
            shown_hours[g] = _funder(filters, g)["training_hours"]
        elif filters.gender == g:
            shown_hours[g] = shown_hours["total"]
    # Who completed: a count beside the release, so only one figure of it, for the whole
    # initiative (no unit, role or gender: no narrower figure to set it against), and only
    # when neither those who completed nor those who did not are a small group.
    shown_completed: dict[str, int | None] = dict.fromkeys(("total", *GENDERS))
    total_people = shown_people["total"]
    if total_people is not None and not (filters.unit or filters.role or filters.gender):
        done = completed_figures(FunderScope([filters.organisation], initiative))["total"]
        k = filters.organisation.anonymity_threshold
        if all(n == 0 or n >= k for n in (done, total_people - done)):
            shown_completed["total"] = done
    where = filters.unit.pk if filters.unit is not None else disclosure.ROOT
    # The people assigned: a table of their own (units × gender), released the same way.
    assigned_atoms: dict[tuple[int, Any], int] = defaultdict(int)
    for unit_id, gender, n in (
        _assigned_rows(filters)
        .values("unit_id", "person__gender")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "person__gender", "n")
        .order_by()
    ):
        assigned_atoms[(unit_id, GENDER_COLUMN.get(gender, "other"))] += n
    assigned_release = _release_of(filters, assigned_atoms)
    # (units × gender only: with a role filter no figure is shown, below)
    assigned_rows = _assigned_rows(filters)
    if filters.unit is not None:
        assigned_rows = assigned_rows.filter(
            unit__in=Unit.objects.filter(path__startswith=filters.unit.path).values("pk")
        )
    assigned_rows = assigned_rows.filter(_gender_q("person__", filters.gender))
    assigned_n = assigned_rows.count()
    column = filters.gender if filters.gender is not None else disclosure.ALL
    assigned = assigned_n if assigned_release.tree(where, column, value=assigned_n) else None
    if filters.role is not None:
        # The release is units × gender: a figure for one role is not in it, and the figure of
        # every role would not answer the filter, so none is shown (as a hidden one).
        assigned = None
    return Participation(
        shown_people,
        shown_hours,
        shown_completed,
        assigned,
        protected=True,
        target_count=target_count,
        target_women=target_women,
        period=(initiative.starts_on, initiative.ends_on),
    )


FUNDER_KEYS = {"total": "total", "woman": "women", "man": "men", "other": "other_or_unspecified"}


def _funder_version(filters: Filters) -> Any:
    from kompetenslyft.learning import participation as summary

    return summary.version(filters.organisation.pk)


def _funder(filters: Filters, gender: str | None) -> dict[str, Any]:
    """The funder report's protected figures for the dashboard's initiative, unit and role
    (and ``gender``), over the initiative's whole period."""
    scope = FunderScope(
        [filters.organisation], filters.initiative, None, None, filters.unit, filters.role, None, gender
    )
    return protected_funder_figures(scope)
