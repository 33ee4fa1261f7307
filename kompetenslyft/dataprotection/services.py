"""Writes of data protection: the access log (who read whose data, ADR 0017) and register
extracts (asked for, built by a task, purged when they expire)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation

from kompetenslyft.core.access import access_for
from kompetenslyft.core.audit import AuditEvent, actor_label, audit_record
from kompetenslyft.core.queue import enqueue

from .models import AccessEntry, AccessKind, AccessPerson, RegisterExtract

logger = logging.getLogger(__name__)

BATCH = 2000


def access_record(
    *, reader: Any, kind: str, people: Iterable[tuple[int, int]], path: str = ""
) -> list[AccessEntry]:
    """Log that ``reader`` (an account) saw the people ``(person id, organisation id)`` on a
    page or in an export of ``kind``: one :class:`AccessEntry` per organisation among them and
    one :class:`AccessPerson` per person, inserted in bulk. The reader's own person is left out
    (reading one's own data is not logged); nothing is written when no one else is left."""
    access = access_for(reader)
    by_org: dict[int, list[int]] = defaultdict(list)
    for person_id, organisation_id in people:
        if person_id != access.person_id:
            by_org[organisation_id].append(person_id)
    if not by_org:
        return []
    label = actor_label(reader)
    entries = []
    # One transaction, without a savepoint of its own inside the request's: two queries per
    # read (the entry, the bulk insert of its people); a failed write fails the read.
    with transaction.atomic(savepoint=False):
        for organisation_id, ids in by_org.items():
            unique = list(dict.fromkeys(ids))
            entry = AccessEntry.objects.create(
                reader_id=reader.pk,
                reader_label=label[:200],
                reader_person_id=access.person_id,
                organisation_id=organisation_id,
                kind=kind,
                path=path[:500],
                people=len(unique),
            )
            AccessPerson.objects.bulk_create(
                [AccessPerson(entry_id=entry.pk, person_id=pid) for pid in unique], batch_size=BATCH
            )
            entries.append(entry)
    return entries


def access_record_people(
    *, reader: Any, kind: str, people: Iterable[Any], path: str = ""
) -> list[AccessEntry]:
    """:func:`access_record` for Person objects (or rows with ``pk``/``id`` and
    ``organisation_id``)."""
    pairs = []
    for person in people:
        pk = getattr(person, "pk", None)
        if pk is None and isinstance(person, dict):
            pairs.append((person["id"], person["organisation_id"]))
        else:
            pairs.append((pk, person.organisation_id))
    return access_record(reader=reader, kind=kind, people=pairs, path=path)


# --- register extracts ---------------------------------------------------------------------


def may_ask_extract(access: Any, person: Any) -> bool:
    """The person itself, a lead of its organisation, or the operator."""
    return access.person_id == person.pk or access.is_lead_of(person.organisation_id)


def extract_language(person: Any, asked_in: str | None = None) -> str:
    """The language of a person's register extract: the person's own (``Person.language``,
    which the language switch keeps), else the language the asker uses, else the
    installation's (Swedish)."""
    languages = dict(settings.LANGUAGES)
    for language in (person.language, asked_in):
        if language in languages:
            return str(language)
    return str(settings.LANGUAGE_CODE)


@transaction.atomic
def extract_request(
    *, user: Any, person: Any, reason: str = "", language: str | None = None
) -> RegisterExtract:
    """Record a register extract of ``person`` asked for by ``user`` and start its task. A lead
    (anyone but the person) must give a reason, which is kept with the extract and audited.
    ``language`` is the asker's; the extract is in :func:`extract_language`."""
    access = access_for(user)
    if not may_ask_extract(access, person):
        raise PermissionDenied
    reason = reason.strip()
    own = access.person_id == person.pk
    if not own and not reason:
        raise ValueError("a reason is required")
    extracts_purge()
    extract = RegisterExtract.objects.create(
        person=person,
        requested_by=user,
        reason=reason,
        language=extract_language(person, language),
        expires_at=timezone.now() + dt.timedelta(days=RegisterExtract.KEPT_DAYS),
    )
    if not own:
        audit_record(
            actor=user,
            organisation=person.organisation,
            event=AuditEvent(
                "person.register_extract",
                "person",
                person.employee_id,
                person.full_name,
                {"reason": reason},
            ),
        )
        access_record(
            reader=user,
            kind=AccessKind.REGISTER_EXTRACT,
            people=[(person.pk, person.organisation_id)],
            path=f"extract:{extract.pk}",
        )
    enqueue("dataprotection.extract_task", extract.pk)
    return extract


def _progress(extract_id: int, progress: int) -> None:
    RegisterExtract.objects.filter(pk=extract_id).update(
        status=RegisterExtract.Status.RUNNING, progress=progress
    )


def extract_content(person: Any, *, language: str, extract_id: int | None = None) -> tuple[bytes, bytes]:
    """The JSON and PDF of a person's extract (the task's work, also timed by the bench)."""
    from . import extract, extract_pdf
    from .extract_text import Presenter

    def progress(done: int) -> None:
        if extract_id is not None:
            _progress(extract_id, done)

    with translation.override(language):
        present = Presenter()
        data = extract.collect(person, progress=progress)
        json_bytes = present.dumps(data)
        pdf_bytes = extract_pdf.pdf_of(data, present)
    return json_bytes, pdf_bytes


def extract_run(extract_id: int) -> str:
    """Build an extract: the person's data as JSON and PDF, in the asker's language."""
    from kompetenslyft.org.models import Person

    found = RegisterExtract.objects.filter(pk=extract_id).defer("json_content", "pdf_content").first()
    if found is None or not found.is_running:
        return "gone"
    _progress(found.pk, 2)
    try:
        person = Person.objects.select_related("organisation", "unit", "role", "user").get(pk=found.person_id)
        json_bytes, pdf_bytes = extract_content(person, language=found.language, extract_id=found.pk)
    except Exception:
        logger.exception("register extract %s failed", extract_id)
        RegisterExtract.objects.filter(pk=extract_id).update(
            status=RegisterExtract.Status.FAILED, finished_at=timezone.now()
        )
        return "failed"
    RegisterExtract.objects.filter(pk=extract_id).update(
        status=RegisterExtract.Status.DONE,
        progress=100,
        json_content=json_bytes,
        pdf_content=pdf_bytes,
        finished_at=timezone.now(),
    )
    return "done"


def extracts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete extracts whose time is up (with their files)."""
    deleted, _per_model = RegisterExtract.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
