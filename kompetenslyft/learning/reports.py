"""`kompetenslyft report funder --format json` exactly as formats.md defines it: unique
participants by gender and training hours (from the participation summary, ADR 0006), and the
evaluation shares (from the evaluation domain, through a registered source)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.core.reporting import ReportInputError, register
from kompetenslyft.org.models import Organisation, Role, Unit

from . import participation
from .models import Attendance, Initiative, Module, Participation

COUNTED = participation.COUNTED


@dataclass(frozen=True)
class FunderScope:
    organisations: list[Organisation]
    initiative: Initiative | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit: Unit | None = None
    role: Role | None = None
    module: Module | None = None
    gender: str | None = None  # woman | man | other

    @property
    def summary_serves(self) -> bool:
        """The participation summary holds whole scopes (all attendance, or an initiative over
        its period): a module or a date filter reads the attendance rows."""
        return self.module is None and self.date_from is None and self.date_to is None

    @cached_property
    def unit_ids(self) -> frozenset[int] | None:
        """The ids of the unit's subtree (``None``: no unit filter)."""
        if self.unit is None:
            return None
        # Paths are digits and "/" (ADR 0001): the subtree of "/3/17/" is the range up to
        # "/3/170", one indexed range scan.
        return frozenset(
            Unit.objects.filter(
                organisation_id=self.unit.organisation_id,
                path__gte=self.unit.path,
                path__lt=self.unit.path[:-1] + "0",
            ).values_list("pk", flat=True)
        )

    @cached_property
    def versions(self) -> tuple[Any, ...]:
        """The participation summary's versions of the organisations, once the initiative's
        rows are current (a memo keyed by them never serves stale figures: every write to the
        summary or to counted attendance raises them)."""
        if self.initiative is not None:
            participation.ensure_current(self.initiative)
        return tuple(participation.version(o.pk) for o in sorted(self.organisations, key=lambda o: o.pk))

    @cached_property
    def key(self) -> tuple[Any, ...]:
        """What the figures of this scope depend on besides the summaries' versions: every
        filter, the initiative's modules and period, and the unit's subtree as it is now (so
        that a change to the unit tree is a new key)."""
        initiative = None
        if self.initiative is not None:
            initiative = (self.initiative.pk, *map(str, participation.fingerprint(self.initiative)))
        return (
            tuple(sorted(o.pk for o in self.organisations)),
            initiative,
            self.date_from,
            self.date_to,
            self.unit.pk if self.unit is not None else None,
            hash(self.unit_ids) if self.unit_ids is not None else None,
            len(self.unit_ids) if self.unit_ids is not None else None,
            self.role.pk if self.role is not None else None,
            self.module.pk if self.module is not None else None,
            self.gender,
        )


def attendance_in_scope(scope: FunderScope) -> QuerySet[Attendance]:
    rows = Attendance.objects.filter(status__in=COUNTED, person__organisation__in=scope.organisations)
    if scope.initiative is not None:
        rows = rows.filter(module__in=scope.initiative.modules.all())
        if scope.initiative.starts_on:
            rows = rows.filter(date__gte=scope.initiative.starts_on)
        if scope.initiative.ends_on:
            rows = rows.filter(date__lte=scope.initiative.ends_on)
    if scope.date_from:
        rows = rows.filter(date__gte=scope.date_from)
    if scope.date_to:
        rows = rows.filter(date__lte=scope.date_to)
    if scope.unit is not None:
        rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=scope.unit.path).values("pk"))
    if scope.role is not None:
        rows = rows.filter(role=scope.role)
    if scope.module is not None:
        rows = rows.filter(module=scope.module)
    if scope.gender == "other":
        rows = rows.exclude(person__gender__in=("woman", "man"))
    elif scope.gender is not None:
        rows = rows.filter(person__gender=scope.gender)
    return rows


def participation_in_scope(scope: FunderScope, *, whole: bool = False) -> QuerySet[Participation]:
    """The summary rows of the scope (``whole``: over the whole organisation, no unit, role or
    gender filter)."""
    if scope.initiative is not None:
        participation.ensure_current(scope.initiative)
    rows = Participation.objects.filter(organisation__in=scope.organisations, initiative=scope.initiative)
    if whole:
        return rows
    if scope.unit is not None:
        rows = rows.filter(
            unit__in=Unit.objects.filter(
                organisation_id=scope.unit.organisation_id, path__startswith=scope.unit.path
            ).values("pk")
        )
    if scope.role is not None:
        rows = rows.filter(role=scope.role)
    if scope.gender is not None:
        rows = rows.filter(gender=scope.gender)
    return rows


_PARTICIPANTS = Memo(kept=128)


def participant_figures(scope: FunderScope) -> tuple[dict[str, int], float]:
    """Unique participants by gender and training hours. A person counts under its gender
    (the same in every row of it), so the total is the sum of the genders. The same for every
    viewer, so memoised per summary version and scope."""
    people, hours = _PARTICIPANTS.get((scope.versions, scope.key), lambda: _participant_figures(scope))
    return dict(people), hours


def _participant_figures(scope: FunderScope) -> tuple[dict[str, int], float]:
    if scope.summary_serves:
        grouped = (
            participation_in_scope(scope)
            .values("gender")
            .annotate(n=Count("person", distinct=True), hours=Sum("hours"))
            .values_list("gender", "n", "hours")
            .order_by()
        )
        by_gender = {gender: (n, hours) for gender, n, hours in grouped}
    else:
        found: dict[str, list[Any]] = defaultdict(lambda: [0, 0])
        for gender, n, hours in (
            attendance_in_scope(scope)
            .values("person__gender")
            .annotate(n=Count("person", distinct=True), hours=Sum("hours"))
            .values_list("person__gender", "n", "hours")
            .order_by()
        ):
            code = participation.gender_code(gender)
            found[code][0] += n
            found[code][1] += hours or 0
        by_gender = {code: (n, hours) for code, (n, hours) in found.items()}
    women = by_gender.get("woman", (0, 0))[0]
    men = by_gender.get("man", (0, 0))[0]
    other = by_gender.get("other", (0, 0))[0]
    hours_total = 0.0
    for _n, h in by_gender.values():
        hours_total += float(h or 0)
    people = {"total": women + men + other, "women": women, "men": men, "other_or_unspecified": other}
    return people, hours_total


_COMPLETED = Memo(kept=128)


def completed_figures(scope: FunderScope) -> dict[str, int]:
    """The people who completed a module in the scope, by gender code (woman, man, other) and
    in total: from the participation summary's completed counts where it holds the scope, else
    from the attendance. Memoised as :func:`participant_figures`."""
    return dict(_COMPLETED.get((scope.versions, scope.key), lambda: _completed_figures(scope)))


def _completed_figures(scope: FunderScope) -> dict[str, int]:
    found: dict[str, int] = dict.fromkeys(("woman", "man", "other"), 0)
    grouped: Any
    if scope.summary_serves:
        grouped = (
            participation_in_scope(scope)
            .filter(completed__gt=0)
            .values("gender")
            .annotate(n=Count("person", distinct=True))
            .values_list("gender", "n")
            .order_by()
        )
    else:
        grouped = (
            attendance_in_scope(scope)
            .filter(status=Attendance.Status.COMPLETED)
            .values("person__gender")
            .annotate(n=Count("person", distinct=True))
            .values_list("person__gender", "n")
            .order_by()
        )
    for gender, n in grouped:
        found[participation.gender_code(gender)] += n
    found["total"] = sum(found.values())
    return found


def funder_figures(scope: FunderScope) -> dict[str, Any]:
    people, hours = participant_figures(scope)
    return {
        "unique_participants": people,
        "training_hours": hours,
        "evaluations": evaluation_figures(scope),
    }


GENDER_KEYS = {"woman": "women", "man": "men", "other": "other_or_unspecified"}
_DIRECT = "·"
_LOCK = threading.Lock()
_RELEASES: OrderedDict[tuple[Any, ...], tuple[disclosure.Blocks, dict[tuple[Any, ...], int]]] = OrderedDict()
_KEPT = 8


def participation_release(
    organisation: Organisation, initiative: Initiative
) -> tuple[disclosure.Blocks, dict[tuple[int, str, int], tuple[Any, ...]]]:
    """The release of one initiative's participants over the whole organisation (ADR 0004,
    0006): atoms are the people of one unit, gender and role; their paths read gender → unit
    tree → role, so small groups pool within their gender up the tree first (the split by
    gender is what a funder report is for), then across genders. Memoised per summary
    version. Returns the blocks and each atom's path, by (unit, gender, role)."""
    participation.ensure_current(initiative)
    key = (
        organisation.pk,
        initiative.pk,
        participation.version(organisation.pk),
        int(organisation.anonymity_threshold),
    )
    with _LOCK:
        found = _RELEASES.get(key)
        if found is not None:
            _RELEASES.move_to_end(key)
            return found  # type: ignore[return-value]
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    chains: dict[int, tuple[int, ...]] = {}

    def chain(unit_id: int) -> tuple[int, ...]:
        if unit_id not in chains:
            parent = parents.get(unit_id)
            chains[unit_id] = (*(chain(parent) if parent else ()), unit_id)
        return chains[unit_id]

    paths: dict[tuple[Any, ...], int] = {}
    where: dict[tuple[int, str, int], tuple[Any, ...]] = {}
    for unit_id, gender, role_id, n in (
        Participation.objects.filter(organisation=organisation, initiative=initiative)
        .values("unit_id", "gender", "role_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("unit_id", "gender", "role_id", "n")
        .order_by()
    ):
        path = (gender, *chain(unit_id), _DIRECT, role_id or 0)
        paths[path] = n
        where[(unit_id, gender, role_id or 0)] = path
    blocks = disclosure.pool_paths(paths, organisation.anonymity_threshold)
    with _LOCK:
        _RELEASES[key] = (blocks, where)  # type: ignore[assignment]
        while len(_RELEASES) > _KEPT:
            _RELEASES.popitem(last=False)
    return blocks, where


_SHOWN = Memo(kept=128)


def _shown_by_release(scope: FunderScope, people: dict[str, Any]) -> dict[str, bool]:
    """Which of the scope's participant counts the initiative's release shows."""
    organisation = scope.organisations[0]
    assert scope.initiative is not None  # noqa: S101 - the caller's condition
    blocks, where = participation_release(organisation, scope.initiative)
    inside = scope.unit_ids
    role_id = scope.role.pk if scope.role is not None else None
    selected: dict[str | None, list[tuple[Any, ...]]] = {None: [], "woman": [], "man": [], "other": []}
    for (unit_id, gender, role), path in where.items():
        if inside is not None and unit_id not in inside:
            continue
        if role_id is not None and role != role_id:
            continue
        if scope.gender is not None and gender != scope.gender:
            continue
        selected[None].append(path)
        selected[gender].append(path)
    k = organisation.anonymity_threshold
    shown = {}
    for column, key in [(None, "total"), *GENDER_KEYS.items()]:
        value = people[key]
        shown[key] = blocks.shown(selected[column]) and (value == 0 or value >= k)
    return shown


def protected_funder_figures(scope: FunderScope) -> dict[str, Any]:
    """The funder figures as a viewer outside its own units sees them: one initiative over its
    whole period (ADR 0004), every count through one release of that initiative's
    participants (units × gender × role over the whole organisation), so that no unit minus
    its children, total minus the genders shown, or role or gender filter minus a narrower one
    gives a small group away. A hidden figure is ``None``; hours are shown only with the
    participants they belong to. Counts of distinct people over one module against the
    initiative would differ by small groups too: with a module filter only the evaluation
    figures (additive, through their own release) are shown."""
    figures = funder_figures(scope)
    people = figures["unique_participants"]
    organisation = scope.organisations[0]
    if scope.initiative is None or scope.module is not None or not scope.summary_serves:
        figures["unique_participants"] = dict.fromkeys(people)
        figures["training_hours"] = None
        return figures
    memo_key = (scope.versions, scope.key, int(organisation.anonymity_threshold))
    shown = _SHOWN.get(memo_key, lambda: _shown_by_release(scope, people))
    figures["unique_participants"] = {key: people[key] if ok else None for key, ok in shown.items()}
    if not shown["total"]:
        figures["training_hours"] = None
    return figures


# The evaluation domain fills the evaluation block (registered in its AppConfig.ready), so that
# learning does not import it: a function (scope) → the figure of formats.md, every figure
# through the evaluation results' own disclosure control.
EvaluationSource = Callable[[FunderScope], dict[str, Any]]
_EVALUATION_SOURCES: list[EvaluationSource] = []


def register_evaluation_source(source: EvaluationSource) -> None:
    _EVALUATION_SOURCES.clear()
    _EVALUATION_SOURCES.append(source)


def hidden_evaluations() -> dict[str, Any]:
    return {
        "responses": None,
        "motivated_share": None,
        "method_good_share": None,
        "important_share": None,
        "will_use_share": None,
        "level": {"too_easy": None, "right": None, "too_hard": None},
    }


def evaluation_figures(scope: FunderScope) -> dict[str, Any]:
    """The evaluation block: the module evaluations of the scope (the initiative's modules, its
    period or the dates' whole months, the unit's subtree, role, gender), from the evaluation
    domain's results. Without an evaluation domain installed, every figure is hidden."""
    if not _EVALUATION_SOURCES:
        return hidden_evaluations()
    return _EVALUATION_SOURCES[0](scope)


def parse_scope(
    *,
    organisation: str | None,
    initiative: str | None,
    date_from: str | None,
    date_to: str | None,
    unit: str | None,
) -> FunderScope:
    if organisation:
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise ReportInputError(
                _("There is no organisation with the code '%(code)s'.") % {"code": organisation}
            )
        organisations = [org]
    else:
        organisations = list(Organisation.objects.all())
    initiative_obj = None
    if initiative:
        initiative_obj = Initiative.objects.filter(organisation__in=organisations, code=initiative).first()
        if initiative_obj is None:
            raise ReportInputError(
                _("There is no initiative with the code '%(code)s'.") % {"code": initiative}
            )
    days = []
    for value in (date_from, date_to):
        day = None
        if value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError as exc:
                raise ReportInputError(
                    _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": value}
                ) from exc
        days.append(day)
    unit_obj = None
    if unit:
        units = list(Unit.objects.filter(organisation__in=organisations, unit_id=unit)[:2])
        if not units:
            raise ReportInputError(_("'%(value)s' is not a unit of the organisation") % {"value": unit})
        if len(units) > 1:
            raise ReportInputError(
                _("Several organisations have a unit '%(value)s'; name one with --organisation.")
                % {"value": unit}
            )
        unit_obj = units[0]
    return FunderScope(organisations, initiative_obj, days[0], days[1], unit_obj)


def build_funder(
    *,
    organisation: str | None = None,
    initiative: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    unit: str | None = None,
    **_options: Any,
) -> dict[str, Any]:
    return funder_figures(
        parse_scope(
            organisation=organisation, initiative=initiative, date_from=date_from, date_to=date_to, unit=unit
        )
    )


def funder_arguments(parser: Any) -> None:
    parser.add_argument("--initiative", help="the initiative's code")
    parser.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="last date, YYYY-MM-DD")
    parser.add_argument("--unit", help="unit_id: the unit and every unit below it")


register("funder", build=build_funder, arguments=funder_arguments)

__all__ = [
    "FunderScope",
    "funder_figures",
    "protected_funder_figures",
    "register_evaluation_source",
]


@dataclass
class GoalResult:
    """One target of an initiative against what it reached (``result`` None: not shown or
    not measured; ``reached`` None: no verdict)."""

    label: str
    target: float
    result: float | None
    is_share: bool
    reached: bool | None


def _outermost(units: list[Unit]) -> list[Unit]:
    return [u for u in units if not any(o.pk != u.pk and u.path.startswith(o.path) for o in units)]


_REACH = Memo(kept=64)


def competence_reach(initiative: Initiative, competence_ids: list[int], *, protected: bool) -> float | None:
    """:func:`_competence_reach`, memoised per gap summary version (raised by every write to
    it; the organisation's creation time and the state row tell a restored or re-created
    summary apart), the initiative's target group and the competences."""
    from kompetenslyft.assessment.models import GapState

    state = (
        GapState.objects.filter(organisation_id=initiative.organisation_id)
        .values_list("pk", "version", "rebuilt_at")
        .first()
    )
    key = (
        initiative.organisation_id,
        str(initiative.organisation.created_at),
        state,
        initiative.pk,
        tuple(sorted(initiative.units.values_list("pk", "path"))),
        tuple(sorted(initiative.roles.values_list("pk", flat=True))),
        tuple(sorted(competence_ids)),
        protected,
        int(initiative.organisation.anonymity_threshold),
    )
    return _REACH.get(key, lambda: _competence_reach(initiative, competence_ids, protected=protected))


def _competence_reach(initiative: Initiative, competence_ids: list[int], *, protected: bool) -> float | None:
    """The share of the target group's people reaching the goal's competences, by the one
    computation the initiative page uses too (``selectors.people_reaching``). For an
    aggregates-only viewer, only when every gap figure of the target group is shown by the
    gap's own release and neither those who reached it nor the others are fewer than the
    anonymity threshold (so it tells nothing about a small group)."""
    from kompetenslyft.assessment.gap_selectors import gap_releases
    from kompetenslyft.assessment.models import LATEST

    from .selectors import people_reaching

    units = _outermost(list(initiative.units.all()))
    role_ids = list(initiative.roles.values_list("pk", flat=True))
    if not units or not competence_ids:
        return None
    reached, concerned = people_reaching(initiative, competence_ids)
    if not concerned:
        return None
    if protected:
        threshold = int(initiative.organisation.anonymity_threshold)
        if any(0 < n < threshold for n in (reached, concerned - reached)):
            return None
        releases = gap_releases(initiative.organisation, point=LATEST, competence_ids=competence_ids)
        columns: list[int | None] = list(role_ids) or [disclosure.ALL]
        for release in releases.values():
            if not all(release.tree(u.pk, c) for u in units for c in columns):
                return None
    return reached / concerned


def goal_attainment(initiative: Initiative, *, protected: bool) -> list[GoalResult]:
    """The initiative's goals, each against the whole initiative (its modules over its period,
    the whole organisation): participants, the share of women, competence-goal reach."""
    from .selectors import goal_competence_ids

    scope = FunderScope([initiative.organisation], initiative)
    figures = protected_funder_figures(scope) if protected else funder_figures(scope)
    people = figures["unique_participants"]
    results = []
    for goal in initiative.goals.prefetch_related("competences"):
        if goal.target_count is not None:
            total = people["total"]
            results.append(
                GoalResult(
                    _("Unique participants"),
                    float(goal.target_count),
                    total,
                    False,
                    None if total is None else total >= goal.target_count,
                )
            )
        if goal.women_share is not None:
            share = (
                people["women"] / people["total"] if people["women"] is not None and people["total"] else None
            )
            target = float(goal.women_share)
            results.append(
                GoalResult(
                    _("Share of women"), target, share, True, None if share is None else share >= target
                )
            )
        if goal.target_share is not None:
            competence_ids = goal_competence_ids(initiative, goal)
            reach = competence_reach(initiative, competence_ids, protected=protected)
            target = float(goal.target_share)
            results.append(
                GoalResult(
                    goal.description or _("Share reaching the knowledge goals"),
                    target,
                    reach,
                    True,
                    None if reach is None else reach >= target,
                )
            )
    return results
