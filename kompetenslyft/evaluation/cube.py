"""Evaluation results for any filter and grouping, under the disclosure control (ADR 0005).

The summary of one organisation (:class:`~.models.Cell`, one row per module, month and
placement) is read once per summary version into arrays, with the release of fixed blocks that
:func:`kompetenslyft.core.disclosure.pool_paths` makes of it over the whole organisation. Every
figure is a sum over the cells a filter selects, and is shown only when those cells are an
exact union of whole blocks of k or more — for everyone, the competence lead included: no
difference of filters, groups or totals can single out fewer than k answers.

The dimensions nest (coarsest first) as module → month → unit tree → gender → role, so what
stays exact where not everything can be is, in that order: a module's figures, its months, a
unit's subtree, the split by gender, by role.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connections

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
    ) -> None:
        self.organisation_id = organisation_id
        self.threshold = max(1, int(threshold))
        self._totals: Memo = Memo(kept=256)
        self.parents = {u: p for u, p in parents.items()}
        self.unit_ids = sorted(self.parents)
        self.unit_index = {u: i + 1 for i, u in enumerate(self.unit_ids)}  # 0 = no person
        self._ancestry: dict[int, tuple[int, ...]] = {}
        # Column by column (the rows may be raw database values: a month is a date, or its
        # ISO text on SQLite).
        table = rows if isinstance(rows, list) else list(rows)
        columns: list[tuple[Any, ...]] = (
            list(zip(*table, strict=True)) if table else [() for _ in range(5 + len(COUNTERS))]
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
        # Kept column by column (Fortran order): a total is one product with the mask.
        self.counts = np.array(columns[5:], dtype=np.int64).reshape(len(COUNTERS), len(table)).T
        # Each cell's path (module → month → unit tree → gender → role); a cell is one
        # placement of one module and month, so its path is its own.
        tails: dict[int, tuple[Any, ...]] = {}
        paths: dict[tuple[Any, ...], int] = {}
        order: list[tuple[Any, ...]] = []
        responses = self.counts[:, _C["responses"]].tolist()
        for module_id, mkey, unit_id, role_id, gender, n in zip(
            columns[0],
            self.month.tolist(),
            columns[2],
            columns[3],
            columns[4],
            responses,
            strict=True,
        ):
            if unit_id:
                tail = tails.get(unit_id)
                if tail is None:
                    tail = tails[unit_id] = (*self.ancestry(unit_id), DIRECT)
                path = (module_id, mkey, *tail, gender, role_id or 0)
            else:
                path = (module_id, mkey, UNPLACED)
            paths[path] = n
            order.append(path)
        blocks = disclosure.pool_paths(paths, self.threshold)
        block_of = blocks.block_of
        self.block = np.fromiter((block_of.get(p, 0) for p in order), dtype=np.int64, count=len(order))
        self.block_atoms = np.array(blocks.atoms_in or [0], dtype=np.int64)
        self.block_size = np.array(blocks.size or [0], dtype=np.int64)

    ARRAYS = ("module", "month", "unit", "role", "gender", "counts", "block", "block_atoms", "block_size")

    def save(self, path: Path) -> None:
        """Keep the cube in a file, so that other processes (web workers) read it instead of
        building it again. Written to a temporary name and renamed: never half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        units = np.array(sorted(self.parents), dtype=np.int64)
        parents = np.array([self.parents[u] or 0 for u in units], dtype=np.int64)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                units=units,
                parents=parents,
                meta=np.array([self.organisation_id, self.threshold], dtype=np.int64),
                **{name: getattr(self, name) for name in self.ARRAYS},
            )
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> Cube:
        with np.load(path, allow_pickle=False) as data:
            cube = cls.__new__(cls)
            organisation_id, threshold = (int(x) for x in data["meta"])
            cube.organisation_id, cube.threshold = organisation_id, threshold
            cube.parents = {
                int(u): (int(p) or None) for u, p in zip(data["units"], data["parents"], strict=True)
            }
            cube.unit_ids = sorted(cube.parents)
            cube.unit_index = {u: i + 1 for i, u in enumerate(cube.unit_ids)}
            cube._ancestry = {}
            cube._totals = Memo(kept=256)
            for name in cls.ARRAYS:
                setattr(cube, name, data[name])
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
        is one version of the summary, so its figures never change)."""
        return self._totals.get(scope, lambda: self._total(scope))

    def _total(self, scope: Scope) -> tuple[np.ndarray, bool]:
        mask = self.mask(scope)
        # The counts are kept column by column: a product with the mask sums them in one pass.
        sums = self.counts.T @ mask.astype(np.int64)
        responses = int(sums[_C["responses"]])
        shown = (responses == 0 or responses >= self.threshold) and self._aligned(self.block[mask])
        sums.setflags(write=False)
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


def _file(key: tuple[int, tuple[str, int], int]) -> Path:
    organisation_id, (epoch, number), threshold = key
    return Path(settings.VAR_DIR) / "cache" / f"evaluation-{organisation_id}-{epoch}-{number}-{threshold}.npz"


def cube_for(organisation: Any) -> Cube:
    """The organisation's cube at the summary's current version: memoised per process, kept
    in a file for the other processes (only the newest file of an organisation is kept); a
    stale cube is never used."""
    from kompetenslyft.org.models import Unit

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
    path = _file(key)
    if path.exists():
        try:
            cube = Cube.load(path)
        except (OSError, ValueError, KeyError):
            cube = None
        if cube is not None:
            _remember(key, cube)
            return cube
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    query = (
        Cell.objects.filter(organisation=organisation, responses__gt=0)
        .order_by("pk")
        .values_list("module_id", "month", "unit_id", "role_id", "gender", *COUNTERS)
    )
    # The raw values (no per-value conversion: half a million cells at full size).
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cube = Cube(organisation.pk, organisation.anonymity_threshold, parents, rows)
    _remember(key, cube)
    try:
        for old in path.parent.glob(f"evaluation-{organisation.pk}-*.npz"):
            old.unlink(missing_ok=True)
        cube.save(path)
    except OSError:
        pass  # a read-only or full disk: this process still has it in memory
    return cube


def forget(organisation_id: int, *, files: bool = False) -> None:
    """Drop the organisation's cubes from this process (``files``: and its file), so that the
    next read builds or loads it again (the bench times both)."""
    with _LOCK:
        for key in [k for k in _CUBES if k[0] == organisation_id]:
            del _CUBES[key]
    if files:
        for old in (Path(settings.VAR_DIR) / "cache").glob(f"evaluation-{organisation_id}-*.npz"):
            old.unlink(missing_ok=True)


def _remember(key: tuple[int, tuple[str, int], int], cube: Cube) -> None:
    with _LOCK:
        _CUBES[key] = cube
        while len(_CUBES) > _KEPT:
            _CUBES.popitem(last=False)
