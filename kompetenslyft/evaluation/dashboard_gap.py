"""The dashboard's gap (movement from the baseline, closing over time, from the gap summary and
its release) and goal attainment against the initiative's targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from kompetenslyft.assessment.gap_selectors import gap_releases
from kompetenslyft.assessment.models import LATEST, GapCell, GapState
from kompetenslyft.assessment.selectors import measurement_points
from kompetenslyft.competence.models import Competence
from kompetenslyft.core import disclosure
from kompetenslyft.learning.models import InitiativeGoal
from kompetenslyft.org.models import Unit

from .dashboard import Filters, memo
from .dashboard_participation import Participation

# --- the gap: movement from the baseline, closing over time, goal attainment -------------------


@dataclass
class GapFigure:
    assessed: int | None
    below: int | None

    @property
    def share_below(self) -> float | None:
        if self.assessed is None or self.below is None:
            return None
        return self.below / self.assessed if self.assessed else None

    @property
    def share_reaching(self) -> float | None:
        share = self.share_below
        return None if share is None else 1.0 - share


HIDDEN_GAP = GapFigure(None, None)


@dataclass
class Gap:
    competences: list[Competence]
    points: list[int]  # measurement points with answers, then LATEST
    cells: dict[tuple[int, int], GapFigure] = field(default_factory=dict)  # (point, competence)

    def total(self, point: int, competence_ids: Iterable[int] | None = None) -> GapFigure:
        """Over several competences: shown only when every one of them is."""
        ids = [c.pk for c in self.competences] if competence_ids is None else list(competence_ids)
        assessed = below = 0
        for pk in ids:
            cell = self.cells.get((point, pk), GapFigure(0, 0))
            if cell.assessed is None or cell.below is None:
                return HIDDEN_GAP
            assessed += cell.assessed
            below += cell.below
        return GapFigure(assessed, below)


def gap_competences(filters: Filters) -> list[int] | None:
    """The competences the dashboard speaks of: a module's, an initiative's modules' and goals'
    (None = every competence with a requirement)."""
    if filters.module is not None:
        return list(filters.module.competences.values_list("pk", flat=True))
    if filters.initiative is not None:
        ids = set(
            Competence.objects.filter(modules__in=filters.initiative.modules.all()).values_list(
                "pk", flat=True
            )
        )
        ids |= set(
            InitiativeGoal.competences.through.objects.filter(
                initiativegoal__initiative=filters.initiative
            ).values_list("competence_id", flat=True)
        )
        return sorted(ids)
    return None


def gap(filters: Filters, *, exact: bool) -> Gap:
    """See :func:`_gap` (memoised per version of the gap summary)."""
    state = (
        GapState.objects.filter(organisation=filters.organisation).values_list("version", flat=True).first()
    )
    key = ("gap", state, filters.organisation.anonymity_threshold, filters.key(), exact)
    return memo(key, lambda: _gap(filters, exact=exact))  # type: ignore[no-any-return]


def _gap(filters: Filters, *, exact: bool) -> Gap:
    """From the gap summary (``GapCell``): per measurement point and competence, the people
    assessed and those below their required level, in the unit's subtree (or the whole
    organisation: the sum of the top units) and the role. Aggregates-only viewers get each
    figure through the gap release of its point and competence (as the heatmap shows it); the
    organisation's figure only when every top unit's is shown."""
    organisation = filters.organisation
    points = [p for p in measurement_points(organisation) if p != LATEST]
    points = sorted(points) + [LATEST]
    wanted = gap_competences(filters)
    cells = GapCell.objects.filter(organisation=organisation, point__in=points)
    if wanted is not None:
        cells = cells.filter(competence_id__in=wanted)
    if filters.role is not None:
        cells = cells.filter(role=filters.role)
    if filters.unit is not None:
        places = [filters.unit.pk]
    else:
        places = list(
            Unit.objects.filter(organisation=organisation, parent__isnull=True).values_list("pk", flat=True)
        )
    sums: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    for unit_id, competence_id, point, required, assessed, below in (
        cells.filter(unit_id__in=places)
        .values("unit_id", "competence_id", "point")
        .annotate(r=Sum("tree_required"), a=Sum("tree_assessed"), b=Sum("tree_below"))
        .values_list("unit_id", "competence_id", "point", "r", "a", "b")
        .order_by()
    ):
        sums[(unit_id, competence_id, point)] = (int(required or 0), int(assessed or 0), int(below or 0))
    with_requirement = sorted({c for (_u, c, p), (r, _a, _b) in sums.items() if p == LATEST and r})
    competences = list(
        Competence.objects.filter(pk__in=with_requirement).order_by("framework__name", "position", "code")
    )
    result = Gap(competences, points)
    column = filters.role.pk if filters.role is not None else disclosure.ALL
    for point in points:
        releases = (
            {}
            if exact
            else gap_releases(organisation, point=point, competence_ids=[c.pk for c in competences])
        )
        for competence in competences:
            assessed = below = 0
            shown = True
            for place in places:
                _r, a, b = sums.get((place, competence.pk, point), (0, 0, 0))
                assessed += a
                below += b
                if not exact and not releases[competence.pk].tree(place, column, value=a):
                    shown = False
            result.cells[(point, competence.pk)] = GapFigure(assessed, below) if shown else HIDDEN_GAP
    return result


@dataclass
class Goal:
    goal: InitiativeGoal
    target: float | None  # a share (reach) or a number (participants)
    reached: float | None
    is_share: bool


def goal_attainment(filters: Filters, people: Participation, *, exact: bool) -> list[Goal]:
    """The initiative's goals against what it reached, by the one computation the initiative
    page and the funder report use: participants from ``participant_figures`` (the dashboard's
    own participants, see :mod:`.dashboard_participation`), the share reaching the knowledge
    goals from ``learning.reports.competence_reach`` (``selectors.people_reaching`` for the
    lead; for an aggregates-only viewer the same figure, or hidden by its release)."""
    from kompetenslyft.learning.reports import competence_reach
    from kompetenslyft.learning.selectors import goal_competence_ids

    initiative = filters.initiative
    if initiative is None:
        return []
    goals = []
    for goal in (
        InitiativeGoal.objects.filter(initiative=initiative).prefetch_related("competences").order_by("pk")
    ):
        if goal.kind == InitiativeGoal.Kind.PARTICIPANTS:
            goals.append(
                Goal(goal, goal.target_count, people.participants.get("total"), is_share=False)  # type: ignore[arg-type]
            )
            continue
        reach = competence_reach(initiative, goal_competence_ids(initiative, goal), protected=not exact)
        target = float(goal.target_share) if isinstance(goal.target_share, Decimal) else goal.target_share
        goals.append(Goal(goal, target, reach, is_share=True))
    return goals
