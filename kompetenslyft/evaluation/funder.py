"""The funder report's evaluation block (learning registers nothing of evaluation itself: this
module is registered as its evaluation source in :class:`~.apps.EvaluationConfig`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .results import Query, evaluation_results
from .summary import month_of


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(a, b) if a and b else (a or b)


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(a, b) if a and b else (a or b)


def funder_query(scope: Any) -> Query:
    """The funder scope as an evaluation query: the initiative's modules (or the one chosen),
    the period as whole months (the months its first and last days fall in), the unit's
    subtree, the role, the gender."""
    modules: set[int] | None = None
    first = last = None
    if scope.initiative is not None:
        modules = {m.pk for m in scope.initiative.modules.all()}
        first, last = scope.initiative.starts_on, scope.initiative.ends_on
    if scope.module is not None:
        modules = {scope.module.pk} & modules if modules is not None else {scope.module.pk}
    first = _later(first, scope.date_from)
    last = _earlier(last, scope.date_to)
    return Query(
        modules=frozenset(modules) if modules is not None else None,
        unit=scope.unit,
        role_name=scope.role.name if scope.role is not None else None,
        gender=scope.gender,
        month_from=month_of(first) if first else None,
        month_to=month_of(last) if last else None,
    )


def funder_evaluations(scope: Any) -> dict[str, Any]:
    """The total of :func:`~.results.evaluation_results` for the scope (``None`` where hidden)."""
    return dict(evaluation_results(scope.organisations, funder_query(scope))["total"])
