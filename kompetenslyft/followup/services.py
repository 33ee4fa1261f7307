"""Writes of follow-up talks: the daily run that makes the talks due and e-mails each manager
one digest (with the one reminder), and the manager's record of a talk and its change.

A module counts as completed as on the journey (``learning.selectors.completed_modules``): a
``completed`` attendance (a register or an import), or attended on every session booked.
The talk is due ``kind`` days (30, 90) after the last day of that completion, for the manager
of the person's unit on the day it falls due (the nearest manager above when the unit has none,
never the person itself)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.published import closed_months, next_month
from kompetenslyft.learning.models import Attendance
from kompetenslyft.learning.selectors import DONE, completed_modules
from kompetenslyft.org.models import Person, Unit

from .models import KINDS, Applying, FollowUp, Hindrance, RateAtom, RateMonth

CATCH_UP_DAYS = 14
"""A daily run makes the talks that fell due within this many days (a missed run catches up;
completions older than that when the app was installed get no talk)."""
REMINDER_DAYS = 14
"""A talk not recorded this many days after it fell due is reminded once."""
CHANGE_DAYS = 14
"""A recorded talk may be changed this many days after it was recorded."""
CHUNK = 2000


def managers_by_unit(organisation_id: int) -> dict[int, list[int]]:
    """For each unit of the organisation, the managers from it upwards (nearest first, each
    once): a person's manager is the first of its unit's list that is not the person itself."""
    units = {
        pk: (parent, manager)
        for pk, parent, manager in Unit.objects.filter(organisation_id=organisation_id).values_list(
            "pk", "parent_id", "manager_id"
        )
    }
    chains: dict[int, list[int]] = {}

    def chain(pk: int) -> list[int]:
        found = chains.get(pk)
        if found is not None:
            return found
        parent, manager = units[pk]
        above = chain(parent) if parent is not None and parent in units else []
        mine = [manager] if manager is not None else []
        found = mine + [m for m in above if m != manager][:3]
        chains[pk] = found
        return found

    for pk in units:
        chain(pk)
    return chains


def manager_of(person: Person) -> int | None:
    """The person id of ``person``'s manager now (see :func:`managers_by_unit`)."""
    return next((m for m in managers_by_unit(person.organisation_id)[person.unit_id] if m != person.pk), None)


def _due_pairs(kind: int, today: dt.date) -> dict[tuple[int, int], dt.date]:
    """(person, module) → completion day, for completions whose talk of ``kind`` falls due
    within the catch-up window up to today. A pair with a later attendance is not due yet (its
    completion is that later day); a pair only ``attended`` is completed when every session
    the person was booked on is attended (``completed_modules``, asked for those people only)."""
    window_to = today - dt.timedelta(days=kind)
    window_from = window_to - dt.timedelta(days=CATCH_UP_DAYS)
    last: dict[tuple[int, int], dt.date] = {}
    completed: set[tuple[int, int]] = set()
    for person_id, module_id, status, day in (
        Attendance.objects.filter(date__gte=window_from, status__in=DONE, person__is_active=True)
        .values_list("person_id", "module_id", "status", "date")
        .order_by()
    ):
        key = (person_id, module_id)
        if key not in last or day > last[key]:
            last[key] = day
        if status == Attendance.Status.COMPLETED:
            completed.add(key)
    due = {key: day for key, day in last.items() if day <= window_to and key in completed}
    to_check = sorted({p for (p, m), day in last.items() if day <= window_to and (p, m) not in completed})
    for start in range(0, len(to_check), CHUNK):
        done = completed_modules(to_check[start : start + CHUNK])
        for person_id in to_check[start : start + CHUNK]:
            for module_id in done.get(person_id, set()):
                finished = last.get((person_id, module_id))
                if finished is not None and finished <= window_to:
                    due[(person_id, module_id)] = finished
    return due


def followups_create_due(*, today: dt.date | None = None) -> int:
    """Make every follow-up talk that has fallen due and does not exist yet (idempotent: a
    second run the same day makes none). Returns how many were made."""
    today = today or timezone.localdate()
    made = 0
    for kind in KINDS:
        due = _due_pairs(kind, today)
        if not due:
            continue
        earliest = min(due.values())
        existing = set(
            FollowUp.objects.filter(kind=kind, completed_on__gte=earliest).values_list(
                "person_id", "module_id", "completed_on"
            )
        )
        wanted = {key: day for key, day in due.items() if (key[0], key[1], day) not in existing}
        if not wanted:
            continue
        placed: dict[int, tuple[int, int, int, str]] = {}
        wanted_people = sorted({p for p, _m in wanted})
        for start in range(0, len(wanted_people), CHUNK):
            for pk, *placement in Person.objects.filter(
                pk__in=wanted_people[start : start + CHUNK]
            ).values_list("pk", "organisation_id", "unit_id", "role_id", "gender"):
                placed[pk] = tuple(placement)  # type: ignore[assignment]
        chains: dict[int, dict[int, list[int]]] = {}
        now = timezone.now()
        rows = []
        for (person_id, module_id), day in sorted(wanted.items()):
            org, unit, role, gender = placed[person_id]
            if org not in chains:
                chains[org] = managers_by_unit(org)
            manager = next((m for m in chains[org].get(unit, []) if m != person_id), None)
            due_on = day + dt.timedelta(days=kind)
            rows.append(
                (org, person_id, module_id, day, kind, due_on, manager, unit, role, gender or "", now, now)
                + ("[]", "", "", "")
            )
        _insert(rows)
        made += len(rows)
    return made


COLUMNS = (
    "organisation_id", "person_id", "module_id", "completed_on", "kind", "due_on", "manager_id",
    "unit_id", "role_id", "gender", "created_at", "updated_at", "hindrances", "applying",
    "hindrance_other", "support_needed",
)  # fmt: skip


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """Write the new talks in one stream (COPY on PostgreSQL); should a run at the same time
    have written some of them, write the rest one batch at a time, skipping those."""
    try:
        # COPY's errors come from the driver: ``wrap_database_errors`` makes them Django's.
        with transaction.atomic(), connection.wrap_database_errors:
            bulk_insert(FollowUp._meta.db_table, COLUMNS, rows)
    except IntegrityError:
        objects = [
            FollowUp(
                **{
                    c.removesuffix("_id") + ("_id" if c.endswith("_id") else ""): v
                    for c, v in zip(COLUMNS, row, strict=True)
                }
            )
            for row in rows
        ]
        for o in objects:
            o.hindrances = []
        with transaction.atomic():
            FollowUp.objects.bulk_create(objects, batch_size=2000, ignore_conflicts=True)


def _managed_unit_ids(manager_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each manager, the units it manages now and every unit below them."""
    found: dict[int, set[int]] = defaultdict(set)
    for manager_id, path in Unit.objects.filter(manager_id__in=sorted(manager_ids)).values_list(
        "manager_id", "path"
    ):
        found[manager_id] |= set(Unit.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return found


def _assign_unmanaged(today: dt.date) -> None:
    """Talks that fell due with no manager up the unit tree: given the manager the person's unit
    has now (one was set since), so that they reach someone."""
    open_rows = list(
        FollowUp.objects.filter(manager__isnull=True, held_on__isnull=True, due_on__lte=today).values_list(
            "pk", "organisation_id", "person_id", "person__unit_id"
        )
    )
    chains: dict[int, dict[int, list[int]]] = {}
    found: dict[int, list[int]] = defaultdict(list)
    for pk, org, person_id, unit_id in open_rows:
        if org not in chains:
            chains[org] = managers_by_unit(org)
        manager = next((m for m in chains[org].get(unit_id, []) if m != person_id), None)
        if manager is not None:
            found[manager].append(pk)
    for manager, pks in found.items():
        FollowUp.objects.filter(pk__in=pks, manager__isnull=True).update(manager_id=manager)


def lead_people(organisation_ids: Iterable[int]) -> dict[int, list[Person]]:
    """The active people holding the lead grant of each organisation (with an address)."""
    from kompetenslyft.core.models import Grant, ProductRole

    found: dict[int, list[Person]] = defaultdict(list)
    grants = Grant.objects.filter(organisation_id__in=sorted(organisation_ids), role=ProductRole.LEAD)
    users: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in grants.values_list("user_id", "organisation_id"):
        users[user_id].add(organisation_id)
    for person in Person.objects.filter(user_id__in=sorted(users), is_active=True).select_related(
        "organisation"
    ):
        if person.email and person.user_id is not None:
            for organisation_id in sorted(users[person.user_id]):
                found[organisation_id].append(person)
    return found


def _send_unmanaged(today: dt.date, now: dt.datetime, url: str) -> list[EmailMessage]:
    """Talks with no manager anywhere up the person's unit tree go to the organisation's leads,
    saying so: the lead holds them (or sets a manager for the unit). Each is told once."""
    lines = (
        "pk",
        "organisation_id",
        "person__given_name",
        "person__family_name",
        "unit__name",
        "module__name",
        "due_on",
        "kind",
    )
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        FollowUp.objects.filter(
            manager__isnull=True, held_on__isnull=True, due_on__lte=today, notified_at__isnull=True
        )
        .order_by("due_on", "person__family_name", "pk")
        .values(*lines)
    ):
        rows[row["organisation_id"]].append(row)
    leads = lead_people(rows)
    messages = []
    for organisation_id, talks in rows.items():
        for lead in leads.get(organisation_id, []):
            language = lead.language or lead.organisation.language or settings.LANGUAGE_CODE
            with translation.override(language):
                context = {"manager": lead, "talks": talks, "count": len(talks), "url": url}
                subject = render_to_string("followup/email/unmanaged_subject.txt", context).strip()
                body = render_to_string("followup/email/unmanaged.txt", context)
            messages.append(EmailMessage(subject, body, to=[lead.email]))
    told = [row["pk"] for talks in rows.values() for row in talks]
    for start in range(0, len(told), CHUNK):
        FollowUp.objects.filter(pk__in=told[start : start + CHUNK]).update(notified_at=now)
    return messages


def followups_send_digests(*, today: dt.date | None = None) -> tuple[int, int]:
    """E-mail each manager one digest of its talks due and not yet told of, with the talks
    still not recorded ``REMINDER_DAYS`` after they fell due (each reminded once). Returns
    (digests sent, talks reminded)."""
    today = today or timezone.localdate()
    now = timezone.now()
    remind_before = today - dt.timedelta(days=REMINDER_DAYS)
    lines = (
        "pk",
        "manager_id",
        "person_id",
        "person__unit_id",
        "person__given_name",
        "person__family_name",
        "module__name",
        "due_on",
        "kind",
    )
    order = ("due_on", "person__family_name", "person__given_name", "pk")
    _assign_unmanaged(today)
    new: dict[int, list[dict[str, Any]]] = defaultdict(list)
    remind: dict[int, list[dict[str, Any]]] = defaultdict(list)
    open_talks = FollowUp.objects.filter(manager__isnull=False, held_on__isnull=True, due_on__lte=today)
    for row in open_talks.filter(notified_at__isnull=True).order_by(*order).values(*lines):
        new[row["manager_id"]].append(row)
    for row in (
        open_talks.filter(notified_at__isnull=False, reminded_at__isnull=True, due_on__lte=remind_before)
        .order_by(*order)
        .values(*lines)
    ):
        remind[row["manager_id"]].append(row)
    # A manager is told only of the people it manages now (README): after a move or a change
    # of manager, the former one gets no e-mail naming them (the talk is on the new one's list).
    # Told (or with no one or no address to tell): never again.
    told = [row["pk"] for rows in new.values() for row in rows]
    reminded = [row["pk"] for rows in remind.values() for row in rows]
    managed = _managed_unit_ids(set(new) | set(remind))
    for rows_by_manager in (new, remind):
        for manager_id, rows in rows_by_manager.items():
            rows_by_manager[manager_id] = [
                r
                for r in rows
                if r["person__unit_id"] in managed[manager_id] and r["person_id"] != manager_id
            ]
    reminded_count = sum(len(rows) for rows in remind.values())
    managers = Person.objects.filter(pk__in=sorted(set(new) | set(remind))).select_related("organisation")
    url = settings.KOMPETENSLYFT_BASE_URL.rstrip("/") + reverse("followup:list")
    messages = []
    for manager in managers:
        due, overdue = new.get(manager.pk, []), remind.get(manager.pk, [])
        if not (due or overdue) or not (manager.email and manager.is_active):
            continue
        language = manager.language or manager.organisation.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {
                "manager": manager,
                "due": due,
                "overdue": overdue,
                "count": len(due) + len(overdue),
                "url": url,
            }
            subject = render_to_string("followup/email/digest_subject.txt", context).strip()
            body = render_to_string("followup/email/digest.txt", context)
        messages.append(EmailMessage(subject, body, to=[manager.email]))
    messages += _send_unmanaged(today, now, url)
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    for start in range(0, len(told), CHUNK):
        FollowUp.objects.filter(pk__in=told[start : start + CHUNK]).update(notified_at=now)
    for start in range(0, len(reminded), CHUNK):
        FollowUp.objects.filter(pk__in=reminded[start : start + CHUNK]).update(reminded_at=now)
    return len(messages), reminded_count


def followups_daily(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily run (``kompetenslyft followup_reminders`` enqueues it): make the talks due,
    then send the digests; then publish the effect figures of the months that have closed —
    the application rate, the knowledge tests' results and the gap movement (ADR 0019)."""
    from kompetenslyft.knowledge.services import publish_result_months
    from kompetenslyft.successcases.movement import publish_movement_months

    made = followups_create_due(today=today)
    sent, reminded = followups_send_digests(today=today)
    rates = publish_rate_months(today=today)
    results = publish_result_months(today=today)
    movement = publish_movement_months(today=today)
    return {
        "made": made,
        "digests": sent,
        "reminded": reminded,
        "rate_months": rates,
        "result_months": results,
        "movement_months": movement,
    }


# --- the manager's record ---------------------------------------------------------------------


def _clean(
    applying: str, hindrances: Iterable[str], hindrance_other: str, support_needed: str, held_on: dt.date
) -> tuple[str, list[str], str, str]:
    if applying not in Applying.values:
        raise ValidationError({"applying": _("Choose whether the person is applying it.")})
    chosen = [h for h in Hindrance.values if h in set(hindrances)]
    if set(hindrances) - set(Hindrance.values):
        raise ValidationError({"hindrances": _("Choose among the listed hindrances.")})
    other = hindrance_other.strip()
    if other and Hindrance.OTHER not in chosen:
        chosen.append(Hindrance.OTHER)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The talk cannot be held in the future.")})
    return applying, chosen, other, support_needed.strip()


@transaction.atomic
def followup_record(
    *,
    followup: FollowUp,
    applying: str,
    hindrances: Iterable[str],
    hindrance_other: str,
    support_needed: str,
    held_on: dt.date,
    actor: Any,
) -> FollowUp:
    """The manager records a talk held (once; a change goes through :func:`followup_change`)."""
    row = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if row.recorded:
        raise ValidationError(_("This follow-up talk is already recorded."))
    if held_on < row.completed_on:
        raise ValidationError({"held_on": _("The talk cannot be held before the module was completed.")})
    values = _clean(applying, hindrances, hindrance_other, support_needed, held_on)
    return _write(row, values, held_on, actor, "followup.recorded")


@transaction.atomic
def followup_change(
    *,
    followup: FollowUp,
    applying: str,
    hindrances: Iterable[str],
    hindrance_other: str,
    support_needed: str,
    held_on: dt.date,
    actor: Any,
) -> FollowUp:
    """Change a recorded talk, within ``CHANGE_DAYS`` of its record."""
    row = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if not can_change(row):
        raise ValidationError(
            _("A follow-up talk can be changed within %(n)s days of its record.") % {"n": CHANGE_DAYS}
        )
    if held_on < row.completed_on:
        raise ValidationError({"held_on": _("The talk cannot be held before the module was completed.")})
    values = _clean(applying, hindrances, hindrance_other, support_needed, held_on)
    return _write(row, values, held_on, actor, "followup.changed")


def can_change(row: FollowUp) -> bool:
    return row.recorded_at is not None and timezone.now() - row.recorded_at <= dt.timedelta(days=CHANGE_DAYS)


def _write(
    row: FollowUp, values: tuple[str, list[str], str, str], held_on: dt.date, actor: Any, action: str
) -> FollowUp:
    before = {"applying": row.applying, "hindrances": row.hindrances, "held_on": row.held_on}
    row.applying, row.hindrances, row.hindrance_other, row.support_needed = values
    row.held_on = held_on
    if action == "followup.recorded":
        row.recorded_at = timezone.now()
        row.recorded_by = actor if getattr(actor, "pk", None) else None
    row.save()
    audit_record(
        actor=actor,
        organisation=row.organisation,
        event=AuditEvent(
            action,
            "followup",
            str(row.pk),
            f"{row.person_id}/{row.module_id}",
            # The free texts are not copied into the audit log.
            {
                "before": before,
                "after": {"applying": row.applying, "hindrances": row.hindrances, "held_on": held_on},
            },
        ),
    )
    return row


# --- publication of the application rate per closed month (ADR 0019) ---------------------------


def publish_rate_months(*, today: dt.date | None = None) -> int:
    """Publish the application rate of every closed calendar month not yet published, in each
    organisation with a recorded talk: from the month of its first talk held, at most
    :data:`core.published.MONTHS` back. A published month is never changed. Returns the number
    of months published."""
    from django.db.models import Min

    today = today or timezone.localdate()
    published = 0
    firsts = (
        FollowUp.objects.filter(held_on__isnull=False)
        .values_list("organisation_id")
        .annotate(first=Min("held_on"))
        .order_by("organisation_id")
    )
    for organisation_id, first in firsts:
        done = set(RateMonth.objects.filter(organisation_id=organisation_id).values_list("month", flat=True))
        for month in closed_months(first, today):
            if month not in done and _publish_rate_month(organisation_id, month):
                published += 1
    return published


@transaction.atomic
def _publish_rate_month(organisation_id: int, month: dt.date) -> bool:
    """One organisation's closed month, computed once (``figures.month_atoms``) and stored."""
    from kompetenslyft.org.models import Organisation

    from . import figures

    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if RateMonth.objects.filter(organisation=organisation, month=month).exists():
        return False
    atoms = figures.month_atoms(organisation, month, next_month(month))
    run = RateMonth.objects.create(
        organisation=organisation,
        month=month,
        threshold=max(1, organisation.anonymity_threshold),
        published_at=timezone.now(),
    )
    for atom in atoms:
        atom.run = run
    RateAtom.objects.bulk_create(atoms, batch_size=2000)
    return True
