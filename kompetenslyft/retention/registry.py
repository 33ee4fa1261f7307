"""The kinds of data that have a retention time. Apps register theirs (in ``AppConfig.ready``):

    from kompetenslyft.retention import registry
    registry.register("access_log", label=..., default_months=24, count=..., apply=...)

``count(organisation, cutoff)`` says how many items are older than the cutoff (the dry run);
``apply(organisation, cutoff, progress)`` removes or pseudonymises them and returns how many
(``progress(n)`` after each short transaction); ``people(organisation, cutoff)`` optionally
names the people concerned, shown to the lead in the dry run. The retention time is
``KOMPETENSLYFT_RETENTION_MONTHS[kind]`` (settings; else ``default_months``), overridden per
organisation by its lead (:class:`~.models.RetentionRule`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

Count = Callable[[Any, dt.date], int]
Apply = Callable[[Any, dt.date, Callable[[int], None]], int]
People = Callable[[Any, dt.date], Any]


@dataclass(frozen=True)
class Kind:
    key: str
    label: Any  # a lazy translation
    description: Any
    default_months: int
    count: Count
    apply: Apply
    people: People | None = None
    order: int = 50

    @property
    def months(self) -> int:
        """The installation's default for this kind (settings, else the registered default)."""
        configured = getattr(settings, "KOMPETENSLYFT_RETENTION_MONTHS", {}) or {}
        return int(configured.get(self.key, self.default_months))


_kinds: dict[str, Kind] = {}


def register(
    kind: str,
    *,
    label: Any,
    description: Any = "",
    default_months: int,
    count: Count,
    apply: Apply,
    people: People | None = None,
    order: int = 50,
) -> Kind:
    """Add a kind of data with a retention time; registering the same key again replaces it."""
    if not kind or default_months < 1:
        raise ValueError("a kind needs a key and a retention time of at least one month")
    entry = Kind(kind, label, description, default_months, count, apply, people, order)
    _kinds[kind] = entry
    return entry


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.key))


def get(kind: str) -> Kind:
    return _kinds[kind]


def cutoff(today: dt.date, months: int) -> dt.date:
    """The day ``months`` months before ``today`` (the 31st becomes the month's last day)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
