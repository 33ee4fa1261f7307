"""The gap summary: counts per (unit, role, competence, measurement point), for the people
directly in the unit and for the unit with everything below it.

Two ways to the same rows, and tests hold them equal:

* :func:`refresh_group` — after answers of one (unit, role) group change: recompute that
  group's direct counts (a few dozen people), and move the difference up the tree. Runs as a
  background task, serialised per organisation.
* :func:`rebuild` — from scratch, after imports and requirement changes: in chunks of units,
  each in its own short transaction, so that the product keeps answering and writing.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from kompetenslyft.competence.selectors import RequirementIndex
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Person, Unit

from .models import LATEST, Answer, GapCell, GapState

Key = tuple[int, int, int, int]  # unit, role, competence, point
Counts = list[int]  # required, assessed, below


Periods = dict[int, list[dt.date]]  # measurement point → [first day, last day] of its answers


def ancestors(path: str) -> list[int]:
    return [int(pk) for pk in path.strip("/").split("/") if pk]


def widen(periods: Periods, point: int, first: dt.date, last: dt.date) -> None:
    """Widen ``point``'s period to hold the days ``first`` to ``last``."""
    found = periods.get(point)
    if found is None:
        periods[point] = [first, last]
    else:
        found[0], found[1] = min(found[0], first), max(found[1], last)


def _stored_periods(state: GapState) -> Periods:
    return {
        int(point): [dt.date.fromisoformat(first), dt.date.fromisoformat(last)]
        for point, (first, last) in (state.periods or {}).items()
    }


def _periods_json(periods: Periods) -> dict[str, list[str]]:
    return {
        str(point): [first.isoformat(), last.isoformat()] for point, (first, last) in sorted(periods.items())
    }


def _group_counts(
    unit_id: int, role_id: int, index: RequirementIndex, periods: Periods | None = None
) -> dict[tuple[int, int], Counts]:
    """The group's direct counts per (competence, point); ``periods`` is widened to the days of
    the answers counted."""
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
        "competence_id", "measurement_point", "level", "is_latest", "measured_at"
    )
    for competence_id, point, level, is_latest, measured_at in answers:
        if periods is not None:
            day = timezone.localdate(measured_at)
            widen(periods, point, day, day)
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
    seen: Periods = {}
    new = _group_counts(unit_id, role_id, RequirementIndex(organisation), seen)
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
    changed = []
    if not new_points <= set(state.points):
        state.points = sorted(set(state.points) | new_points)
        changed.append("points")
    # The points' periods only widen here (an answer removed narrows one at the next rebuild).
    periods = _stored_periods(state)
    for point, (first, last) in seen.items():
        widen(periods, point, first, last)
    if _periods_json(periods) != (state.periods or {}):
        state.periods = _periods_json(periods)
        changed.append("periods")
    if changed:
        state.save(update_fields=changed)
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


def _direct(
    organisation: Organisation,
    index: RequirementIndex,
    unit_ids: list[int] | None = None,
    periods: Periods | None = None,
) -> dict[Key, Counts]:
    """Direct counts [required, assessed, below] of every (unit, role) group of the given units
    (all the organisation's units when None), from the people and their answers; ``periods`` is
    widened to the days of the answers counted."""
    people = Person.objects.filter(organisation=organisation, is_active=True)
    answers = Answer.objects.filter(person__organisation=organisation, person__is_active=True)
    if unit_ids is not None:
        people = people.filter(unit_id__in=unit_ids)
        answers = answers.filter(person__unit_id__in=unit_ids)
    cells: dict[Key, Counts] = {}
    sizes: dict[tuple[int, int], int] = {}
    for unit_id, role_id, size in (
        people.values_list("unit_id", "role_id").annotate(size=Count("pk")).order_by()
    ):
        sizes[(unit_id, role_id)] = size
        for competence_id in index.for_group(unit_id, role_id):
            cells[(unit_id, role_id, competence_id, LATEST)] = [size, 0, 0]
    # One aggregate over the answers: per group, competence, point and latest-flag, the number
    # of answers and how many are under each possible required level.
    below_at = {f"under{level}": Count("pk", filter=Q(level__lt=level)) for level in (1, 2, 3, 4)}
    aggregated = (
        answers.values(
            "person__unit_id", "person__role_id", "competence_id", "measurement_point", "is_latest"
        )
        .annotate(n=Count("pk"), first=Min("measured_at"), last=Max("measured_at"), **below_at)
        .order_by()
    )
    for row in aggregated.iterator(chunk_size=20000):
        unit_id, role_id, competence_id = row["person__unit_id"], row["person__role_id"], row["competence_id"]
        requirement = index.for_group(unit_id, role_id).get(competence_id)
        if requirement is None:
            continue
        if periods is not None:
            first, last = timezone.localdate(row["first"]), timezone.localdate(row["last"])
            widen(periods, row["measurement_point"], first, last)
        level = requirement.required_level
        below = row[f"under{level}"] if level else 0
        size = sizes[(unit_id, role_id)]
        points = (row["measurement_point"], LATEST) if row["is_latest"] else (row["measurement_point"],)
        for point in points:
            cell = cells.setdefault((unit_id, role_id, competence_id, point), [size, 0, 0])
            cell[1] += row["n"]
            cell[2] += below
    return cells


def compute(organisation: Organisation) -> dict[Key, list[int]]:
    """Every cell of the organisation from scratch, in memory: [direct required, assessed,
    below, tree …]. The reference that tests hold the stored summary to; :func:`rebuild` writes
    the same rows without holding them all."""
    index = RequirementIndex(organisation)
    paths = index.paths
    cells = _direct(organisation, index)
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


# --- The rebuild: in bounded chunks, each its own short transaction ----------------------------
#
# Phase 1 recomputes the direct counts of a block of units (in path order, about CHUNK_PEOPLE
# people). The aggregate over their answers runs before the chunk's transaction (a plain read,
# which on SQLite waits for no writer and makes none wait); inside it, under the organisation's
# lock (the one refresh_group takes), units whose stored counts already equal it are left
# alone, and the others are recomputed from the answers as they are now and written. Phase 2
# recomputes the tree counts bottom-up, one depth level at a time, in blocks of about
# CHUNK_TREE_CELLS cells: a unit's tree counts are its direct counts plus its children's tree
# counts, summed in the database inside the chunk's transaction.
#
# Why answers saved meanwhile are counted exactly once: refresh_group runs after each saved
# answer, under the same lock, and moves the stored counts by (counts from the answers now −
# counts stored). A refresh before a unit's chunk leaves stored counts that the chunk either
# keeps (equal) or recomputes from the answers then; a refresh after it starts from what the
# chunk wrote. Tree counts written by phase 2 equal the sum of the direct counts at that moment,
# and every later refresh keeps that true. Memory is bounded by the chunk, not the
# organisation. On SQLite (one writer) the rebuild pauses between chunks, so that log-ins and
# answers waiting for the write lock get it.

CHUNK_PEOPLE = 100
CHUNK_TREE_CELLS = 10_000
SQLITE_PAUSE = (0.05, 0.15)  # seconds: at least, at most (half the chunk's own time between)
ID_BATCH = 500
DIRECT = ("direct_required", "direct_assessed", "direct_below")
TREE = ("tree_required", "tree_assessed", "tree_below")
COLUMNS = ("organisation_id", "unit_id", "role_id", "competence_id", "point", *DIRECT, *TREE)
ZERO = (0, 0, 0)


@dataclass
class RebuildStats:
    chunks: int = 0
    written: int = 0
    recomputed_units: int = 0
    longest_chunk: float = 0.0  # seconds the write lock was held by one chunk
    longest_chunk_cpu: float = 0.0  # of which this process's CPU time (the rest: waiting for the machine)
    cells: int = 0
    points: set[int] = field(default_factory=set)
    periods: Periods = field(default_factory=dict)


def _blocks(items: list[tuple[int, int]], limit: int) -> Iterator[list[int]]:
    """(id, weight) in order → lists of ids whose weights add up to about ``limit``."""
    block: list[int] = []
    weight = 0
    for pk, w in items:
        block.append(pk)
        weight += w
        if weight >= limit:
            yield block
            block, weight = [], 0
    if block:
        yield block


def _execute_many(sql: str, rows: list[tuple[int, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _update_sql(columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    return f"UPDATE {quote(GapCell._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608


def _delete(ids: list[int]) -> None:
    for start in range(0, len(ids), ID_BATCH):
        GapCell.objects.filter(pk__in=ids[start : start + ID_BATCH])._raw_delete(GapCell.objects.db)


def _chunk(organisation: Organisation, stats: RebuildStats, work: Callable[[], int]) -> None:
    """Run one chunk in its own transaction under the organisation's lock; on SQLite, then
    leave the write lock free for a while."""
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()
        locked, cpu = time.perf_counter(), time.process_time()  # until the commit, writers wait
        stats.written += work()
        summary_changed(organisation.pk)  # in the chunk's transaction: cached releases go stale
    seconds = time.perf_counter() - locked
    stats.chunks += 1
    if seconds > stats.longest_chunk:
        stats.longest_chunk, stats.longest_chunk_cpu = seconds, time.process_time() - cpu
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        low, high = SQLITE_PAUSE
        time.sleep(min(high, max(low, seconds / 2)))


def _write_direct(
    organisation: Organisation, unit_ids: list[int], computed: dict[Key, Counts], stats: RebuildStats
) -> int:
    """Inside the chunk's transaction: bring the stored direct counts of these units to the
    answers' (see the comment above on why this is safe beside refresh_group)."""
    stored = {
        (unit, role, competence, point): (pk, (required, assessed, below))
        for pk, unit, role, competence, point, required, assessed, below in GapCell.objects.filter(
            unit_id__in=unit_ids
        ).values_list("pk", "unit_id", "role_id", "competence_id", "point", *DIRECT)
    }
    differing = {key[0] for key, counts in computed.items() if tuple(counts) != stored.get(key, (0, ZERO))[1]}
    differing |= {key[0] for key, (_pk, counts) in stored.items() if counts != ZERO and key not in computed}
    if not differing:
        return 0
    stats.recomputed_units += len(differing)
    new = _direct(organisation, RequirementIndex(organisation), sorted(differing))
    stats.points.update(key[3] for key in new if key[3] != LATEST)
    updates: list[tuple[int, ...]] = []
    inserts: list[tuple[int, ...]] = []
    for key, counts in new.items():
        current = stored.pop(key, None)
        if current is None:
            inserts.append((organisation.pk, *key, *counts, *ZERO))
        elif current[1] != tuple(counts):
            updates.append((*counts, current[0]))
    updates.extend(
        (*ZERO, pk) for key, (pk, counts) in stored.items() if key[0] in differing and counts != ZERO
    )
    _execute_many(_update_sql(DIRECT), updates)
    bulk_insert(GapCell._meta.db_table, COLUMNS, inserts)
    return len(updates) + len(inserts)


def _rebuild_direct(organisation: Organisation, unit_ids: list[int], stats: RebuildStats) -> None:
    computed = _direct(
        organisation, RequirementIndex(organisation), unit_ids, stats.periods
    )  # before the lock
    stats.points.update(key[3] for key in computed if key[3] != LATEST)
    _chunk(organisation, stats, lambda: _write_direct(organisation, unit_ids, computed, stats))


def _rebuild_tree(organisation: Organisation, unit_ids: list[int]) -> int:
    """Tree counts of these units (all of one depth, whose children are done)."""
    sums: dict[Key, list[int]] = {}
    below = (
        GapCell.objects.filter(unit__parent_id__in=unit_ids)
        .values_list("unit__parent_id", "role_id", "competence_id", "point")
        .annotate(Sum("tree_required"), Sum("tree_assessed"), Sum("tree_below"))
        .order_by()
    )
    for parent, role, competence, point, required, assessed, below_count in below:
        if required or assessed or below_count:
            sums[(parent, role, competence, point)] = [required, assessed, below_count]
    updates: list[tuple[int, ...]] = []
    deletes: list[int] = []
    for row in GapCell.objects.filter(unit_id__in=unit_ids).values_list(
        "pk", "unit_id", "role_id", "competence_id", "point", *DIRECT, *TREE
    ):
        pk, key, direct, tree = row[0], row[1:5], row[5:8], row[8:11]
        children = sums.pop(key, [0, 0, 0])  # type: ignore[call-overload]
        wanted = [d + c for d, c in zip(direct, children, strict=True)]
        if not (wanted[0] or wanted[1] or direct[0]):
            deletes.append(pk)
        elif list(tree) != wanted:
            updates.append((*wanted, pk))
    inserts = [(organisation.pk, *key, *ZERO, *counts) for key, counts in sums.items()]
    _execute_many(_update_sql(TREE), updates)
    _delete(deletes)
    bulk_insert(GapCell._meta.db_table, COLUMNS, inserts)
    return len(updates) + len(deletes) + len(inserts)


def rebuild(organisation: Organisation, *, stats: RebuildStats | None = None) -> int:
    """Bring the organisation's gap summary in line with a full recomputation, chunk by chunk,
    while the product goes on answering and writing; returns the number of cells."""
    stats = stats if stats is not None else RebuildStats()
    units = list(
        Unit.objects.filter(organisation=organisation)
        .order_by("path")
        .values_list("pk", "parent_id", "depth")
    )
    people = dict(
        Person.objects.filter(organisation=organisation, is_active=True)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for block in _blocks([(pk, 1 + people.get(pk, 0)) for pk, _parent, _depth in units], CHUNK_PEOPLE):
        _rebuild_direct(organisation, block, stats)
    # Phase 2 reads each unit's cells and its children's: weigh the blocks by those (as
    # stored now; refreshes meanwhile change them by little).
    cells = dict(
        GapCell.objects.filter(organisation=organisation)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    below: dict[int, int] = defaultdict(int)
    for pk, parent, _depth in units:
        if parent is not None:
            below[parent] += cells.get(pk, 0)
    for depth in sorted({d for _pk, _parent, d in units}, reverse=True):
        level = [(pk, 1 + cells.get(pk, 0) + below[pk]) for pk, _parent, d in units if d == depth]
        for block in _blocks(level, CHUNK_TREE_CELLS):
            _chunk(organisation, stats, functools.partial(_rebuild_tree, organisation, block))
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()
        state, _created = GapState.objects.get_or_create(organisation=organisation)
        # Points that refreshes added meanwhile stay if they still have cells.
        kept = {
            p
            for p in state.points
            if p not in stats.points and GapCell.objects.filter(organisation=organisation, point=p).exists()
        }
        state.points = sorted(stats.points | kept)
        stored_periods = _stored_periods(state)
        periods = {p: stats.periods[p] for p in stats.points if p in stats.periods}
        periods.update({p: stored_periods[p] for p in kept if p in stored_periods})
        state.periods = _periods_json(periods)
        state.rebuilt_at, state.stale = timezone.now(), False
        state.save(update_fields=["points", "periods", "rebuilt_at", "stale"])
    analyse(GapCell)
    stats.cells = GapCell.objects.filter(organisation=organisation).count()
    return stats.cells


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
