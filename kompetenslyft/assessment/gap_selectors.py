"""Reads of the gap summary (ADR 0002): the heatmap and its releases, the drill-down to the
people below a level, and the movement between measurement points. Scoped by core.access;
what a viewer outside its own units sees passes core.disclosure."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum

from kompetenslyft.competence.models import Competence
from kompetenslyft.core import disclosure
from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Organisation, Person, Role, Unit
from kompetenslyft.org.selectors import subtree_unit_ids

from .models import LATEST, Answer, GapCell, GapState


@dataclass
class Cell:
    required: int = 0
    assessed: int = 0
    below: int = 0
    hidden: bool = False
    competence_pk: int = 0

    @property
    def share_below(self) -> float:
        return self.below / self.assessed if self.assessed else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.share_below)

    @property
    def band(self) -> int:
        """0–5 for the colour of the heatmap cell."""
        if not self.assessed or self.hidden:
            return 0
        return min(5, 1 + int(self.share_below * 5))


@dataclass
class HeatRow:
    unit: Unit
    label: str
    direct: bool
    cells: list[Cell]
    has_children: bool = False
    html: list[str] = field(default_factory=list)
    exact: bool = True


@dataclass
class Heatmap:
    organisation: Organisation
    parent: Unit | None
    competences: list[Competence]
    rows: list[HeatRow]
    point: int
    role: Role | None
    breadcrumbs: list[Unit] = field(default_factory=list)
    state: GapState | None = None


def _sum_cells(cells: QuerySet[GapCell], by: tuple[str, ...], prefix: str) -> dict[tuple[Any, ...], Cell]:
    rows = (
        cells.values(*by)
        .annotate(r=Sum(f"{prefix}_required"), a=Sum(f"{prefix}_assessed"), b=Sum(f"{prefix}_below"))
        .order_by()
    )
    return {tuple(row[k] for k in by): Cell(row["r"] or 0, row["a"] or 0, row["b"] or 0) for row in rows}


_RELEASES: OrderedDict[tuple[Any, ...], dict[int, disclosure.Release]] = OrderedDict()
_RELEASES_LOCK = threading.Lock()
_RELEASES_KEPT = 8


def gap_releases(
    organisation: Organisation, *, point: int, competence_ids: Iterable[int]
) -> dict[int, disclosure.Release]:
    """The disclosure control's release of the gap, one table per competence: units × roles,
    the people who answered at ``point`` (always over the whole organisation, so that every
    view of it hides the same cells).

    Kept in a small per-process memo keyed by the summary's version (raised by every write to
    it, in the same transaction) and the state row's epoch (a restored database or a new state
    row can repeat a version, not the pair), so a page computes it once per change; a stale
    entry is never used."""
    found = GapState.objects.filter(organisation=organisation).values_list("version", "epoch").first()
    key = (organisation.pk, point, found, organisation.anonymity_threshold)
    wanted = set(competence_ids)
    with _RELEASES_LOCK:
        cached = _RELEASES.get(key)
        if cached is not None:
            _RELEASES.move_to_end(key)
    if cached is None or not wanted <= cached.keys():
        cached = _compute_gap_releases(organisation, point, wanted)
        with _RELEASES_LOCK:
            _RELEASES[key] = cached
            while len(_RELEASES) > _RELEASES_KEPT:
                _RELEASES.popitem(last=False)
    return {c: cached[c] for c in wanted}


def _compute_gap_releases(
    organisation: Organisation, point: int, wanted: set[int]
) -> dict[int, disclosure.Release]:
    tree = disclosure.Tree(
        dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    )
    atoms: dict[int, dict[tuple[int, Any], int]] = defaultdict(dict)
    rows = GapCell.objects.filter(organisation=organisation, point=point, direct_assessed__gt=0).values_list(
        "unit_id", "role_id", "competence_id", "direct_assessed"
    )
    for unit_id, role_id, competence_id, assessed in rows.iterator(chunk_size=20000):
        atoms[competence_id][(unit_id, role_id)] = assessed
    k = organisation.anonymity_threshold
    # Competences answered by the same people give the same table: one release serves them all.
    by_table: dict[tuple[Any, ...], disclosure.Release] = {}
    releases = {}
    for competence_id in wanted | set(atoms):
        table = atoms.get(competence_id, {})
        signature = tuple(sorted(table.items()))
        release = by_table.get(signature)
        if release is None:
            release = by_table[signature] = disclosure.protect(tree, table, k)
        releases[competence_id] = release
    return releases


def exact_units(access: Access, organisation: Organisation) -> Callable[[Unit], bool]:
    """Where the viewer sees exact figures: its whole organisation for a lead, the units it
    manages (and below) for a manager; everywhere else figures pass the disclosure control."""
    if access.is_lead_of(organisation.pk):
        return lambda unit: True
    paths = access.managed_paths
    return lambda unit: any(unit.path.startswith(path) for path in paths)


def heatmap(
    access: Access,
    organisation: Organisation,
    *,
    parent: Unit | None,
    point: int = LATEST,
    role: Role | None = None,
) -> Heatmap:
    """Units × competences: the share below the required level, with counts. Rows are the
    children of ``parent`` (the top units, or for a manager its own units) each with
    everything below it, plus the people directly in ``parent``. Outside the units the viewer
    manages or leads, every cell passes the disclosure control (``gap_releases``)."""
    visible_units = Unit.objects.filter(access.units_filter(), organisation=organisation)
    if parent is None:
        roots = list(
            visible_units.filter(Q(parent__isnull=True) | ~Q(parent__in=visible_units)).order_by("name")
        )
        direct_unit = None
    else:
        roots = list(visible_units.filter(parent=parent).order_by("name"))
        direct_unit = parent
    base = GapCell.objects.filter(organisation=organisation, point=LATEST if point == LATEST else point)
    required_base = GapCell.objects.filter(organisation=organisation, point=LATEST)
    if role is not None:
        base = base.filter(role=role)
        required_base = required_base.filter(role=role)
    unit_ids = [u.pk for u in roots]
    tree = _sum_cells(base.filter(unit_id__in=unit_ids), ("unit_id", "competence_id"), "tree")
    tree_required = _sum_cells(
        required_base.filter(unit_id__in=unit_ids), ("unit_id", "competence_id"), "tree"
    )
    direct: dict[tuple[Any, ...], Cell] = {}
    direct_required: dict[tuple[Any, ...], Cell] = {}
    if direct_unit is not None:
        direct = _sum_cells(base.filter(unit=direct_unit), ("unit_id", "competence_id"), "direct")
        direct_required = _sum_cells(
            required_base.filter(unit=direct_unit), ("unit_id", "competence_id"), "direct"
        )
    competence_ids = {k[1] for k, c in {**tree_required, **direct_required}.items() if c.required}
    competences = list(
        Competence.objects.filter(pk__in=competence_ids)
        .select_related("category")
        .order_by("framework__name", "category__position", "position", "code")
    )
    children = set(Unit.objects.filter(parent_id__in=unit_ids).values_list("parent_id", flat=True))
    exact = exact_units(access, organisation)
    shown_units = ([direct_unit] if direct_unit is not None else []) + roots
    releases: dict[int, disclosure.Release] = {}
    if not all(exact(u) for u in shown_units):
        releases = gap_releases(organisation, point=point, competence_ids=[c.pk for c in competences])
    column = role.pk if role is not None else disclosure.ALL

    def row_cells(
        unit: Unit,
        direct_row: bool,
        values: dict[tuple[Any, ...], Cell],
        required: dict[tuple[Any, ...], Cell],
    ) -> list[Cell]:
        cells = []
        protected = not exact(unit)
        for competence in competences:
            cell = values.get((unit.pk, competence.pk), Cell())
            cell = Cell(
                required.get((unit.pk, competence.pk), Cell()).required,
                cell.assessed,
                cell.below,
                competence_pk=competence.pk,
            )
            if protected:
                release = releases[competence.pk]
                check = release.direct if direct_row else release.tree
                if not check(unit.pk, column, value=cell.assessed):
                    cell = Cell(cell.required, 0, 0, hidden=True, competence_pk=competence.pk)
            cells.append(cell)
        return cells

    rows = []
    if direct_unit is not None and any(c.required for c in direct_required.values()):
        rows.append(
            HeatRow(
                direct_unit,
                direct_unit.name,
                True,
                row_cells(direct_unit, True, direct, direct_required),
                exact=exact(direct_unit),
            )
        )
    for unit in roots:
        cells = row_cells(unit, False, tree, tree_required)
        if any(c.required for c in cells):
            rows.append(HeatRow(unit, unit.name, False, cells, unit.pk in children, exact=exact(unit)))
    crumbs = []
    if parent is not None:
        ids = [int(pk) for pk in parent.path.strip("/").split("/") if pk]
        known = Unit.objects.filter(access.units_filter()).in_bulk(ids)
        crumbs = [known[pk] for pk in ids if pk in known]
    return Heatmap(
        organisation,
        parent,
        competences,
        rows,
        point,
        role,
        crumbs,
        GapState.objects.filter(organisation=organisation).first(),
    )


@dataclass
class PersonBelow:
    person: Person
    level: int
    required_level: int


def people_below(
    access: Access,
    organisation: Organisation,
    *,
    unit: Unit,
    competence: Competence,
    point: int = LATEST,
    role: Role | None = None,
    direct: bool = False,
) -> list[PersonBelow]:
    """The people under the goal for one competence, in the unit (and below), within the
    viewer's scope only."""
    from kompetenslyft.competence.selectors import RequirementIndex

    # Ids first, each step one table: the unit subtree, the people in it, their answers, then
    # the people under the goal with their unit and role. As one query of subqueries and joins
    # PostgreSQL with stale statistics (a table's size read as a few rows) nested the people
    # and the unit tree inside the loop over the answers: 20 to 50 s a page on the demo.
    units = [unit.pk] if direct else list(subtree_unit_ids(unit))
    people = Person.objects.filter(
        access.people_filter(), organisation=organisation, is_active=True, unit_id__in=units
    )
    if role is not None:
        people = people.filter(role=role)
    person_ids = list(people.values_list("pk", flat=True))
    answers = Answer.objects.filter(person_id__in=person_ids, competence=competence)
    answers = answers.filter(is_latest=True) if point == LATEST else answers.filter(measurement_point=point)
    levels = dict(answers.values_list("person_id", "level"))
    index = RequirementIndex(organisation)
    result = []
    for person in Person.objects.filter(pk__in=sorted(levels)).select_related("unit", "role"):
        requirement = index.for_group(person.unit_id, person.role_id).get(competence.pk)
        if requirement and levels[person.pk] < requirement.required_level:
            result.append(PersonBelow(person, levels[person.pk], requirement.required_level))
    return sorted(result, key=lambda r: (r.person.family_name, r.person.given_name))


@dataclass
class Movement:
    competence: Competence
    both: int
    up: int
    same: int
    down: int
    steps_up: dict[int, int]

    @property
    def share_up(self) -> float:
        return self.up / self.both if self.both else 0.0


def movement(
    access: Access,
    organisation: Organisation,
    *,
    unit: Unit | None,
    first: int,
    second: int,
    role: Role | None = None,
) -> list[Movement]:
    """Between two measurement points: of the people who answered both, how many moved up,
    by how many steps, stayed or moved down — per competence."""
    people = Person.objects.filter(access.people_filter(), organisation=organisation, is_active=True)
    if unit is not None:
        people = people.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    if role is not None:
        people = people.filter(role=role)
    levels: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for person_id, competence_id, point, level in (
        Answer.objects.filter(person__in=people, measurement_point__in=[first, second])
        .values_list("person_id", "competence_id", "measurement_point", "level")
        .iterator(chunk_size=20000)
    ):
        levels[(person_id, competence_id)][point] = level
    stats: dict[int, list[Any]] = {}
    for (_person, competence_id), by_point in levels.items():
        if first in by_point and second in by_point:
            row = stats.setdefault(competence_id, [0, 0, 0, 0, defaultdict(int)])
            diff = by_point[second] - by_point[first]
            row[0] += 1
            if diff > 0:
                row[1] += 1
                row[4][diff] += 1
            elif diff == 0:
                row[2] += 1
            else:
                row[3] += 1
    competences = Competence.objects.in_bulk(list(stats))
    return sorted(
        (
            Movement(competences[c], s[0], s[1], s[2], s[3], dict(sorted(s[4].items())))
            for c, s in stats.items()
        ),
        key=lambda m: (m.competence.framework_id, m.competence.position, m.competence.code),
    )
