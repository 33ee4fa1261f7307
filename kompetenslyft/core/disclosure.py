"""Statistical disclosure control: the one place where small groups are protected.

Every aggregate shown to a viewer who may not see the people behind it (top management, an
external evaluator, anyone outside the units it manages or leads) passes through
:func:`protect`. Its promise (ADR 0004):

* a group of 1 to k−1 people is never shown, and
* no hidden group can be worked out from what is shown — not the total minus the groups
  shown, not a unit minus its children, not a filter minus a narrower one.

The figures form a table over a unit tree and one column dimension (a role, a gender …). Its
smallest pieces are *atoms*: the people directly in one unit with one column value. The cells
that can be shown are sums of atoms:

* ``direct(unit, column)`` — one atom; ``direct(unit, ALL)`` — the unit's own people;
* ``tree(unit, column)`` and ``tree(unit, ALL)`` — the unit and every unit below it.

Method — *releases of fixed blocks*: the atoms are partitioned into blocks that each hold k or
more people, built bottom-up the tree (an atom of k or more is its own block; small atoms of one
column pool with the same column's small atoms below; what is still short mixes the unit's
columns, or joins the smallest block of the unit, or goes up to the parent). A cell is shown
only when it is an exact union of blocks. Everything shown is then a sum of whole blocks, so any
arithmetic on shown figures — any difference of units, of filters, of totals — yields only sums
of whole blocks, each of k or more: the people inside a block cannot be told apart, whatever
is combined. A block that could not reach k (a whole table with fewer than k people) is never
part of a shown cell.

The release depends only on the counts, never on who looks; a viewer's exact scope (its own
units) is decided by the caller, which shows exact figures there and this release elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

ALL: None = None
"""The column "every column" (no role filter, every gender)."""

ROOT = 0
"""The organisation as a whole: the parent of the top units (unit primary keys are positive)."""

Atom = tuple[int, Hashable]


@dataclass
class _Block:
    atoms: list[Atom]
    anchor: int
    size: int

    @property
    def columns(self) -> set[Hashable]:
        return {column for _unit, column in self.atoms}


@dataclass
class Release:
    """Which cells of one table may be shown. Cells are named by ``(unit, column)`` where
    ``column`` is a column value or :data:`ALL`, and ``unit`` may be :data:`ROOT`."""

    threshold: int
    counts: dict[Atom, int]
    hidden_direct: set[tuple[int, Hashable]] = field(default_factory=set)
    hidden_tree: set[tuple[int, Hashable]] = field(default_factory=set)
    root_published: bool = False

    def direct(self, unit: int, column: Hashable = ALL, *, value: int | None = None) -> bool:
        """May the people directly in ``unit`` (with ``column``) be shown?"""
        if (unit, column) in self.hidden_direct:
            return False
        return self._large_enough(value)

    def tree(self, unit: int, column: Hashable = ALL, *, value: int | None = None) -> bool:
        """May ``unit`` with every unit below it (with ``column``) be shown?"""
        if unit == ROOT and not self.root_published:
            return False
        if (unit, column) in self.hidden_tree:
            return False
        return self._large_enough(value)

    def _large_enough(self, value: int | None) -> bool:
        # The blocks make every shown cell hold 0 or k or more; a caller that passes the value
        # gets the primary rule checked once more (a cheap guard, never the only one).
        return value is None or value == 0 or value >= self.threshold


class Tree:
    """A unit tree prepared once and used for many tables (one per competence, say)."""

    def __init__(self, parents: Mapping[int, int | None]) -> None:
        self.parent_of: dict[int, int] = {u: (p if p is not None else ROOT) for u, p in parents.items()}
        self.depth = _depths(self.parent_of)
        self.order = sorted(self.parent_of, key=lambda u: -self.depth[u])
        self.children: dict[int, list[int]] = defaultdict(list)
        for unit, parent in self.parent_of.items():
            self.children[parent].append(unit)
        self.ancestry = _Ancestry(self.parent_of)


def protect(
    parents: Mapping[int, int | None] | Tree,
    counts: Mapping[Atom, int] | Iterable[tuple[Atom, int]],
    threshold: int,
    *,
    publish_root: bool = False,
    keep: str = "units",
) -> Release:
    """The release of one table.

    ``parents`` maps every unit of the tree to its parent (``None`` for a top unit), or is a
    :class:`Tree` made from such a map; ``counts`` gives the number of people per atom
    ``(unit, column)``. ``publish_root`` says whether the organisation's own totals
    (``tree(ROOT, …)``) are shown as well.

    ``keep`` says which figures to keep where both cannot be: ``"units"`` (the default) mixes a
    unit's small groups into one of its blocks, so the unit's total stays and its breakdown by
    column goes; ``"columns"`` carries small groups of each column up the tree until they pool
    with the same column elsewhere, so breakdowns by column stay (at the top above all) and the
    totals of the units they left go.
    """
    if keep not in ("units", "columns"):
        raise ValueError(f"keep must be 'units' or 'columns', not {keep!r}")
    tree = parents if isinstance(parents, Tree) else Tree(parents)
    k = max(1, int(threshold))
    items = counts.items() if isinstance(counts, Mapping) else counts
    own: dict[int, dict[Hashable, int]] = defaultdict(dict)
    atom_counts: dict[Atom, int] = {}
    for (unit, column), n in items:
        if n > 0:
            own[unit][column] = own[unit].get(column, 0) + n
            atom_counts[(unit, column)] = own[unit][column]
    parent_of, children = tree.parent_of, tree.children
    for unit in own:
        if unit != ROOT and unit not in parent_of:
            raise ValueError(f"unit {unit} has counts but is not in the tree")

    blocks: list[_Block] = []
    anchored: dict[int, list[_Block]] = defaultdict(list)

    def nearest_below(unit: int) -> _Block | None:
        """The nearest (then smallest) block anchored strictly below ``unit``."""
        level = list(children.get(unit, []))
        while level:
            found = [b for u in level for b in anchored.get(u, [])]
            if found:
                return min(found, key=lambda b: b.size)
            level = [c for u in level for c in children.get(u, [])]
        return None

    carried: dict[int, dict[Hashable, list[Atom]]] = defaultdict(lambda: defaultdict(list))
    for unit in [*tree.order, ROOT]:
        incoming = carried.pop(unit, {})
        mine_by_column = own.get(unit, {})
        if not incoming and not mine_by_column:
            continue
        here: list[_Block] = []
        residue: dict[Hashable, list[Atom]] = {}
        for column in sorted(set(mine_by_column) | set(incoming), key=repr):
            mine = mine_by_column.get(column, 0)
            came = incoming.get(column, [])
            atoms = [*came, (unit, column)] if mine else list(came)
            size = mine + sum(atom_counts[a] for a in came)
            if size >= k:
                here.append(_Block(atoms, unit, size))
            elif size:
                residue[column] = atoms
        short = [a for atoms in residue.values() for a in atoms]
        short_size = sum(atom_counts[a] for a in short)
        if short_size:
            target: _Block | None = None
            below = None if here or short_size >= k else nearest_below(unit)
            if keep == "columns" and unit != ROOT:
                for column, atoms in residue.items():
                    carried[parent_of[unit]][column].extend(atoms)
            elif short_size >= k:
                here.append(_Block(short, unit, short_size))
            elif here:
                # Join the unit's smallest block, preferring one that already hides its direct
                # figure (a pool): the unit's own totals stay shown.
                target = min(here, key=lambda b: (len(b.atoms) == 1, b.size))
            elif below is not None and (unit != ROOT or publish_root):
                # Join the nearest, smallest block below: one child's figures go, this unit's
                # totals (and everything above) stay.
                target = below
            elif unit != ROOT:
                for column, atoms in residue.items():
                    carried[parent_of[unit]][column].extend(atoms)
            elif publish_root and blocks:
                target = min(blocks, key=lambda b: b.size)
            else:
                here.append(_Block(short, ROOT, short_size))
            if target is not None:
                target.atoms.extend(short)
                target.size += short_size
        anchored[unit] = here
        blocks.extend(here)

    release = Release(k, atom_counts, root_published=publish_root)
    for block in blocks:
        if len(block.atoms) == 1 and block.size >= k:
            continue  # one whole atom: inside every cell that holds any of it
        _hide_partial_cells(block, release, tree.ancestry)
    return release


def _depths(parent_of: Mapping[int, int]) -> dict[int, int]:
    depth: dict[int, int] = {ROOT: 0}

    def find(unit: int) -> int:
        chain = []
        while unit not in depth:
            chain.append(unit)
            unit = parent_of.get(unit, ROOT)
            if len(chain) > len(parent_of) + 1:
                raise ValueError("the unit tree has a cycle")
        base = depth[unit]
        for offset, u in enumerate(reversed(chain), start=1):
            depth[u] = base + offset
        return depth[chain[0]] if chain else base

    for unit in parent_of:
        find(unit)
    return depth


class _Ancestry:
    def __init__(self, parent_of: Mapping[int, int]) -> None:
        self.parent_of = parent_of
        self._paths: dict[int, tuple[int, ...]] = {ROOT: (ROOT,)}

    def path(self, unit: int) -> tuple[int, ...]:
        """ROOT, …, unit."""
        found = self._paths.get(unit)
        if found is None:
            found = (*self.path(self.parent_of[unit]), unit)
            self._paths[unit] = found
        return found

    def common(self, units: Iterable[int]) -> int:
        paths = [self.path(u) for u in set(units)]
        common = paths[0]
        for path in paths[1:]:
            n = 0
            while n < len(common) and n < len(path) and common[n] == path[n]:
                n += 1
            common = common[:n]
        return common[-1]


def _hide_partial_cells(block: _Block, release: Release, ancestry: _Ancestry) -> None:
    """Hide every cell that holds part of the block but not all of it."""
    units = {unit for unit, _column in block.atoms}
    short = block.size < release.threshold
    # A block short of k (a whole table with fewer than k people) is inside no shown cell.
    lowest = -1 if short else ancestry.common(units)
    mixed = len(block.columns) > 1
    single_unit = len(units) == 1
    for unit, column in block.atoms:
        if short:
            release.hidden_direct.add((unit, column))
            release.hidden_direct.add((unit, ALL))
        elif len(block.atoms) > 1:
            release.hidden_direct.add((unit, column))
        if not single_unit:
            release.hidden_direct.add((unit, ALL))
        below_lowest = True
        for above in reversed(ancestry.path(unit)):
            if above == lowest:
                below_lowest = False
            if below_lowest:
                # The subtree of ``above`` holds part of the block, not all of it.
                release.hidden_tree.add((above, ALL))
                release.hidden_tree.add((above, column))
            elif mixed:
                # A block of several columns is never whole inside one column.
                release.hidden_tree.add((above, column))
            else:
                break


# --- Blocks over a hierarchy of several dimensions -----------------------------------------


@dataclass
class Blocks:
    """The release of a table whose atoms are named by *paths*: tuples read from the coarsest
    dimension to the finest, e.g. ``(module, month, unit, …, unit, DIRECT, gender, role)``.
    Each atom belongs to one block; :meth:`shown` says whether a set of atoms (the cells a
    figure is made of) is an exact union of whole blocks of k or more."""

    threshold: int
    block_of: dict[Hashable, int]
    atoms_in: list[int]
    size: list[int]

    def shown(self, atoms: Iterable[Hashable]) -> bool:
        touched: dict[int, int] = defaultdict(int)
        for atom in atoms:
            block = self.block_of.get(atom)
            if block is not None:  # an atom with nothing in it is in no block
                touched[block] += 1
        return all(n == self.atoms_in[b] and self.size[b] >= self.threshold for b, n in touched.items())


def pool_paths(atoms: Mapping[tuple[Hashable, ...], int], threshold: int) -> Blocks:
    """Partition atoms named by paths into blocks of ``threshold`` or more, bottom-up the tree
    the paths make (ADR 0005 — the same rule as :func:`protect`, over any number of nested
    dimensions):

    * an atom of k or more is a block of its own;
    * at every node, the short atoms and the short remainders of its children pool; a pool of
      k or more is a block anchored there;
    * a pool still short joins the smallest block anchored at the node itself, else the
      smallest of the nearest blocks below it (so that the node's own total stays exact), else
      goes up to the parent;
    * at the top, a remainder joins the smallest nearest block; a table of fewer than k in all
      is one short block, shown nowhere.

    So a figure that is the whole of a node (a module, a module's month, a unit's subtree in
    it …) is shown whenever the node holds k or more, and finer figures as far as the counts
    allow. Every shown figure being a union of whole blocks, no sum or difference of shown
    figures can single out fewer than k. Atoms are keys of ``atoms`` (paths must be distinct
    and none a prefix of another)."""
    k = max(1, int(threshold))
    block_of: dict[Hashable, int] = {}
    atoms_in: list[int] = []
    size: list[int] = []

    def new_block(members: list[tuple[Hashable, ...]], n: int) -> int:
        index = len(size)
        for atom in members:
            block_of[atom] = index
        atoms_in.append(len(members))
        size.append(n)
        return index

    def join(index: int, members: list[tuple[Hashable, ...]], n: int) -> None:
        for atom in members:
            block_of[atom] = index
        atoms_in[index] += len(members)
        size[index] += n

    # Returns (residue atoms, residue size, nearest blocks anchored in this subtree).
    def visit(items: list[tuple[tuple[Hashable, ...], int]], depth: int) -> tuple[list, int, list[int]]:
        residue: list[tuple[Hashable, ...]] = []
        residue_size = 0
        here: list[int] = []
        below: list[int] = []
        children: dict[Hashable, list[tuple[tuple[Hashable, ...], int]]] = {}
        for item in items:
            path, n = item
            if len(path) == depth:
                if n >= k:
                    here.append(new_block([path], n))
                else:
                    residue.append(path)
                    residue_size += n
            else:
                group = children.get(path[depth])
                if group is None:
                    children[path[depth]] = [item]
                else:
                    group.append(item)
        for group in children.values():
            if len(group) == 1:
                # One atom below: no pooling to do on the way down.
                path, n = group[0]
                if n >= k:
                    below.append(new_block([path], n))
                else:
                    residue.append(path)
                    residue_size += n
                continue
            r, rs, nearest = visit(group, depth + 1)
            if rs:
                residue.extend(r)
                residue_size += rs
            below.extend(nearest)
        if residue_size >= k:
            here.append(new_block(residue, residue_size))
        elif residue_size:
            candidates = here or below
            if candidates:
                join(min(candidates, key=lambda b: (size[b], b)), residue, residue_size)
            elif depth == 0:
                here.append(new_block(residue, residue_size))  # a short table: shown nowhere
            else:
                return residue, residue_size, []
        return [], 0, (here or below)

    items = [(tuple(path), int(n)) for path, n in atoms.items() if n > 0]
    visit(items, 0)
    return Blocks(k, block_of, atoms_in, size)
