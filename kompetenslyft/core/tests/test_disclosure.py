"""The disclosure-control module, attacked with linear algebra: from every figure a release
shows, no hidden group may be worked out — by any sum or difference of shown figures."""

from __future__ import annotations

import random
from collections.abc import Hashable
from fractions import Fraction

import pytest

from kompetenslyft.core.disclosure import ALL, ROOT, protect


class Span:
    """Vectors over the rationals in reduced echelon form: is a vector a combination of those
    already added?"""

    def __init__(self) -> None:
        self.rows: dict[int, list[Fraction]] = {}

    def reduce(self, vector: list[Fraction]) -> list[Fraction]:
        v = list(vector)
        for pivot, row in self.rows.items():
            if v[pivot]:
                factor = v[pivot]
                v = [a - factor * b for a, b in zip(v, row, strict=True)]
        return v

    def add(self, vector: list[int]) -> None:
        v = self.reduce([Fraction(x) for x in vector])
        pivot = next((i for i, x in enumerate(v) if x), None)
        if pivot is None:
            return
        v = [x / v[pivot] for x in v]
        for other, row in self.rows.items():
            if row[pivot]:
                factor = row[pivot]
                self.rows[other] = [a - factor * b for a, b in zip(row, v, strict=True)]
        self.rows[pivot] = v

    def contains(self, vector: list[int]) -> bool:
        return not any(self.reduce([Fraction(x) for x in vector]))


def cells(parents: dict[int, int | None], columns: list[Hashable], publish_root: bool):
    """Every cell a viewer could ask for: (kind, unit, column) and the atoms it sums."""
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        children.setdefault(parent if parent is not None else ROOT, []).append(unit)

    def subtree(unit: int) -> list[int]:
        found = [unit] if unit != ROOT else []
        for child in children.get(unit, []):
            found.extend(subtree(child))
        return found

    result = []
    for unit in parents:
        for column in [*columns, ALL]:
            wanted = columns if column is ALL else [column]
            result.append((("direct", unit, column), [(unit, c) for c in wanted]))
            result.append((("tree", unit, column), [(u, c) for u in subtree(unit) for c in wanted]))
    if publish_root:
        for column in [*columns, ALL]:
            wanted = columns if column is ALL else [column]
            result.append((("tree", ROOT, column), [(u, c) for u in subtree(ROOT) for c in wanted]))
    return result


def attack(parents, counts, k, *, publish_root=False, keep="units"):
    """Return the hidden cells with people that the shown cells give away, and the shown cells
    with 1 to k−1 people."""
    columns = sorted({c for _u, c in counts})
    release = protect(parents, counts, k, publish_root=publish_root, keep=keep)
    atoms = sorted(a for a, n in counts.items() if n > 0)
    index = {a: i for i, a in enumerate(atoms)}
    span = Span()
    hidden = []
    too_small = []
    for (kind, unit, column), members in cells(parents, columns, publish_root):
        value = sum(counts.get(a, 0) for a in members)
        vector = [0] * len(atoms)
        for a in members:
            if a in index:
                vector[index[a]] = 1
        shown = (release.direct if kind == "direct" else release.tree)(unit, column, value=value)
        if shown:
            span.add(vector)
            if 0 < value < k:
                too_small.append((kind, unit, column, value))
        elif value:
            hidden.append(((kind, unit, column, value), vector))
    worked_out = [cell for cell, vector in hidden if span.contains(vector)]
    return release, worked_out, too_small


def random_table(rng: random.Random, units: int, columns: int, small: float):
    parents: dict[int, int | None] = {}
    for unit in range(1, units + 1):
        parents[unit] = None if unit == 1 or rng.random() < 0.15 else rng.randint(1, unit - 1)
    counts = {}
    for unit in parents:
        for column in range(columns):
            roll = rng.random()
            if roll < 0.3:
                continue
            counts[(unit, f"r{column}")] = rng.randint(1, 4) if roll < 0.3 + small else rng.randint(5, 30)
    return parents, counts


@pytest.mark.parametrize("keep", ["units", "columns"])
@pytest.mark.parametrize("seed", range(50))
def test_no_hidden_group_can_be_worked_out(seed: int, keep: str) -> None:
    rng = random.Random(seed)
    parents, counts = random_table(rng, rng.randint(1, 9), rng.randint(1, 4), rng.choice([0.2, 0.5, 0.7]))
    k = rng.choice([2, 3, 5])
    _release, worked_out, too_small = attack(parents, counts, k, publish_root=seed % 2 == 0, keep=keep)
    assert too_small == []
    assert worked_out == []


def test_the_reported_attack_unit_minus_its_children() -> None:
    """Särskilt boende: its head directly in it (1 person), three homes below, each with a
    head and staff. Subtree minus the children's subtrees gave the head away."""
    parents = {4: None, 10: 4, 11: 4, 12: 4}
    counts = {(4, "chef"): 1}
    for home in (10, 11, 12):
        counts[(home, "chef")] = 1
        counts[(home, "usk")] = 60 + home
        counts[(home, "ssk")] = 3
    release, worked_out, too_small = attack(parents, counts, 5)
    assert worked_out == [] and too_small == []
    assert not release.direct(4)  # the head alone
    # The administration is shown, so one home must go with its head (or 4 − homes = head);
    # the other homes stay.
    assert release.tree(4)
    assert sum(release.tree(home) for home in (10, 11, 12)) == 2


def test_role_filter_minus_no_filter() -> None:
    parents = {1: None}
    counts = {(1, "usk"): 40, (1, "ssk"): 2, (1, "chef"): 1}
    release, worked_out, _ = attack(parents, counts, 5)
    assert worked_out == []
    assert release.tree(1)  # the unit's total is shown …
    assert not release.tree(1, "usk")  # … so the largest group cannot be, or 43 − 40 = 3 shows


def test_big_groups_are_shown_and_zero_is_zero() -> None:
    parents = {1: None, 2: 1}
    release = protect(parents, {(1, "a"): 10, (2, "a"): 7, (2, "b"): 0}, 5)
    assert release.direct(1, "a") and release.direct(2, "a") and release.tree(1, "a") and release.tree(1)
    assert release.direct(2, "b", value=0)


def test_a_table_smaller_than_k_shows_nothing() -> None:
    parents = {1: None, 2: 1}
    counts = {(1, "a"): 2, (2, "b"): 1}
    release, worked_out, too_small = attack(parents, counts, 5, publish_root=True)
    assert worked_out == [] and too_small == []
    assert not release.tree(ROOT) and not release.tree(1) and not release.direct(2, "b")


def test_small_groups_of_one_column_pool_upwards() -> None:
    """Two people of a rare role in each of three units that hold nothing else: the role is
    shown for the parent (6), never for the units."""
    parents = {1: None, 2: 1, 3: 1, 4: 1}
    counts = {(u, "rare"): 2 for u in (2, 3, 4)} | {(1, "common"): 20}
    release, worked_out, too_small = attack(parents, counts, 5)
    assert worked_out == [] and too_small == []
    assert release.tree(1, "rare") and release.tree(1, "common") and release.tree(1)
    assert not any(release.tree(u, "rare") or release.tree(u) for u in (2, 3, 4))


def test_small_groups_join_their_unit_so_its_totals_stay() -> None:
    """A rare role beside a large one: the unit's total stays; the rare role, and the role it
    was hidden with, are not shown by role."""
    parents = {1: None, 2: 1, 3: 1}
    counts = {(2, "rare"): 2, (2, "common"): 20, (2, "other"): 9, (3, "common"): 30}
    release, worked_out, too_small = attack(parents, counts, 5)
    assert worked_out == [] and too_small == []
    assert release.tree(1) and release.tree(2) and release.tree(3) and release.direct(2)
    assert not release.direct(2, "rare") and not release.tree(1, "rare")
    assert release.direct(2, "common")  # the smallest group (9, "other") took the rare two
    assert release.tree(1, "common")


def test_keeping_columns_keeps_the_split_at_the_top() -> None:
    """Genders in a funder report: a few "other" in each unit pool at the top, so the whole
    organisation shows every gender; the units they came from lose their totals instead."""
    parents = {1: None, 2: 1, 3: 1}
    counts = {(2, "woman"): 40, (2, "man"): 6, (2, "other"): 2, (3, "woman"): 30, (3, "other"): 3}
    units_first, worked_out, _ = attack(parents, counts, 5, publish_root=True)
    assert worked_out == []
    assert not units_first.tree(ROOT, "other")  # mixed into the units' blocks
    columns_first, worked_out, too_small = attack(parents, counts, 5, publish_root=True, keep="columns")
    assert worked_out == [] and too_small == []
    assert all(columns_first.tree(ROOT, g) for g in ("woman", "man", "other", ALL))
    assert columns_first.tree(2, "woman") and columns_first.tree(2, "man") and not columns_first.tree(2)
