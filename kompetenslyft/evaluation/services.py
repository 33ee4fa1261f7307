"""Writing evaluation answers, anonymous by construction (ADR 0005).

Every answer is written with :func:`store_answers`: the scores, the comment and the added
questions' answers go to three tables that share nothing but the placement; the summary is
updated in the same transaction; and the rows of the occurrence are rewritten in a random
order, so that neither the (random) ids nor the physical order of the tables follow the order
in which people answered. Who answered is recorded by the caller on the request, as a date."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Person
from kompetenslyft.org.selectors import placement_on

from .models import Answer, Comment, QuestionAnswer
from .summary import gender_code, month_of, publish_after_answers

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class Where:
    """An answer's placement: the person's unit, role and gender on the occurrence's day
    (all empty for an answer without a person)."""

    unit_id: int | None = None
    role_id: int | None = None
    gender: str = ""


def placement_of(person: Person | None, day: dt.date) -> Where:
    if person is None:
        return Where()
    placed = placement_on(person, day)
    unit_id = placed.unit_id if placed else person.unit_id
    role_id = placed.role_id if placed else person.role_id
    return Where(unit_id, role_id, gender_code(person.gender))


@dataclass
class Given:
    """One evaluation as given, before it is stored."""

    module_id: int
    occurred_on: dt.date
    where: Where
    session_id: int | None = None
    motivated: int | None = None
    level: int | None = None
    method_good: int | None = None
    important: int | None = None
    will_use: int | None = None
    comment: str = ""
    response_id: str = ""
    extra: dict[int, int | str] = field(default_factory=dict)  # question id -> 1–4 or text


def _placement(where: Where, organisation_id: int, month: dt.date) -> dict:
    return {
        "organisation_id": organisation_id,
        "month": month,
        "unit_id": where.unit_id,
        "role_id": where.role_id,
        "gender": where.gender,
    }


@transaction.atomic
def store_answers(organisation_id: int, given: Sequence[Given], *, reshuffle: bool = True) -> int:
    """Store answers, update the summary, and (with ``reshuffle``, for answers given one by one
    in the product) rewrite each touched occurrence's rows in a random order. Returns the
    number stored."""
    if not given:
        return 0
    answers: list[Any] = []
    comments: list[Any] = []
    extras: list[Any] = []
    for g in given:
        month = month_of(g.occurred_on)
        place = _placement(g.where, organisation_id, month)
        answers.append(
            Answer(
                **place,
                module_id=g.module_id,
                session_id=g.session_id,
                occurred_on=g.occurred_on,
                motivated=g.motivated,
                level=g.level,
                method_good=g.method_good,
                important=g.important,
                will_use=g.will_use,
                response_id=g.response_id,
            )
        )
        if g.comment.strip():
            comments.append(
                Comment(
                    **place,
                    module_id=g.module_id,
                    session_id=g.session_id,
                    occurred_on=g.occurred_on,
                    text=g.comment.strip(),
                )
            )
        for question_id, value in g.extra.items():
            extras.append(
                QuestionAnswer(
                    **place,
                    question_id=question_id,
                    module_id=g.module_id,
                    occurred_on=g.occurred_on,
                    value=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
            )
    occurrences = {(g.module_id, g.occurred_on) for g in given}
    if reshuffle:
        # One writer per module at a time (the module row is the lock: rows of an occurrence
        # come and go, a lock on them would let a concurrent writer delete what another just
        # wrote); then exactly the rows read are deleted and written again.
        list(
            Module.objects.select_for_update()
            .filter(pk__in=sorted({m for m, _d in occurrences}))
            .values_list("pk")
        )
        for model, rows in ((Answer, answers), (Comment, comments), (QuestionAnswer, extras)):
            for module_id, day in occurrences:
                kept = list(
                    model.objects.filter(
                        organisation_id=organisation_id, module_id=module_id, occurred_on=day
                    )
                )
                if kept:
                    model.objects.filter(pk__in=[row.pk for row in kept]).delete()
                    rows.extend(kept)
    for rows in (answers, comments, extras):
        _shuffle(rows)
    Answer.objects.bulk_create(answers, batch_size=1000)
    Comment.objects.bulk_create(comments, batch_size=1000)
    QuestionAnswer.objects.bulk_create(extras, batch_size=1000)
    # Published once the occurrence's evaluation is over (or everyone asked has answered),
    # in fixed blocks of k or more that never change (summary.publish, ADR 0005).
    publish_after_answers(organisation_id)
    return len(given)
