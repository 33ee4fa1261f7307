"""What makes a module valid, shared by the modules import and the web form (``module_create``,
``module_update``): the same checks and the same messages, and the rule that prerequisites
never form a cycle (a module comes after its prerequisites on the journey)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.translation import gettext as _

LEVELS = {
    "basic": "basic",
    "grund": "basic",
    "grundläggande": "basic",
    "grunnleggende": "basic",
    "advanced": "advanced",
    "fördjupad": "advanced",
    "fördjupning": "advanced",
    "avansert": "advanced",
}
FORMATS = {
    "onsite": "onsite",
    "live_remote": "live_remote",
    "elearning": "elearning",
    "microlearning": "microlearning",
}
MAX_REFRESH_MONTHS = 240

K = TypeVar("K", bound=Hashable)


def parse_hours(value: str) -> Decimal | None:
    try:
        hours = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not hours.is_finite() or hours < 0 or hours > 1000:
        return None
    return hours.quantize(Decimal("0.01"))


def parse_refresh_months(value: str) -> tuple[int | None, bool]:
    """(months or None for "once is enough", whether the value was valid)."""
    value = value.strip()
    if not value:
        return None, True
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_REFRESH_MONTHS:
        return None, False
    return int(value), True


def check_module_fields(data: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The plain fields of one module, as text (an import row or the form's values): the clean
    values and every problem as (column, message)."""
    problems: list[tuple[str, str]] = []
    code = data.get("module_code", "").strip()
    if not code:
        problems.append(("module_code", _("is empty")))
    elif len(code) > 64:
        problems.append(("module_code", _("is longer than 64 characters")))
    for column, limit in (("name", 300), ("category", 200)):
        value = data.get(column, "").strip()
        if not value:
            problems.append((column, _("is empty")))
        elif len(value) > limit:
            problems.append((column, _("is longer than %(limit)s characters") % {"limit": limit}))
    level = LEVELS.get(data.get("level", "").strip().casefold())
    if level is None:
        problems.append(
            ("level", _("'%(value)s' is not basic or advanced") % {"value": data.get("level", "")})
        )
    module_format = FORMATS.get(data.get("format", "").strip().casefold())
    if module_format is None:
        problems.append(
            (
                "format",
                _("'%(value)s' is not one of onsite, live_remote, elearning, microlearning")
                % {"value": data.get("format", "")},
            )
        )
    hours = parse_hours(data.get("hours", ""))
    if hours is None:
        problems.append(
            ("hours", _("'%(value)s' is not a number of hours") % {"value": data.get("hours", "")})
        )
    refresh_months, refresh_valid = parse_refresh_months(data.get("refresh_months", ""))
    if not refresh_valid:
        problems.append(
            (
                "refresh_months",
                _("'%(value)s' is not a number of months from 1 to %(limit)s")
                % {"value": data.get("refresh_months", ""), "limit": MAX_REFRESH_MONTHS},
            )
        )
    clean = {
        "code": code,
        "name": data.get("name", "").strip(),
        "category": data.get("category", "").strip(),
        "level": level,
        "format": module_format,
        "hours": hours,
        "description": data.get("description", ""),
        "pre_material": data.get("pre_material", ""),
        "refresh_months": refresh_months,
    }
    return clean, problems


def find_cycle(edges: Mapping[K, Iterable[K]]) -> list[K] | None:
    """A cycle of the graph "module → its prerequisites" as the list of its nodes (the first
    repeated at the end), or None. Iterative depth-first search: no recursion limit."""
    state: dict[K, int] = {}  # 1 on the current path, 2 done
    for start in edges:
        if state.get(start):
            continue
        path: list[K] = [start]
        iterators = [iter(edges.get(start, ()))]
        state[start] = 1
        while iterators:
            following = next(iterators[-1], None)
            if following is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            mark = state.get(following)
            if mark == 1:
                return [*path[path.index(following) :], following]
            if mark is None:
                state[following] = 1
                path.append(following)
                iterators.append(iter(edges.get(following, ())))
    return None


def cycle_message(cycle: list[str]) -> str:
    return _("The prerequisites would form a cycle: %(cycle)s. A module cannot come after itself.") % {
        "cycle": " → ".join(cycle)
    }


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def order_by_prerequisites(ids: list[K], edges: Mapping[K, Iterable[K]]) -> list[K]:
    """``ids`` in an order where each comes after those of its prerequisites that are among
    them, otherwise keeping the given order (a stable topological sort)."""
    wanted = set(ids)
    placed: set[K] = set()
    result: list[K] = []

    def place(node: K, seen: set[K]) -> None:
        if node in placed or node in seen:
            return
        seen.add(node)
        for before in edges.get(node, ()):
            if before in wanted:
                place(before, seen)
        placed.add(node)
        result.append(node)

    for node in ids:
        place(node, set())
    return result
