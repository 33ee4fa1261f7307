"""The two new columns of the success-case candidates (ADR 0011, issue 10):

* **Gap movement** — per participation (a person × one of the initiative's modules, attended
  or completed within the initiative's period): the mean change of the person's self-assessed
  level, over the competences the module teaches, from the baseline measurement point (the
  organisation's first) to the follow-up point (its last). It is *published* per closed month
  and frozen (ADR 0019): the daily run counts each participation in the month it became
  measured (the later of its first counted attendance and its answers), where its first counted
  attendance placed it (unit, role), as *atoms* named module → unit tree → role, released per
  month and module by :func:`kompetenslyft.core.disclosure.pool_paths` in fixed blocks of k or
  more participations and stored. A unit's, role's or module's figure sums the parts (month,
  module) that are exact unions of whole blocks, so no difference of shown figures (a unit
  minus its child, a role minus none, a read before and after one more answer) singles out
  fewer than k participations.
* **Indicator movement** — per unit (its subtree): each linked indicator's mean value over the
  six months after the unit's training minus the six months before, relative to before, with
  the sign turned so that positive is better. Values are figures of units, shown exactly (ADR
  0010); a unit counts as trained only from its k-th participant (``min_people`` = k for every
  viewer), so an untrained unit, or one with fewer than k participants, has no figure, and its
  training ends at the k-th last attendance (latest first), so the after-window
  ``(end, end + 6]`` is not moved by fewer than k people attending later
  (:func:`kompetenslyft.indicators.figures.training`).

Both are memoised per process, keyed by what they are made of."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from kompetenslyft.assessment.models import Answer, GapState
from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.core.published import closed_months, month_start, previous_month
from kompetenslyft.indicators import figures as indicator_figures
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.learning.reports import COUNTED
from kompetenslyft.org.models import Unit

from .models import MovementAtom, MovementMonth

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
    month: dt.date | None = None  # the month published in


@dataclass
class Movement:
    atoms: list[Atom]
    blocks: disclosure.Blocks
    points: tuple[int, int] | None  # (baseline, follow-up)
    # (month, module, block) → [atoms in it, participations in it], of the published months
    parts: dict[tuple[dt.date | None, int, int], list[int]] = field(default_factory=dict)
    months: list[dt.date] = field(default_factory=list)

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
        """(participations, mean movement in levels) of the group's parts (one per month and
        module) that are exact unions of whole blocks of k or more; (None, None) when none is."""
        atoms = self.shown(self.select(modules=modules, unit=unit, role=role))
        if not atoms:
            return None, None
        people = sum(a.people for a in atoms)
        return people, sum(a.total for a in atoms) / people

    def shown(self, atoms: list[Atom]) -> list[Atom]:
        """The atoms of the parts (month, module) that are unions of whole blocks of k or more."""
        by_part: dict[tuple[dt.date | None, int], list[Atom]] = defaultdict(list)
        for a in atoms:
            by_part[(a.month, a.module)].append(a)
        chosen: list[Atom] = []
        for (month, module), part in by_part.items():
            touched: dict[int, int] = defaultdict(int)
            for a in part:
                touched[a.block] += 1
            if all(
                block >= 0
                and (found := self.parts.get((month, module, block))) is not None
                and found[0] == n
                and found[1] >= self.blocks.threshold
                for block, n in touched.items()
            ):
                chosen.extend(part)
        return chosen


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


def signature(initiative: Initiative, modules: list[int], points: tuple[int, int] | None) -> str:
    """What a series of published months is of: the initiative's modules and period and the
    two measurement points. Any change of them starts a new series."""
    text = json.dumps(
        [sorted(modules), str(initiative.starts_on), str(initiative.ends_on), list(points or ())]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _participations(
    initiative: Initiative, modules: list[int]
) -> dict[tuple[int, int], tuple[int, int, dt.date]]:
    """(person, module) → (unit, role, date) of its FIRST counted attendance within the period:
    a later attendance (in another unit) moves nothing already counted."""
    rows = Attendance.objects.filter(
        module_id__in=modules, status__in=COUNTED, person__organisation_id=initiative.organisation_id
    )
    if initiative.starts_on:
        rows = rows.filter(date__gte=initiative.starts_on)
    if initiative.ends_on:
        rows = rows.filter(date__lte=initiative.ends_on)
    first: dict[tuple[int, int], tuple[dt.date, int, int]] = {}
    for person, module, unit, role, day in rows.values_list(
        "person_id", "module_id", "unit_id", "role_id", "date"
    ).iterator(chunk_size=20000):
        key = (person, module)
        seen = first.get(key)
        if seen is None or day < seen[0]:
            first[key] = (day, unit, role or 0)
    return {key: (unit, role, day) for key, (day, unit, role) in first.items()}


def month_cells(
    initiative: Initiative, modules: list[int], points: tuple[int, int]
) -> dict[dt.date, dict[tuple[int, int, int], list[float]]]:
    """month → (module, unit, role) → [participations, Σ mean movement]: each participation in
    the month it became measured (the later of its first counted attendance and its answers at
    the two points), where its first counted attendance placed it."""
    taught: dict[int, set[int]] = defaultdict(set)
    for module_id, competence_id in Module.competences.through.objects.filter(
        module_id__in=modules
    ).values_list("module_id", "competence_id"):
        taught[module_id].add(competence_id)
    participations = _participations(initiative, modules)
    people = sorted({p for p, _m in participations})
    competences = sorted({c for cs in taught.values() for c in cs})
    levels: dict[tuple[int, int], dict[int, tuple[int, dt.date]]] = defaultdict(dict)
    for start in range(0, len(people), CHUNK):
        for person, competence, point, level, at in Answer.objects.filter(
            person_id__in=people[start : start + CHUNK],
            competence_id__in=competences,
            measurement_point__in=points,
        ).values_list("person_id", "competence_id", "measurement_point", "level", "measured_at"):
            levels[(person, competence)][point] = (level, timezone.localdate(at))
    cells: dict[dt.date, dict[tuple[int, int, int], list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0.0])
    )
    first, last = points
    for (person, module), (unit, role, day) in participations.items():
        diffs, latest = [], day
        for c in taught.get(module, ()):
            by_point = levels.get((person, c))
            if by_point and first in by_point and last in by_point:
                diffs.append(by_point[last][0] - by_point[first][0])
                latest = max(latest, by_point[first][1], by_point[last][1])
        if not diffs:
            continue
        cell = cells[month_start(latest)][(module, unit, role)]
        cell[0] += 1
        cell[1] += sum(diffs) / len(diffs)
    return cells


def release(
    cells: dict[tuple[int, int, int], list[float]], ancestry: dict[int, tuple[int, ...]], k: int
) -> list[Atom]:
    """One month's atoms with their blocks: each module is released on its own (a person takes
    part in a module once, so every block holds k or more distinct people; pooled across
    modules, one person's three participations made a "block of 3")."""
    atoms = [
        Atom(module, ancestry.get(unit, (unit,)), role, int(n), total)
        for (module, unit, role), (n, total) in cells.items()
    ]
    by_module: dict[int, dict[tuple[Hashable, ...], int]] = defaultdict(dict)
    for a in atoms:
        by_module[a.module][(a.module, *a.units, DIRECT, a.role)] = a.people
    for module_paths in by_module.values():
        part = disclosure.pool_paths(module_paths, k)
        for a in atoms:
            if (a.module, *a.units, DIRECT, a.role) in part.block_of:
                a.block = part.block_of[(a.module, *a.units, DIRECT, a.role)]
    return atoms


def publish_movement_months(*, today: dt.date | None = None) -> int:
    """Publish the gap movement of every closed month not yet published, for each initiative
    with modules in an organisation with two measurement points (ADR 0019). Returns the number
    of months published."""
    today = today or timezone.localdate()
    published = 0
    for initiative in Initiative.objects.select_related("organisation").order_by("pk"):
        modules = sorted(initiative.modules.values_list("pk", flat=True))
        points, _version = _points(initiative)
        if not modules or points is None:
            continue
        sig = signature(initiative, modules, points)
        done = set(
            MovementMonth.objects.filter(initiative=initiative, signature=sig).values_list("month", flat=True)
        )
        if previous_month(today) in done:
            continue  # every closed month is out; the earlier ones never change
        by_month = month_cells(initiative, modules, points)
        if not by_month:
            continue
        months = [m for m in closed_months(min(by_month), today) if m not in done]
        published += _publish_movement(initiative.pk, sig, months, by_month)
    return published


@transaction.atomic
def _publish_movement(
    initiative_id: int,
    sig: str,
    months: list[dt.date],
    by_month: dict[dt.date, dict[tuple[int, int, int], list[float]]],
) -> int:
    initiative = Initiative.objects.select_for_update().select_related("organisation").get(pk=initiative_id)
    k = max(1, initiative.organisation.anonymity_threshold)
    paths = dict(Unit.objects.filter(organisation_id=initiative.organisation_id).values_list("pk", "path"))
    ancestry = {pk: tuple(int(p) for p in path.strip("/").split("/") if p) for pk, path in paths.items()}
    published = 0
    for month in months:
        if MovementMonth.objects.filter(initiative=initiative, signature=sig, month=month).exists():
            continue
        run = MovementMonth.objects.create(
            initiative=initiative, signature=sig, month=month, threshold=k, published_at=timezone.now()
        )
        cells = by_month.get(month, {})
        unit_of = {(m, u, r): u for (m, u, r) in cells}
        rows = []
        for atom, key in zip(release(cells, ancestry, k), cells, strict=True):
            rows.append(
                MovementAtom(
                    run=run,
                    module_id=atom.module,
                    unit_ref=unit_of[key],
                    path=paths.get(unit_of[key]) or f"/{unit_of[key]}/",
                    role_ref=atom.role,
                    people=atom.people,
                    total=atom.total,
                    block=atom.block,
                )
            )
        MovementAtom.objects.bulk_create(rows, batch_size=2000)
        published += 1
    return published


def movement_for(initiative: Initiative) -> Movement:
    """The initiative's published months of the current series (see :func:`signature`)."""
    organisation = initiative.organisation
    modules = sorted(initiative.modules.values_list("pk", flat=True))
    points, _version = _points(initiative)
    sig = signature(initiative, modules, points)
    runs = MovementMonth.objects.filter(initiative=initiative, signature=sig).aggregate(
        last=Max("pk"), at=Max("published_at"), n=Count("pk")
    )
    key = (
        "movement",
        initiative.pk,
        sig,
        runs["last"],
        runs["at"],
        runs["n"],
        organisation.anonymity_threshold,
    )
    return _memo.get(key, lambda: _movement(initiative, sig, points))


def _movement(initiative: Initiative, sig: str, points: tuple[int, int] | None) -> Movement:
    k = max(1, initiative.organisation.anonymity_threshold)
    atoms: list[Atom] = []
    parts: dict[tuple[dt.date | None, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for month, module, path, role, people, total, block in MovementAtom.objects.filter(
        run__initiative=initiative, run__signature=sig
    ).values_list("run__month", "module_id", "path", "role_ref", "people", "total", "block"):
        units = tuple(int(p) for p in path.strip("/").split("/") if p)
        atoms.append(Atom(module, units, role, people, total, block, month))
        entry = parts[(month, module, block)]
        entry[0] += 1
        entry[1] += people
    months = sorted(
        MovementMonth.objects.filter(initiative=initiative, signature=sig).values_list("month", flat=True)
    )
    return Movement(atoms, disclosure.Blocks(k, {}, [], []), points, dict(parts), months)


# --- indicators -------------------------------------------------------------------------------


def indicators_of(initiative: Initiative) -> list[Indicator]:
    return list(initiative.indicators.filter(archived_at__isnull=True).order_by("name"))


@dataclass(frozen=True)
class IndicatorChange:
    """One linked indicator in one unit's subtree: its mean value over the six months before the
    unit's training and over the six months after."""

    indicator: int
    name: str
    measure: str  # Indicator.Measure
    better: str  # Indicator.Better
    before: float
    after: float

    @property
    def difference(self) -> float:
        """After minus before, in the indicator's own unit (percentage points for a share)."""
        return self.after - self.before

    @property
    def improvement(self) -> float:
        """The difference with its sign turned so that positive is better."""
        return -self.difference if self.better == Indicator.Better.LOWER else self.difference

    @property
    def relative(self) -> float | None:
        """The improvement relative to the value before (None when that was 0)."""
        return self.improvement / abs(self.before) if self.before else None


@dataclass(frozen=True)
class IndicatorEffect:
    """A unit's indicator change: the mean relative change of its indicators, positive is better
    (what the candidates are ranked by), and each indicator's change in its own unit."""

    relative: float
    changes: tuple[IndicatorChange, ...]


def indicator_movement(initiative: Initiative, unit_ids: list[int]) -> dict[int, IndicatorEffect]:
    """unit → its :class:`IndicatorEffect` from the initiative's indicators in the unit's
    subtree, six months after its training against six months before; units without a training
    (from k people) or without values on both sides (or only values of 0 before) are left out."""
    indicators = indicators_of(initiative)
    if not indicators or not unit_ids:
        return {}
    k = initiative.organisation.anonymity_threshold
    trained_key, trained = indicator_figures.training(initiative, min_people=k)
    key = (
        "indicators",
        tuple((i.pk, i.values_version, i.better, i.measure, i.name) for i in indicators),
        trained_key,
        tuple(unit_ids),
    )
    return _memo.get(key, lambda: _indicator_movement(indicators, trained, unit_ids))


def _indicator_movement(
    indicators: list[Indicator], trained: dict[int, tuple[dt.date, dt.date]], unit_ids: list[int]
) -> dict[int, IndicatorEffect]:
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
    by_pk = {i.pk: i for i in indicators}
    changes: dict[int, list[IndicatorChange]] = defaultdict(list)
    for (indicator_id, unit), (bt, bn, at, an) in sums.items():
        if not bn or not an:
            continue
        indicator = by_pk[indicator_id]
        changes[unit].append(
            IndicatorChange(
                indicator_id, indicator.name, indicator.measure, indicator.better, bt / bn, at / an
            )
        )
    effects = {}
    for unit, found in changes.items():
        relative = [c.relative for c in found if c.relative is not None]
        if relative:
            ordered = tuple(sorted(found, key=lambda c: (c.name, c.indicator)))
            effects[unit] = IndicatorEffect(sum(relative) / len(relative), ordered)
    return effects


def forget() -> None:
    _memo.clear()
