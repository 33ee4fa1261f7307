"""``figures.cells_by`` (one pass, memoised per publication) gives exactly the figures of the
per-group ``Group.cell`` it replaced on the dashboard, exact and under the release."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from kompetenslyft.followup.figures import DIRECT, Atom, Cell, Figures, cells_by

# The oracle: the per-group sums the dashboard used before ``cells_by``, kept here to check it.


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


def group_by(atoms: list[Atom], key: Callable[[Atom], int | None]) -> dict[int, Group]:
    groups: dict[int, Group] = defaultdict(Group)
    for a in atoms:
        k = key(a)
        if k is not None:
            groups[k].atoms.append(a)
    return groups


def synthetic(seed: int) -> Figures:
    rnd = random.Random(seed)
    atoms = []
    blocks: dict[tuple[dt.date, int, int], list[int]] = defaultdict(lambda: [0, 0])
    for _ in range(600):
        month = dt.date(2026, rnd.randint(1, 4), 1)
        module = rnd.randint(1, 4)
        units = (1, rnd.randint(2, 4), rnd.randint(5, 9))
        role, gender = rnd.randint(0, 3), rnd.choice(["woman", "man", "other"])
        people = rnd.randint(1, 3)
        talks = people + rnd.randint(0, 2)
        block = rnd.choice([-1, 0, 1, 2, 3])
        atoms.append(
            Atom(
                (module, *units, DIRECT, gender, role, month),
                module,
                units,
                gender,
                role,
                month,
                talks,
                rnd.randint(0, talks),
                people,
                block,
            )
        )
        entry = blocks[(month, module, block)]
        entry[0] += 1
        entry[1] += people
    return Figures(atoms, 5, dict(blocks), [], ("synthetic", seed))


def test_one_pass_equals_the_groups() -> None:
    for seed in range(5):
        figures = synthetic(seed)
        for key in (lambda a: a.module, lambda a: a.role, lambda a: a.units[1] if a.units[1] != 3 else None):
            for atoms in (figures.atoms, [a for a in figures.atoms if a.gender == "woman"]):
                for exact in (True, False):
                    total, cells = cells_by(figures, atoms, key, exact=exact)
                    assert total == Group(atoms).cell(figures, exact=exact)
                    groups = group_by(atoms, key)
                    assert set(cells) == set(groups)
                    for g, group in groups.items():
                        assert cells[g] == group.cell(figures, exact=exact), (seed, g, exact)
                    hidden = [c for c in cells.values() if c.talks is None]
                    if not exact:
                        assert hidden  # the test data has parts that are not whole blocks


def test_memo_is_per_publication() -> None:
    figures = synthetic(1)
    first = cells_by(figures, figures.atoms, lambda a: a.module, exact=False, memo_key=("f", "module"))
    assert cells_by(figures, [], lambda a: a.module, exact=False, memo_key=("f", "module")) is first
    republished = synthetic(1)
    republished.marker = ("synthetic", "next month")
    again = cells_by(republished, [], lambda a: a.module, exact=False, memo_key=("f", "module"))
    assert again is not first and again[1] == {}


def test_a_tuple_key_puts_an_atom_in_each_group_as_selecting_each_does() -> None:
    """The success-case page: every unit's row over its subtree, in one pass."""
    from kompetenslyft.followup.figures import select

    for seed in range(3):
        figures = synthetic(seed)
        units = {u for a in figures.atoms for u in a.units}
        _total, cells = cells_by(figures, figures.atoms, lambda a: a.units, exact=False)
        for unit in units:
            chosen = select(figures, unit=unit)
            assert cells[unit] == Group(chosen).cell(figures, exact=False)
