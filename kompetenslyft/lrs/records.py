"""Records that count (ADR 0014): ``completed`` / ``passed`` statements from outside tools
complete a module for the person they name, through the same attendance rows the register and
the attendance import write, so they count on the journey, the funder report and the dashboard.

Runs after the statements are stored (``services._store`` enqueues ``lrs.count_task`` on
commit with the ids of the statements whose verb counts), in one transaction per call;
idempotent: a completion is one attendance row per person × module × day, written once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import isodate
import orjson
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kompetenslyft.learning import participation
from kompetenslyft.learning.imports import modules_by_code
from kompetenslyft.learning.models import Attendance, Module
from kompetenslyft.learning.proposal_services import proposals_exempt_on_evidence
from kompetenslyft.org.models import Organisation, Person

from . import cmi5
from .models import Cmi5Launch, Statement
from .verbs import COUNTING, PASSED

COUNTING_VERBS = COUNTING
PRE_TEST = "/pre-test"
SELF_PACED = (Module.Format.ELEARNING, Module.Format.MICROLEARNING)
MAX_HOURS = Decimal("999.99")


def exemption_reason(organisation: Organisation) -> str:
    with translation.override(organisation.language or "sv"):
        return _("passed the module's test in a learning tool")


def hours_of(duration: Any) -> Decimal | None:
    """An ISO 8601 duration (``result.duration``) as hours, two decimals; None if unusable."""
    if not isinstance(duration, str):
        return None
    try:
        value = isodate.parse_duration(duration)
    except (isodate.ISO8601Error, ValueError, OverflowError):
        return None
    if isinstance(value, isodate.Duration):  # years or months: not a training time
        try:
            value = value.totimedelta(start=dt.datetime(2000, 1, 1))  # noqa: DTZ001 - a length only
        except (ValueError, OverflowError):
            return None
    seconds = Decimal(str(value.total_seconds()))
    if seconds <= 0:
        return None
    return min(MAX_HOURS, (seconds / 3600).quantize(Decimal("0.01")))


def _day(data: dict[str, Any]) -> dt.date:
    moment = parse_datetime(str(data.get("timestamp") or data.get("stored") or ""))
    if moment is None:
        return timezone.localdate()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return timezone.localdate(moment)


def people_named(organisation_id: int, actor_keys: set[str]) -> dict[str, Person]:
    """actor key → the organisation's person it names (formats.md: an ``mbox`` that is the
    person's e-mail, an ``account`` whose name is the person's employee id)."""
    emails: dict[str, str] = {}
    accounts: dict[str, str] = {}
    for key in actor_keys:
        if key.startswith("@mbox:mailto:"):
            emails[key.removeprefix("@mbox:mailto:").casefold()] = key
        elif key.startswith("@account:"):
            home, _sep, name = key.removeprefix("@account:").rpartition("|")
            if name and not home.startswith("https://kompetenslyft.invalid/"):
                accounts.setdefault(name, key)
    found: dict[str, Person] = {}
    people = Person.objects.filter(organisation_id=organisation_id)
    if emails:
        for person in people.annotate(lower=Lower("email")).filter(lower__in=list(emails)):
            found[emails[person.lower]] = person  # type: ignore[attr-defined]
    if accounts:
        names = {
            key.removeprefix("@account:").rpartition("|")[2]
            for key in actor_keys
            if key.startswith("@account:")
        }
        by_employee = {p.employee_id: p for p in people.filter(employee_id__in=names)}
        for key in actor_keys:
            if key.startswith("@account:"):
                home, _sep, name = key.removeprefix("@account:").rpartition("|")
                if name in by_employee and not home.startswith("https://kompetenslyft.invalid/"):
                    found[key] = by_employee[name]
    return found


@transaction.atomic
def count_statements(*, organisation_id: int, statement_ids: list[str]) -> int:
    """Complete (or exempt from) modules for the statements ``statement_ids`` of the
    organisation that count. Statements the platform wrote itself and voided ones never count.
    Returns the attendance rows written or changed."""
    organisation = Organisation.objects.get(pk=organisation_id)
    rows = list(
        Statement.objects.filter(
            organisation_id=organisation_id,
            statement_id__in=[s.lower() for s in statement_ids],
            verb_id__in=COUNTING_VERBS,
            voided=False,
            client__is_platform=False,
        ).values_list("actor_key", "object_key", "verb_id", "data", "client_id")
    )
    if not rows:
        return 0
    modules = {m.activity_id: m for m in modules_by_code(organisation).values()}
    pre_tests = {iri + PRE_TEST: m for iri, m in modules.items()}
    people = people_named(organisation_id, {row[0] for row in rows})
    wanted: dict[tuple[int, int, dt.date], Decimal] = {}
    exempt: set[tuple[int, int]] = set()
    units_said: dict[str, set[int]] = {}
    # A cmi5 launch's client completes modules only through its course's units (their moveOn),
    # never by naming a module's activity (or its pre-test) itself.
    launch_clients = set(
        Cmi5Launch.objects.filter(client_id__in={row[4] for row in rows}).values_list("client_id", flat=True)
    )
    for actor_key, object_key, verb_id, raw, client_id in rows:
        person = people.get(actor_key)
        if person is None:
            continue
        unit_pk = cmi5.unit_pk_of(object_key)
        if unit_pk is not None:
            units_said.setdefault(actor_key, set()).add(unit_pk)
            continue
        if client_id in launch_clients:
            continue
        if verb_id == PASSED and object_key in pre_tests:
            exempt.add((person.pk, pre_tests[object_key].pk))
            continue
        module = modules.get(object_key)
        if module is None:
            continue
        data = orjson.loads(raw)
        hours = module.hours
        if module.format in SELF_PACED:
            hours = hours_of((data.get("result") or {}).get("duration")) or module.hours
        key = (person.pk, module.pk, _day(data))
        wanted[key] = max(hours, wanted.get(key, Decimal(0)))
    for actor_key, unit_pks in units_said.items():
        person = people[actor_key]
        for course, evidence in cmi5.satisfied_courses(organisation_id, actor_key, unit_pks):
            module = course.module
            hours = module.hours
            if module.format in SELF_PACED:
                spent = [hours_of((s.get("result") or {}).get("duration")) for s in evidence]
                hours = min(MAX_HOURS, sum((h for h in spent if h), Decimal(0))) or module.hours
            key = (person.pk, module.pk, max(_day(s) for s in evidence))
            wanted[key] = max(hours, wanted.get(key, Decimal(0)))
            modules.setdefault(module.activity_id, module)
    by_pk = {p.pk: p for p in people.values()}
    module_by_pk = {m.pk: m for m in modules.values()}
    for person_id, module_id in sorted(exempt):
        proposals_exempt_on_evidence(
            person=by_pk[person_id],
            module=module_by_pk[module_id],
            reason=exemption_reason(organisation),
            actor=None,
        )
    if not wanted:
        return 0
    existing = {
        (a.person_id, a.module_id, a.date): a
        for a in Attendance.objects.select_for_update().filter(
            person_id__in={k[0] for k in wanted}, module_id__in={k[1] for k in wanted}
        )
    }
    created: list[Attendance] = []
    written = 0
    for (person_id, module_id, day), hours in wanted.items():
        row = existing.get((person_id, module_id, day))
        if row is None:
            person = by_pk[person_id]
            created.append(
                Attendance(
                    person_id=person_id,
                    module_id=module_id,
                    date=day,
                    hours=hours,
                    status=Attendance.Status.COMPLETED,
                    source="lrs",
                    unit_id=person.unit_id,
                    role_id=person.role_id,
                )
            )
        elif row.status != Attendance.Status.COMPLETED:
            # Present (or marked absent) that day and the tool says it was completed.
            row.status = Attendance.Status.COMPLETED
            row.hours = max(row.hours, hours)
            row.save(update_fields=["status", "hours"])
            written += 1
    Attendance.objects.bulk_create(created)
    written += len(created)
    if written:
        participation.refresh_people(organisation_id, {k[0] for k in wanted})
    return written
