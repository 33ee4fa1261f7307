"""The application rate (share of recorded talks with "yes" or "partly", of those recorded
and not "not applicable") per module, unit and role, under the disclosure control.

The recorded talks of one organisation are read once per change into *atoms* named by their
path module → unit tree → gender → role → month held, each with the talks counted and those
applying it, and who they are of. A person has several talks (30 and 90 days, several modules),
so the release is over PEOPLE: one atom per person (where its latest talk places it, and the
modules and months of its talks), cut by :func:`kompetenslyft.core.disclosure.pool_paths` into
fixed blocks of k or more distinct people. A figure is the sum over the talk atoms a filter and
a row select; for a viewer who is not exact it is shown only when it holds every talk of each
person it touches and those people are whole blocks — so every shown figure is the talks of
whole blocks of k or more people, whatever the filter, and no difference of rows, units,
filters or totals singles out fewer than k people. The lead (exact) gets the sums as they
are."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.db.models.functions import TruncMonth

from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.org.models import Organisation, Unit

from .models import APPLYING_COUNTED, Applying, FollowUp

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
    people: Counter[int] = field(default_factory=Counter)  # person → its talks here


@dataclass
class Figures:
    atoms: list[Atom]
    blocks: disclosure.Blocks  # over people (``person_atom``), not talks
    threshold: int
    person_atom: dict[int, tuple[Hashable, ...]] = field(default_factory=dict)
    people_in: dict[tuple[Hashable, ...], int] = field(default_factory=dict)
    talks_of: dict[int, int] = field(default_factory=dict)


def counted() -> Q:
    """Recorded talks that count in the rate (not "not applicable")."""
    return Q(held_on__isnull=False) & ~Q(applying=Applying.NOT_APPLICABLE)


def marker(organisation: Organisation) -> tuple[object, ...]:
    """Changes whenever a talk is made, recorded or changed (``updated_at``, one index read)."""
    last = FollowUp.objects.filter(organisation=organisation).aggregate(last=Max("updated_at"))["last"]
    return (organisation.pk, organisation.anonymity_threshold, last)


def figures_for(organisation: Organisation) -> Figures:
    """The atoms and their release, kept per process until a talk is recorded or changed."""
    return _memo.get(("followup", *marker(organisation)), lambda: _figures(organisation))


def _figures(organisation: Organisation) -> Figures:
    ancestry = {
        pk: tuple(int(part) for part in path.strip("/").split("/") if part)
        for pk, path in Unit.objects.filter(organisation=organisation).values_list("pk", "path")
    }
    rows = (
        FollowUp.objects.filter(counted(), organisation=organisation)
        .annotate(month=TruncMonth("held_on"))
        .values_list("person_id", "module_id", "unit_id", "gender", "role_id", "month", "applying")
        .order_by("held_on", "pk")
    )
    merged: dict[tuple[int, int, str, int, dt.date], Atom] = {}
    placed: dict[int, tuple[int, str, int]] = {}  # person → its latest talk's unit, gender, role
    signature: dict[int, tuple[set[int], set[dt.date]]] = defaultdict(lambda: (set(), set()))
    talks_of: Counter[int] = Counter()
    for person, module, unit, gender, role, month, applying in rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        gender = gender if gender in ("woman", "man") else "other"
        key = (module, unit, gender, role or 0, day)
        atom = merged.get(key)
        if atom is None:
            units = ancestry.get(unit, (unit,))
            path = (module, *units, DIRECT, gender, role or 0, day)
            atom = merged[key] = Atom(path, module, units, gender, role or 0, day, 0, 0)
        atom.talks += 1
        atom.applying += 1 if applying in APPLYING_COUNTED else 0
        atom.people[person] += 1
        placed[person] = (unit, gender, role or 0)
        signature[person][0].add(module)
        signature[person][1].add(day)
        talks_of[person] += 1
    # The release is over PEOPLE: one atom per person, named by where it is (its latest talk)
    # and which modules and months its talks are in, so a block holds k or more distinct people.
    person_atom: dict[int, tuple[Hashable, ...]] = {}
    people_in: Counter[tuple[Hashable, ...]] = Counter()
    for person, (unit, gender, role) in placed.items():
        modules, months = signature[person]
        where: tuple[Hashable, ...] = (
            *ancestry.get(unit, (unit,)),
            DIRECT,
            gender,
            role,
            tuple(sorted(modules)),
            tuple(sorted(months)),
        )
        person_atom[person] = where
        people_in[where] += 1
    k = organisation.anonymity_threshold
    blocks = disclosure.pool_paths(dict(people_in), k)
    return Figures(list(merged.values()), blocks, k, person_atom, dict(people_in), dict(talks_of))


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
        if not exact and not _shown(figures, self.atoms):
            return Cell(None, None)
        return Cell(sum(a.talks for a in self.atoms), sum(a.applying for a in self.atoms))


def _shown(figures: Figures, atoms: list[Atom]) -> bool:
    """A group of talks is shown only when it holds EVERY counted talk of each person it
    touches (so its figures are those people's, whatever the filter), those people fill their
    person atoms, and the atoms are whole blocks of k or more people."""
    talks: Counter[int] = Counter()
    for a in atoms:
        talks.update(a.people)
    if len(talks) < figures.threshold:
        return False
    touched: Counter[tuple[Hashable, ...]] = Counter()
    for person, n in talks.items():
        if n != figures.talks_of.get(person):
            return False  # part of someone's talks: this minus a wider group would tell the rest
        touched[figures.person_atom[person]] += 1
    if any(n != figures.people_in[key] for key, n in touched.items()):
        return False
    return figures.blocks.shown(touched)


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
