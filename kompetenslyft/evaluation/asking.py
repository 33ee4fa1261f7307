"""Asking for the module evaluation: a :class:`~.models.Request` for each attendee present when
a trainer's register is taken, the e-mail with the link (in the person's language), and one
reminder before the evaluation closes.

The learning domain does not know this app: :func:`requests_for_register` listens to its
register through ``learning.hooks.on_attendance`` (subscribed in ``EvaluationConfig.ready``).

Timing: a request opens on the session's day and closes ``Organisation.evaluation_days`` days
later. The invitation goes out as soon as the register is taken (on or after the session's
day); the one reminder from :func:`remind_from` on (three days before closing, or the day after
the session if the period is shorter), to those who have not answered. Reminders run as a
deferred task where the task backend supports it (as session reminders do) and, whatever the
backend, from ``kompetenslyft evaluation_reminders`` (run daily from cron), which also sends
any invitation not yet sent. Both claim a request before mailing it, so nobody gets two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kompetenslyft.core.queue import can_defer, enqueue
from kompetenslyft.learning.hooks import Register
from kompetenslyft.org.models import Person

from .models import Request

REMIND_DAYS_BEFORE_CLOSING = 3


def remind_from(opens_on: dt.date, closes_on: dt.date) -> dt.date:
    """The first day the one reminder may go out."""
    return max(opens_on + dt.timedelta(days=1), closes_on - dt.timedelta(days=REMIND_DAYS_BEFORE_CLOSING))


def is_open(request: Request, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return request.opens_on <= today <= request.closes_on


def requests_for_register(register: Register) -> None:
    """Ask everyone present (one request per person × module × day, whatever the number of
    times the register is taken); withdraw the unanswered requests of people now marked absent."""
    session = register.session
    day = register.day
    Request.objects.filter(
        person_id__in=sorted(register.absent),
        module_id=session.module_id,
        occurred_on=day,
        answered_on__isnull=True,
    ).delete()
    if not register.present:
        return
    asked = set(
        Request.objects.filter(
            person_id__in=sorted(register.present), module_id=session.module_id, occurred_on=day
        ).values_list("person_id", flat=True)
    )
    new = [
        Request(
            organisation_id=person.organisation_id,
            person_id=person.pk,
            module_id=session.module_id,
            session_id=session.pk,
            initiative_id=session.initiative_id,
            occurred_on=day,
            opens_on=day,
            closes_on=day + dt.timedelta(days=person.organisation.evaluation_days),
        )
        for person in Person.objects.filter(pk__in=sorted(register.present - asked)).select_related(
            "organisation"
        )
    ]
    if not new:
        return
    Request.objects.bulk_create(new, ignore_conflicts=True)
    ids = list(
        Request.objects.filter(
            person_id__in=[r.person_id for r in new], module_id=session.module_id, occurred_on=day
        ).values_list("pk", flat=True)
    )
    _after_commit(ids, remind_on=remind_from(day, max(r.closes_on for r in new)))


def _after_commit(ids: list[int], *, remind_on: dt.date) -> None:
    enqueue("evaluation.evaluation_invitations_task", ids)
    if can_defer("evaluation.evaluation_reminders_task"):
        at = timezone.make_aware(dt.datetime.combine(remind_on, dt.time(9, 0)))
        if at > timezone.now():
            enqueue("evaluation.evaluation_reminders_task", ids, run_after=at)


def _claim(request_id: int, field: str, today: dt.date) -> bool:
    """Mark the request as mailed (invitation or reminder) unless someone else did: the one
    conditional update is the lock."""
    filters = {f"{field}__isnull": True, "answered_on__isnull": True, "closes_on__gte": today}
    if field == "reminded_on":
        filters["sent_on__isnull"] = False
    return bool(Request.objects.filter(pk=request_id, **filters).update(**{field: today}))


def _mail(request: Request, kind: str) -> None:
    person = request.person
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {
            "person": person,
            "request": request,
            "module": request.module,
            "base": settings.KOMPETENSLYFT_BASE_URL.rstrip("/"),
        }
        subject = render_to_string(f"evaluation/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"evaluation/email/{kind}.txt", context)
    EmailMessage(subject, body, to=[person.email]).send()


def send_invitations(request_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """E-mail the link to each request not yet sent, open today, of a person with an e-mail."""
    today = today or timezone.localdate()
    sent = 0
    for request in (
        Request.objects.filter(pk__in=sorted(request_ids), sent_on__isnull=True, opens_on__lte=today)
        .exclude(person__email="")
        .select_related("person", "module")
    ):
        if _claim(request.pk, "sent_on", today):
            _mail(request, "request")
            sent += 1
    return sent


def send_reminders(request_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """The one reminder, to each of these requests still unanswered and open, whose reminder day
    has come."""
    today = today or timezone.localdate()
    sent = 0
    for request in (
        Request.objects.filter(
            pk__in=sorted(request_ids),
            reminded_on__isnull=True,
            answered_on__isnull=True,
            sent_on__isnull=False,
            closes_on__gte=today,
        )
        .exclude(person__email="")
        .select_related("person", "module")
    ):
        if remind_from(request.opens_on, request.closes_on) > today:
            continue
        if _claim(request.pk, "reminded_on", today):
            _mail(request, "reminder")
            sent += 1
    return sent


def send_due(*, today: dt.date | None = None, chunk: int = 500) -> tuple[int, int]:
    """What the daily command does: invitations not yet sent of open requests, and the reminders
    whose day has come. Returns (invitations, reminders). Reads ids in chunks (bounded memory)."""
    today = today or timezone.localdate()
    open_requests = Request.objects.filter(
        opens_on__lte=today, closes_on__gte=today, answered_on__isnull=True
    ).exclude(person__email="")
    invitations = reminders = 0
    unsent = list(open_requests.filter(sent_on__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(unsent), chunk):
        invitations += send_invitations(unsent[start : start + chunk], today=today)
    due = [
        pk
        for pk, opens_on, closes_on in open_requests.filter(
            sent_on__isnull=False, reminded_on__isnull=True
        ).values_list("pk", "opens_on", "closes_on")
        if remind_from(opens_on, closes_on) <= today
    ]
    for start in range(0, len(due), chunk):
        reminders += send_reminders(due[start : start + chunk], today=today)
    return invitations, reminders
