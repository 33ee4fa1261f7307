"""Pseudonymising a person everywhere (GDPR art. 17; ADR 0018).

The person's row in ``org.Person`` stays — every aggregate, summary and report counts its rows
through it — but nothing in it, or anywhere else, identifies the person any more: names become
"Pseudonym <8 hex>", the e-mail is emptied, the employee id becomes ``pseudonym-<16 hex>``, the
account is deactivated, scrubbed and unlinked, the learning record store's statements name a
random pseudonymous account (``lrs.services``, ADR 0008). Gender, unit, role and dates stay:
the participation summary, gap summary, evaluation cube, micro-learning team weeks, costs and
the funder report read them, and they identify no one once the names are gone.

Decision per field with a foreign key to a person or an account (``DECISIONS``; a test fails
when a model gains such a field without one — other apps add theirs with :func:`decide`):

==========================================  ============  =======================================
field                                       decision      why / what happens
==========================================  ============  =======================================
org.Person (the row itself)                 pseudonymise  names, e-mail, employee id, start date
org.Person.user                             pseudonymise  account deactivated, username/e-mail/
                                                          names scrubbed, unusable password,
                                                          staff rights off, then unlinked
org.Placement.person                        keep          history of unit × role: aggregates
org.Unit.manager                            unlink        a leaver manages nothing
org.ImportBatch.uploaded_by / confirmed_by  keep          the account is scrubbed
core.Grant.user                             delete        no product role survives
core.AuditEntry.actor                       keep          actor_label and the entries about the
                                                          person have their identifiers replaced
admin.LogEntry.user                         keep          object_repr of the person scrubbed
otp_totp.TOTPDevice.user                    delete        sign-in identity (second factor)
assessment.Campaign.created_by              keep          the account is scrubbed
assessment.Participant.person               keep          response rates
assessment.Answer.person                    keep          the gap summary (ADR 0002)
learning.Initiative.owners / steering_group unlink        membership removed; nothing counts it
learning.Session.trainers                   keep          who ran a session (shown as pseudonym)
learning.Proposal.person / confirmed_by     keep          proposal counts
learning.Enrolment.person                   keep          assignments, counts
learning.Booking.person / booked_by         keep          session figures, waiting lists
learning.Attendance.person                  keep          participants, hours (funder report)
learning.Participation.person               keep          the participation summary (ADR 0006)
learning.ParticipationFormat.person         keep          the cost figures per format (beside it)
learning.SupportContact.person              delete        a leaver answers no questions
learning.SupportRequest.person              pseudonymise  topic, question and answer emptied;
                                                          a published FAQ's edited texts stay
learning.SupportRequest.answered_by         keep          answers to others stay theirs; the
                                                          person's name in any text is replaced
evaluation.Request.person                   keep          response rates (answers are anonymous)
evaluation.SurveyRequest.person             keep          response rates of the final survey
evaluation.Survey.created_by                keep          the account is scrubbed
evaluation.ExportJob.requested_by           delete        the person's own downloads
costs.CostEntry.created_by                  keep          the account is scrubbed
successcases.Story.created_by               keep          the account is scrubbed
successcases.ContactList.drawn_by           keep          the account is scrubbed
knowledge.Attempt.person                    keep          test results in aggregates
followup.FollowUp.person                    pseudonymise  free texts (what else hinders, support
                                                          needed) emptied; choices stay (rates)
followup.FollowUp.manager / recorded_by     keep          talks of others; name in texts replaced
lrs.Cmi5Launch.person                       delete        launch tokens and registrations
microlearning.Learner / Course / Item /     keep          team weeks and course figures
  QuestionSet .person
microlearning.*.updated_by / started_by     keep          the account is scrubbed
retention.Erasure.person                    keep          the marker that the person is gone
retention.RetentionRule.updated_by          keep          the account is scrubbed
dataprotection.AccessEntry.reader /         keep          who read: the account is scrubbed and
  reader_person                                           the reader's label is the pseudonym
dataprotection.AccessPerson.person          keep          whose data was read, as its pseudonym
dataprotection.RegisterExtract.person       delete        an extract holds all about the person
dataprotection.RegisterExtract.requested_by keep          the account is scrubbed
retention.RetentionRun.requested_by         keep          the account is scrubbed
==========================================  ============  =======================================

Without a foreign key, also: the statements and the agent documents (state, agent profile) of
the learning record store that name the person; the audit entries about the person (label and
changes) and by its account (actor label); admin log entries about the person; log-in attempts
recorded under its username or e-mail (django-axes); a unit's ``manager_employee_id``; and any
mention of the person's full name, e-mail or employee id in the organisation's support
questions and answers, follow-up talk notes and success stories. Anonymous evaluation comments
are not searched: they cannot be tied to anyone (ADR 0005). A statement sent later with the
old e-mail is not rewritten (the product no longer knows it).

One transaction per person (:func:`pseudonymise_person`); a run over many people
(:func:`pseudonymise_people`) reads the statements once and writes in short transactions of
100 people each (SQLite has one writer: other work gets in between). Within a batch the work is
set-based: the statements by ``lrs.erasure.pseudonymise_many`` (the actor-only case in one
``UPDATE`` in the database), the rows here by one statement per table for the batch.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.dataprotection.models import AccessEntry
from kompetenslyft.followup.models import FollowUp
from kompetenslyft.learning.models import SupportRequest
from kompetenslyft.lrs import erasure as lrs_erasure
from kompetenslyft.lrs import services as lrs_services
from kompetenslyft.lrs.models import Document
from kompetenslyft.org.models import Person, Unit
from kompetenslyft.search.services import index_faq
from kompetenslyft.successcases.models import Story

from .models import Erasure

KEEP, PSEUDONYMISE, DELETE, UNLINK = "keep", "pseudonymise", "delete", "unlink"
PSEUDONYM_GIVEN_NAME = "Pseudonym"


@dataclass(frozen=True)
class Decision:
    action: str  # keep | pseudonymise (done by this module) | delete (rows) | unlink (set null / m2m)
    why: str


DECISIONS: dict[str, Decision] = {}


def decide(field: str, action: str, why: str) -> None:
    """Record what pseudonymisation does with ``"app_label.Model.field"`` (a foreign key to a
    person or an account). ``delete`` and ``unlink`` are carried out here for any app; an app
    whose field needs more says ``pseudonymise`` only if this module does it."""
    if action not in (KEEP, PSEUDONYMISE, DELETE, UNLINK):
        raise ValueError(action)
    DECISIONS[field] = Decision(action, why)


for _field, _action, _why in [
    ("org.Person.user", PSEUDONYMISE, "account deactivated, scrubbed and unlinked"),
    ("org.Placement.person", KEEP, "history of unit and role for aggregates"),
    ("org.Unit.manager", UNLINK, "a leaver manages nothing"),
    ("org.ImportBatch.uploaded_by", KEEP, "the account is scrubbed"),
    ("org.ImportBatch.confirmed_by", KEEP, "the account is scrubbed"),
    ("core.Grant.user", DELETE, "no product role survives"),
    ("core.AuditEntry.actor", KEEP, "actor label scrubbed"),
    ("admin.LogEntry.user", KEEP, "the account is scrubbed"),
    ("otp_totp.TOTPDevice.user", DELETE, "a sign-in identity"),
    ("assessment.Campaign.created_by", KEEP, "the account is scrubbed"),
    ("assessment.Participant.person", KEEP, "response rates"),
    ("assessment.Answer.person", KEEP, "the gap summary"),
    ("learning.Initiative.owners", UNLINK, "nothing counts it"),
    ("learning.Initiative.steering_group", UNLINK, "nothing counts it"),
    ("learning.Session.trainers", KEEP, "who ran a session, as a pseudonym"),
    ("learning.Proposal.person", KEEP, "proposal counts"),
    ("learning.Proposal.confirmed_by", KEEP, "the account is scrubbed"),
    ("learning.Enrolment.person", KEEP, "assignments and counts"),
    ("learning.Booking.person", KEEP, "session figures"),
    ("learning.Booking.booked_by", KEEP, "the account is scrubbed"),
    ("learning.Attendance.person", KEEP, "participants and hours"),
    ("learning.Participation.person", KEEP, "the participation summary"),
    ("learning.SupportContact.person", DELETE, "a leaver answers no questions"),
    ("learning.SupportRequest.person", PSEUDONYMISE, "texts emptied, FAQ texts stay"),
    ("learning.SupportRequest.answered_by", KEEP, "answers to others stay; names replaced"),
    ("evaluation.Request.person", KEEP, "response rates"),
    ("evaluation.SurveyRequest.person", KEEP, "response rates"),
    ("evaluation.Survey.created_by", KEEP, "the account is scrubbed"),
    ("evaluation.ExportJob.requested_by", DELETE, "the person's own downloads"),
    ("costs.CostEntry.created_by", KEEP, "the account is scrubbed"),
    ("successcases.Story.created_by", KEEP, "the account is scrubbed"),
    ("successcases.ContactList.drawn_by", KEEP, "the account is scrubbed"),
    ("knowledge.Attempt.person", KEEP, "test results in aggregates"),
    ("followup.FollowUp.person", PSEUDONYMISE, "free texts emptied, choices stay"),
    ("followup.FollowUp.manager", KEEP, "talks of others; names in texts replaced"),
    ("followup.FollowUp.recorded_by", KEEP, "the account is scrubbed"),
    ("lrs.Cmi5Launch.person", DELETE, "launch tokens"),
    ("microlearning.Learner.person", KEEP, "team weeks"),
    ("microlearning.Course.person", KEEP, "course figures"),
    ("microlearning.Item.person", KEEP, "course figures"),
    ("microlearning.QuestionSet.person", KEEP, "course figures"),
    ("microlearning.ModuleSetting.updated_by", KEEP, "the account is scrubbed"),
    ("microlearning.TeamChallenge.started_by", KEEP, "the account is scrubbed"),
    ("microlearning.InitiativeSetting.updated_by", KEEP, "the account is scrubbed"),
    ("retention.Erasure.person", KEEP, "the marker that the person is gone"),
    ("retention.RetentionRule.updated_by", KEEP, "the account is scrubbed"),
    ("retention.RetentionRun.requested_by", KEEP, "the account is scrubbed"),
    ("learning.ParticipationFormat.person", KEEP, "the cost figures per format"),
    ("dataprotection.AccessEntry.reader", KEEP, "the account is scrubbed, the label replaced"),
    ("dataprotection.AccessEntry.reader_person", KEEP, "the reader's label replaced"),
    ("dataprotection.AccessPerson.person", KEEP, "whose data was read, as its pseudonym"),
    ("dataprotection.RegisterExtract.person", DELETE, "an extract holds all about the person"),
    ("dataprotection.RegisterExtract.requested_by", KEEP, "the account is scrubbed"),
]:
    decide(_field, _action, _why)


def person_fields() -> list[Any]:
    """Every concrete foreign key, one-to-one or many-to-many field to a person or an account."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                getattr(field, "concrete", False)
                and field.is_relation
                and field.related_model in (Person, user_model)
                and (field.many_to_one or field.one_to_one or field.many_to_many)
            ):
                found.append(field)
    return found


def field_label(field: Any) -> str:
    return f"{field.model._meta.label}.{field.name}"


def undecided_fields() -> list[str]:
    return sorted(label for f in person_fields() if (label := field_label(f)) not in DECISIONS)


# --- one person, many people ----------------------------------------------------------------


@dataclass
class _Old:
    person: Person
    pseudonym: str
    names: list[str]
    parts: list[str]  # the given and family names alone: for the entries about the person only


def pseudonymise_person(person: Person, *, source: str, actor: Any = None, reason: str = "") -> Erasure:
    """Pseudonymise ``person`` everywhere, in one transaction (the lead's decision)."""
    with transaction.atomic():
        locked = (
            Person.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .get(pk=person.pk)
        )
        if hasattr(locked, "erasure"):
            return locked.erasure
        hits = lrs_services.statements_naming(locked.organisation_id, [locked])
        return _pseudonymise_batch([locked], hits, source=source, actor=actor, reason=reason)[0]


# Batches written at once on PostgreSQL, each on its own connection (a background run outside
# any transaction): rewriting a statement row costs a new entry in each of its seven indexes,
# one backend's CPU for a million of them is above the minute, and the second core
# does the other half. Rows two batches may both change are locked first, in id order
# (statements: ``lrs.erasure``; texts and audit entries: :func:`_replace_mentions`).
WORKERS = 2


def pseudonymise_people(
    person_ids: Iterable[int],
    *,
    source: str,
    actor: Any = None,
    batch: int = 100,
    progress: Callable[[int], None] | None = None,
    workers: int = WORKERS,
) -> int:
    """Pseudonymise many people (a retention rule): the learning record store is read once per
    organisation, then ``batch`` people per short transaction — on PostgreSQL, outside a
    transaction, ``workers`` batches at once. Returns how many were done."""
    ids = sorted(set(person_ids))
    done = 0
    by_org: dict[int, list[int]] = {}
    for pk, org_id in Person.objects.filter(pk__in=ids, erasure__isnull=True).values_list(
        "pk", "organisation_id"
    ):
        by_org.setdefault(org_id, []).append(pk)
    for org_id, org_ids in sorted(by_org.items()):
        people = list(Person.objects.filter(pk__in=org_ids).only("pk", "email", "employee_id"))
        hits = lrs_services.statements_naming(org_id, people)
        # Statements naming more than one of the people: two batches may rewrite them.
        named = Counter(pk for pks in hits.values() for pk in pks)
        shared = {pk for pk, times in named.items() if times > 1}
        parts = [org_ids[start : start + batch] for start in range(0, len(org_ids), batch)]
        parallel = (
            workers > 1
            and len(parts) > 1
            and connection.vendor == "postgresql"
            and not connection.in_atomic_block
        )
        if not parallel:
            for part in parts:
                done += _people_batch(part, hits, shared, source=source, actor=actor)
                if progress is not None:
                    progress(done)
            continue
        done += _batches_apart(
            parts, hits, shared, source=source, actor=actor, workers=workers, progress=progress, before=done
        )
    return done


def _people_batch(
    part: list[int], hits: dict[int, list[int]], shared: set[int], *, source: str, actor: Any
) -> int:
    """One batch of people in one transaction; how many were pseudonymised."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A background run's batch need not wait for its WAL to reach the disk at commit
            # (each writes ~100 MB of it): a crash loses at most the last batches, which are
            # then not marked done and the next run does them again.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        chunk = list(
            Person.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .filter(pk__in=part, erasure__isnull=True)
            .order_by("pk")
        )
        return len(_pseudonymise_batch(chunk, hits, source=source, actor=actor, shared=shared))


def _batches_apart(
    parts: list[list[int]],
    hits: dict[int, list[int]],
    shared: set[int],
    *,
    source: str,
    actor: Any,
    workers: int,
    progress: Callable[[int], None] | None,
    before: int,
) -> int:
    """The batches ``parts`` on ``workers`` threads, each with a connection of its own for the
    whole run (closed when it has no batch left); a failed batch stops the others taking new
    ones and is raised here. ``progress`` is told the total done, ``before`` included."""
    lock = threading.Lock()
    pending = iter(parts)
    done = 0
    failed = threading.Event()

    def work() -> None:
        nonlocal done
        try:
            while not failed.is_set():
                with lock:
                    part = next(pending, None)
                if part is None:
                    return
                try:
                    count = _people_batch(part, hits, shared, source=source, actor=actor)
                except BaseException:
                    failed.set()
                    raise
                with lock:
                    done += count
                    if progress is not None:
                        progress(before + done)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(work) for _ in range(workers)]
        for future in futures:
            future.result()
    return done


def _mentions(olds: list[_Old], *, parts: bool = False) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One pattern for every identifying string of the batch, and what each becomes. With
    ``parts``, the given and family names alone too: for texts known to be about the people
    (their audit entries, a lead's reason), not for every text of the organisation, where a
    common first name would be some colleague's."""
    replacement: dict[str, str] = {}
    for old in olds:
        label = f"{PSEUDONYM_GIVEN_NAME} {old.pseudonym[:8]}"
        for name in [*old.names, *(old.parts if parts else ())]:
            if len(name) >= 3:
                replacement[name.casefold()] = label
    if not replacement:
        return None, replacement
    alternatives = sorted(replacement, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?!\w)", re.I)
    return pattern, replacement


def _replace_mentions(model: Any, base: Any, fields: list[str], pattern: Any, replacement: dict) -> list[int]:
    """Replace the mentions in these texts; returns the rows changed. The rows that mention
    someone are locked (in id order) and read again before they are written: a batch running
    beside this one may be rewriting the same text for its own people."""
    found = [
        row[0]
        for row in base.values_list("pk", *fields).iterator(chunk_size=2000)
        if any(text and pattern.search(text) for text in row[1:])
    ]
    rows = []
    for start in range(0, len(found), 1000):
        locked = (
            model.objects.filter(pk__in=found[start : start + 1000])
            .select_for_update()
            .order_by("pk")
            .values_list("pk", *fields)
        )
        updated = []
        for row in locked:
            pk, texts = row[0], row[1:]
            new = [
                pattern.sub(lambda m: replacement[m.group(0).casefold()], text) if text else text
                for text in texts
            ]
            if new != list(texts):
                updated.append((*new, pk))
                rows.append(pk)
        if updated:
            # one prepared statement for the lot (a retention run scrubs thousands of entries)
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(
                f"{connection.ops.quote_name(model._meta.get_field(name).column)} = %s" for name in fields
            )
            key = connection.ops.quote_name(model._meta.pk.column)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {columns} WHERE {key} = %s", updated)  # noqa: S608
    return rows


def _pseudonymise_batch(
    people: list[Person],
    hits: dict[int, list[int]],
    *,
    source: str,
    actor: Any,
    reason: str = "",
    shared: set[int] | None = None,
) -> list[Erasure]:
    if not people:
        return []
    organisation = people[0].organisation
    person_ids = [p.pk for p in people]
    user_ids = [p.user_id for p in people if p.user_id]
    olds = []
    for person in people:
        names = [person.full_name, person.email, person.employee_id]
        if person.user is not None:
            names += [person.user.get_username(), person.user.email]
        parts = [n.strip() for n in (person.given_name, person.family_name) if n and n.strip()]
        olds.append(_Old(person, "", [n.strip() for n in names if n and n.strip()], parts))

    # The learning record store first: it finds the person by the identifiers still there.
    records = lrs_erasure.pseudonymise_many(organisation.pk, people, hits, actor=actor, shared=shared)
    statements: dict[int, int] = {}
    for old in olds:
        old.pseudonym = records[old.person.pk].name
        statements[old.person.pk] = records[old.person.pk].statements
    agent_keys = set().union(*(lrs_services.person_identifiers(p) for p in people))
    Document.objects.filter(organisation_id=organisation.pk, agent_key__in=agent_keys).delete()
    employee_ids = {p.employee_id for p in people if p.employee_id}
    if employee_ids:
        by_account = Document.objects.filter(
            organisation_id=organisation.pk, agent_key__startswith="@account:"
        )
        Document.objects.filter(
            pk__in=[
                pk
                for pk, key in by_account.values_list("pk", "agent_key")
                if key.rpartition("|")[2] in employee_ids
            ]
        ).delete()

    # Fields decided "delete" or "unlink", whichever app they are in.
    for field in person_fields():
        decision = DECISIONS.get(field_label(field))
        if decision is None or decision.action not in (DELETE, UNLINK):
            continue
        ids = person_ids if field.related_model is Person else user_ids
        if not ids:
            continue
        if field.many_to_many:
            field.remote_field.through.objects.filter(
                **{f"{field.m2m_reverse_field_name()}__in": ids}
            ).delete()
        elif decision.action == DELETE:
            field.model.objects.filter(**{f"{field.name}__in": ids}).delete()
        else:
            field.model.objects.filter(**{f"{field.name}__in": ids}).update(**{field.name: None})

    # Free texts the person wrote or that are about it.
    SupportRequest.objects.filter(person_id__in=person_ids).update(topic="", question="", answer="")
    FollowUp.objects.filter(person_id__in=person_ids).update(hindrance_other="", support_needed="")
    pattern, replacement = _mentions(olds)
    if pattern is not None:
        org_id = organisation.pk
        changed = _replace_mentions(
            SupportRequest,
            SupportRequest.objects.filter(organisation_id=org_id),
            ["topic", "question", "answer", "faq_question", "faq_answer"],
            pattern,
            replacement,
        )
        # A published question's search entry is written from its texts: written again.
        for question in SupportRequest.objects.filter(pk__in=changed, faq_published_at__isnull=False):
            index_faq(question)
        _replace_mentions(
            FollowUp,
            FollowUp.objects.filter(organisation_id=org_id).exclude(hindrance_other="", support_needed=""),
            ["hindrance_other", "support_needed"],
            pattern,
            replacement,
        )
        _replace_mentions(
            Story,
            Story.objects.filter(organisation_id=org_id),
            ["title", "what_was_done", "result", "helped", "hindered"],
            pattern,
            replacement,
        )
        # Entries about the people: by their id ("org.Person"), by their employee id (the
        # imports' and services' "person" entries), or naming them (a proposal's "code: name").
        about = Q(
            target_id__in=[str(i) for i in person_ids] + [p.employee_id for p in people if p.employee_id]
        )
        for person in people:
            if len(person.full_name.strip()) >= 3:
                about |= Q(target_label__contains=person.full_name.strip())
        entry_ids = list(
            AuditEntry.objects.filter(organisation_id=org_id).filter(about).values_list("pk", flat=True)
        )
        entries = AuditEntry.objects.filter(pk__in=entry_ids)
        # About the people: their names alone go too ("Begäran från Zyxwvutsson" in a reason).
        about_pattern, about_replacement = _mentions(olds, parts=True)
        _replace_mentions(
            AuditEntry, entries, ["target_id", "target_label"], about_pattern, about_replacement
        )
        scrubbed = []
        for entry in (
            AuditEntry.objects.filter(pk__in=entry_ids)
            .select_for_update()
            .order_by("pk")
            .only("pk", "changes")
        ):
            text = str(entry.changes)
            if about_pattern is not None and about_pattern.search(text):
                entry.changes = _scrub_json(entry.changes, about_pattern, about_replacement)
                scrubbed.append(entry)
        AuditEntry.objects.bulk_update(scrubbed, ["changes"], batch_size=200)
    unit_employee_ids = [p.employee_id for p in people if p.employee_id]
    Unit.objects.filter(organisation_id=organisation.pk, manager_employee_id__in=unit_employee_ids).update(
        manager_employee_id=""
    )
    person_type = ContentType.objects.get_for_model(Person)
    LogEntry.objects.filter(content_type=person_type, object_id__in=[str(i) for i in person_ids]).update(
        object_repr=PSEUDONYM_GIVEN_NAME
    )

    # The accounts: deactivated, scrubbed, unlinked (one statement for the batch, the label
    # of each account chosen by a CASE).
    user_model = get_user_model()
    accounts = {old.person.user.pk: f"pseudonym-{old.pseudonym[:16]}" for old in olds if old.person.user}
    logins = [
        login
        for old in olds
        if old.person.user is not None
        for login in (old.person.user.get_username(), old.person.user.email)
        if login
    ]
    if accounts:
        user_model.objects.filter(pk__in=accounts).update(
            **{user_model.USERNAME_FIELD: _by(accounts, "pk")},
            email="",
            first_name="",
            last_name="",
            is_active=False,
            is_staff=False,
            is_superuser=False,
            password=make_password(None),
        )
        _update_each(AuditEntry, "actor_label", "actor_id", accounts)
        _update_each(AccessEntry, "reader_label", "reader_id", accounts)
    if logins:
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__in=logins).delete()

    # Reads by the people (the access log names its readers by a label of their own).
    labels = {old.person.pk: f"{PSEUDONYM_GIVEN_NAME} {old.pseudonym[:8]}" for old in olds}
    _update_each(AccessEntry, "reader_label", "reader_person_id", labels)

    # The people themselves: what is the same for all in one statement, the rest per row.
    today = timezone.localdate()
    family_names = {old.person.pk: old.pseudonym[:8] for old in olds}
    employee_ids_now = {old.person.pk: f"pseudonym-{old.pseudonym[:16]}" for old in olds}
    Person.objects.filter(pk__in=person_ids).update(
        given_name=PSEUDONYM_GIVEN_NAME,
        email="",
        start_date=None,
        user=None,
        is_active=False,
        deactivated_on=Coalesce("deactivated_on", Value(today)),
    )
    _update_each(Person, "family_name", "id", family_names)
    _update_each(Person, "employee_id", "id", employee_ids_now)
    for old in olds:
        person = old.person
        person.given_name = PSEUDONYM_GIVEN_NAME
        person.family_name = family_names[person.pk]
        person.employee_id = employee_ids_now[person.pk]
        person.email = ""
        person.start_date = None
        person.user = None
        person.is_active = False
        person.deactivated_on = person.deactivated_on or today
    erasures = Erasure.objects.bulk_create(
        [
            Erasure(
                organisation_id=organisation.pk,
                person_id=old.person.pk,
                pseudonym=old.pseudonym,
                source=source,
                statements=statements[old.person.pk],
            )
            for old in olds
        ]
    )
    if reason:
        # The lead's reason may name the person ("Begäran från Elin …"): written as the rest.
        about_pattern, about_replacement = _mentions(olds, parts=True)
        if about_pattern is not None:
            reason = about_pattern.sub(lambda m: about_replacement[m.group(0).casefold()], reason)
    audit_record_many(
        actor=actor,
        organisation=organisation,
        events=[
            AuditEvent(
                "retention.pseudonymise",
                "org.Person",
                str(old.person.pk),
                old.person.full_name,
                {
                    "source": source,
                    "statements": statements[old.person.pk],
                    **({"reason": reason} if reason else {}),
                },
            )
            for old in olds
        ],
    )
    return erasures


def _update_each(model: Any, column: str, key: str, values: dict[int, str]) -> None:
    """``UPDATE … SET column = value WHERE key = id`` for each (id, value) of ``values``: one
    prepared statement run over the batch (a CASE of Django expressions cost more to build)."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE {connection.ops.quote_name(key)} = %s"  # noqa: S608 - our own model's names
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(value, pk) for pk, value in values.items()])


def _by(values: dict[int, str], field: str) -> Case:
    """A CASE choosing each row's value by ``field`` (its id): one UPDATE for a batch."""
    return Case(*(When(**{field: pk}, then=Value(value)) for pk, value in values.items()))


def _scrub_json(value: Any, pattern: Any, replacement: dict) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: replacement[m.group(0).casefold()], value)
    if isinstance(value, list):
        return [_scrub_json(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_json(v, pattern, replacement) for k, v in value.items()}
    return value
