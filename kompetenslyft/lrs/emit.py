"""The platform's own statements (ADR 0014): what happens in Kompetenslyft — booked,
attended, completed, a knowledge test or a micro-learning question answered — written to the
organisation's LRS, so it holds the whole record. Services call :func:`record` (in bulk where
they are bulk); it enqueues one task on commit, which stores the statements through the
organisation's platform client (the authority, ``Client.is_platform``). Statements of that
client never count again (``records``). That an evaluation was given is written by the daily
run (``lrs.evaluated``), never from the answering transaction."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kompetenslyft.core.queue import enqueue

from . import verbs
from .models import SCOPE_WRITE, Client
from .services import format_time, statements_store

PLATFORM_CLIENT = "Kompetenslyft"
CHUNK = 500
EVALUATED = "https://w3id.org/xapi/kompetenslyft/verbs/evaluated"
ENROLLED = verbs.REGISTERED


def actor(person: Any) -> dict[str, Any]:
    """The person as formats.md identifies them: an account whose name is the employee id (no
    name, no e-mail: the statement names nobody beyond what the organisation already keys on)."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.KOMPETENSLYFT_BASE_URL, "name": person.employee_id},
    }


def module_activity(module: Any) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": module.activity_id,
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/module",
            "name": {"und": module.name[:300]},
        },
    }


def statement(
    person: Any,
    verb: str,
    obj: dict[str, Any],
    *,
    when: dt.datetime | None = None,
    result: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(person),
        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
        "object": obj,
        "timestamp": format_time(when or timezone.now()),
    }
    if result:
        data["result"] = result
    if parent:
        data["context"] = {"contextActivities": {"parent": [parent]}}
    return data


def hours_duration(hours: Decimal | float) -> str:
    return f"PT{Decimal(str(hours)).quantize(Decimal('0.01'))}H"


def record(organisation_id: int, statements: Iterable[dict[str, Any]]) -> None:
    """Store ``statements`` in the organisation's LRS once the current transaction commits (a
    task, in chunks)."""
    items = list(statements)
    for start in range(0, len(items), CHUNK):
        enqueue("lrs.emit_task", organisation_id, items[start : start + CHUNK])


def platform_client(organisation_id: int) -> Client:
    client = Client.objects.filter(organisation_id=organisation_id, is_platform=True).first()
    if client is not None:
        return client
    try:
        with transaction.atomic():
            return Client.objects.create(
                organisation_id=organisation_id,
                name=PLATFORM_CLIENT,
                key=f"platform-{organisation_id}-{secrets.token_hex(8)}",
                secret_hash="!",  # noqa: S106 - no secret: never a hex digest, nothing authenticates
                scopes=SCOPE_WRITE,
                is_platform=True,
            )
    except IntegrityError:  # pragma: no cover - two first statements at once
        return Client.objects.get(organisation_id=organisation_id, is_platform=True)


def store(*, organisation_id: int, statements: list[dict[str, Any]]) -> int:
    """The task's work: store the statements (ids chosen when they were made, so a task run
    twice stores them once: the same statement again is no conflict)."""
    client = platform_client(organisation_id)
    for start in range(0, len(statements), CHUNK):
        statements_store(client=client, statements=statements[start : start + CHUNK], version="1.0.3")
    return len(statements)


# --- what happens in the platform, one function per kind of event ------------------------------


def _activity(path: str, name: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": f"{settings.KOMPETENSLYFT_BASE_URL}/xapi/activities/{path}",
        "definition": {"name": {"und": name[:300]}},
    }


def session_activity(session: Any) -> dict[str, Any]:
    return _activity(f"session/{session.pk}", str(session))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def booked(bookings: Iterable[Any]) -> None:
    """Enrolled: people got a place on a session (the booking's person and session loaded)."""
    by_organisation: dict[int, list[dict[str, Any]]] = {}
    for booking in bookings:
        session = booking.session
        by_organisation.setdefault(booking.person.organisation_id, []).append(
            statement(
                booking.person,
                ENROLLED,
                module_activity(session.module),
                parent=session_activity(session),
            )
        )
    for organisation_id, items in by_organisation.items():
        record(organisation_id, items)


def attended(
    session: Any, day: dt.date, people: Iterable[Any], hours: Decimal, completed: set[int] | frozenset[int]
) -> None:
    """A register: attended for each person present (with the hours), and completed for those
    whose module is now complete (``completed``: their person ids)."""
    by_organisation: dict[int, list[dict[str, Any]]] = {}
    when = _day_start(day)
    for person in people:
        items = by_organisation.setdefault(person.organisation_id, [])
        duration = {"duration": hours_duration(hours)}
        items.append(
            statement(
                person,
                verbs.ATTENDED,
                module_activity(session.module),
                when=when,
                result=duration,
                parent=session_activity(session),
            )
        )
        if person.pk in completed:
            items.append(
                statement(
                    person,
                    verbs.COMPLETED,
                    module_activity(session.module),
                    when=when,
                    result={"completion": True},
                )
            )
    for organisation_id, items in by_organisation.items():
        record(organisation_id, items)


def imported(organisation_id: int, rows: Iterable[tuple[str, Any, dt.date, Decimal, str]]) -> None:
    """Attendance rows of an import: (employee id, module, date, hours, status); attended and
    completed rows become statements, no-shows none."""
    items = []
    for employee_id, module, day, hours, status in rows:
        person = SimpleNamespace(employee_id=employee_id)
        verb = {"attended": verbs.ATTENDED, "completed": verbs.COMPLETED}.get(status)
        if verb is None:
            continue
        result: dict[str, Any] = {"duration": hours_duration(hours)}
        if verb == verbs.COMPLETED:
            result["completion"] = True
        items.append(statement(person, verb, module_activity(module), when=_day_start(day), result=result))
    record(organisation_id, items)


def test_submitted(attempt: Any) -> None:
    """A knowledge test handed in: that it was attempted, never how it went. A test result is
    personal data that only the person sees (``knowledge.results``), while an organisation's LRS
    clients with the read-all scope read every statement: so no score and no passed or failed
    (ADR 0014, addendum). The object is ``<module IRI>/pre-test`` or ``/post-test``; an exemption
    a passed pre-test gives is recorded by the platform itself, not read back from here."""
    test = attempt.test
    obj = {
        "objectType": "Activity",
        "id": f"{test.module.activity_id}/{test.kind}-test",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/assessment",
            "name": {"und": f"{test.module.name[:280]} ({test.kind})"},
        },
    }
    parent = module_activity(test.module)
    record(
        attempt.person.organisation_id,
        [statement(attempt.person, verbs.ATTEMPTED, obj, result={"completion": True}, parent=parent)],
    )


def micro_answered(question_set: Any, person: Any) -> None:
    """A day's micro-learning questions answered: that they were, not how many were right (a
    person's own points are for itself only, ADR 0012; the LRS is read by the organisation's
    clients)."""
    obj = _activity(f"microlearning/set/{question_set.pk}", f"micro-learning {question_set.day.isoformat()}")
    obj["definition"]["type"] = "http://adlnet.gov/expapi/activities/assessment"
    record(person.organisation_id, [statement(person, verbs.ANSWERED, obj, result={"completion": True})])
