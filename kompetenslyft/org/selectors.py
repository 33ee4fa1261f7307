"""Reads on organisations, units and people — always scoped by :mod:`kompetenslyft.core.access`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kompetenslyft.core import disclosure
from kompetenslyft.core.access import Access
from kompetenslyft.core.memo import Memo

from .models import ImportBatch, Organisation, Person, Placement, Role, Unit


def in_subtrees(paths: str | list[str] | tuple[str, ...], field: str = "unit") -> Q:
    """Rows whose ``field`` (a unit foreign key, e.g. "unit" or "person__unit") is one of the
    units at or below ``paths``: through the units' ids, a small subquery on the unit table.
    A join on the unit's path (``unit__path__startswith``) made SQLite scan the whole person
    or answer table (0.14 s at 50,000 people)."""
    if isinstance(paths, str):
        paths = [paths]
    below = Q(pk__in=[])
    for path in paths:
        below |= Q(path__startswith=path)
    units = Unit.objects.filter(below).values("pk")
    if field.endswith("person__unit"):
        # A row of a large table (proposals, bookings) through its person's id: the people
        # from their unit index, then the rows by their person index. Joined on the person,
        # SQLite read every row of the initiative (120 ms at 50,000 people).
        prefix = field.removesuffix("unit")
        return Q(**{f"{prefix[:-2]}__in": Person.objects.filter(unit__in=units).values("pk")})
    return Q(**{f"{field}__in": units})


def subtree_unit_ids(unit: Unit) -> list[int]:
    """The ids of the unit and every unit below it (one query on the unit table), for a filter
    by a list of ids: planned as a subquery joined to a large table, PostgreSQL with stale
    statistics ran the subquery once per row of the other table."""
    return list(
        Unit.objects.filter(organisation_id=unit.organisation_id, path__startswith=unit.path)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def visible_organisations(access: Access) -> QuerySet[Organisation]:
    if access.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=sorted(access.organisation_ids))


def visible_people(access: Access) -> QuerySet[Person]:
    return Person.objects.filter(access.people_filter())


@dataclass(frozen=True)
class PeopleFilter:
    search: str = ""
    organisation_id: int | None = None
    unit_id: int | None = None
    include_below: bool = True
    role_id: int | None = None
    status: str = "active"  # active | inactive | all


def people_list(access: Access, filters: PeopleFilter) -> QuerySet[Person]:
    """People this account may see, filtered; each row carries its unit, role and
    organisation so that a page of any size costs the same number of queries."""
    people = visible_people(access).select_related("unit", "role", "organisation")
    if filters.status == "active":
        people = people.filter(is_active=True)
    elif filters.status == "inactive":
        people = people.filter(is_active=False)
    if filters.organisation_id:
        people = people.filter(organisation_id=filters.organisation_id)
    if filters.unit_id:
        unit = Unit.objects.filter(pk=filters.unit_id).values("path").first()
        if unit is None:
            return people.none()
        if filters.include_below:
            people = people.filter(unit__in=Unit.objects.filter(path__startswith=unit["path"]).values("pk"))
        else:
            people = people.filter(unit_id=filters.unit_id)
    if filters.role_id:
        people = people.filter(role_id=filters.role_id)
    for term in filters.search.split()[:5]:
        people = people.filter(
            Q(given_name__icontains=term)
            | Q(family_name__icontains=term)
            | Q(employee_id__iexact=term)
            | Q(email__icontains=term)
        )
    return people.order_by("family_name", "given_name", "employee_id")


def person_detail(access: Access, person_pk: int) -> Person:
    """One person, if this account may see it; ``Person.DoesNotExist`` otherwise (a 404,
    whether the person exists elsewhere or not)."""
    return visible_people(access).select_related("unit", "role", "organisation", "user").get(pk=person_pk)


def person_placements(person: Person) -> list[Placement]:
    return list(
        Placement.objects.filter(person=person).select_related("unit", "role").order_by("-valid_from", "-id")
    )


def placement_on(person: Person, on: dt.date) -> Placement | None:
    """Where the person worked and as what on a date."""
    return (
        Placement.objects.filter(person=person, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("unit", "role")
        .order_by("-valid_from", "-id")
        .first()
    )


def person_managers(person: Person) -> list[Person]:
    """The managers of the person's unit and of the units above it, nearest first."""
    ids = [int(pk) for pk in person.unit.path.strip("/").split("/") if pk]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("manager")}
    managers = []
    for pk in reversed(ids):
        unit = units.get(pk)
        if unit and unit.manager and unit.manager.is_active and unit.manager.pk != person.pk:
            managers.append(unit.manager)
            break
    return managers


@dataclass(eq=False)
class UnitRow:
    """What the unit tree needs of a unit, read as columns (``unit_tree_raw``)."""

    pk: int
    organisation_id: int
    parent_id: int | None
    path: str
    name: str
    unit_id: str
    organisation: Any = None


@dataclass
class UnitNode:
    unit: Unit | UnitRow
    depth: int
    people: int | None  # None: hidden by the disclosure control
    people_below: int | None
    can_list_people: bool
    folded: int = 0  # units below this one that the folded list does not show
    raw: bool = False  # counts not yet through the disclosure control (``protect_counts``)


UNITS_SHOWN = 150  # the units page shows the top levels that fit in this many rows


def units_folded(
    nodes: list[UnitNode], *, under: int | None = None, limit: int | None = None
) -> tuple[list[UnitNode], list[UnitNode]]:
    """The unit tree (``unit_tree``'s rows, in tree order) folded to fit ``limit`` rows: the
    levels from the top that fit (the first always), a deeper branch as its unit with the count
    of ``folded`` units below. With ``under`` (a unit among the rows) only its branch, and the
    units above it as a trail; 404 for a unit not among them."""
    limit = UNITS_SHOWN if limit is None else limit
    trail: list[UnitNode] = []
    if under is not None:
        top = next((n for n in nodes if n.unit.pk == under), None)
        if top is None:
            raise Http404
        above = set(top.unit.path.strip("/").split("/")[:-1])
        trail = [n for n in nodes if str(n.unit.pk) in above]
        nodes = [n for n in nodes if n.unit.path.startswith(top.unit.path)]
    base = min((n.depth for n in nodes), default=0)
    per_level: dict[int, int] = {}
    for n in nodes:
        per_level[n.depth - base] = per_level.get(n.depth - base, 0) + 1
    depth, shown = 0, per_level.get(0, 0)
    while depth + 1 in per_level and shown + per_level[depth + 1] <= limit:
        depth += 1
        shown += per_level[depth]
    rows: list[UnitNode] = []
    for n in nodes:
        if n.depth - base < depth:
            rows.append(n)
        elif n.depth - base == depth:
            n.folded = 0
            rows.append(n)
        else:  # below the last level shown: counted in its folded ancestor on that level
            rows[-1].folded += 1
    return rows, trail


def head_count_release(organisation_id: int, threshold: int) -> disclosure.Release:
    """The disclosure control's release of an organisation's head counts: active people per
    unit, one table (units × no column) over the whole organisation and its total (the root),
    so that every viewer outside its exact scope sees the same cells hidden (ADR 0007)."""
    # Two narrow queries (the tree; the active people per unit from the person table's unit
    # index): one LEFT JOIN of the units to the people took 17 ms at 50,000 people.
    counts: dict[Any, int] = dict(
        Person.objects.filter(
            is_active=True, unit__in=Unit.objects.filter(organisation_id=organisation_id).values("pk")
        )
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
        .order_by()
    )
    rows = tuple(
        (pk, parent, counts.get(pk, 0))
        for pk, parent in Unit.objects.filter(organisation_id=organisation_id)
        .values_list("pk", "parent_id")
        .order_by("pk")
    )
    # The release is a function of the tree, its counts and k alone: kept per those.
    return _HEAD_COUNTS.get((organisation_id, threshold, rows), lambda: _head_count_release(rows, threshold))


_HEAD_COUNTS = Memo(kept=16)


def _head_count_release(rows: tuple[tuple[int, int | None, int], ...], threshold: int) -> disclosure.Release:
    parents: dict[int, int | None] = {}
    atoms: dict[disclosure.Atom, int] = {}
    for unit, parent, n in rows:  # one query: the tree and its head counts
        parents[unit] = parent
        if n:
            atoms[(unit, disclosure.ALL)] = n
    return disclosure.protect(parents, atoms, threshold, publish_root=True)


def head_count(organisation: Organisation) -> int | None:
    """The organisation's active people, through the same release as the units' head counts
    (the organisation's total is the root of that table: shown with it, it cannot be set
    against the units' figures to reveal a hidden one). None when hidden."""
    release = head_count_release(organisation.pk, organisation.anonymity_threshold)
    total = sum(release.counts.values())
    return total if release.tree(disclosure.ROOT, disclosure.ALL, value=total) else None


def unit_tree(access: Access, organisation_id: int | None = None) -> list[UnitNode]:
    """The units this account may see, in tree order, with head counts (active people
    directly in the unit, and in it and below). The counts are exact where the account sees
    the people (a lead's organisation, a manager's units and those below); elsewhere (top
    management, an external evaluator) they pass the disclosure control and a count that
    could single out fewer than the organisation's anonymity threshold is ``None``."""
    return protect_counts(access, unit_tree_raw(access, organisation_id))


def unit_tree_raw(access: Access, organisation_id: int | None = None) -> list[UnitNode]:
    """``unit_tree`` before the disclosure control: every node holds its exact counts, to be
    passed through :func:`protect_counts` — for the rows a page shows only (a folded tree of
    3,000 units shows 150) — before anything is shown."""
    units = Unit.objects.filter(access.units_filter())
    if organisation_id:
        units = units.filter(organisation_id=organisation_id)
    # The units as five columns (3,000 model objects were 50 ms a page): their organisations
    # from one small query; the units a page shows are read in full, with their managers, by
    # the caller (``with_managers``).
    unit_list = [
        UnitRow(*row)
        for row in units.order_by("organisation__name", "path").values_list(
            "pk", "organisation_id", "parent_id", "path", "name", "unit_id"
        )
    ]
    if not unit_list:
        return []
    organisations = Organisation.objects.in_bulk({u.organisation_id for u in unit_list})
    for unit in unit_list:
        unit.organisation = organisations[unit.organisation_id]
    unit_ids = {u.pk for u in unit_list}
    # Counted over the viewer's units as a subquery (not a list of 3,000 ids), then kept to
    # the units listed.
    counts: dict[int, int] = {
        int(unit): n
        for unit, n in Person.objects.filter(is_active=True, unit__in=units.values("pk"))
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
        .order_by()
        if unit in unit_ids
    }
    below: dict[int, int] = {}
    for unit in unit_list:
        n = counts.get(unit.pk, 0)
        for pk in unit.path.strip("/").split("/"):
            below[int(pk)] = below.get(int(pk), 0) + n
    people_units = set(
        Unit.objects.filter(access.units_with_people_filter())
        .filter(pk__in=units.values("pk"))
        .values_list("pk", flat=True)
    )
    # Sort children by name within each parent (a path is by primary key).
    by_parent: dict[int | None, list[UnitRow]] = {}
    visible = {u.pk for u in unit_list}
    for unit in unit_list:
        parent = unit.parent_id if unit.parent_id in visible else None
        by_parent.setdefault(parent, []).append(unit)
    ordered: list[UnitNode] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in sorted(by_parent.get(parent, []), key=lambda u: (u.organisation.name, u.name)):
            ordered.append(
                UnitNode(
                    unit,
                    depth,
                    counts.get(unit.pk, 0),
                    below.get(unit.pk, 0),
                    unit.pk in people_units,
                    raw=True,
                )
            )
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return ordered


def protect_counts(access: Access, nodes: list[UnitNode]) -> list[UnitNode]:
    """Pass the raw nodes' counts through the disclosure control (in place): exact where the
    account sees the people, else ``None`` where the organisation's release hides them."""
    releases: dict[int, disclosure.Release] = {}
    lead_orgs = access.lead_org_ids  # worked out once: exact() runs twice per unit
    managed_paths = tuple(access.managed_paths)

    def exact(unit: Unit | UnitRow) -> bool:
        return (
            access.is_superuser
            or unit.organisation_id in lead_orgs
            or any(unit.path.startswith(p) for p in managed_paths)
        )

    def shown(unit: Unit | UnitRow, n: int | None, *, tree: bool) -> int | None:
        if n is None or exact(unit):
            return n
        release = releases.get(unit.organisation_id)
        if release is None:
            release = releases[unit.organisation_id] = head_count_release(
                unit.organisation_id, unit.organisation.anonymity_threshold
            )
        check = release.tree if tree else release.direct
        return n if check(unit.pk, disclosure.ALL, value=n) else None

    for node in nodes:
        if node.raw:
            node.people = shown(node.unit, node.people, tree=False)
            node.people_below = shown(node.unit, node.people_below, tree=True)
            node.raw = False
    return nodes


def with_managers(nodes: list[UnitNode]) -> list[UnitNode]:
    """The units of the nodes a page shows, read in full with their managers (one query)."""
    full = Unit.objects.select_related("manager", "organisation").in_bulk([n.unit.pk for n in nodes])
    for node in nodes:
        node.unit = full.get(node.unit.pk, node.unit)
    return nodes


def units_for_filter(access: Access) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(access.units_with_people_filter())
        .select_related("organisation")
        .order_by("organisation__name", "path")
    )


def roles_for_filter(access: Access) -> QuerySet[Role]:
    if access.is_superuser:
        return Role.objects.all()
    org_ids = access.lead_org_ids | set(access.managed_organisation_ids)
    return Role.objects.filter(organisation_id__in=sorted(org_ids)).order_by("name")


def team_units(access: Access) -> QuerySet[Unit]:
    """The units whose people this account may list (a manager's own and those below)."""
    return Unit.objects.filter(access.units_with_people_filter()).order_by("organisation__name", "path")


def units_near(units: QuerySet[Unit], shown: Unit | int | None) -> QuerySet[Unit]:
    """For a unit drop-down over a large tree: the top level of ``units``, the unit ``shown``
    with the units above it, and its children (choosing one leads further down), not thousands."""
    if isinstance(shown, int):
        shown = units.filter(pk=shown).first()
    top_depth = units.values_list("depth", flat=True).order_by("depth").first() or 0
    nearby = Q(depth=top_depth)
    if shown is not None:
        nearby |= Q(pk__in=[int(pk) for pk in shown.path.strip("/").split("/")]) | Q(parent=shown)
    return units.filter(nearby)


def units_near_in(units: list[Unit], shown: Unit | None) -> list[Unit]:
    """``units_near`` over a list already read (each with ``depth``, ``path`` and ``parent_id``)."""
    top = min((u.depth for u in units), default=0)
    above = set(shown.path.strip("/").split("/")) if shown is not None else set()
    return [
        u
        for u in units
        if u.depth == top or str(u.pk) in above or (shown is not None and u.parent_id == shown.pk)
    ]


def team_unit(access: Access, wanted: int | None) -> Unit | None:
    """The unit a team page shows: the one asked for if in scope, else the manager's own unit
    (or, for a lead, the first unit with people)."""
    units = team_units(access)
    unit = units.filter(pk=wanted).first() if wanted is not None else None
    if unit is None and access.managed_paths:
        unit = units.filter(path__in=list(access.managed_paths)).first()
    if unit is None:
        unit = units.filter(people__is_active=True).first()
    return unit


def import_batches_recent(organisations: QuerySet[Organisation], limit: int = 10) -> QuerySet[ImportBatch]:
    """The latest uploads of the organisations a lead imports for (without their files)."""
    return ImportBatch.objects.filter(organisation__in=organisations).defer("content", "summary")[:limit]


def import_batch_for(organisations: QuerySet[Organisation], pk: int) -> ImportBatch | None:
    """One upload of those organisations (None for another organisation's)."""
    return (
        ImportBatch.objects.filter(pk=pk, organisation__in=organisations)
        .select_related("organisation")
        .defer("content")
        .first()
    )


@dataclass
class RowProblems:
    row: int  # 0: the file as a whole
    problems: list[dict[str, str]]


def row_problems(errors: list[dict[str, Any]]) -> list[RowProblems]:
    """An import's errors grouped by row, in row order: each row once, with all its problems."""
    rows: dict[int, RowProblems] = {}
    for error in errors:
        number = int(error.get("row") or 0)
        rows.setdefault(number, RowProblems(number, [])).problems.append(
            {"column": str(error.get("column", "")), "message": str(error.get("message", ""))}
        )
    return [rows[number] for number in sorted(rows)]


def template_examples(organisation: Organisation) -> dict[str, str]:
    """The organisation's first unit id and role (by the tree's order, by name) for the import
    templates' example rows; missing ones are left out (the template keeps its example)."""
    unit = (
        Unit.objects.filter(organisation=organisation)
        .order_by("depth", "path")
        .values_list("unit_id", flat=True)
        .first()
    )
    role = (
        Role.objects.filter(organisation=organisation).order_by("name").values_list("name", flat=True).first()
    )
    return {k: v for k, v in (("unit_id", unit), ("role", role)) if v}
