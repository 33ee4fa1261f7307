"""The gap summary: counts per (unit, role, competence, measurement point), for the people
directly in the unit and for the unit with everything below it.

Two ways to the same rows, and tests hold them equal:

* :func:`refresh_group` — after answers of one (unit, role) group change: recompute that
  group's direct counts (a few dozen people), and move the difference up the tree. Runs as a
  background task, serialised per organisation.
* :func:`rebuild` — from scratch, after imports and requirement changes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from kompetenslyft.competence.selectors import RequirementIndex
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.org.models import Organisation, Person, Unit

from .models import LATEST, Answer, GapCell, GapState

Key = tuple[int, int, int, int]  # unit, role, competence, point
Counts = list[int]  # required, assessed, below


def ancestors(path: str) -> list[int]:
    return [int(pk) for pk in path.strip("/").split("/") if pk]


def _group_counts(unit_id: int, role_id: int, index: RequirementIndex) -> dict[tuple[int, int], Counts]:
    resolved = index.for_group(unit_id, role_id)
    if not resolved:
        return {}
    people = list(
        Person.objects.filter(unit_id=unit_id, role_id=role_id, is_active=True).values_list("pk", flat=True)
    )
    if not people:
        return {}
    size = len(people)
    counts: dict[tuple[int, int], Counts] = {(c, LATEST): [size, 0, 0] for c in resolved}
    answers = Answer.objects.filter(person_id__in=people, competence_id__in=list(resolved)).values_list(
        "competence_id", "measurement_point", "level", "is_latest"
    )
    for competence_id, point, level, is_latest in answers:
        below = 1 if level < resolved[competence_id].required_level else 0
        for key in (
            ((competence_id, point), (competence_id, LATEST)) if is_latest else ((competence_id, point),)
        ):
            row = counts.setdefault(key, [size, 0, 0])
            row[1] += 1
            row[2] += below
    return counts


@transaction.atomic
def refresh_group(*, organisation_id: int, unit_id: int, role_id: int) -> None:
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    unit = Unit.objects.filter(pk=unit_id, organisation=organisation).first()
    if unit is None:
        return
    new = _group_counts(unit_id, role_id, RequirementIndex(organisation))
    old = {
        (c.competence_id, c.point): [c.direct_required, c.direct_assessed, c.direct_below]
        for c in GapCell.objects.filter(unit_id=unit_id, role_id=role_id)
    }
    deltas = {}
    for key in set(new) | set(old):
        n, o = new.get(key, [0, 0, 0]), old.get(key, [0, 0, 0])
        if n != o:
            deltas[key] = [a - b for a, b in zip(n, o, strict=True)]
    if not deltas:
        return
    new_points = {point for _c, point in deltas if point != LATEST}
    summary_changed(organisation.pk)
    state, _created = GapState.objects.get_or_create(organisation=organisation)
    if not new_points <= set(state.points):
        state.points = sorted(set(state.points) | new_points)
        state.save(update_fields=["points"])
    chain = ancestors(unit.path)
    rows = {
        (c.unit_id, c.competence_id, c.point): c
        for c in GapCell.objects.filter(
            unit_id__in=chain, role_id=role_id, competence_id__in={k[0] for k in deltas}
        )
    }
    dirty: dict[int, GapCell] = {}
    created: list[GapCell] = []
    for (competence_id, point), delta in deltas.items():
        for pk in chain:
            cell = rows.get((pk, competence_id, point))
            if cell is None:
                cell = GapCell(
                    organisation=organisation,
                    unit_id=pk,
                    role_id=role_id,
                    competence_id=competence_id,
                    point=point,
                )
                rows[(pk, competence_id, point)] = cell
                created.append(cell)
            cell.tree_required += delta[0]
            cell.tree_assessed += delta[1]
            cell.tree_below += delta[2]
            if pk == unit_id:
                cell.direct_required, cell.direct_assessed, cell.direct_below = new.get(
                    (competence_id, point), [0, 0, 0]
                )
            if cell.pk:
                dirty[cell.pk] = cell
    empty = [c.pk for c in dirty.values() if not (c.tree_required or c.tree_assessed or c.direct_required)]
    GapCell.objects.filter(pk__in=empty).delete()
    GapCell.objects.bulk_update(
        [c for c in dirty.values() if c.pk not in set(empty)],
        [
            "direct_required",
            "direct_assessed",
            "direct_below",
            "tree_required",
            "tree_assessed",
            "tree_below",
        ],
        batch_size=1000,
    )
    GapCell.objects.bulk_create(
        [c for c in created if c.tree_required or c.tree_assessed or c.direct_required], batch_size=1000
    )


def compute(organisation: Organisation) -> dict[Key, list[int]]:
    """Every cell of the organisation from scratch: [direct required, assessed, below, tree …]."""
    index = RequirementIndex(organisation)
    paths = index.paths
    groups = (
        Person.objects.filter(organisation=organisation, is_active=True)
        .values("unit_id", "role_id")
        .annotate(size=Count("pk"))
    )
    cells: dict[Key, list[int]] = {}
    sizes: dict[tuple[int, int], int] = {}
    for group in groups:
        unit_id, role_id, size = group["unit_id"], group["role_id"], group["size"]
        sizes[(unit_id, role_id)] = size
        for competence_id in index.for_group(unit_id, role_id):
            cells[(unit_id, role_id, competence_id, LATEST)] = [size, 0, 0, 0, 0, 0]
    # One aggregate over the answers: per group, competence, point and latest-flag, the number
    # of answers and how many are under each possible required level.
    below_at = {f"under{level}": Count("pk", filter=Q(level__lt=level)) for level in (1, 2, 3, 4)}
    aggregated = (
        Answer.objects.filter(person__organisation=organisation, person__is_active=True)
        .values("person__unit_id", "person__role_id", "competence_id", "measurement_point", "is_latest")
        .annotate(n=Count("pk"), **below_at)
        .order_by()
    )
    for row in aggregated.iterator(chunk_size=20000):
        unit_id, role_id, competence_id = row["person__unit_id"], row["person__role_id"], row["competence_id"]
        requirement = index.for_group(unit_id, role_id).get(competence_id)
        if requirement is None:
            continue
        level = requirement.required_level
        below = row[f"under{level}"] if level else 0
        size = sizes[(unit_id, role_id)]
        points = (row["measurement_point"], LATEST) if row["is_latest"] else (row["measurement_point"],)
        for point in points:
            cell = cells.setdefault((unit_id, role_id, competence_id, point), [size, 0, 0, 0, 0, 0])
            cell[1] += row["n"]
            cell[2] += below
    tree: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for (unit_id, role_id, competence_id, point), cell in cells.items():
        for pk in ancestors(paths[unit_id]):
            target = tree[(pk, role_id, competence_id, point)]
            target[3] += cell[0]
            target[4] += cell[1]
            target[5] += cell[2]
    for key, cell in cells.items():
        tree[key][0:3] = cell[0:3]
    return dict(tree)


def rebuild(organisation: Organisation) -> int:
    """Replace the organisation's gap summary by a full recomputation; returns the row count."""
    cells = compute(organisation)
    columns = (
        "organisation_id",
        "unit_id",
        "role_id",
        "competence_id",
        "point",
        "direct_required",
        "direct_assessed",
        "direct_below",
        "tree_required",
        "tree_assessed",
        "tree_below",
    )
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        GapCell.objects.filter(organisation=organisation)._raw_delete(GapCell.objects.db)
        bulk_insert(
            GapCell._meta.db_table,
            columns,
            ((organisation.pk, *key, *values) for key, values in cells.items()),
        )
        points = sorted({key[3] for key in cells if key[3] != LATEST})
        GapState.objects.update_or_create(
            organisation=organisation,
            defaults={"rebuilt_at": timezone.now(), "stale": False, "points": points},
        )
        summary_changed(organisation.pk)
    return len(cells)


def stored(organisation: Organisation) -> dict[Key, list[int]]:
    """The summary as stored, in the shape of :func:`compute` (for checks and tests)."""
    return {
        (c["unit_id"], c["role_id"], c["competence_id"], c["point"]): [
            c["direct_required"],
            c["direct_assessed"],
            c["direct_below"],
            c["tree_required"],
            c["tree_assessed"],
            c["tree_below"],
        ]
        for c in GapCell.objects.filter(organisation=organisation).values()
    }


def mark_stale(organisation: Any) -> None:
    GapState.objects.update_or_create(organisation=organisation, defaults={"stale": True})


def totals(organisation: Organisation) -> dict[str, int]:
    return GapCell.objects.filter(organisation=organisation, point=LATEST).aggregate(
        required=Sum("direct_required"), assessed=Sum("direct_assessed"), below=Sum("direct_below")
    )


def summary_changed(organisation_id: int) -> None:
    """Every write to an organisation's summary raises its version, in the same transaction:
    readers that cache what they derive from it (the disclosure control's release) key on it."""
    updated = GapState.objects.filter(organisation_id=organisation_id).update(version=F("version") + 1)
    if not updated:
        GapState.objects.get_or_create(organisation_id=organisation_id, defaults={"version": 1})
