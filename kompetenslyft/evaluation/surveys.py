"""An initiative's final survey (Solna's slututvärdering): writes.

* The lead or the initiative's owner (its project leader) creates one survey per initiative with
  its own questions (scale 1–4 with the words of formats.md, or free text), edits, reorders and
  removes them until it is sent.
* **Sending** asks everyone who took part — a person of the initiative's organisation with an
  attended or completed attendance in its modules within its period — with a
  :class:`SurveyRequest` each (its placement on the day) and an e-mail in the person's language,
  in a background task that writes its progress; one reminder goes out two days before it closes
  (deferred like the sessions' reminders), or when the lead asks for it.
* **Answering** is once per person (one conditional UPDATE of the request decides), only while
  open, and anonymous by construction as the module evaluations are (ADR 0005): the request
  keeps the date it was answered and nothing else; the answers go to :class:`QuestionAnswer`
  rows and one :class:`SurveyResponse` row per submission, placed like the request (unit, role,
  gender, the survey's month), with random ids, and every row of that placement in the survey is
  rewritten in a random order with every submission. No audit row, log line or time finer
  than a date is written.

Why the rewrite covers one placement rather than the whole survey (``store_answers`` rewrites a
whole module occurrence): a survey of every participant of a large initiative has tens of
thousands of rows, and rewriting all of them per submission is quadratic. Rows of another
placement are told apart by their columns anyway, so the set a respondent hides in — the rows of
its own placement — is the same either way.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.queue import can_defer, enqueue
from kompetenslyft.learning import participation
from kompetenslyft.learning.models import Initiative, Participation
from kompetenslyft.org.models import Person, Placement

from .models import Question, QuestionAnswer, Survey, SurveyRequest, SurveyResponse
from .summary import gender_code, month_of

_shuffle = random.SystemRandom().shuffle

BATCH = 500
MAX_QUESTIONS = 40
REMIND_DAYS_BEFORE = 2
SCALE = (1, 2, 3, 4)


def scale_words() -> dict[int, str]:
    """The words of the 1–4 scale (formats.md), in the current language."""
    return {
        1: _("not at all"),
        2: _("to a small extent"),
        3: _("to a fairly large extent"),
        4: _("to a large extent"),
    }


def default_questions() -> list[tuple[str, str]]:
    """What Solna's final survey asked everyone who took part (in the current language): the
    overall impression of the training and the results of the change theory. Editable."""
    scale, text = Question.Kind.SCALE, Question.Kind.TEXT
    return [
        (_("To what extent was the training adapted to your needs?"), scale),
        (_("To what extent did you want to learn, and were you interested in the content?"), scale),
        (_("To what extent was the way you got to learn good?"), scale),
        (_("To what extent is what you learned important for what you do at work?"), scale),
        (_("To what extent do you feel more confident using the digital tools you were trained in?"), scale),
        (_("To what extent has what you learned made your work easier?"), scale),
        (_("What was best, and what could have been better?"), text),
    ]


def _clean_text(value: str, *, field: str, required: bool = True, limit: int = 500) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("%(field)s: write something.") % {"field": field})
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s: at most %(limit)s characters.") % {"field": field, "limit": limit}
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_("%(field)s: contains control characters.") % {"field": field})
    return value


def _check_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("The survey has been sent: its questions can no longer change."))


def _check_dates(opens_on: dt.date | None, closes_on: dt.date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError(_("The survey must close on or after the day it opens."))


# --- creating and editing -------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    initiative: Initiative,
    title: str,
    introduction: str = "",
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    questions: Iterable[tuple[str, str]] | None = None,
    actor: Any = None,
) -> Survey:
    """The initiative's final survey, with ``questions`` (text, kind) — by default Solna's."""
    if Survey.objects.filter(initiative=initiative).exists():
        raise ValidationError(_("This initiative already has a final survey."))
    _check_dates(opens_on, closes_on)
    survey = Survey.objects.create(
        organisation_id=initiative.organisation_id,
        initiative=initiative,
        title=_clean_text(title, field=_("Title"), limit=200),
        introduction=_clean_text(introduction, field=_("Introduction"), required=False, limit=4000),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for text, kind in default_questions() if questions is None else questions:
        question_add(survey=survey, text=text, kind=kind)
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent("survey.created", "survey", str(survey.pk), survey.title),
    )
    return survey


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    title: str,
    introduction: str,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_draft(survey)
    _check_dates(opens_on, closes_on)
    survey.title = _clean_text(title, field=_("Title"), limit=200)
    survey.introduction = _clean_text(introduction, field=_("Introduction"), required=False, limit=4000)
    survey.opens_on, survey.closes_on = opens_on, closes_on
    survey.save(update_fields=["title", "introduction", "opens_on", "closes_on"])
    return survey


@transaction.atomic
def question_add(*, survey: Survey, text: str, kind: str) -> Question:
    _check_draft(Survey.objects.select_for_update().get(pk=survey.pk))
    if kind not in Question.Kind.values:
        raise ValidationError(_("A question is a scale 1–4 or free text."))
    questions = survey.questions.all()
    if questions.count() >= MAX_QUESTIONS:
        raise ValidationError(_("A survey has at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    last = max(questions.values_list("position", flat=True), default=0)
    return Question.objects.create(
        organisation_id=survey.organisation_id,
        survey=survey,
        text=_clean_text(text, field=_("Question")),
        kind=kind,
        position=last + 1,
    )


@transaction.atomic
def question_edit(*, question: Question, text: str, kind: str) -> Question:
    _check_draft(Survey.objects.select_for_update().get(pk=question.survey_id or 0))
    if kind not in Question.Kind.values:
        raise ValidationError(_("A question is a scale 1–4 or free text."))
    question.text = _clean_text(text, field=_("Question"))
    question.kind = kind
    question.save(update_fields=["text", "kind"])
    return question


@transaction.atomic
def question_remove(*, question: Question) -> None:
    _check_draft(Survey.objects.select_for_update().get(pk=question.survey_id or 0))
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap the question with the one before (``up``) or after it."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id or 0)
    _check_draft(survey)
    ordered = list(survey.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, q in enumerate(ordered, start=1):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)


# --- sending ------------------------------------------------------------------------------------


def participants(initiative: Initiative) -> Any:
    """The people who took part: an attended or completed attendance in the initiative's modules
    within its period, people of its own organisation only (guests of shared sessions are
    asked by their own organisation), active. Read from the participation summary (ADR 0006),
    which holds exactly those people, a few rows each, not their attendance."""
    participation.ensure_current(initiative)
    # The ids first: as a subquery PostgreSQL without fresh statistics joined the two tables
    # in a nested loop, every person against every participation row (1.2 million rows on the
    # demo's initiative).
    person_ids = set(
        Participation.objects.filter(
            organisation_id=initiative.organisation_id, initiative=initiative
        ).values_list("person_id", flat=True)
    )
    return Person.objects.filter(
        pk__in=sorted(person_ids), organisation_id=initiative.organisation_id, is_active=True
    ).order_by("pk")


def survey_is_open(survey: Survey, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        survey.status != Survey.Status.DRAFT
        and survey.opens_on is not None
        and survey.closes_on is not None
        and survey.opens_on <= today <= survey.closes_on
    )


@transaction.atomic
def survey_send(*, survey: Survey, actor: Any = None) -> None:
    """Check the survey and start sending it (a background task with progress)."""
    survey = Survey.objects.select_for_update().select_related("initiative").get(pk=survey.pk)
    _check_draft(survey)
    today = timezone.localdate()
    if survey.opens_on is None or survey.closes_on is None:
        raise ValidationError(_("Set the days the survey opens and closes before sending it."))
    _check_dates(survey.opens_on, survey.closes_on)
    if survey.closes_on < today:
        raise ValidationError(_("The survey would already be closed: choose a later closing day."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before sending."))
    total = participants(survey.initiative).count()
    if not total:
        raise ValidationError(
            _(
                "Nobody has taken part in the initiative's modules within its period yet: there is no one to ask."
            )
        )
    Survey.objects.filter(pk=survey.pk).update(
        status=Survey.Status.SENDING, sent_on=today, progress_done=0, progress_total=total
    )
    audit_record(
        actor=actor,
        organisation=survey.initiative.organisation,
        event=AuditEvent("survey.sent", "survey", str(survey.pk), survey.title, {"people": total}),
    )
    enqueue("evaluation.survey_send_task", survey.pk)


def placements_on(person_ids: list[int], day: dt.date) -> dict[int, tuple[int | None, int | None]]:
    """Each person's (unit, role) on ``day`` from the placement history, in one query."""
    found: dict[int, tuple[int | None, int | None]] = {}
    rows = (
        Placement.objects.filter(person_id__in=person_ids, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("person_id", "valid_from", "id")
        .values_list("person_id", "unit_id", "role_id")
    )
    for person_id, unit_id, role_id in rows:
        found[person_id] = (unit_id, role_id)  # the latest valid one wins
    return found


def survey_send_requests(*, survey_id: int) -> int:
    """The task's work: a request for every participant not yet asked (placed on the day the
    survey was sent) and the e-mails not yet sent, in batches, writing the progress after each.
    Run again, it continues where it stopped. Returns the e-mails sent."""
    survey = Survey.objects.select_related("initiative", "initiative__organisation").get(pk=survey_id)
    if survey.status == Survey.Status.DRAFT:
        return 0
    day = survey.sent_on or timezone.localdate()
    people = participants(survey.initiative).values_list("pk", "unit_id", "role_id", "gender")
    batch: list[tuple[int, int | None, int | None, str]] = []
    done = sent = 0
    connection = get_connection()

    def flush() -> None:
        nonlocal done, sent
        placed = placements_on([p for p, *_rest in batch], day)
        with transaction.atomic():
            created = SurveyRequest.objects.bulk_create(
                [
                    SurveyRequest(
                        survey=survey,
                        person_id=person_id,
                        unit_id=placed.get(person_id, (unit_id, role_id))[0],
                        role_id=placed.get(person_id, (unit_id, role_id))[1],
                        gender=gender_code(gender),
                    )
                    for person_id, unit_id, role_id, gender in batch
                ],
                ignore_conflicts=True,
            )
            if created:
                Survey.objects.filter(pk=survey.pk).update(version=F("version") + 1)
        sent += _mail(
            survey,
            SurveyRequest.objects.filter(
                survey=survey, person_id__in=[p for p, *_rest in batch], sent_on__isnull=True
            ),
            "survey_invitation",
            "sent_on",
            connection,
        )
        done += len(batch)
        Survey.objects.filter(pk=survey.pk).update(progress_done=done)
        batch.clear()

    for row in people.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    Survey.objects.filter(pk=survey.pk).update(
        status=Survey.Status.SENT, progress_done=done, progress_total=max(done, survey.progress_total)
    )
    _schedule_reminder(survey)
    return sent


def _schedule_reminder(survey: Survey) -> None:
    if survey.closes_on is None:
        return
    remind_on = survey.closes_on - dt.timedelta(days=REMIND_DAYS_BEFORE)
    remind_at = timezone.make_aware(dt.datetime.combine(remind_on, dt.time(9, 0)))
    # As the sessions' reminders: a backend without deferred tasks (the demo's inline one) sends
    # none by itself; the lead's "send the reminder now" works everywhere.
    if remind_at > timezone.now() and can_defer("evaluation.survey_remind_task"):
        enqueue("evaluation.survey_remind_task", survey.pk, run_after=remind_at)


def _mail(survey: Survey, requests: Any, template: str, stamp: str, connection: Any) -> int:
    sent = 0
    base = getattr(settings, "KOMPETENSLYFT_BASE_URL", "http://127.0.0.1:8000")
    today = timezone.localdate()
    for request in requests.select_related("person").iterator(chunk_size=BATCH):
        person = request.person
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "survey": survey,
                "url": base + reverse("evaluation:survey_answer", args=[request.token]),
            }
            subject = render_to_string(f"evaluation/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"evaluation/email/{template}.txt", context)
        EmailMessage(subject, body, to=[person.email], connection=connection).send()
        SurveyRequest.objects.filter(pk=request.pk).update(**{stamp: today})
        sent += 1
    return sent


def survey_send_reminders(*, survey_id: int) -> int:
    """The one reminder: to everyone asked who has not answered and was not reminded yet, while
    the survey is open."""
    survey = Survey.objects.get(pk=survey_id)
    if survey.status != Survey.Status.SENT or not survey_is_open(survey):
        return 0
    pending = SurveyRequest.objects.filter(
        survey=survey, answered_on__isnull=True, reminded_on__isnull=True, sent_on__isnull=False
    )
    return _mail(survey, pending, "survey_reminder", "reminded_on", get_connection())


def survey_remind(*, survey: Survey, actor: Any = None) -> None:
    """The lead's "send the reminder now" (once per person, as the scheduled one)."""
    if survey.status != Survey.Status.SENT or not survey_is_open(survey):
        raise ValidationError(_("Reminders go out only while the survey is open."))
    audit_record(
        actor=actor,
        organisation=survey.initiative.organisation,
        event=AuditEvent("survey.reminded", "survey", str(survey.pk), survey.title),
    )
    enqueue("evaluation.survey_remind_task", survey.pk)


# --- answering ----------------------------------------------------------------------------------


class AlreadyAnswered(Exception):
    pass


class SurveyClosed(Exception):
    pass


@dataclass(frozen=True)
class Submission:
    """One person's answers: question id → 1–4 (scale) or text (free text, may be empty)."""

    values: Mapping[int, int | str]


def validate_submission(survey: Survey, raw: Mapping[str, str]) -> tuple[Submission, dict[int, str]]:
    """Read the form's values (``q<id>``) against the survey's questions: every scale question
    needs 1–4; free text is optional. Returns the submission and the errors per question."""
    values: dict[int, int | str] = {}
    errors: dict[int, str] = {}
    for question in survey.questions.all():
        value = raw.get(f"q{question.pk}", "")
        if question.kind == Question.Kind.SCALE:
            if value not in {str(v) for v in SCALE}:
                errors[question.pk] = _("Choose one of the four answers.")
            else:
                values[question.pk] = int(value)
        else:
            try:
                text = _clean_text(value, field=_("Answer"), required=False, limit=4000)
            except ValidationError as exc:
                errors[question.pk] = " ".join(exc.messages)
            else:
                if text:
                    values[question.pk] = text
    return Submission(values), errors


@transaction.atomic
def survey_answer(*, request: SurveyRequest, submission: Submission) -> None:
    """Store one person's answers anonymously (see the module's docstring). Raises
    :class:`AlreadyAnswered` if the person has answered (also when two submissions race: one
    conditional UPDATE decides) and :class:`SurveyClosed` outside the open days."""
    # One answer of a survey at a time (a short transaction each): the rewrite below sees every
    # row of its placement, including those of an answer committed a moment before.
    survey = Survey.objects.select_for_update().get(pk=request.survey_id)
    today = timezone.localdate()
    if not survey_is_open(survey, today):
        raise SurveyClosed
    claimed = SurveyRequest.objects.filter(pk=request.pk, answered_on__isnull=True).update(answered_on=today)
    if not claimed:
        raise AlreadyAnswered
    if survey.opens_on is None:  # pragma: no cover - survey_is_open needs it
        raise SurveyClosed
    place = {
        "organisation_id": survey.organisation_id,
        "month": month_of(survey.opens_on),
        "unit_id": request.unit_id,
        "role_id": request.role_id,
        "gender": request.gender,
    }
    questions = {q.pk: q for q in survey.questions.all()}
    responses: list[Any] = [SurveyResponse(survey_id=survey.pk, **place)]
    answers: list[Any] = [
        QuestionAnswer(
            question_id=question_id,
            value=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
            **place,
        )
        for question_id, value in submission.values.items()
        if question_id in questions
    ]
    same_place = Q(unit_id=request.unit_id, role_id=request.role_id, gender=request.gender)
    # Rewrite the placement's rows, old and new, in a random order (ids are random already).
    old_responses = SurveyResponse.objects.select_for_update().filter(same_place, survey_id=survey.pk)
    old_answers = QuestionAnswer.objects.select_for_update().filter(same_place, question__survey_id=survey.pk)
    kept_responses, kept_answers = list(old_responses), list(old_answers)
    for model, kept in ((QuestionAnswer, kept_answers), (SurveyResponse, kept_responses)):
        for start in range(0, len(kept), 1000):  # exactly the rows read, in bounded statements
            model.objects.filter(pk__in=[row.pk for row in kept[start : start + 1000]]).delete()
    responses.extend(kept_responses)
    answers.extend(kept_answers)
    _shuffle(responses)
    _shuffle(answers)
    SurveyResponse.objects.bulk_create(responses, batch_size=1000)
    QuestionAnswer.objects.bulk_create(answers, batch_size=1000)
    Survey.objects.filter(pk=survey.pk).update(version=F("version") + 1)
