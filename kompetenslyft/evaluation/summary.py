"""The evaluation summary (:class:`~.models.Cell`), kept current in the same transaction as
every answer written, and its version (raised with every write, so memoised results are never
stale)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from .models import ITEMS, LEVEL, Cell, State

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


_pinned: contextvars.ContextVar[dict[int, tuple[str, int]] | None] = contextvars.ContextVar(
    "evaluation_pinned_versions", default=None
)


@contextlib.contextmanager
def versions_pinned() -> Iterator[None]:
    """Inside, each organisation's summary version is read once: a page that asks for a
    hundred memoised figures reads the state row once, not a hundred times."""
    token = _pinned.set({})
    try:
        yield
    finally:
        _pinned.reset(token)


def version(organisation_id: int) -> tuple[str, int]:
    """The summary's version; the epoch changes if the state row is ever made anew (a restored
    database, a test's rollback), so that a memo never serves another summary's figures."""
    pinned = _pinned.get()
    if pinned is not None and organisation_id in pinned:
        return pinned[organisation_id]
    found = State.objects.filter(organisation_id=organisation_id).values_list("epoch", "version").first()
    result = (str(found[0]), int(found[1])) if found is not None else ("", 0)
    if pinned is not None:
        pinned[organisation_id] = result
    return result


_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "evaluation_deferred", default=None
)


@contextlib.contextmanager
def publication_deferred() -> Iterator[None]:
    """Answers stored inside are published together at the end (one batch): an import, or a
    test that sets up several groups at once."""
    touched: set[int] = set()
    token = _deferred.set(touched)
    try:
        yield
    finally:
        _deferred.reset(token)
    for organisation_id in sorted(touched):  # not reached when the block failed
        publish(organisation_id)


def publish_after_answers(organisation_id: int) -> None:
    """Called by ``services.store_answers``: publish now, or at the end of a deferred block."""
    touched = _deferred.get()
    if touched is not None:
        touched.add(organisation_id)
    else:
        publish(organisation_id)


def _ready_occurrences(organisation: Any, today: dt.date) -> list[tuple[int, dt.date]]:
    """The occurrences (module × day) with waiting answers whose evaluation is over: its
    period has passed, or nobody asked is still to answer (which is also the case for imported
    answers)."""
    from .models import Answer, Request

    waiting = set(
        Answer.objects.filter(organisation=organisation, batch__isnull=True)
        .values_list("module_id", "occurred_on")
        .distinct()
    )
    if not waiting:
        return []
    still_open = set(
        Request.objects.filter(
            organisation=organisation, answered_on__isnull=True, closes_on__gte=today, opens_on__lte=today
        )
        .values_list("module_id", "occurred_on")
        .distinct()
    )
    return sorted(
        (module_id, day)
        for module_id, day in waiting
        if day is not None and (module_id, day) not in still_open
    )


@transaction.atomic
def publish(organisation_id: int, *, today: dt.date | None = None) -> int:
    """Publish what can be published (ADR 0005): the answers of occurrences whose evaluation is
    over join the pool of those still short of k; when the pool holds k or more, it is cut into
    fixed blocks of k or more (:func:`disclosure.pool_paths`, module → unit tree → gender →
    role → month) and written to the summary as a new batch, never to change again. So a figure
    that is shown changes only by whole new blocks: reading it before and after someone answers
    tells nothing about that answer. A pool short of k stays in the summary as batch 0, which
    hides every figure it touches. Returns the answers published (0 if none)."""
    from kompetenslyft.core import disclosure
    from kompetenslyft.org.models import Organisation, Unit

    from .models import Answer, Comment, QuestionAnswer

    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    today = today or timezone.localdate()
    ready = _ready_occurrences(organisation, today)
    # The ready days per module, a few hundred at a time: imported history is thousands of
    # occurrences (module × day), and one UPDATE each took minutes.
    days_of: dict[int, list[dt.date]] = defaultdict(list)
    for module_id, day in ready:
        days_of[module_id].append(day)
    for module_id, days in days_of.items():
        for start in range(0, len(days), 500):
            for model in (Answer, Comment, QuestionAnswer):
                model.objects.filter(
                    organisation=organisation,
                    module_id=module_id,
                    occurred_on__in=days[start : start + 500],
                    batch__isnull=True,
                ).update(batch=0)
    if not ready:
        return 0
    cells: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for module_id, month, unit_id, role_id, gender, *items in (
        Answer.objects.filter(organisation=organisation, batch=0)
        .values_list("module_id", "month", "unit_id", "role_id", "gender", *ITEMS, LEVEL)
        .iterator(chunk_size=20000)
    ):
        values = dict(zip((*ITEMS, LEVEL), items, strict=True))
        counts = Placed(module_id, month, unit_id, role_id, gender, **values).counts()
        cell = cells[(module_id, month, unit_id, role_id, gender)]
        for name, value in counts.items():
            cell[name] += value
    Cell.objects.filter(organisation=organisation, batch=0).delete()
    total = sum(c["responses"] for c in cells.values())
    k = max(1, int(organisation.anonymity_threshold))
    if total >= k:
        batch = (Cell.objects.filter(organisation=organisation).aggregate(m=Max("batch"))["m"] or 0) + 1
        highest = Cell.objects.filter(organisation=organisation).aggregate(m=Max("block"))["m"]
        offset = (highest if highest is not None else -1) + 1  # block 0 is a block: "0 or -1" reused it
        parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
        paths = {_path(key, parents): c["responses"] for key, c in cells.items()}
        blocks = disclosure.pool_paths(paths, k)
        block_of = {key: offset + blocks.block_of[_path(key, parents)] for key in cells}
        published = batch
    else:
        block_of = dict.fromkeys(cells, -1)
        published = 0
    Cell.objects.bulk_create(
        (
            Cell(
                organisation=organisation,
                key=Cell.make_key(*key),
                batch=published,
                block=block_of[key],
                module_id=key[0],
                month=key[1],
                unit_id=key[2],
                role_id=key[3],
                gender=key[4],
                **counts,
            )
            for key, counts in cells.items()
        ),
        batch_size=5000,
    )
    if published:
        # Once published, an answer keeps only its month: the day and the session, which
        # narrow it towards who answered, are no longer needed.
        for model in (Answer, Comment):
            model.objects.filter(organisation=organisation, batch=0).update(
                batch=published, occurred_on=None, session=None
            )
        QuestionAnswer.objects.filter(organisation=organisation, batch=0).update(
            batch=published, occurred_on=None
        )
    summary_changed(organisation.pk)
    return total if published else 0


def _path(key: tuple[Any, ...], parents: Mapping[int, int | None]) -> tuple[Any, ...]:
    """A cell's place in the release: module → unit tree → gender → role → month."""
    module_id, month, unit_id, role_id, gender = key
    mkey = month.year * 12 + month.month - 1
    if not unit_id:
        return (module_id, "~", mkey)
    chain = [unit_id]
    while parents.get(chain[-1]):
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    return (module_id, *reversed(chain), "·", gender, role_id or 0, mkey)
