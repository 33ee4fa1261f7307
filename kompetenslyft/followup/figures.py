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
    return _memo.get(("followup", *marker(organisation)), lambda: _figures(organisation))


def _units(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def _figures(organisation: Organisation) -> Figures:
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
    return Figures(atoms, max(1, organisation.anonymity_threshold), dict(blocks), months)


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


@dataclass
class Group:
    atoms: list[Atom] = field(default_factory=list)

    def cell(self, figures: Figures, *, exact: bool) -> Cell:
        atoms = self.atoms if exact else _shown(figures, self.atoms)
        if not atoms:
            return Cell(None, None)
        return Cell(sum(a.talks for a in atoms), sum(a.applying for a in atoms))


def _shown(figures: Figures, atoms: list[Atom]) -> list[Atom]:
    """The atoms of the parts (one per month and module) that are unions of whole blocks of
    k or more people; the other parts are left out."""
    parts: dict[tuple[dt.date, int], list[Atom]] = defaultdict(list)
    for a in atoms:
        parts[(a.month, a.module)].append(a)
    chosen: list[Atom] = []
    for (month, module), part in parts.items():
        touched: dict[int, int] = defaultdict(int)
        for a in part:
            touched[a.block] += 1
        if all(
            block >= 0
            and (found := figures.blocks.get((month, module, block))) is not None
            and found[0] == n
            and found[1] >= figures.threshold
            for block, n in touched.items()
        ):
            chosen.extend(part)
    return chosen


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


def group_by(atoms: list[Atom], key: Callable[[Atom], int | None]) -> dict[int, Group]:
    groups: dict[int, Group] = defaultdict(Group)
    for a in atoms:
        k = key(a)
        if k is not None:
            groups[k].atoms.append(a)
    return groups
