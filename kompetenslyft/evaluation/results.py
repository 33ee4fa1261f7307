"""Evaluation results as every page, export and `report evaluation` reads them: a total and,
optionally, groups by unit, role, gender, module or month, over one or several organisations,
each figure under the disclosure control (:mod:`.cube`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Organisation, Role, Unit

from .cube import GENDER_KEYS, GENDERS, Scope, cube_for, figure_of
from .summary import COUNTERS

BY = ("unit", "role", "gender", "module", "month")
MAX_MONTHS = 240
"""The longest period a page or export lists month by month (20 years); a longer one is refused."""


@dataclass(frozen=True)
class Query:
    """What to show; ``None`` = no filter. ``unit`` covers its subtree."""

    modules: frozenset[int] | None = None
    unit: Unit | None = None
    role_name: str | None = None
    gender: str | None = None  # woman | man | other
    month_from: dt.date | None = None
    month_to: dt.date | None = None


def _month_key(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _month_label(key: int) -> str:
    return f"{key // 12:04d}-{key % 12 + 1:02d}"


def months_in(month_from: dt.date | None, month_to: dt.date | None) -> int | None:
    """How many months a period spans (None when it is open at either end)."""
    if month_from is None or month_to is None:
        return None
    return _month_key(month_to) - _month_key(month_from) + 1


def _data_span(organisations: Sequence[Organisation]) -> tuple[int, int] | None:
    """The first and last month with any evaluation answer in the organisations (whatever the
    filter: it bounds the months listed, it is no figure)."""
    first: int | None = None
    last: int | None = None
    for organisation in organisations:
        months = cube_for(organisation).month
        if len(months):
            low, high = int(months.min()), int(months.max())
            first = low if first is None else min(first, low)
            last = high if last is None else max(last, high)
    return None if first is None or last is None else (first, last)


def month_figures(
    organisations: Sequence[Organisation], query: Query
) -> list[tuple[str, Query, dict[str, Any]]]:
    """Month by month, each month's figure as the query narrowed to that month (a total, so
    answers without a person count as they do in the query's total and the months add up to
    it). The months run from the first to the last month with answers within the query's
    period (the period clamped to the months with data, so an open or huge period costs no
    more than the data); ``(label, narrowed query, figure)``."""
    span = _data_span(organisations)
    if span is None:
        return []
    first = max(span[0], _month_key(query.month_from)) if query.month_from else span[0]
    last = min(span[1], _month_key(query.month_to)) if query.month_to else span[1]
    rows: list[tuple[str, Query, dict[str, Any]]] = []
    for key in range(first, last + 1):
        month = dt.date(key // 12, key % 12 + 1, 1)
        narrowed = replace(query, month_from=month, month_to=month)
        rows.append((_month_label(key), narrowed, evaluation_results(organisations, narrowed)["total"]))
    while rows and rows[0][2]["responses"] == 0:
        rows.pop(0)
    while rows and rows[-1][2]["responses"] == 0:
        rows.pop()
    return rows


def subtree_ids(unit: Unit) -> frozenset[int]:
    return frozenset(
        Unit.objects.filter(organisation_id=unit.organisation_id, path__startswith=unit.path).values_list(
            "pk", flat=True
        )
    )


def evaluation_results(
    organisations: Sequence[Organisation], query: Query, by: str | None = None
) -> dict[str, Any]:
    """``{"threshold": k, "total": figure, "groups": [{"key": …, **figure}]}`` (groups only with
    ``by``). A figure over several organisations is shown only when each one's part is."""
    if by is not None and by not in BY:
        raise ValueError(f"by must be one of {BY}")
    threshold = max((o.anonymity_threshold for o in organisations), default=5)
    total = np.zeros(len(COUNTERS), dtype=np.int64)
    total_shown = True
    group_sums: dict[str, np.ndarray] = {}
    group_shown: dict[str, bool] = {}
    order: list[str] = []

    def add_group(key: str, sums: np.ndarray, shown: bool) -> None:
        if key not in group_sums:
            group_sums[key] = np.zeros(len(COUNTERS), dtype=np.int64)
            group_shown[key] = True
            order.append(key)
        group_sums[key] += sums
        group_shown[key] = group_shown[key] and bool(shown)

    for organisation in organisations:
        if query.unit is not None and query.unit.organisation_id != organisation.pk:
            continue
        role_id: int | None = None
        if query.role_name is not None:
            role_id = (
                Role.objects.filter(organisation=organisation, name=query.role_name)
                .values_list("pk", flat=True)
                .first()
            )
            if role_id is None:
                role_id = -1  # no such role here: nothing matches
        scope = Scope(
            modules=query.modules,
            units=subtree_ids(query.unit) if query.unit is not None else None,
            role=role_id,
            gender=query.gender,
            month_from=query.month_from,
            month_to=query.month_to,
        )
        cube = cube_for(organisation)
        sums, shown = cube.total(scope)
        total += sums
        total_shown = total_shown and shown
        if by is None:
            continue
        keys, labels = _group_keys(cube, organisation, by, query, scope)
        sums_g, shown_g = cube.groups(scope, keys, len(labels))
        for i, label in enumerate(labels):
            add_group(label, sums_g[i], bool(shown_g[i]))

    responses = int(total[0])
    total_shown = total_shown and (responses == 0 or responses >= threshold)
    result: dict[str, Any] = {"threshold": threshold, "total": figure_of(total, shown=total_shown)}
    if by is not None:
        groups = []
        for key in order:
            sums = group_sums[key]
            n = int(sums[0])
            shown = group_shown[key] and (n == 0 or n >= threshold)
            groups.append({"key": key, **figure_of(sums, shown=shown)})
        if by == "month":
            groups.sort(key=lambda g: g["key"])
        result["groups"] = groups
    return result


def _group_keys(
    cube: Any, organisation: Organisation, by: str, query: Query, scope: Scope
) -> tuple[np.ndarray, list[str]]:
    """Each cell's group index (−1 = none) and the groups' labels. Every possible group is
    listed (all child units, roles, genders, modules in scope, months in range), so that the
    list itself tells nothing about who answered."""
    n = len(cube.module)
    keys = np.full(n, -1, dtype=np.int64)
    if by == "gender":
        return cube.gender.copy(), [GENDER_KEYS[g] for g in GENDERS]
    if by == "role":
        roles = list(
            Role.objects.filter(organisation=organisation).order_by("name").values_list("pk", "name")
        )
        lookup = {pk: i for i, (pk, _name) in enumerate(roles)}
        keys = np.array([lookup.get(int(r), -1) for r in cube.role], dtype=np.int64) if n else keys
        return keys, [name for _pk, name in roles]
    if by == "module":
        modules = (
            Module.objects.filter(pk__in=query.modules)
            if query.modules is not None
            else Module.objects.filter(pk__in=set(cube.module.tolist()))
        )
        found = list(modules.order_by("code").values_list("pk", "code"))
        lookup = {pk: i for i, (pk, _code) in enumerate(found)}
        keys = np.array([lookup.get(int(m), -1) for m in cube.module], dtype=np.int64) if n else keys
        return keys, [code for _pk, code in found]
    if by == "month":
        present = cube.month[cube.mask(scope)] if n else np.zeros(0, dtype=np.int64)
        first = (
            _month_key(query.month_from)
            if query.month_from
            else (int(present.min()) if len(present) else None)
        )
        last = (
            _month_key(query.month_to) if query.month_to else (int(present.max()) if len(present) else None)
        )
        if first is None or last is None or last < first:
            return keys, []
        keys = np.where((cube.month >= first) & (cube.month <= last), cube.month - first, -1)
        return keys, [_month_label(m) for m in range(first, last + 1)]
    # by unit: the units directly below --unit (or the top units), each with its subtree, and
    # "direct" for answers placed in --unit itself.
    parent = query.unit.pk if query.unit is not None else None
    children = list(
        Unit.objects.filter(organisation=organisation, parent_id=parent)
        .order_by("unit_id")
        .values_list("pk", "unit_id")
    )
    labels = [unit_id for _pk, unit_id in children]
    index = {pk: i for i, (pk, _u) in enumerate(children)}
    depth = len(cube.ancestry(parent)) if parent is not None else 0
    if parent is not None:
        labels.append("direct")
    unit_group = np.full(len(cube.unit_ids) + 1, -1, dtype=np.int64)
    for unit_id, position in cube.unit_index.items():
        chain = cube.ancestry(unit_id)
        if parent is not None and unit_id == parent:
            unit_group[position] = len(labels) - 1
        elif len(chain) > depth and (parent is None or chain[depth - 1] == parent):
            unit_group[position] = index.get(chain[depth], -1)
    return unit_group[cube.unit], labels
