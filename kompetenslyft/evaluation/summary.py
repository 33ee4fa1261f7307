"""The evaluation summary (:class:`~.models.Cell`), kept current in the same transaction as
every answer written, and its version (raised with every write, so memoised results are never
stale)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from .models import ITEMS, Cell, State

COUNTERS = (
    "responses",
    *(f"{item}_{suffix}" for item in ITEMS for suffix in ("n", "pos")),
    "level_n",
    "too_easy",
    "right",
    "too_hard",
)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def gender_code(gender: str | None) -> str:
    """The three groups of formats.md: woman, man, other (other or unspecified)."""
    return gender if gender in ("woman", "man") else "other"


@dataclass(frozen=True)
class Placed:
    """What the summary needs of one answer."""

    module_id: int
    month: dt.date
    unit_id: int | None
    role_id: int | None
    gender: str  # "" for an answer without a person
    motivated: int | None = None
    level: int | None = None
    method_good: int | None = None
    important: int | None = None
    will_use: int | None = None

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(COUNTERS, 0)
        out["responses"] = 1
        for item in ITEMS:
            value = getattr(self, item)
            if value is not None:
                out[f"{item}_n"] = 1
                out[f"{item}_pos"] = int(value >= 3)
        if self.level is not None:
            out["level_n"] = 1
            out["too_easy"] = int(self.level <= 2)
            out["right"] = int(self.level == 3)
            out["too_hard"] = int(self.level >= 4)
        return out


def summary_changed(organisation_id: int) -> None:
    """Raise the version (inside the caller's transaction)."""
    updated = State.objects.filter(organisation_id=organisation_id).update(version=F("version") + 1)
    if not updated:
        State.objects.get_or_create(organisation_id=organisation_id, defaults={"version": 1})


def version(organisation_id: int) -> tuple[str, int]:
    """The summary's version; the epoch changes if the state row is ever made anew (a restored
    database, a test's rollback), so that a memo never serves another summary's figures."""
    found = State.objects.filter(organisation_id=organisation_id).values_list("epoch", "version").first()
    return (str(found[0]), int(found[1])) if found is not None else ("", 0)


@transaction.atomic
def add_to_summary(organisation_id: int, answers: Iterable[Placed]) -> int:
    """Add answers to the summary: one upsert per cell touched. Returns the answers added."""
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    n = 0
    for answer in answers:
        key = (answer.module_id, answer.month, answer.unit_id, answer.role_id, answer.gender)
        for name, value in answer.counts().items():
            totals[key][name] += value
        n += 1
    if not totals:
        return 0
    keys = {Cell.make_key(*key): key for key in totals}
    existing = {c.key: c for c in Cell.objects.filter(organisation_id=organisation_id, key__in=list(keys))}
    new = []
    for text, key in keys.items():
        add = totals[key]
        cell = existing.get(text)
        if cell is None:
            module_id, month, unit_id, role_id, gender = key
            new.append(
                Cell(
                    organisation_id=organisation_id,
                    key=text,
                    module_id=module_id,
                    month=month,
                    unit_id=unit_id,
                    role_id=role_id,
                    gender=gender,
                    **add,
                )
            )
        else:
            Cell.objects.filter(pk=cell.pk).update(**{name: F(name) + value for name, value in add.items()})
    Cell.objects.bulk_create(new, batch_size=1000)
    summary_changed(organisation_id)
    return n
