"""Attacks on :func:`disclosure.pool_paths`, the release over nested dimensions (module →
month → unit tree → gender → role) that evaluation results use: every figure a viewer could ask
for — any module or all, any whole-month range, any subtree, gender and role, and every group
of those — is either hidden or an exact union of blocks; no hidden group with answers, and no
group of 1..k−1, is a combination of shown figures."""

from __future__ import annotations

import itertools
import random

import pytest

from kompetenslyft.core.disclosure import pool_paths

from .test_disclosure import Span

TREE = {1: None, 2: 1, 3: 1, 4: 2, 5: None}  # two top units; 1 has 2 (with 4) and 3


def chain(unit: int) -> tuple[int, ...]:
    parent = TREE[unit]
    return (*(chain(parent) if parent else ()), unit)


def subtree(unit: int) -> set[int]:
    return {u for u in TREE if unit in chain(u)}


def random_cells(rng: random.Random, small: float) -> dict[tuple, int]:
    cells = {}
    for module, month, unit, gender, role in itertools.product((1, 2), (0, 1, 2), TREE, "wmo", (1, 2)):
        if rng.random() < 0.45:
            n = rng.randint(1, 4) if rng.random() < small else rng.randint(5, 12)
            cells[(module, month, unit, gender, role)] = n
    return cells


def queries():
    modules = [None, 1, 2]
    ranges = [(a, b) for a in range(3) for b in range(a, 3)]
    units = [None, *TREE]
    for module, (first, last), unit, gender, role in itertools.product(
        modules, ranges, units, [None, *"wmo"], [None, 1, 2]
    ):

        def match(cell, module=module, first=first, last=last, unit=unit, gender=gender, role=role):
            m, month, u, g, r = cell
            return (
                (module is None or m == module)
                and first <= month <= last
                and (unit is None or u in subtree(unit))
                and (gender is None or g == gender)
                and (role is None or r == role)
            )

        yield match


@pytest.mark.parametrize("seed", range(12))
def test_no_figure_over_nested_dimensions_singles_out_fewer_than_k(seed: int) -> None:
    rng = random.Random(seed)
    k = 5
    cells = random_cells(rng, small=0.5)
    keys = sorted(cells)
    paths = {
        (m, month, *chain(u), "·", g, r, i): cells[(m, month, u, g, r)]
        for i, (m, month, u, g, r) in enumerate(keys)
    }
    blocks = pool_paths(paths, k)
    by_cell = {keys[path[-1]]: path for path in paths}
    assert all(s >= k for s in blocks.size) or sum(cells.values()) < k
    span = Span()
    shown_any = hidden = 0
    hidden_vectors = []
    for match in queries():
        chosen = [c for c in keys if match(c)]
        vector = [1 if c in chosen else 0 for c in keys]
        value = sum(cells[c] for c in chosen)
        if blocks.shown(by_cell[c] for c in chosen):
            assert value == 0 or value >= k, "a shown figure holds fewer than k"
            span.add(vector)
            shown_any += 1
        elif value:
            hidden += 1
            hidden_vectors.append((vector, value))
    for vector, value in hidden_vectors:
        assert not span.contains(vector) or value >= k, "a hidden figure under k is worked out"
    # every single small cell stays out of reach
    for i, c in enumerate(keys):
        if cells[c] < k:
            assert not span.contains([1 if j == i else 0 for j in range(len(keys))])
    assert shown_any > 0


def test_whole_nodes_stay_exact() -> None:
    # Module 1 has plenty; a lone small role pools within its unit, the unit's total stays.
    paths = {
        (1, 0, 1, "·", "w", 1, 0): 8,
        (1, 0, 1, "·", "w", 2, 1): 2,
        (1, 0, 2, "·", "m", 1, 2): 6,
        (2, 0, 1, "·", "w", 1, 3): 3,
    }
    blocks = pool_paths(paths, 5)
    p = list(paths)
    assert blocks.shown([p[0], p[1]])  # unit 1 in module 1, month 0
    # module 2's three answers had to join the smallest block (unit 2's): it goes too
    assert not blocks.shown([p[2]])
    assert not blocks.shown([p[0]])  # role 1 alone: would give role 2 (2) by difference
    assert not blocks.shown([p[3]])  # module 2: 3 answers
    assert blocks.shown(p)  # the whole table
    assert not blocks.shown(p[:3])  # module 1 alone: the total minus it is module 2's 3
