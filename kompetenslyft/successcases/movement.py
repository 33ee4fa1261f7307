"""The two new columns of the success-case candidates (ADR 0011, issue 10):

* **Gap movement** — per participation (a person × one of the initiative's modules, attended
  or completed within the initiative's period): the mean change of the person's self-assessed
  level, over the competences the module teaches, from the baseline measurement point (the
  organisation's first) to the follow-up point (its last). The participations are *atoms*
  named module → unit tree → role (the order of ADR 0005), and
  :func:`kompetenslyft.core.disclosure.pool_paths` releases them in fixed blocks of k or more
  participations, once, for every viewer. A unit's, role's or module's figure is shown only
  when its atoms are an exact union of whole blocks, so no difference of shown figures (a unit
  minus its child, a role minus none) singles out fewer than k participations.
* **Indicator movement** — per unit (its subtree): each linked indicator's mean value over the
  six months after the unit's training minus the six months before, relative to before, with
  the sign turned so that positive is better. Values are figures of units, shown exactly (ADR
  0010); a unit counts as trained only from its k-th participant (``min_people`` = k for every
  viewer), so an untrained unit, or one with fewer than k participants, has no figure.

Both are memoised per process, keyed by what they are made of."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

from django.db.models import Max

from kompetenslyft.assessment.models import Answer, GapState
from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.indicators import figures as indicator_figures
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.learning.reports import COUNTED
from kompetenslyft.org.models import Unit

DIRECT = "·"
CHUNK = 2000
_memo = Memo(kept=32)


@dataclass
class Atom:
    module: int
    units: tuple[int, ...]  # the unit's ancestry, top first
    role: int
    people: int  # participations with a movement measured
    total: float  # sum of their mean movements (levels)
    block: int = -1


@dataclass
class Movement:
    atoms: list[Atom]
    blocks: disclosure.Blocks
    points: tuple[int, int] | None  # (baseline, follow-up)

    def __post_init__(self) -> None:
        # Indexes so that a page's few hundred rows do not each scan every atom.
        self._by_unit: dict[int, list[Atom]] = defaultdict(list)
        self._by_role: dict[int, list[Atom]] = defaultdict(list)
        for a in self.atoms:
            for u in a.units:
                self._by_unit[u].append(a)
            self._by_role[a.role].append(a)

    def select(
        self, *, modules: frozenset[int] | None = None, unit: int | None = None, role: int | None = None
    ) -> list[Atom]:
        pool = (
            self._by_unit.get(unit, [])
            if unit is not None
            else self._by_role.get(role, [])
            if role is not None
            else self.atoms
        )
        return [
            a
            for a in pool
            if (modules is None or a.module in modules)
            and (unit is None or unit in a.units)
            and (role is None or a.role == role)
        ]

    def figure(
        self, *, modules: frozenset[int] | None = None, unit: int | None = None, role: int | None = None
    ) -> tuple[int | None, float | None]:
        """(participations, mean movement in levels) of the group, or (None, None) when its
        atoms are not an exact union of whole blocks of k or more (or it has none)."""
        atoms = self.select(modules=modules, unit=unit, role=role)
        if not atoms or not self.shown(atoms):
            return None, None
        people = sum(a.people for a in atoms)
        return people, sum(a.total for a in atoms) / people

    def shown(self, atoms: list[Atom]) -> bool:
        touched: dict[int, int] = defaultdict(int)
        for a in atoms:
            touched[a.block] += 1
        b = self.blocks
        return all(
            block >= 0 and n == b.atoms_in[block] and b.size[block] >= b.threshold
            for block, n in touched.items()
        )


def _points(initiative: Initiative) -> tuple[tuple[int, int] | None, object]:
    state = GapState.objects.filter(organisation_id=initiative.organisation_id).values_list(
        "points", "version"
    )
    found = state.first()
    if not found:
        return None, None
    points = sorted(int(p) for p in (found[0] or []) if int(p) >= 0)
    if len(points) < 2:
        return None, found[1]
    return (points[0], points[-1]), found[1]


def _participations(initiative: Initiative, modules: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(person, module) → (unit, role) of its latest counted attendance within the period."""
    rows = Attendance.objects.filter(
        module_id__in=modules, status__in=COUNTED, person__organisation_id=initiative.organisation_id
    )
    if initiative.starts_on:
        rows = rows.filter(date__gte=initiative.starts_on)
    if initiative.ends_on:
        rows = rows.filter(date__lte=initiative.ends_on)
    latest: dict[tuple[int, int], tuple[dt.date, int, int]] = {}
    for person, module, unit, role, day in rows.values_list(
        "person_id", "module_id", "unit_id", "role_id", "date"
    ).iterator(chunk_size=20000):
        key = (person, module)
        seen = latest.get(key)
        if seen is None or day > seen[0]:
            latest[key] = (day, unit, role or 0)
    return {key: (unit, role) for key, (_day, unit, role) in latest.items()}


def movement_for(initiative: Initiative) -> Movement:
    organisation = initiative.organisation
    modules = sorted(initiative.modules.values_list("pk", flat=True))
    points, version = _points(initiative)
    marker = Attendance.objects.aggregate(m=Max("pk"))["m"]
    key = (
        "movement",
        initiative.pk,
        initiative.starts_on,
        initiative.ends_on,
        tuple(modules),
        points,
        version,
        marker,
        organisation.anonymity_threshold,
    )
    return _memo.get(key, lambda: _movement(initiative, modules, points))


def _movement(initiative: Initiative, modules: list[int], points: tuple[int, int] | None) -> Movement:
    k = initiative.organisation.anonymity_threshold
    if points is None or not modules:
        return Movement([], disclosure.pool_paths({}, k), points)
    taught: dict[int, set[int]] = defaultdict(set)
    for module_id, competence_id in Module.competences.through.objects.filter(
        module_id__in=modules
    ).values_list("module_id", "competence_id"):
        taught[module_id].add(competence_id)
    participations = _participations(initiative, modules)
    people = sorted({p for p, _m in participations})
    competences = sorted({c for cs in taught.values() for c in cs})
    levels: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for start in range(0, len(people), CHUNK):
        for person, competence, point, level in Answer.objects.filter(
            person_id__in=people[start : start + CHUNK],
            competence_id__in=competences,
            measurement_point__in=points,
        ).values_list("person_id", "competence_id", "measurement_point", "level"):
            levels[(person, competence)][point] = level
    ancestry = {
        pk: tuple(int(part) for part in path.strip("/").split("/") if part)
        for pk, path in Unit.objects.filter(organisation_id=initiative.organisation_id).values_list(
            "pk", "path"
        )
    }
    merged: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0, 0.0])
    first, last = points
    for (person, module), (unit, role) in participations.items():
        diffs = [
            by_point[last] - by_point[first]
            for c in taught.get(module, ())
            if (by_point := levels.get((person, c))) and first in by_point and last in by_point
        ]
        if not diffs:
            continue
        cell = merged[(module, unit, role)]
        cell[0] += 1
        cell[1] += sum(diffs) / len(diffs)
    atoms = [
        Atom(module, ancestry.get(unit, (unit,)), role, int(n), total)
        for (module, unit, role), (n, total) in merged.items()
    ]
    # Each module is released on its own: a person takes part in a module once, so every block
    # holds k or more distinct people. Pooled across modules, one person's three participations
    # made a "block of 3" (the attacker's one-person unit with three modules).
    by_module: dict[int, dict[tuple[Hashable, ...], int]] = defaultdict(dict)
    for a in atoms:
        by_module[a.module][(a.module, *a.units, DIRECT, a.role)] = a.people
    blocks = disclosure.Blocks(k, {}, [], [])
    for module_paths in by_module.values():
        part = disclosure.pool_paths(module_paths, k)
        offset = len(blocks.size)
        blocks.block_of.update({path: block + offset for path, block in part.block_of.items()})
        blocks.atoms_in.extend(part.atoms_in)
        blocks.size.extend(part.size)
    for a in atoms:
        a.block = blocks.block_of.get((a.module, *a.units, DIRECT, a.role), -1)
    return Movement(atoms, blocks, points)


# --- indicators -------------------------------------------------------------------------------


def indicators_of(initiative: Initiative) -> list[Indicator]:
    return list(initiative.indicators.filter(archived_at__isnull=True).order_by("name"))


def indicator_movement(initiative: Initiative, unit_ids: list[int]) -> dict[int, float]:
    """unit → the mean relative change (positive is better) of the initiative's indicators in
    the unit's subtree, six months after its training against six months before; units
    without a training (from k people) or without values on both sides are left out."""
    indicators = indicators_of(initiative)
    if not indicators or not unit_ids:
        return {}
    k = initiative.organisation.anonymity_threshold
    trained_key, trained = indicator_figures.training(initiative, min_people=k)
    key = (
        "indicators",
        tuple((i.pk, i.values_version, i.better) for i in indicators),
        trained_key,
        tuple(unit_ids),
    )
    return _memo.get(key, lambda: _indicator_movement(indicators, trained, unit_ids))


def _indicator_movement(
    indicators: list[Indicator], trained: dict[int, tuple[dt.date, dt.date]], unit_ids: list[int]
) -> dict[int, float]:
    wanted = [u for u in unit_ids if u in trained]
    if not wanted:
        return {}
    around = indicator_figures.AROUND
    windows = {
        u: (
            indicator_figures.add_months(trained[u][0], -around),
            trained[u][0],
            trained[u][1],
            indicator_figures.add_months(trained[u][1], around),
        )
        for u in wanted
    }
    low = min(w[0] for w in windows.values())
    high = max(w[3] for w in windows.values())
    # indicator → unit → [before total, before count, after total, after count]
    sums: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0, 0.0, 0])
    rows = IndicatorValue.objects.filter(
        indicator__in=indicators, month__gte=low, month__lte=high
    ).values_list("indicator_id", "unit__path", "month", "value")
    chosen = set(wanted)
    for indicator_id, path, month, value in rows.iterator(chunk_size=20000):
        for part in path.strip("/").split("/"):
            unit = int(part)
            if unit not in chosen:
                continue
            start, first, last, end = windows[unit]
            cell = sums[(indicator_id, unit)]
            if start <= month < first:
                cell[0] += float(value)
                cell[1] += 1
            elif last < month <= end:
                cell[2] += float(value)
                cell[3] += 1
    lower = {i.pk for i in indicators if i.better == Indicator.Better.LOWER}
    changes: dict[int, list[float]] = defaultdict(list)
    for (indicator_id, unit), (bt, bn, at, an) in sums.items():
        if not bn or not an:
            continue
        before, after = bt / bn, at / an
        if before == 0:
            continue
        change = (after - before) / abs(before)
        changes[unit].append(-change if indicator_id in lower else change)
    return {u: sum(c) / len(c) for u, c in changes.items()}


def forget() -> None:
    _memo.clear()
