"""Answering the module evaluation, and the questions an initiative adds to it.

An answer is written with :func:`~.services.store_answers` only (anonymous by construction,
ADR 0005); the request records that its person answered, and on which day: nothing finer, no
audit entry, no log line, no task. A request is answered once: the request row is locked
(``select_for_update``) for the whole write, so two submissions at once give one answer and
one "already answered"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .asking import is_open
from .models import ITEMS, LEVEL, Question, QuestionAnswer, Request
from .services import Given, placement_of, store_answers

COMMENT_MAX = 2000
"""Characters of a free-text comment or a text answer (about a page)."""

QUESTION_MAX = 300


class AlreadyAnswered(Exception):
    """The request was answered before."""


class Closed(Exception):
    """The request is not open (before it opens or after ``closes_on``)."""


@dataclass
class Answers:
    """What a person gave on the answer page (every item optional)."""

    motivated: int | None = None
    level: int | None = None
    method_good: int | None = None
    important: int | None = None
    will_use: int | None = None
    comment: str = ""
    extra: dict[int, int | str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return (
            all(getattr(self, item) is None for item in (*ITEMS, LEVEL))
            and not self.comment.strip()
            and not any(v for v in self.extra.values() if v not in ("", None))
        )


# What imports refuse (core.tabular), and the bidirectional overrides that make text read
# otherwise than it is stored; line breaks and tabs are fine in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def check_text(text: str, *, what: str) -> str:
    text = text.strip()
    if has_control_characters(text):
        raise ValidationError(_("%(what)s contains control characters; remove them.") % {"what": what})
    if len(text) > COMMENT_MAX:
        raise ValidationError(
            _("%(what)s is too long (at most %(max)s characters).") % {"what": what, "max": COMMENT_MAX}
        )
    return text


def questions_for(request: Request) -> list[Question]:
    """The questions the request's initiative adds (not retired), in their order."""
    if request.initiative_id is None:
        return []
    return list(
        Question.objects.filter(
            initiative_id=request.initiative_id, survey__isnull=True, retired=False
        ).order_by("position", "id")
    )


def _check(answers: Answers, questions: list[Question]) -> Answers:
    for item in ITEMS:
        value = getattr(answers, item)
        if value is not None and value not in (1, 2, 3, 4):
            raise ValidationError(_("An answer is outside the scale."))
    if answers.level is not None and answers.level not in (1, 2, 3, 4, 5):
        raise ValidationError(_("An answer is outside the scale."))
    kinds = {q.pk: q.kind for q in questions}
    extra: dict[int, int | str] = {}
    for question_id, value in answers.extra.items():
        if question_id not in kinds:
            raise ValidationError(_("An answer is to a question this evaluation does not ask."))
        if kinds[question_id] == Question.Kind.SCALE:
            if value in ("", None):
                continue
            if value not in (1, 2, 3, 4):
                raise ValidationError(_("An answer is outside the scale."))
            extra[question_id] = value
        else:
            text = check_text(str(value), what=_("An answer"))
            if text:
                extra[question_id] = text
    checked = Answers(
        motivated=answers.motivated,
        level=answers.level,
        method_good=answers.method_good,
        important=answers.important,
        will_use=answers.will_use,
        comment=check_text(answers.comment, what=_("The comment")),
        extra=extra,
    )
    if checked.is_empty():
        raise ValidationError(_("Answer at least one question."))
    return checked


@transaction.atomic
def answer_submit(*, request_id: int, answers: Answers) -> None:
    """Store one evaluation for the request (anonymously) and mark the request answered today.
    Raises :class:`AlreadyAnswered`, :class:`Closed` or ``ValidationError``."""
    request = Request.objects.select_for_update().select_related("person").get(pk=request_id)
    if request.answered_on is not None:
        raise AlreadyAnswered
    today = timezone.localdate()
    if not is_open(request, today):
        raise Closed
    checked = _check(answers, questions_for(request))
    store_answers(
        request.organisation_id,
        [
            Given(
                module_id=request.module_id,
                occurred_on=request.occurred_on,
                where=placement_of(request.person, request.occurred_on),
                session_id=request.session_id,
                motivated=checked.motivated,
                level=checked.level,
                method_good=checked.method_good,
                important=checked.important,
                will_use=checked.will_use,
                comment=checked.comment,
                extra=checked.extra,
            )
        ],
    )
    Request.objects.filter(pk=request.pk).update(answered_on=today)


# --- the questions an initiative adds --------------------------------------------------------


def _positions(initiative_id: int) -> list[Question]:
    return list(
        Question.objects.select_for_update()
        .filter(initiative_id=initiative_id, survey__isnull=True)
        .order_by("position", "id")
    )


def _check_question(text: str, kind: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the question."))
    if has_control_characters(text):
        raise ValidationError(
            _("%(what)s contains control characters; remove them.") % {"what": _("The question")}
        )
    if len(text) > QUESTION_MAX:
        raise ValidationError(
            _("%(what)s is too long (at most %(max)s characters).")
            % {"what": _("The question"), "max": QUESTION_MAX}
        )
    if kind not in Question.Kind.values:
        raise ValidationError(_("Choose a scale 1–4 or free text."))
    return text


@transaction.atomic
def question_add(*, initiative: object, text: str, kind: str) -> Question:
    """Add a question at the end of the initiative's list."""
    text = _check_question(text, kind)
    initiative_id = initiative.pk  # type: ignore[attr-defined]
    last = Question.objects.filter(initiative_id=initiative_id, survey__isnull=True).aggregate(
        m=Max("position")
    )["m"]
    return Question.objects.create(
        organisation_id=initiative.organisation_id,  # type: ignore[attr-defined]
        initiative_id=initiative_id,
        text=text,
        kind=kind,
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap the question with the one before (``up``) or after it."""
    assert question.initiative_id is not None  # noqa: S101 - initiatives' questions only
    ordered = _positions(question.initiative_id)
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)


def question_has_answers(question: Question) -> bool:
    return QuestionAnswer.objects.filter(question=question).exists()


@transaction.atomic
def question_remove(*, question: Question) -> None:
    """Remove a question nobody has answered; one with answers can only be retired."""
    Question.objects.select_for_update().filter(pk=question.pk).first()
    if question_has_answers(question):
        raise ValidationError(
            _(
                "The question already has answers, so it cannot be removed (the answers belong to "
                "the results). Retire it instead: it is no longer asked."
            )
        )
    question.delete()


@transaction.atomic
def question_retire(*, question: Question, retired: bool = True) -> None:
    Question.objects.filter(pk=question.pk).update(retired=retired)
