"""Writes of micro-learning: the daily run (new completions → items; items due → the day's
sets; one e-mail per person), answering a set (Leitner boxes), the person's own choices, the
lead's switch per module, the switch per initiative (ADR 0013) and the team challenges.

The daily run works in chunks of :data:`CHUNK` people, each chunk its own short transaction
(SQLite has one writer; the web keeps answering between chunks), and writes its progress on
the day's :class:`DailyRun`. It is idempotent: a second run the same day makes nothing new and
sends no second e-mail."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Hashable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.core.disclosure import pool_paths
from kompetenslyft.knowledge.models import Question
from kompetenslyft.knowledge.services import question_score
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.learning.selectors import DONE, completed_modules
from kompetenslyft.lrs import emit
from kompetenslyft.org.models import Organisation, Person, Unit

from .models import (
    BOX_DAYS,
    SCHEDULE,
    SET_MAX,
    SET_MIN,
    Course,
    DailyRun,
    InitiativeSetting,
    Item,
    Learner,
    ModuleSetting,
    QuestionSet,
    TeamChallenge,
    TeamWeek,
    TeamWeekRun,
)

CATCH_UP_DAYS = 14
"""Completions this many days back start micro-learning (a missed run catches up)."""
OPEN_DAYS = 7
"""A set not answered stays the person's questions this many days; then a new one may come."""
CHUNK = 2000
WEEKS = 8
"""Closed weeks a team's page lists (and the daily run catches up at most)."""
DIRECT = "·"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def enabled_modules() -> set[tuple[int, int]]:
    """(organisation, module) pairs with micro-learning switched on."""
    return set(ModuleSetting.objects.filter(enabled=True).values_list("organisation_id", "module_id"))


Span = tuple[int, dt.date | None, dt.date | None]  # organisation, first day, last day


def switched_off() -> dict[int, list[Span]]:
    """module → the (organisation, period) of every initiative with micro-learning switched
    off that holds the module: a completion of the module there, in that period, is left out."""
    found: dict[int, list[Span]] = defaultdict(list)
    off = InitiativeSetting.objects.filter(enabled=False).values_list("initiative_id", flat=True)
    if not off:
        return found
    for org_id, starts, ends, module_id in Initiative.modules.through.objects.filter(
        initiative_id__in=list(off)
    ).values_list("initiative__organisation_id", "initiative__starts_on", "initiative__ends_on", "module_id"):
        found[module_id].append((org_id, starts, ends))
    return found


def is_off(off: dict[int, list[Span]], org_id: int, module_id: int, day: dt.date) -> bool:
    """Whether a completion on ``day`` falls in an initiative with micro-learning switched off."""
    return any(
        o == org_id and (starts is None or starts <= day) and (ends is None or day <= ends)
        for o, starts, ends in off.get(module_id, ())
    )


# --- the daily run ------------------------------------------------------------------------------


def _new_completions(today: dt.date, enabled: set[tuple[int, int]]) -> dict[tuple[int, int], dt.date]:
    """(person, module) → completion day for completions of switched-on modules within the
    catch-up window that have no course yet (as ``learning.selectors.completed_modules``)."""
    if not enabled:
        return {}
    since = today - dt.timedelta(days=CATCH_UP_DAYS)
    last: dict[tuple[int, int], dt.date] = {}
    completed: set[tuple[int, int]] = set()
    for person_id, org_id, module_id, status, day in (
        Attendance.objects.filter(
            date__gte=since,
            date__lte=today,
            status__in=DONE,
            person__is_active=True,
            module_id__in=sorted({m for _o, m in enabled}),
        )
        .values_list("person_id", "person__organisation_id", "module_id", "status", "date")
        .order_by()
    ):
        if (org_id, module_id) not in enabled:
            continue
        key = (person_id, module_id)
        if key not in last or day > last[key]:
            last[key] = day
        if status == Attendance.Status.COMPLETED:
            completed.add(key)
    if not last:
        return {}
    people = sorted({p for p, _m in last})
    existing: set[tuple[int, int]] = set()
    left: set[int] = set()
    for start in range(0, len(people), CHUNK):
        part = people[start : start + CHUNK]
        existing |= set(Course.objects.filter(person_id__in=part).values_list("person_id", "module_id"))
        left |= set(Learner.objects.filter(person_id__in=part, left=True).values_list("person_id", flat=True))
    found = {k: d for k, d in last.items() if k in completed and k not in existing and k[0] not in left}
    to_check = sorted({p for (p, m) in last if (p, m) not in completed and (p, m) not in existing} - left)
    for start in range(0, len(to_check), CHUNK):
        done = completed_modules(to_check[start : start + CHUNK])
        for person_id in to_check[start : start + CHUNK]:
            for module_id in done.get(person_id, set()):
                if (person_id, module_id) in last and (person_id, module_id) not in existing:
                    found[(person_id, module_id)] = last[(person_id, module_id)]
    return found


def _questions_by_module(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    """(organisation, module) → the ids of the live questions of the module's banks there."""
    found: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not pairs:
        return found
    for pk, org_id, module_id in (
        Question.objects.filter(retired=False, bank__module_id__in=sorted({m for _o, m in pairs}))
        .values_list("pk", "bank__organisation_id", "bank__module_id")
        .order_by("bank_id", "position", "pk")
    ):
        if (org_id, module_id) in pairs:
            found[(org_id, module_id)].append(pk)
    return found


def first_items(person_id: int, questions: list[int], completed_on: dt.date) -> list[tuple[int, dt.date]]:
    """A course's first items: at most ``SET_MAX`` questions per day of :data:`SCHEDULE`, drawn
    at random (stable per person) and spread over those days."""
    drawn = list(questions)
    random.Random(person_id * 7919 + len(drawn)).shuffle(drawn)  # noqa: S311 (not security)
    drawn = drawn[: SET_MAX * len(SCHEDULE)]
    return [(q, completed_on + dt.timedelta(days=SCHEDULE[n % len(SCHEDULE)])) for n, q in enumerate(drawn)]


def enrol_new_completions(*, today: dt.date, run: DailyRun | None = None) -> int:
    """Start micro-learning for every new completion of a switched-on module: a course, the
    person's learner row and its first items. Returns the courses made."""
    enabled = enabled_modules()
    found = _new_completions(today, enabled)
    if not found:
        return 0
    people = sorted({p for p, _m in found})
    org_of: dict[int, int] = {}
    for start in range(0, len(people), CHUNK):
        org_of.update(
            Person.objects.filter(pk__in=people[start : start + CHUNK]).values_list("pk", "organisation_id")
        )
    off = switched_off()
    if off:
        found = {(p, m): d for (p, m), d in found.items() if not is_off(off, org_of[p], m, d)}
    questions = _questions_by_module({(org_of[p], m) for p, m in found})
    made = 0
    keys = sorted(found)
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        courses: list[Course] = []
        learners: list[Learner] = []
        items: list[tuple[Any, ...]] = []
        for person_id, module_id in part:
            pool = questions.get((org_of[person_id], module_id), [])
            if not pool:
                continue
            day = found[(person_id, module_id)]
            courses.append(Course(person_id=person_id, module_id=module_id, completed_on=day))
            learners.append(Learner(person_id=person_id, organisation_id=org_of[person_id]))
            items.extend(
                (person_id, module_id, q, 1, due, 0, 0) for q, due in first_items(person_id, pool, day)
            )
        with transaction.atomic():
            Learner.objects.bulk_create(learners, batch_size=1000, ignore_conflicts=True)
            Course.objects.bulk_create(courses, batch_size=1000, ignore_conflicts=True)
            _insert_items(items)
        made += len(courses)
        if run is not None:
            DailyRun.objects.filter(pk=run.pk).update(enrolled=made)
    analyse(Course, Item, Learner)
    return made


ITEM_COLUMNS = ("person_id", "module_id", "question_id", "box", "due_on", "right", "wrong")


def _insert_items(rows: list[tuple[Any, ...]]) -> None:
    """The new items in one stream (COPY on PostgreSQL); should some exist (a course made
    again after its items), the rest one batch at a time, skipping those."""
    try:
        with transaction.atomic(), connection.wrap_database_errors:
            bulk_insert(Item._meta.db_table, ITEM_COLUMNS, rows)
    except IntegrityError:
        Item.objects.bulk_create(
            [Item(**dict(zip(ITEM_COLUMNS, row, strict=True))) for row in rows],
            batch_size=1000,
            ignore_conflicts=True,
        )


def _pick(items: list[tuple[int, int, dt.date | None, int]], today: dt.date) -> list[int]:
    """The day's questions: up to ``SET_MAX`` due items (the earliest due and lowest box
    first), topped up to ``SET_MIN`` with the next to come."""
    live = [i for i in items if i[2] is not None]
    due = sorted((i for i in live if i[2] <= today), key=lambda i: (i[2], i[3], i[0]))  # type: ignore[operator]
    chosen = due[:SET_MAX]
    if len(chosen) < SET_MIN:
        later = sorted((i for i in live if i[2] > today), key=lambda i: (i[2], i[3], i[0]))  # type: ignore[operator]
        chosen += later[: SET_MIN - len(chosen)]
    return [i[1] for i in chosen]


def _people_due(today: dt.date) -> list[int]:
    return sorted(
        set(
            Item.objects.filter(due_on__lte=today, person__is_active=True).values_list("person_id", flat=True)
        )
    )


def make_sets(*, today: dt.date, run: DailyRun | None = None) -> int:
    """The day's set for every person with questions due who has none open (answered, or
    older than ``OPEN_DAYS``), is not paused and has not left. Returns the sets made."""
    enabled = enabled_modules()
    off = switched_off()
    people = _people_due(today)
    made = 0
    open_since = today - dt.timedelta(days=OPEN_DAYS)
    for start in range(0, len(people), CHUNK):
        part = people[start : start + CHUNK]
        stopped = set(
            Learner.objects.filter(Q(paused=True) | Q(left=True), person_id__in=part).values_list(
                "person_id", flat=True
            )
        )
        busy = set(
            QuestionSet.objects.filter(person_id__in=part)
            .filter(Q(day=today) | Q(answered_on__isnull=True, day__gt=open_since))
            .values_list("person_id", flat=True)
        )
        wanted = [p for p in part if p not in stopped and p not in busy]
        if not wanted:
            continue
        org_of = dict(Person.objects.filter(pk__in=wanted).values_list("pk", "organisation_id"))
        courses_off: set[tuple[int, int]] = set()
        if off:
            for person_id, module_id, day in Course.objects.filter(
                person_id__in=wanted, module_id__in=sorted(off)
            ).values_list("person_id", "module_id", "completed_on"):
                if is_off(off, org_of[person_id], module_id, day):
                    courses_off.add((person_id, module_id))
        # Only modules the person completed feed its sets: an exemption (a passed pre-test, a
        # manager's decision) is no completion, whatever course rows exist.
        done = completed_modules(wanted)
        by_person: dict[int, list[tuple[int, int, dt.date | None, int]]] = defaultdict(list)
        for pk, person_id, question_id, module_id, due_on, box in Item.objects.filter(
            person_id__in=wanted, due_on__isnull=False
        ).values_list("pk", "person_id", "question_id", "module_id", "due_on", "box"):
            if (
                (org_of[person_id], module_id) in enabled
                and (person_id, module_id) not in courses_off
                and module_id in done.get(person_id, ())
            ):
                by_person[person_id].append((pk, question_id, due_on, box))
        sets = []
        for person_id in wanted:
            items = by_person.get(person_id, [])
            if not any(i[2] is not None and i[2] <= today for i in items):
                continue
            questions = _pick(items, today)
            random.Random(person_id + today.toordinal()).shuffle(questions)  # noqa: S311
            sets.append(
                QuestionSet(
                    person_id=person_id, organisation_id=org_of[person_id], day=today, questions=questions
                )
            )
        with transaction.atomic():
            QuestionSet.objects.bulk_create(sets, batch_size=1000, ignore_conflicts=True)
        made += len(sets)
        if run is not None:
            DailyRun.objects.filter(pk=run.pk).update(sets=made)
    analyse(QuestionSet)
    return made


def _base_url() -> str:
    return settings.KOMPETENSLYFT_BASE_URL.rstrip("/")


def send_emails(*, today: dt.date, run: DailyRun | None = None) -> int:
    """One e-mail per person with today's set not yet e-mailed, in its language, to those who
    keep e-mails on. The texts are translated once per language (50,000 e-mails in seconds)."""
    url = _base_url() + reverse("microlearning:home")
    sent = 0
    pending = list(
        QuestionSet.objects.filter(day=today, emailed_at__isnull=True, answered_on__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    texts: dict[str, tuple[str, str]] = {}
    org_languages: dict[int, str] = {}
    for start in range(0, len(pending), CHUNK):
        part = pending[start : start + CHUNK]
        # Three narrow queries by primary key (the sets, their people, who keeps e-mails on):
        # joined in one, SQLite took 4–5 s a chunk of 2,000 at 50,000 people.
        sets = list(QuestionSet.objects.filter(pk__in=part).values_list("person_id", "questions"))
        ids = [person_id for person_id, _questions in sets]
        people = {
            pk: (email, given_name, language, organisation_id)
            for pk, email, given_name, language, organisation_id in Person.objects.filter(
                pk__in=ids, is_active=True
            )
            .exclude(email="")
            .values_list("pk", "email", "given_name", "language", "organisation_id")
        }
        emails_on = set(
            Learner.objects.filter(person_id__in=ids, emails=True).values_list("person_id", flat=True)
        )
        rows = []
        for person_id, questions in sets:
            if person_id in people and person_id in emails_on:
                email, given_name, language, organisation_id = people[person_id]
                if organisation_id not in org_languages:
                    org_languages[organisation_id] = (
                        Organisation.objects.filter(pk=organisation_id)
                        .values_list("language", flat=True)
                        .first()
                        or ""
                    )
                rows.append((email, given_name, language, org_languages[organisation_id], questions))
        messages = []
        for email, given_name, language, org_language, questions in rows:
            lang = language or org_language or settings.LANGUAGE_CODE
            if lang not in texts:
                with translation.override(lang):
                    texts[lang] = (
                        _("Your questions for today"),
                        _(
                            "Hello %(name)s,\n\n%(count)s short questions from the modules you took are "
                            "waiting for you today. They take about two minutes:\n\n%(url)s\n\n"
                            "You can pause or leave micro-learning on the same page."
                        ),
                    )
            subject, body = texts[lang]
            messages.append(
                EmailMessage(
                    subject, body % {"name": given_name, "count": len(questions), "url": url}, to=[email]
                )
            )
        if messages:
            with get_connection() as connection:
                connection.send_messages(messages)
        # Marked whether or not an address was there: a set is e-mailed at most once.
        QuestionSet.objects.filter(pk__in=part).update(emailed_at=timezone.now())
        sent += len(messages)
        if run is not None:
            DailyRun.objects.filter(pk=run.pk).update(emails=sent)
    return sent


def microlearning_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run (``kompetenslyft microlearning_send`` enqueues it)."""
    today = today or timezone.localdate()
    run, _created = DailyRun.objects.get_or_create(day=today, defaults={"started_at": timezone.now()})
    DailyRun.objects.filter(pk=run.pk).update(stage="weeks", started_at=timezone.now(), finished_at=None)
    publish_team_weeks(today=today)
    DailyRun.objects.filter(pk=run.pk).update(stage="courses")
    enrolled = enrol_new_completions(today=today, run=run)
    DailyRun.objects.filter(pk=run.pk).update(stage="sets", enrolled=run.enrolled + enrolled)
    sets = make_sets(today=today, run=run)
    DailyRun.objects.filter(pk=run.pk).update(stage="emails", sets=run.sets + sets)
    emails = send_emails(today=today, run=run)
    DailyRun.objects.filter(pk=run.pk).update(
        stage="done", emails=run.emails + emails, finished_at=timezone.now()
    )
    return {"enrolled": enrolled, "sets": sets, "emails": emails}


# --- the team figures of closed weeks (ADR 0012) ------------------------------------------------


def publish_team_weeks(*, today: dt.date) -> int:
    """Publish the team figures of every closed week (Monday–Sunday, ended before ``today``)
    not yet published, in each organisation with a team challenge: from the week its oldest
    challenge started, at most :data:`WEEKS` weeks back. A published week is never changed.
    Returns the number of weeks published."""
    last_closed = week_start(today) - dt.timedelta(weeks=1)
    oldest = last_closed - dt.timedelta(weeks=WEEKS - 1)
    published = 0
    starts = (
        TeamChallenge.objects.values_list("organisation_id")
        .annotate(first=Min("started_on"))
        .order_by("organisation_id")
    )
    for organisation_id, first in starts:
        done = set(
            TeamWeekRun.objects.filter(organisation_id=organisation_id).values_list("monday", flat=True)
        )
        monday = max(week_start(first), oldest)
        while monday <= last_closed:
            if monday not in done and _publish_week(organisation_id, monday):
                published += 1
            monday += dt.timedelta(weeks=1)
    return published


def _unit_key(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.strip("/").split("/") if p)


@transaction.atomic
def _publish_week(organisation_id: int, monday: dt.date) -> bool:
    """One organisation's closed week, computed once from who took part that week: the people
    who answered at least once in it and were in the team game (not out of it, not left,
    active) when it was published, each in its unit then. Their counts per unit are cut into
    fixed blocks of the anonymity threshold or more (``pool_paths``); a unit's figure is stored
    as shown only where its people are whole blocks, so no unit minus a child (nor any other
    difference of the week's figures) tells fewer than the threshold."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if TeamWeekRun.objects.filter(organisation=organisation, monday=monday).exists():
        return False
    k = max(1, organisation.anonymity_threshold)
    sunday = monday + dt.timedelta(days=6)
    paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))
    people: dict[int, int] = defaultdict(int)
    points: dict[int, int] = defaultdict(int)
    for _person, unit_id, right, n in (
        QuestionSet.objects.filter(
            organisation=organisation,
            answered_on__gte=monday,
            answered_on__lte=sunday,
            person__organisation=organisation,
            person__is_active=True,
            person__micro_learner__team_opt_out=False,
            person__micro_learner__left=False,
        )
        .values_list("person_id", "person__unit_id")
        .annotate(right=Sum("right"), n=Count("pk"))
        .order_by()
    ):
        if unit_id not in paths:
            continue
        people[unit_id] += 1
        points[unit_id] += int(right or 0) + int(n)
    atoms: dict[tuple[Hashable, ...], int] = {_unit_key(paths[u]) + (DIRECT,): n for u, n in people.items()}
    release = pool_paths(atoms, k)
    inside: dict[int, list[int]] = defaultdict(list)
    for unit_id in people:
        atom = _unit_key(paths[unit_id]) + (DIRECT,)
        for above in atom[:-1]:
            inside[int(above)].append(unit_id)
    run = TeamWeekRun.objects.create(
        organisation=organisation,
        monday=monday,
        threshold=k,
        participants=sum(people.values()),
        published_at=timezone.now(),
    )
    rows = []
    for unit_id, units in inside.items():
        if unit_id not in paths:
            continue
        n = sum(people[u] for u in units)
        shown = n >= k and release.shown([_unit_key(paths[u]) + (DIRECT,) for u in units])
        rows.append(
            TeamWeek(
                run=run,
                unit_id=unit_id,
                shown=shown,
                participants=n if shown else None,
                points=sum(points[u] for u in units) if shown else None,
            )
        )
    TeamWeek.objects.bulk_create(rows)
    return True


# --- answering ----------------------------------------------------------------------------------


@transaction.atomic
def set_answer(*, question_set: QuestionSet, answers: dict[int, list[int]]) -> QuestionSet:
    """Score the person's answers to its set (once) and move each question's Leitner box:
    right, one box up and further apart; missed (wrong or partly right), back to box 1 and
    soon again."""
    row = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
    if row.answered_on is not None:
        raise ValidationError(_("These questions are already answered."))
    ids = [int(q) for q in row.questions]
    questions = Question.objects.filter(pk__in=ids).prefetch_related("options").in_bulk()
    if any(qid in questions and not answers.get(qid) for qid in ids):
        # A question left out is not a wrong answer: the set waits until each has one.
        raise ValidationError(_("Answer each question before you send your answers."))
    today = timezone.localdate()
    items = {
        i.question_id: i
        for i in Item.objects.select_for_update().filter(person_id=row.person_id, question_id__in=ids)
    }
    right = 0
    stored: dict[str, list[int]] = {}
    for qid in ids:
        question = questions.get(qid)
        if question is None:
            continue
        chosen = [int(c) for c in answers.get(qid, [])]
        stored[str(qid)] = chosen
        correct = question_score(question, chosen) == 1
        right += correct
        item = items.get(qid)
        if item is None:
            continue
        if correct:
            item.right += 1
            if item.box >= max(BOX_DAYS):
                item.due_on = None
            else:
                item.box += 1
                item.due_on = today + dt.timedelta(days=BOX_DAYS[item.box])
        else:
            item.wrong += 1
            item.box = 1
            item.due_on = today + dt.timedelta(days=BOX_DAYS[1])
        item.save(update_fields=["right", "wrong", "box", "due_on"])
    row.answers = stored
    row.right = right
    row.answered_on = today
    row.save(update_fields=["answers", "right", "answered_on"])
    emit.micro_answered(row, row.person)
    return row


# --- the person's own choices -------------------------------------------------------------------

CHOICES = ("pause", "resume", "leave", "rejoin", "emails_off", "emails_on", "team_out", "team_in")


@transaction.atomic
def learner_choose(*, person: Person, choice: str) -> Learner:
    """The person pauses or resumes, leaves or rejoins micro-learning, turns its e-mails off or
    on, or leaves or joins its unit's team game (out: its answers no longer count)."""
    if choice not in CHOICES:
        raise ValidationError(_("Unknown choice."))
    learner, _created = Learner.objects.select_for_update().get_or_create(
        person=person, defaults={"organisation_id": person.organisation_id}
    )
    field, value = {
        "pause": ("paused", True),
        "resume": ("paused", False),
        "leave": ("left", True),
        "rejoin": ("left", False),
        "emails_off": ("emails", False),
        "emails_on": ("emails", True),
        "team_out": ("team_opt_out", True),
        "team_in": ("team_opt_out", False),
    }[choice]
    setattr(learner, field, value)
    learner.save(update_fields=[field])
    return learner


# --- the lead's switch and the challenges ----------------------------------------------------------


@transaction.atomic
def module_switch(*, organisation: Organisation, module: Module, enabled: bool, actor: Any) -> ModuleSetting:
    setting, _created = ModuleSetting.objects.get_or_create(organisation=organisation, module=module)
    setting.enabled = enabled
    setting.updated_by = actor if getattr(actor, "pk", None) else None
    setting.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "microlearning.module_switched", "module", str(module.pk), module.name, {"enabled": enabled}
        ),
    )
    return setting


def initiative_enabled(initiative: Initiative) -> bool:
    """Micro-learning for the initiative: on unless switched off."""
    found = InitiativeSetting.objects.filter(initiative=initiative).values_list("enabled", flat=True).first()
    return True if found is None else bool(found)


@transaction.atomic
def initiative_switch(*, initiative: Initiative, enabled: bool, actor: Any) -> InitiativeSetting:
    """Switch micro-learning on or off for an initiative (its lead or a project leader), audited."""
    if not access_for(actor).manages_initiative(initiative):
        raise PermissionDenied("not a lead or project leader of the initiative")
    setting, _created = InitiativeSetting.objects.get_or_create(initiative=initiative)
    setting.enabled = enabled
    setting.updated_by = actor if getattr(actor, "pk", None) else None
    setting.save()
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "microlearning.initiative_switched",
            "learning.Initiative",
            str(initiative.pk),
            initiative.name,
            {"enabled": enabled},
        ),
    )
    return setting


@transaction.atomic
def challenge_start(*, unit: Unit, actor: Any) -> TeamChallenge:
    if TeamChallenge.objects.filter(unit=unit).exists():
        raise ValidationError(_("This unit is already in a team challenge."))
    challenge = TeamChallenge.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        started_on=timezone.localdate(),
        started_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        organisation=unit.organisation,
        event=AuditEvent("microlearning.challenge_started", "unit", str(unit.pk), unit.name, {}),
    )
    return challenge


@transaction.atomic
def challenge_end(*, challenge: TeamChallenge, actor: Any) -> None:
    unit = challenge.unit
    challenge.delete()
    audit_record(
        actor=actor,
        organisation=unit.organisation,
        event=AuditEvent("microlearning.challenge_ended", "unit", str(unit.pk), unit.name, {}),
    )


def describe_schedule() -> str:
    return _(
        "Questions come %(days)s days after the completion. A missed question comes back after "
        "%(soon)s days; one answered right comes back later and later until it is learnt."
    ) % {"days": ", ".join(str(d) for d in SCHEDULE), "soon": BOX_DAYS[1]}
