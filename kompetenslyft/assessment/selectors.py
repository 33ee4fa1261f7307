"""Reads of self-assessment and gaps, scoped by core.access."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kompetenslyft.competence.models import Competence
from kompetenslyft.competence.selectors import person_requirements
from kompetenslyft.core import disclosure
from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Organisation, Person, Role, Unit

from .models import LATEST, Answer, Campaign, GapCell, GapState, Participant

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
    it, in the same transaction), so a page computes it once per change; a stale entry is
    never used."""
    version = GapState.objects.filter(organisation=organisation).values_list("version", flat=True).first()
    key = (organisation.pk, point, version, organisation.anonymity_threshold)
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


def measurement_points(organisation: Organisation) -> list[int]:
    """The measurement points with answers (kept in GapState by the summary's writers)."""
    state = GapState.objects.filter(organisation=organisation).values_list("points", flat=True).first()
    return list(state or [])


@dataclass
class ReportRow:
    unit_id: str
    competence_code: str
    required: int
    assessed: int
    below: int

    @property
    def share_below(self) -> float:
        return self.below / self.assessed if self.assessed else 0.0


def gap_report(
    *,
    organisations: list[Organisation],
    point: int | None = None,
    unit: Unit | None = None,
    role_names: list[str] | None = None,
) -> list[ReportRow]:
    """`report gap`: one row per unit (people directly in it) and competence with at least one
    requirement (formats.md), from the summary — one aggregate over it, read as plain tuples
    (the report has a row per unit and competence: 180,000 for a large organisation)."""
    from django.db import connection

    table = GapCell._meta.db_table
    measured = LATEST if point is None else point
    rows: list[ReportRow] = []
    for organisation in organisations:
        where = ["g.organisation_id = %s", "g.point IN (%s, %s)"]
        # The three CASE values come first in the statement, then the WHERE's.
        params: list[Any] = [LATEST, measured, measured, organisation.pk, LATEST, measured]
        if unit is not None:
            where.append(f"g.unit_id IN (SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s)")  # noqa: S608
            params.append(unit.path + "%")
        if role_names is not None:
            role_ids = list(
                Role.objects.filter(organisation=organisation, name__in=role_names).values_list(
                    "pk", flat=True
                )
            ) or [0]
            where.append(f"g.role_id IN ({', '.join(['%s'] * len(role_ids))})")
            params.extend(role_ids)
        # Table names come from the models and values travel as parameters.
        sql = (
            "SELECT g.unit_id, g.competence_id, "  # noqa: S608
            "SUM(CASE WHEN g.point = %s THEN g.direct_required ELSE 0 END), "
            "SUM(CASE WHEN g.point = %s THEN g.direct_assessed ELSE 0 END), "
            "SUM(CASE WHEN g.point = %s THEN g.direct_below ELSE 0 END) "
            f"FROM {table} g WHERE {' AND '.join(where)} GROUP BY g.unit_id, g.competence_id"
        )
        unit_ids = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "unit_id"))
        codes = dict(Competence.objects.values_list("pk", "code"))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for unit_pk, competence_pk, required, assessed, below in cursor.fetchall():
                if required:
                    rows.append(
                        ReportRow(
                            unit_ids[unit_pk], codes[competence_pk], int(required), int(assessed), int(below)
                        )
                    )
    rows.sort(key=lambda r: (r.unit_id, r.competence_code))
    return rows


@dataclass
class AnonymisedRow:
    unit_id: str
    competence_code: str
    scope: str  # "unit" (people directly in it) or "subtree"
    required: int
    assessed: int | None
    below: int | None


def gap_report_anonymised(
    organisation: Organisation,
    *,
    point: int | None = None,
    unit: Unit | None = None,
    role: Role | None = None,
) -> list[AnonymisedRow]:
    """`report gap --anonymised` (formats.md): a row of each scope per unit and competence,
    every figure through the disclosure control, as an aggregates-only viewer sees them."""
    measured = LATEST if point is None else point
    units = Unit.objects.filter(organisation=organisation)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    unit_codes = dict(units.values_list("pk", "unit_id"))
    cells = GapCell.objects.filter(organisation=organisation, unit_id__in=units.values("pk"))
    if role is not None:
        cells = cells.filter(role=role)
    required = {
        (r["unit_id"], r["competence_id"]): (r["d"] or 0, r["t"] or 0)
        for r in cells.filter(point=LATEST)
        .values("unit_id", "competence_id")
        .annotate(d=Sum("direct_required"), t=Sum("tree_required"))
        .order_by()
    }
    measured_counts = {
        (r["unit_id"], r["competence_id"]): (r["da"] or 0, r["db"] or 0, r["ta"] or 0, r["tb"] or 0)
        for r in cells.filter(point=measured)
        .values("unit_id", "competence_id")
        .annotate(
            da=Sum("direct_assessed"), db=Sum("direct_below"), ta=Sum("tree_assessed"), tb=Sum("tree_below")
        )
        .order_by()
    }
    competence_ids = {c for (_u, c), (_d, t) in required.items() if t}
    codes = dict(Competence.objects.filter(pk__in=competence_ids).values_list("pk", "code"))
    releases = gap_releases(organisation, point=measured, competence_ids=competence_ids)
    column = role.pk if role is not None else disclosure.ALL
    rows: list[AnonymisedRow] = []
    for (unit_pk, competence_pk), (direct_required, tree_required) in required.items():
        if not tree_required:
            continue
        da, db, ta, tb = measured_counts.get((unit_pk, competence_pk), (0, 0, 0, 0))
        release = releases[competence_pk]
        for scope, req, assessed, below, shown in (
            ("unit", direct_required, da, db, release.direct(unit_pk, column, value=da)),
            ("subtree", tree_required, ta, tb, release.tree(unit_pk, column, value=ta)),
        ):
            rows.append(
                AnonymisedRow(
                    unit_codes[unit_pk],
                    codes[competence_pk],
                    scope,
                    req,
                    assessed if shown else None,
                    below if shown else None,
                )
            )
    rows.sort(key=lambda r: (r.unit_id, r.competence_code, r.scope != "unit"))
    return rows


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

    people = Person.objects.filter(access.people_filter(), organisation=organisation, is_active=True)
    people = (
        people.filter(unit=unit)
        if direct
        else people.filter(unit__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))
    )
    if role is not None:
        people = people.filter(role=role)
    answers = Answer.objects.filter(person__in=people, competence=competence).select_related(
        "person", "person__unit", "person__role"
    )
    answers = answers.filter(is_latest=True) if point == LATEST else answers.filter(measurement_point=point)
    index = RequirementIndex(organisation)
    result = []
    for answer in answers:
        requirement = index.for_group(answer.person.unit_id, answer.person.role_id).get(competence.pk)
        if requirement and answer.level < requirement.required_level:
            result.append(PersonBelow(answer.person, answer.level, requirement.required_level))
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


def team_people(access: Access, unit: Unit) -> QuerySet[Person]:
    """The people (in scope) of a unit and the units below it, in name order."""
    return (
        Person.objects.filter(access.people_filter(), unit__path__startswith=unit.path, is_active=True)
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
