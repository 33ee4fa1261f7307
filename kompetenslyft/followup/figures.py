"""The application rate (share of recorded talks with "yes" or "partly", of those recorded
and not "not applicable") per module, unit and role, under the disclosure control.

The rate is *published* per closed calendar month and frozen (ADR 0019): the daily run
(``services.publish_rate_months``) takes the counted talks held in each month that has ended,
each where the talk placed the person (unit, gender and role of the day it fell due), and makes
*atoms* named module → unit tree → gender → role with the people, talks and those applying it.
A person counts once per month and module (at its first talk of the module that month, with all
its talks of it), so per month and module :func:`kompetenslyft.core.disclosure.pool_paths` cuts
the atoms into fixed blocks of k or more distinct people; they are stored
(:class:`~.models.RateAtom`) and the pages read only them. Nothing of the month under way shows,
one new talk moves nothing until its month closes, and a later move of the person or of the unit
tree rewrites nothing published.

A figure sums, per month and module, the atoms a filter and a row select; for a viewer who is
not exact only the parts that are unions of whole blocks count (a part that is not is left out;
a figure with no such part is hidden), so every shown figure, and every sum or difference of
shown figures (rows, units, filters, totals, months), is made of whole blocks of k or more
people. The lead (exact) gets the published sums as they are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q

from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.org.models import Organisation, Unit

from .models import APPLYING_COUNTED, Applying, FollowUp, RateAtom, RateMonth

DIRECT = "·"
_memo = Memo(kept=16)


@dataclass
class Atom:
    path: tuple[Hashable, ...]
    module: int
    units: tuple[int, ...]  # the unit's ancestry, top first, the unit last
    gender: str
    role: int
    month: dt.date
    talks: int
    applying: int
    people: int = 0  # distinct people (each once per month and module)
    block: int = -1  # in the month's release of the module


@dataclass
class Figures:
    atoms: list[Atom]
    threshold: int
    # (month, module, block) → [atoms in it, people in it]
    blocks: dict[tuple[dt.date, int, int], list[int]] = field(default_factory=dict)
    months: list[dt.date] = field(default_factory=list)  # published, oldest first
    marker: tuple[object, ...] = ()  # what was published when these were read


def counted() -> Q:
    """Recorded talks that count in the rate (not "not applicable")."""
    return Q(held_on__isnull=False) & ~Q(applying=Applying.NOT_APPLICABLE)


def marker(organisation: Organisation) -> tuple[object, ...]:
    """Changes whenever a month is published (or withdrawn)."""
    runs = RateMonth.objects.filter(organisation=organisation).aggregate(
        last=Max("pk"), at=Max("published_at"), n=Count("pk")
    )
    return (organisation.pk, organisation.anonymity_threshold, runs["last"], runs["at"], runs["n"])


def figures_for(organisation: Organisation) -> Figures:
    """The published atoms and their releases, kept per process until a month is published."""
    found = marker(organisation)
    return _memo.get(("followup", *found), lambda: _figures(organisation, found))


def _units(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def _figures(organisation: Organisation, found: tuple[object, ...] = ()) -> Figures:
    atoms = []
    blocks: dict[tuple[dt.date, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for month, module, path, gender, role, people, talks, applying, block in RateAtom.objects.filter(
        run__organisation=organisation
    ).values_list(
        "run__month", "module_id", "path", "gender", "role_ref", "people", "talks", "applying", "block"
    ):
        units = _units(path)
        atoms.append(
            Atom(
                (module, *units, DIRECT, gender, role, month),
                module,
                units,
                gender,
                role,
                month,
                talks,
                applying,
                people,
                block,
            )
        )
        entry = blocks[(month, module, block)]
        entry[0] += 1
        entry[1] += people
    months = sorted(RateMonth.objects.filter(organisation=organisation).values_list("month", flat=True))
    return Figures(atoms, max(1, organisation.anonymity_threshold), dict(blocks), months, found)


def month_atoms(organisation: Organisation, month: dt.date, following: dt.date) -> list[RateAtom]:
    """The release of the talks held from ``month`` up to (not including) ``following``, unsaved:
    per module, each person once (where its first talk of the module that month placed it, with
    all its talks of the module that month), cut into blocks of the threshold or more people."""
    k = max(1, organisation.anonymity_threshold)
    paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))
    rows = (
        FollowUp.objects.filter(
            counted(), organisation=organisation, held_on__gte=month, held_on__lt=following
        )
        .values_list("person_id", "module_id", "unit_id", "gender", "role_id", "applying")
        .order_by("held_on", "pk")
    )
    placed: dict[tuple[int, int], tuple[int, str, int]] = {}  # (person, module) → unit, gender, role
    # (module, unit, gender, role) → [people, talks, applying]
    cells: dict[tuple[int, int, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for person, module, unit, gender, role, applying in rows:
        where = placed.get((person, module))
        if where is None:
            where = placed[(person, module)] = (
                unit,
                gender if gender in ("woman", "man") else "other",
                role or 0,
            )
            cells[(module, *where)][0] += 1
        cell = cells[(module, *where)]
        cell[1] += 1
        cell[2] += 1 if applying in APPLYING_COUNTED else 0
    by_module: dict[int, dict[tuple[Hashable, ...], int]] = defaultdict(dict)
    for (module, unit, gender, role), (people, _t, _a) in cells.items():
        path = paths.get(unit) or f"/{unit}/"
        by_module[module][(module, *_units(path), DIRECT, gender, role)] = people
    releases = {module: disclosure.pool_paths(atoms, k) for module, atoms in by_module.items()}
    found = []
    for (module, unit, gender, role), (people, talks, applied) in cells.items():
        path = paths.get(unit) or f"/{unit}/"
        found.append(
            RateAtom(
                module_id=module,
                unit_ref=unit,
                path=path,
                gender=gender,
                role_ref=role,
                people=people,
                talks=talks,
                applying=applied,
                block=releases[module].block_of.get((module, *_units(path), DIRECT, gender, role), -1),
            )
        )
    return found


@dataclass
class Cell:
    """Talks counted and those applying it; ``None`` both when hidden."""

    talks: int | None
    applying: int | None

    @property
    def rate(self) -> float | None:
        if self.talks is None or self.applying is None or not self.talks:
            return None
        return self.applying / self.talks


_cells = Memo(kept=256)


def cells_by(
    figures: Figures,
    atoms: list[Atom] | Callable[[], list[Atom]],
    key: Callable[[Atom], int | tuple[int, ...] | None],
    *,
    exact: bool,
    memo_key: Hashable = None,
) -> tuple[Cell, dict[int, Cell]]:
    """The cell of all ``atoms`` and of each group ``key`` puts them in (a tuple: in each of
    those groups; atoms it gives ``None`` count in the total only), in one pass: the same figures as
    the per-group sums over the parts (a month and module) made only of whole blocks of k or more
    people (the oracle in tests/test_cells.py). With ``memo_key`` (what chose
    the atoms and the key) kept per publication: published figures never change, so a filter
    is summed once per process and month. ``atoms`` may be a function that selects them (then
    called only when the memo misses)."""
    if memo_key is None:
        return _cells_by(figures, atoms() if callable(atoms) else atoms, key, exact=exact)
    return _cells.get(
        (figures.marker, memo_key, exact),
        lambda: _cells_by(figures, atoms() if callable(atoms) else atoms, key, exact=exact),
    )


def _cells_by(
    figures: Figures, atoms: list[Atom], key: Callable[[Atom], int | tuple[int, ...] | None], *, exact: bool
) -> tuple[Cell, dict[int, Cell]]:
    # (group, month, module) → [talks, applying, {block: atoms of it}]; group None: the total
    parts: dict[tuple[int | None, dt.date, int], Any] = {}
    for a in atoms:
        g = key(a)
        for group in (None, g) if isinstance(g, int) else (None, *(g or ())):
            part = parts.get((group, a.month, a.module))
            if part is None:
                part = parts[(group, a.month, a.module)] = [0, 0, defaultdict(int)]
            part[0] += a.talks
            part[1] += a.applying
            part[2][a.block] += 1
    sums: dict[int | None, list[int]] = {}
    for (group, month, module), (talks, applying, touched) in parts.items():
        if not exact and not all(
            block >= 0
            and (found := figures.blocks.get((month, module, block))) is not None
            and found[0] == n
            and found[1] >= figures.threshold
            for block, n in touched.items()
        ):
            continue
        total = sums.setdefault(group, [0, 0])
        total[0] += talks
        total[1] += applying
    groups = {g for g, _m, _mod in parts if g is not None}
    cells = {g: Cell(*sums[g]) if g in sums else Cell(None, None) for g in groups}
    whole = Cell(*sums[None]) if None in sums else Cell(None, None)
    return whole, cells


def select(
    figures: Figures,
    *,
    modules: frozenset[int] | None = None,
    unit: int | None = None,
    role: int | None = None,
    gender: str | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
) -> list[Atom]:
    """The atoms a filter selects (``unit``: that unit and every unit below it)."""
    if all(v is None for v in (modules, unit, role, gender, month_from, month_to)):
        return figures.atoms
    chosen = []
    for a in figures.atoms:
        if modules is not None and a.module not in modules:
            continue
        if unit is not None and unit not in a.units:
            continue
        if role is not None and a.role != role:
            continue
        if gender is not None and a.gender != gender:
            continue
        if month_from is not None and a.month < month_from:
            continue
        if month_to is not None and a.month > month_to:
            continue
        chosen.append(a)
    return chosen
