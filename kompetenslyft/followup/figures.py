"""The application rate (share of recorded talks with "yes" or "partly", of those recorded
and not "not applicable") per module, unit and role, under the disclosure control.

The recorded talks of one organisation are read once per change into *atoms* named by their
path module → unit tree → gender → role → month held (the order of ADR 0005), each with the
talks counted and those applying it. :func:`kompetenslyft.core.disclosure.pool_paths` makes a
release of fixed blocks of k or more talks over them. A figure is the sum over the atoms a
filter and a row select; for a viewer who is not exact it is shown only when those atoms are an
exact union of whole blocks, so no difference of rows, units, filters or totals singles out
fewer than k talks. The lead (exact) gets the sums as they are."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
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
    block: int = -1  # its block in the release


@dataclass
class Figures:
    atoms: list[Atom]
    blocks: disclosure.Blocks
    threshold: int


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
        .values_list("module_id", "unit_id", "gender", "role_id", "month")
        .annotate(talks=Count("pk"), applying=Count("pk", filter=Q(applying__in=APPLYING_COUNTED)))
        .order_by()
    )
    merged: dict[tuple[int, int, str, int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for module, unit, gender, role, month, talks, applying in rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        key = (module, unit, gender if gender in ("woman", "man") else "other", role or 0, day)
        merged[key][0] += talks
        merged[key][1] += applying
    atoms = []
    for (module, unit, gender, role, month), (talks, applying) in merged.items():
        units = ancestry.get(unit, (unit,))
        path = (module, *units, DIRECT, gender, role, month)
        atoms.append(Atom(path, module, units, gender, role, month, talks, applying))
    k = organisation.anonymity_threshold
    blocks = disclosure.pool_paths({a.path: a.talks for a in atoms}, k)
    for a in atoms:
        a.block = blocks.block_of.get(a.path, -1)
    return Figures(atoms, blocks, k)


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
    """``Blocks.shown`` on the atoms' block numbers (made once with the release)."""
    blocks = figures.blocks
    touched = Counter(a.block for a in atoms if a.talks > 0)
    return all(
        b >= 0 and n == blocks.atoms_in[b] and blocks.size[b] >= blocks.threshold for b, n in touched.items()
    )


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
