"""The dashboard's figures (issue 8, PRODUCT.md story 9): participants by gender against the
initiative's targets, training hours, completion, goal attainment, evaluation response rates,
the four evaluation shares and the level split per module with their trend by month, the
movement from the baseline and the gap closing over time.

Who sees what (``core/access.py``, ADR 0004):

* the competence lead (and an installation superuser) sees exact figures of its organisation,
  except evaluation results, which come through the evaluation cube for everyone;
* project leaders (their initiatives only), top management and the external evaluator see
  aggregates only: participants and hours exactly as the funder report gives them
  (``learning.reports.protected_funder_figures``: one initiative over its whole period, one
  release over units × gender × role; counts of distinct people are not additive over periods
  or modules, so those filters do not apply to them), response rates through a release of
  fixed blocks over the requests, and the gap through the gap summary's release
  (``gap_releases``), as the heatmap does.

Every hidden figure is ``None`` here and is written "hidden" on the page, never 0.
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from kompetenslyft.assessment.models import LATEST, GapCell, GapState
from kompetenslyft.assessment.selectors import gap_releases, measurement_points
from kompetenslyft.competence.models import Competence
from kompetenslyft.core import disclosure
from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import Attendance, Initiative, InitiativeGoal, Module, Proposal
from kompetenslyft.learning.reports import COUNTED, FunderScope, protected_funder_figures
from kompetenslyft.org.models import Organisation, Role, Unit

from .cube import GENDERS, Cube, Scope
from .models import Request
from .results import Query, evaluation_results, month_figures, subtree_ids
from .summary import COUNTERS, gender_code, version

GENDER_COLUMN = {"woman": "woman", "man": "man"}
MEMO_SECONDS = 120.0
"""How long a process keeps attendance and request figures it computed (a new attendance or
request row, or a new evaluation answer, makes them anew at once)."""


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation
    unit: Unit | None = None
    initiative: Initiative | None = None
    module: Module | None = None
    role: Role | None = None
    gender: str | None = None  # woman | man | other
    month_from: dt.date | None = None
    month_to: dt.date | None = None

    @cached_property
    def modules(self) -> frozenset[int] | None:
        if self.module is not None:
            return frozenset([self.module.pk])
        if self.initiative is not None:
            return frozenset(self.initiative.modules.values_list("pk", flat=True))
        return None

    @property
    def day_from(self) -> dt.date | None:
        return self.month_from

    @property
    def day_to(self) -> dt.date | None:
        if self.month_to is None:
            return None
        last = calendar.monthrange(self.month_to.year, self.month_to.month)[1]
        return self.month_to.replace(day=last)

    @property
    def is_whole_initiative(self) -> bool:
        """One initiative, with no unit, module, role, gender or period: the scope its targets
        are set for (a narrower filter is not compared with them)."""
        return self.initiative is not None and not any(
            (self.unit, self.module, self.role, self.gender, self.month_from, self.month_to)
        )

    def key(self) -> tuple[Any, ...]:
        return (
            self.organisation.pk,
            self.unit.pk if self.unit else None,
            self.initiative.pk if self.initiative else None,
            self.module.pk if self.module else None,
            self.role.pk if self.role else None,
            self.gender,
            self.month_from,
            self.month_to,
            tuple(sorted(self.modules)) if self.modules is not None else None,
        )


def dashboard_organisations(access: Access) -> QuerySet[Organisation]:
    """The organisations whose dashboard this account may open."""
    if access.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=sorted(access.org_ids_with("lead", "project_leader", "top_management", "evaluator"))
    )


def is_exact(access: Access, organisation: Organisation) -> bool:
    """Exact figures for the organisation's lead; aggregates only for everyone else."""
    return access.is_lead_of(organisation.pk)


def dashboard_initiatives(access: Access, organisation: Organisation) -> QuerySet[Initiative]:
    """A lead, top management and the evaluator: every initiative of the organisation; a
    project leader: its own (owner or steering group)."""
    initiatives = Initiative.objects.filter(organisation=organisation)
    if access.is_superuser or access.org_ids_with("lead", "top_management", "evaluator") & {organisation.pk}:
        return initiatives.order_by("name")
    if access.person_id and organisation.pk in access.org_ids_with("project_leader"):
        return (
            initiatives.filter(Q(owners=access.person_id) | Q(steering_group=access.person_id))
            .distinct()
            .order_by("name")
        )
    return initiatives.none()


def project_leader_only(access: Access, organisation: Organisation) -> bool:
    """A project leader who has no wider role here sees its initiatives only (one at a time)."""
    return not (
        access.is_superuser or access.org_ids_with("lead", "top_management", "evaluator") & {organisation.pk}
    )


# --- a small per-process memo ------------------------------------------------------------------

_MEMO: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MEMO_KEPT = 64


def _memo(key: tuple[Any, ...], compute: Any) -> Any:
    now = time.monotonic()
    with _MEMO_LOCK:
        found = _MEMO.get(key)
        if found is not None and now - found[0] < MEMO_SECONDS:
            _MEMO.move_to_end(key)
            return found[1]
    value = compute()
    with _MEMO_LOCK:
        _MEMO[key] = (now, value)
        while len(_MEMO) > _MEMO_KEPT:
            _MEMO.popitem(last=False)
    return value


def forget_memo() -> None:
    with _MEMO_LOCK:
        _MEMO.clear()


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


def _attendance(filters: Filters, *, whole: bool) -> QuerySet[Attendance]:
    """The attendance rows in scope; ``whole`` = one initiative over its whole period, no
    module, role, gender, period or unit filter (the table a release is made of)."""
    rows = Attendance.objects.filter(status__in=COUNTED, person__organisation=filters.organisation)
    initiative = filters.initiative
    if initiative is not None:
        rows = rows.filter(module__in=initiative.modules.all())
        if initiative.starts_on:
            rows = rows.filter(date__gte=initiative.starts_on)
        if initiative.ends_on:
            rows = rows.filter(date__lte=initiative.ends_on)
    if whole:
        return rows
    if filters.module is not None:
        rows = rows.filter(module=filters.module)
    if filters.day_from:
        rows = rows.filter(date__gte=filters.day_from)
    if filters.day_to:
        rows = rows.filter(date__lte=filters.day_to)
    if filters.unit is not None:
        rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=filters.unit.path).values("pk"))
    if filters.role is not None:
        rows = rows.filter(person__role=filters.role)
    return rows.filter(_gender_q("person__", filters.gender))


def _counts(rows: QuerySet[Attendance]) -> tuple[dict[str, int], dict[str, float], dict[str, int]]:
    people: dict[str, int] = dict.fromkeys(("total", *GENDERS), 0)
    hours: dict[str, float] = dict.fromkeys(("total", *GENDERS), 0.0)
    completed: dict[str, int] = dict.fromkeys(("total", *GENDERS), 0)
    done = Q(status=Attendance.Status.COMPLETED)
    for gender, n, h, c in (
        rows.values("person__gender")
        .annotate(
            n=Count("person", distinct=True), h=Sum("hours"), c=Count("person", distinct=True, filter=done)
        )
        .values_list("person__gender", "n", "h", "c")
        .order_by()
    ):
        g = gender_code(gender)
        people[g] += n
        hours[g] += float(h or 0)
        completed[g] += c
    # A person counts once, whatever gender was recorded: the genders partition the people.
    people["total"] = sum(people[g] for g in GENDERS)
    hours["total"] = sum(hours[g] for g in GENDERS)
    completed["total"] = sum(completed[g] for g in GENDERS)
    return people, hours, completed


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
    proposals = (
        Proposal.objects.filter(initiative=filters.initiative)
        if filters.initiative is not None
        else Proposal.objects.filter(initiative__organisation=filters.organisation)
    ).aggregate(m=Max("updated_at"), n=Count("pk"))
    key = ("participation", exact, filters.key(), marker, str(proposals), _funder_version(filters))
    return _memo(key, lambda: _participation(filters, exact=exact))  # type: ignore[no-any-return]


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
        people, hours, completed = _counts(_attendance(filters, whole=False))
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
        done = _counts(_attendance(filters, whole=True))[2]["total"]
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
    # (units × gender only: the role filter does not apply to it, as before)
    assigned_rows = _assigned_rows(filters)
    if filters.unit is not None:
        assigned_rows = assigned_rows.filter(
            unit__in=Unit.objects.filter(path__startswith=filters.unit.path).values("pk")
        )
    assigned_rows = assigned_rows.filter(_gender_q("person__", filters.gender))
    assigned_n = assigned_rows.count()
    column = filters.gender if filters.gender is not None else disclosure.ALL
    assigned = assigned_n if assigned_release.tree(where, column, value=assigned_n) else None
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


# --- evaluation requests (response rates) ------------------------------------------------------


def evaluation_marker(organisation: Organisation) -> tuple[Any, ...]:
    """Changes with every answer (the summary's version) and every new request."""
    return (
        version(organisation.pk),
        Request.objects.filter(organisation=organisation).aggregate(m=Max("pk"))["m"],
        organisation.anonymity_threshold,
    )


def request_cube(organisation: Organisation, marker: tuple[Any, ...] | None = None) -> Cube:
    """The organisation's evaluation requests as a cube (requests in the place of responses,
    the answered ones in the next counter), with its release of fixed blocks of k or more
    requests: module → month → unit tree → gender → role, as the answers' cube."""
    marker = marker or evaluation_marker(organisation)
    return _memo(("requests", organisation.pk, marker), lambda: _request_cube(organisation))  # type: ignore[no-any-return]


def _request_cube(organisation: Organisation) -> Cube:
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    pad = (0,) * (len(COUNTERS) - 2)
    rows = []
    for module_id, month, unit_id, role_id, gender, n, answered in (
        Request.objects.filter(organisation=organisation)
        .annotate(m=TruncMonth("occurred_on"))
        .values("module_id", "m", "person__unit_id", "person__role_id", "person__gender")
        .annotate(n=Count("pk"), a=Count("pk", filter=Q(answered_on__isnull=False)))
        .values_list("module_id", "m", "person__unit_id", "person__role_id", "person__gender", "n", "a")
        .order_by()
    ):
        if isinstance(month, dt.datetime):
            month = month.date()
        rows.append((module_id, month, unit_id, role_id, gender_code(gender), n, answered, *pad))
    return Cube(organisation.pk, organisation.anonymity_threshold, parents, rows)


@dataclass
class Rate:
    module: Module
    requests: int | None
    answered: int | None

    @property
    def rate(self) -> float | None:
        if self.requests is None or self.answered is None:
            return None
        return self.answered / self.requests if self.requests else 0.0


def response_rates(filters: Filters, modules: list[Module], *, exact: bool) -> list[Rate]:
    marker = evaluation_marker(filters.organisation)
    key = ("rates", marker, filters.key(), tuple(m.pk for m in modules), exact)
    return _memo(key, lambda: _response_rates(filters, modules, exact=exact, marker=marker))  # type: ignore[no-any-return]


def _response_rates(
    filters: Filters, modules: list[Module], *, exact: bool, marker: tuple[Any, ...]
) -> list[Rate]:
    cube = request_cube(filters.organisation, marker)
    scope = _scope(filters)
    ids = np.array([m.pk for m in modules], dtype=np.int64)
    order = np.argsort(ids)
    keys = np.full(len(cube.module), -1, dtype=np.int64)
    if len(ids) and len(cube.module):
        where = np.searchsorted(ids[order], cube.module)
        where = np.clip(where, 0, len(ids) - 1)
        found = ids[order][where] == cube.module
        keys = np.where(found, order[where], -1)
    if exact:
        mask = cube.mask(scope) & (keys >= 0)
        sums = np.zeros((len(modules), len(COUNTERS)), dtype=np.int64)
        np.add.at(sums, keys[mask], cube.counts[mask])
        shown = np.ones(len(modules), dtype=bool)
    else:
        sums, shown = cube.groups(scope, keys, len(modules))
    return [
        Rate(m, int(sums[i][0]) if shown[i] else None, int(sums[i][1]) if shown[i] else None)
        for i, m in enumerate(modules)
    ]


def _scope(filters: Filters) -> Scope:
    return Scope(
        modules=filters.modules,
        units=subtree_ids(filters.unit) if filters.unit is not None else None,
        role=filters.role.pk if filters.role is not None else None,
        gender=filters.gender,
        month_from=filters.month_from,
        month_to=filters.month_to,
    )


# --- evaluation results ------------------------------------------------------------------------


def _query(filters: Filters) -> Query:
    return Query(
        modules=filters.modules,
        unit=filters.unit,
        role_name=filters.role.name if filters.role is not None else None,
        gender=filters.gender,
        month_from=filters.month_from,
        month_to=filters.month_to,
    )


def evaluation_total(filters: Filters, module: Module | None = None) -> dict[str, Any]:
    """The evaluation figure of the filters' selection, or of it narrowed to one module (a
    total, so answers without a person count as in the selection's total and the modules add
    up to it; memoised per summary version, as the cube is)."""
    organisation = filters.organisation
    query = _query(filters)
    if module is not None:
        ids = frozenset([module.pk])
        query = replace(query, modules=ids if query.modules is None else ids & query.modules)
    key = (
        "evaluation",
        version(organisation.pk),
        organisation.anonymity_threshold,
        filters.key(),
        module.pk if module is not None else None,
    )
    return _memo(key, lambda: evaluation_results([organisation], query)["total"])  # type: ignore[no-any-return]


def evaluation_months(filters: Filters) -> list[tuple[str, dict[str, Any]]]:
    """Month by month, from the first to the last month with answers within the period, each
    month the selection narrowed to it (:func:`.results.month_figures`)."""
    organisation = filters.organisation
    key = ("evaluation months", version(organisation.pk), organisation.anonymity_threshold, filters.key())

    def compute() -> list[tuple[str, dict[str, Any]]]:
        return [(label, figure) for label, _q, figure in month_figures([organisation], _query(filters))]

    return _memo(key, compute)  # type: ignore[no-any-return]


def modules_present(filters: Filters) -> list[Module]:
    """The modules to list: the filter's, else those with evaluation answers or requests."""
    ids = filters.modules
    if ids is not None:
        return list(Module.objects.filter(pk__in=ids).order_by("code"))
    organisation = filters.organisation
    marker = evaluation_marker(organisation)

    def compute() -> list[int]:
        from .cube import cube_for

        present = set(cube_for(organisation).module.tolist())
        present |= set(request_cube(organisation, marker).module.tolist())
        return sorted(present)

    present = _memo(("modules", organisation.pk, marker), compute)
    return list(Module.objects.filter(pk__in=present).order_by("code"))


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
    return _memo(key, lambda: _gap(filters, exact=exact))  # type: ignore[no-any-return]


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


def goal_attainment(filters: Filters, people: Participation, gap_figures: Gap) -> list[Goal]:
    if filters.initiative is None:
        return []
    goals = []
    for goal in (
        InitiativeGoal.objects.filter(initiative=filters.initiative)
        .prefetch_related("competences")
        .order_by("pk")
    ):
        if goal.kind == InitiativeGoal.Kind.PARTICIPANTS:
            goals.append(
                Goal(goal, goal.target_count, people.participants.get("total"), is_share=False)  # type: ignore[arg-type]
            )
            continue
        ids = [c.pk for c in goal.competences.all()] or [c.pk for c in gap_figures.competences]
        known = {c.pk for c in gap_figures.competences}
        figure = gap_figures.total(LATEST, [pk for pk in ids if pk in known])
        target = float(goal.target_share) if isinstance(goal.target_share, Decimal) else goal.target_share
        goals.append(Goal(goal, target, figure.share_reaching, is_share=True))
    return goals


def month_text(month: dt.date) -> str:
    """YYYY-MM with a four-digit year (``%Y`` drops the zeros of years before 1000)."""
    return f"{month.year:04d}-{month.month:02d}"


def describe_filters(filters: Filters, people: Participation | None = None) -> list[tuple[str, str]]:
    """The filters in words (on the page's exports: every sheet states them)."""
    everything = _("all")
    gender_names = {"woman": _("women"), "man": _("men"), "other": _("other or unspecified")}
    if filters.month_from and filters.month_to:
        period = f"{month_text(filters.month_from)} – {month_text(filters.month_to)}"
    elif filters.month_from:
        period = _("from %(month)s") % {"month": month_text(filters.month_from)}
    elif filters.month_to:
        period = _("up to %(month)s") % {"month": month_text(filters.month_to)}
    else:
        period = _("whole period")
    rows = [
        (_("Organisation"), filters.organisation.name),
        (_("Unit"), filters.unit.name if filters.unit else everything),
        (_("Initiative"), filters.initiative.name if filters.initiative else everything),
        (_("Module"), str(filters.module) if filters.module else everything),
        (_("Role"), filters.role.name if filters.role else everything),
        (_("Gender"), gender_names[filters.gender] if filters.gender else everything),
        (_("Period"), period),
    ]
    if people is not None and people.protected:
        start, end = people.period
        if start or end:
            rows.append((_("Participants counted over"), f"{start or '…'} – {end or '…'}"))
        else:
            rows.append((_("Participants counted over"), _("the initiative's whole period")))
    return rows
