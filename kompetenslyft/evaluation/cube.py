"""Evaluation results for any filter and grouping, under the disclosure control (ADR 0005).

The summary of one organisation (:class:`~.models.Cell`, one row per module, month and
placement) is read once per summary version into arrays, with the release of fixed blocks that
:func:`kompetenslyft.core.disclosure.pool_paths` makes of it over the whole organisation. Every
figure is a sum over the cells a filter selects, and is shown only when those cells are an
exact union of whole blocks of k or more — for everyone, the competence lead included: no
difference of filters, groups or totals can single out fewer than k answers.

The dimensions nest (coarsest first) as module → unit tree → gender → role → month, so what
stays exact where not everything can be is, in that order: a module's figures, a unit's
subtree, the split by gender, by role, and last the months (a unit's months pool first).
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo

from .models import ITEMS, Cell
from .summary import COUNTERS, version

GENDERS = ("woman", "man", "other")
GENDER_KEYS = {"woman": "woman", "man": "man", "other": "other_or_unspecified"}
UNPLACED = "~"
DIRECT = "·"
_C = {name: i for i, name in enumerate(COUNTERS)}


@dataclass(frozen=True)
class Scope:
    """A filter; every part combines. ``units`` is a set of unit ids (a subtree)."""

    modules: frozenset[int] | None = None
    units: frozenset[int] | None = None
    role: int | None = None
    gender: str | None = None  # woman | man | other
    month_from: dt.date | None = None  # first day of a month
    month_to: dt.date | None = None

    @property
    def needs_person(self) -> bool:
        return self.units is not None or self.role is not None or self.gender is not None


def empty_figure() -> dict[str, Any]:
    return figure_of(np.zeros(len(COUNTERS), dtype=np.int64), shown=True)


def hidden_figure() -> dict[str, Any]:
    return figure_of(np.zeros(len(COUNTERS), dtype=np.int64), shown=False)


def figure_of(sums: np.ndarray, *, shown: bool) -> dict[str, Any]:
    """The shape of formats.md: responses, the four positive shares, the level split; all
    ``None`` when hidden. A share is a fraction of the non-empty answers (0.0 when none)."""
    if not shown:
        return {
            "responses": None,
            **{f"{item}_share": None for item in ITEMS},
            "level": {"too_easy": None, "right": None, "too_hard": None},
        }

    def share(part: str, whole: str) -> float:
        n = int(sums[_C[whole]])
        return int(sums[_C[part]]) / n if n else 0.0

    return {
        "responses": int(sums[_C["responses"]]),
        **{f"{item}_share": share(f"{item}_pos", f"{item}_n") for item in ITEMS},
        "level": {
            "too_easy": share("too_easy", "level_n"),
            "right": share("right", "level_n"),
            "too_hard": share("too_hard", "level_n"),
        },
    }


class Cube:
    """One organisation's evaluation summary at one version, with its release."""

    def __init__(
        self,
        organisation_id: int,
        threshold: int,
        parents: Mapping[int, int | None],
        rows: Iterable[tuple[Any, ...]],
        *,
        stored_blocks: bool = False,
    ) -> None:
        """``rows``: (module, month, unit, role, gender, [block,] *COUNTERS). With
        ``stored_blocks`` the rows carry the fixed block each was published in (−1 = the pool
        still short of k, shown nowhere); without, the release is computed here from the
        counts (for tables that are not published in batches)."""
        self.organisation_id = organisation_id
        self.threshold = max(1, int(threshold))
        self.parents = {u: p for u, p in parents.items()}
        self.unit_ids = sorted(self.parents)
        self.unit_index = {u: i + 1 for i, u in enumerate(self.unit_ids)}  # 0 = no person
        self._ancestry: dict[int, tuple[int, ...]] = {}
        self._totals: Memo = Memo(kept=256)
        table = rows if isinstance(rows, list) else list(rows)
        width = 5 + int(stored_blocks) + len(COUNTERS)
        columns: list[tuple[Any, ...]] = (
            list(zip(*table, strict=True)) if table else [() for _ in range(width)]
        )
        month_keys: dict[Any, int] = {}
        for month in set(columns[1]):
            day = dt.date.fromisoformat(month[:10]) if isinstance(month, str) else month
            month_keys[month] = day.year * 12 + day.month - 1
        gender_index = {g: i for i, g in enumerate(GENDERS)}
        self.module = np.array(columns[0], dtype=np.int64)
        self.month = np.array([month_keys[m] for m in columns[1]], dtype=np.int64)
        self.unit = np.array([self.unit_index.get(u, 0) if u else 0 for u in columns[2]], dtype=np.int64)
        self.role = np.array([r or 0 for r in columns[3]], dtype=np.int64)
        self.gender = np.array([gender_index.get(g, -1) for g in columns[4]], dtype=np.int64)
        first = 6 if stored_blocks else 5
        self.counts = np.array(columns[first:], dtype=np.int64).reshape(len(COUNTERS), len(table)).T.copy()
        responses = self.counts[:, _C["responses"]]
        if stored_blocks:
            stored = np.array(columns[5], dtype=np.int64)
            found, self.block = np.unique(stored, return_inverse=True)
            self.block = self.block.astype(np.int64).reshape(-1)
            n = len(found)
            self.block_atoms = (
                np.bincount(self.block, minlength=n).astype(np.int64) if n else np.zeros(1, np.int64)
            )
            size = (
                np.bincount(self.block, weights=responses, minlength=n).astype(np.int64)
                if n
                else np.zeros(1, np.int64)
            )
            # The pool still short of k is one block that no figure may touch.
            size[found < 0] = 0
            self.block_size = size
            return
        paths: dict[tuple[Any, ...], int] = {}
        order: list[tuple[Any, ...]] = []
        for module_id, mkey, unit_id, role_id, gender, n_answers in zip(
            columns[0],
            self.month.tolist(),
            columns[2],
            columns[3],
            columns[4],
            responses.tolist(),
            strict=True,
        ):
            if unit_id:
                path = (module_id, *self.ancestry(unit_id), DIRECT, gender, role_id or 0, mkey)
            else:
                path = (module_id, UNPLACED, mkey)
            paths[path] = n_answers
            order.append(path)
        blocks = disclosure.pool_paths(paths, self.threshold)
        self.block = np.fromiter((blocks.block_of.get(p, 0) for p in order), dtype=np.int64, count=len(order))
        self.block_atoms = np.array(blocks.atoms_in or [0], dtype=np.int64)
        self.block_size = np.array(blocks.size or [0], dtype=np.int64)

    # --- a stored copy (models.Snapshot) -------------------------------------------------------

    ARRAYS = ("module", "month", "unit", "role", "gender", "counts", "block", "block_atoms", "block_size")

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        units = np.array(self.unit_ids, dtype=np.int64)
        parents = np.array([self.parents[u] or 0 for u in self.unit_ids], dtype=np.int64)
        arrays = {name: getattr(self, name) for name in self.ARRAYS}
        # Ids, counts and block numbers fit in 32 bits (checked): half the bytes to store and read.
        narrow = {
            name: a.astype(np.int32) if not len(a) or (a.min() >= -(2**31) and a.max() < 2**31) else a
            for name, a in arrays.items()
        }
        np.savez(buffer, units=units, parents=parents, **narrow)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, organisation_id: int, threshold: int, data: bytes) -> Cube:
        """The cube :meth:`to_bytes` wrote, without computing the release again."""
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            cube = cls.__new__(cls)
            cube.organisation_id = organisation_id
            cube.threshold = max(1, int(threshold))
            cube.parents = {
                int(u): (int(p) or None) for u, p in zip(arrays["units"], arrays["parents"], strict=True)
            }
            cube.unit_ids = sorted(cube.parents)
            cube.unit_index = {u: i + 1 for i, u in enumerate(cube.unit_ids)}
            cube._ancestry = {}
            cube._totals = Memo(kept=256)
            for name in cls.ARRAYS:
                setattr(cube, name, np.array(arrays[name], dtype=np.int64))
        return cube

    def ancestry(self, unit_id: int) -> tuple[int, ...]:
        """Top unit, …, the unit."""
        found = self._ancestry.get(unit_id)
        if found is None:
            parent = self.parents.get(unit_id)
            found = (*(self.ancestry(parent) if parent else ()), unit_id)
            self._ancestry[unit_id] = found
        return found

    # --- selection ---------------------------------------------------------------------------

    def mask(self, scope: Scope) -> np.ndarray:
        mask = np.ones(len(self.module), dtype=bool)
        if scope.modules is not None:
            mask &= np.isin(self.module, np.fromiter(scope.modules, dtype=np.int64, count=len(scope.modules)))
        if scope.month_from is not None:
            mask &= self.month >= scope.month_from.year * 12 + scope.month_from.month - 1
        if scope.month_to is not None:
            mask &= self.month <= scope.month_to.year * 12 + scope.month_to.month - 1
        if scope.needs_person:
            mask &= self.unit > 0
        if scope.units is not None:
            inside = np.zeros(len(self.unit_ids) + 1, dtype=bool)
            for unit_id in scope.units:
                index = self.unit_index.get(unit_id)
                if index:
                    inside[index] = True
            mask &= inside[self.unit]
        if scope.role is not None:
            mask &= self.role == scope.role
        if scope.gender is not None:
            mask &= self.gender == GENDERS.index(scope.gender)
        return mask

    def _aligned(self, blocks: np.ndarray) -> bool:
        if not len(blocks):
            return True
        n = np.bincount(blocks, minlength=len(self.block_atoms))
        found = n > 0
        return bool(
            np.all(n[found] == self.block_atoms[found]) and np.all(self.block_size[found] >= self.threshold)
        )

    def total(self, scope: Scope) -> tuple[np.ndarray, bool]:
        """The sums over the scope and whether they may be shown (memoised per scope: a cube
        is one version of the summary, its figures never change)."""
        return self._totals.get(scope, lambda: self._total(scope))

    def _total(self, scope: Scope) -> tuple[np.ndarray, bool]:
        mask = self.mask(scope)
        sums = self.counts[mask].sum(axis=0) if mask.any() else np.zeros(len(COUNTERS), dtype=np.int64)
        responses = int(sums[_C["responses"]])
        shown = (responses == 0 or responses >= self.threshold) and self._aligned(self.block[mask])
        return sums, shown

    def groups(self, scope: Scope, keys: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
        """Sums per group (``keys`` gives each cell's group, −1 = in none) and whether each may
        be shown. Answers without a person are in no group."""
        mask = self.mask(scope) & (keys >= 0) & (self.unit > 0)
        sums = np.zeros((n_groups, len(COUNTERS)), dtype=np.int64)
        shown = np.ones(n_groups, dtype=bool)
        if not mask.any():
            return sums, shown
        g = keys[mask]
        np.add.at(sums, g, self.counts[mask])
        nb = len(self.block_atoms)
        pair, n = np.unique(g * nb + self.block[mask], return_counts=True)
        group, block = pair // nb, pair % nb
        bad = (n != self.block_atoms[block]) | (self.block_size[block] < self.threshold)
        shown[np.unique(group[bad])] = False
        responses = sums[:, _C["responses"]]
        shown &= (responses == 0) | (responses >= self.threshold)
        return sums, shown


_LOCK = threading.Lock()
_CUBES: OrderedDict[tuple[int, tuple[str, int], int], Cube] = OrderedDict()
_KEPT = 8


def cube_for(organisation: Any) -> Cube:
    """The organisation's cube at the summary's current version: memoised per process, and
    stored (:class:`~.models.Snapshot`) for the next process, so that only the first reader
    after a change computes the release. A stale one is never used."""
    key: tuple[int, tuple[str, int], int] = (
        organisation.pk,
        version(organisation.pk),
        int(organisation.anonymity_threshold),
    )
    with _LOCK:
        found = _CUBES.get(key)
        if found is not None:
            _CUBES.move_to_end(key)
            return found
    cube = _stored(organisation, key)
    if cube is None:
        cube = _built(organisation)
        _store(organisation, key, cube)
    with _LOCK:
        _CUBES[key] = cube
        while len(_CUBES) > _KEPT:
            _CUBES.popitem(last=False)
    return cube


def _built(organisation: Any) -> Cube:
    from kompetenslyft.org.models import Unit

    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    rows = (
        Cell.objects.filter(organisation=organisation, responses__gt=0)
        .order_by("pk")
        .values_list("module_id", "month", "unit_id", "role_id", "gender", "block", *COUNTERS)
    )
    return Cube(
        organisation.pk,
        organisation.anonymity_threshold,
        parents,
        list(rows.iterator(chunk_size=20000)),
        stored_blocks=True,
    )


def forget(organisation_id: int, *, stored: bool = False) -> None:
    """Drop an organisation's cube from this process (and, with ``stored``, its stored copy):
    the next reader builds it (the bench times that)."""
    from .models import Snapshot

    with _LOCK:
        for key in [k for k in _CUBES if k[0] == organisation_id]:
            del _CUBES[key]
    if stored:
        Snapshot.objects.filter(organisation_id=organisation_id).delete()


def _stored(organisation: Any, key: tuple[int, tuple[str, int], int]) -> Cube | None:
    """The stored cube of exactly this version, epoch and threshold, if there is one."""
    from .models import Snapshot

    _pk, (epoch, number), threshold = key
    data = (
        Snapshot.objects.filter(organisation=organisation, epoch=epoch, version=number, threshold=threshold)
        .values_list("data", flat=True)
        .first()
    )
    return Cube.from_bytes(organisation.pk, threshold, bytes(data)) if data is not None else None


def _store(organisation: Any, key: tuple[int, tuple[str, int], int], cube: Cube) -> None:
    """Keep the cube for other processes; a failure to write (a busy database) only costs the
    next process the computation."""
    from django.db import DatabaseError, transaction

    from .models import Snapshot

    _pk, (epoch, number), threshold = key
    if not epoch:
        return  # no summary yet
    try:
        with transaction.atomic():
            Snapshot.objects.update_or_create(
                organisation=organisation,
                defaults={"epoch": epoch, "version": number, "threshold": threshold, "data": cube.to_bytes()},
            )
    except DatabaseError:
        return
