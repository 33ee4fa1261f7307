"""The dashboard's evaluation figures: response rates from a cube of the evaluation requests
(the same release of fixed blocks as the results), and the results from the evaluation cube."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth

from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Organisation, Unit

from .cube import Cube, Scope
from .dashboard import Filters, memo
from .models import Request
from .results import Query, evaluation_results, month_figures, subtree_ids
from .summary import COUNTERS, gender_code, version

# --- evaluation requests (response rates) ------------------------------------------------------


def evaluation_marker(organisation: Organisation) -> tuple[Any, ...]:
    """Changes with every answer (the summary's version) and every new request."""
    return (
        version(organisation.pk),
        Request.objects.filter(organisation=organisation).aggregate(m=Max("pk"))["m"],
        organisation.anonymity_threshold,
    )


def request_cube(organisation: Organisation, marker: tuple[Any, ...] | None = None) -> Cube:
    """The organisation's evaluation requests as a cube (requests in the place of responses,
    the answered ones in the next counter), with its release of fixed blocks of k or more
    requests: module → month → unit tree → gender → role, as the answers' cube."""
    marker = marker or evaluation_marker(organisation)
    return memo(("requests", organisation.pk, marker), lambda: _request_cube(organisation))  # type: ignore[no-any-return]


def _request_cube(organisation: Organisation) -> Cube:
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    pad = (0,) * (len(COUNTERS) - 2)
    rows = []
    for module_id, month, unit_id, role_id, gender, n, answered in (
        Request.objects.filter(organisation=organisation)
        .annotate(m=TruncMonth("occurred_on"))
        .values("module_id", "m", "person__unit_id", "person__role_id", "person__gender")
        .annotate(n=Count("pk"), a=Count("pk", filter=Q(answered_on__isnull=False)))
        .values_list("module_id", "m", "person__unit_id", "person__role_id", "person__gender", "n", "a")
        .order_by()
    ):
        if isinstance(month, dt.datetime):
            month = month.date()
        rows.append((module_id, month, unit_id, role_id, gender_code(gender), n, answered, *pad))
    return Cube(organisation.pk, organisation.anonymity_threshold, parents, rows)


@dataclass
class Rate:
    module: Module
    requests: int | None
    answered: int | None

    @property
    def rate(self) -> float | None:
        if self.requests is None or self.answered is None:
            return None
        return self.answered / self.requests if self.requests else 0.0


def response_rates(filters: Filters, modules: list[Module], *, exact: bool) -> list[Rate]:
    marker = evaluation_marker(filters.organisation)
    key = ("rates", marker, filters.key(), tuple(m.pk for m in modules), exact)
    return memo(key, lambda: _response_rates(filters, modules, exact=exact, marker=marker))  # type: ignore[no-any-return]


def _response_rates(
    filters: Filters, modules: list[Module], *, exact: bool, marker: tuple[Any, ...]
) -> list[Rate]:
    cube = request_cube(filters.organisation, marker)
    scope = _scope(filters)
    ids = np.array([m.pk for m in modules], dtype=np.int64)
    order = np.argsort(ids)
    keys = np.full(len(cube.module), -1, dtype=np.int64)
    if len(ids) and len(cube.module):
        where = np.searchsorted(ids[order], cube.module)
        where = np.clip(where, 0, len(ids) - 1)
        found = ids[order][where] == cube.module
        keys = np.where(found, order[where], -1)
    if exact:
        mask = cube.mask(scope) & (keys >= 0)
        sums = np.zeros((len(modules), len(COUNTERS)), dtype=np.int64)
        np.add.at(sums, keys[mask], cube.counts[mask])
        shown = np.ones(len(modules), dtype=bool)
    else:
        sums, shown = cube.groups(scope, keys, len(modules))
    return [
        Rate(m, int(sums[i][0]) if shown[i] else None, int(sums[i][1]) if shown[i] else None)
        for i, m in enumerate(modules)
    ]


def _scope(filters: Filters) -> Scope:
    return Scope(
        modules=filters.modules,
        units=subtree_ids(filters.unit) if filters.unit is not None else None,
        role=filters.role.pk if filters.role is not None else None,
        gender=filters.gender,
        month_from=filters.month_from,
        month_to=filters.month_to,
    )


# --- evaluation results ------------------------------------------------------------------------


def _query(filters: Filters) -> Query:
    return Query(
        modules=filters.modules,
        unit=filters.unit,
        role_name=filters.role.name if filters.role is not None else None,
        gender=filters.gender,
        month_from=filters.month_from,
        month_to=filters.month_to,
    )


def evaluation_total(filters: Filters, module: Module | None = None) -> dict[str, Any]:
    """The evaluation figure of the filters' selection, or of it narrowed to one module (a
    total, so answers without a person count as in the selection's total and the modules add
    up to it; memoised per summary version, as the cube is)."""
    organisation = filters.organisation
    query = _query(filters)
    if module is not None:
        ids = frozenset([module.pk])
        query = replace(query, modules=ids if query.modules is None else ids & query.modules)
    key = (
        "evaluation",
        version(organisation.pk),
        organisation.anonymity_threshold,
        filters.key(),
        module.pk if module is not None else None,
    )
    return memo(key, lambda: evaluation_results([organisation], query)["total"])  # type: ignore[no-any-return]


def evaluation_months(filters: Filters) -> list[tuple[str, dict[str, Any]]]:
    """Month by month, from the first to the last month with answers within the period, each
    month the selection narrowed to it (:func:`.results.month_figures`)."""
    organisation = filters.organisation
    key = ("evaluation months", version(organisation.pk), organisation.anonymity_threshold, filters.key())

    def compute() -> list[tuple[str, dict[str, Any]]]:
        return [(label, figure) for label, _q, figure in month_figures([organisation], _query(filters))]

    return memo(key, compute)  # type: ignore[no-any-return]


def modules_present(filters: Filters) -> list[Module]:
    """The modules to list: the filter's, else those with evaluation answers or requests."""
    ids = filters.modules
    if ids is not None:
        return list(Module.objects.filter(pk__in=ids).order_by("code"))
    organisation = filters.organisation
    marker = evaluation_marker(organisation)

    def compute() -> list[int]:
        from .cube import cube_for

        present = set(cube_for(organisation).module.tolist())
        present |= set(request_cube(organisation, marker).module.tolist())
        return sorted(present)

    present = memo(("modules", organisation.pk, marker), compute)
    return list(Module.objects.filter(pk__in=present).order_by("code"))
