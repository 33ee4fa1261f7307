"""Writes of sessions: scheduling, bookings with a waiting list, invitations and reminders
(.ics), the register, the recording, cancelling a session (everyone booked or waiting is told,
with an .ics CANCEL and the module's other sessions). ``services`` re-exports these names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.core.access import (
    session_bookable_by,
    session_organisation_ids,
    session_organisations_filter,
)
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.queue import can_defer, enqueue
from kompetenslyft.lrs import emit
from kompetenslyft.org.models import Organisation, Person

from . import module_selectors, participation
from .hooks import Register, attendance_taken
from .models import Attendance, Booking, Initiative, Module, Session
from .selectors import completed_modules


@transaction.atomic
def session_create(
    *,
    module: Module,
    starts_at: dt.datetime,
    duration_minutes: int,
    capacity: int,
    place: str = "",
    meeting_link: str = "",
    trainers: list[Person] | None = None,
    initiative: Initiative | None = None,
    language: str = "sv",
    accessibility: str = "",
    organisation: Organisation | None = None,
    open_to: list[Organisation] | None = None,
    actor: Any = None,
) -> Session:
    """Schedule a session run by ``organisation`` (by default the module's, else the
    initiative's), opened to the ``open_to`` organisations of the network."""
    if capacity < 1:
        raise ValidationError(_("A session needs room for at least one person."))
    if not place and not meeting_link:
        raise ValidationError(_("Give a place or a meeting link."))
    if organisation is None:
        organisation = module.organisation or (initiative.organisation if initiative else None)
    if organisation is None:
        raise ValidationError(_("Name the organisation that runs the session."))
    if module.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("The module belongs to another organisation."))
    if initiative is not None and initiative.organisation_id != organisation.pk:
        raise ValidationError(_("The initiative belongs to another organisation."))
    if any(person.organisation_id != organisation.pk for person in trainers or []):
        raise ValidationError(_("The trainers must belong to the organisation that runs the session."))
    guests = _check_open_to(module=module, organisation=organisation, open_to=open_to or [])
    session = Session.objects.create(
        organisation=organisation,
        module=module,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        capacity=capacity,
        place=place,
        meeting_link=meeting_link,
        initiative=initiative,
        language=language,
        accessibility=accessibility,
    )
    session.trainers.set(trainers or [])
    session.open_to.set(guests)
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "session.created",
            "session",
            str(session.pk),
            str(session),
            {"open_to": sorted(o.code for o in guests)},
        ),
    )
    remind_at = starts_at - dt.timedelta(days=2)
    if remind_at > timezone.now() and can_defer("learning.session_reminders_task"):
        # Two days before; a backend without deferred tasks (the demo's inline one) sends none.
        enqueue("learning.session_reminders_task", session.pk, run_after=remind_at)
    return session


def _check_open_to(
    *, module: Module, organisation: Organisation, open_to: list[Organisation]
) -> list[Organisation]:
    guests = [o for o in open_to if o.pk != organisation.pk]
    if not guests:
        return guests
    if module.organisation_id is not None and not module.shared:
        raise ValidationError(
            _("Only a session of a module shared with the network can be opened to other organisations.")
        )
    allowed = set(
        module_selectors.session_network(module=module, organisation=organisation).values_list(
            "pk", flat=True
        )
    )
    outside = sorted(o.name for o in guests if o.pk not in allowed)
    if outside:
        raise ValidationError(
            _("These organisations do not use the module, so it cannot be opened to them: %(names)s")
            % {"names": ", ".join(outside)}
        )
    return guests


@transaction.atomic
def booking_book(*, session: Session, person: Person, actor: Any = None) -> Booking:
    """Book a place, or a place on the waiting list when the session is full. Only people of
    the running organisation and of those the session is opened to may be booked."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if not session_bookable_by(session, person):
        raise ValidationError(_("The session is not open to this person's organisation."))
    if session.cancelled or session.starts_at < timezone.now():
        raise ValidationError(_("The session cannot be booked (it is cancelled or has started)."))
    existing = Booking.objects.filter(session=session, person=person).first()
    if existing and existing.status != Booking.Status.CANCELLED:
        return existing
    booked = Booking.objects.filter(session=session, status=Booking.Status.BOOKED).count()
    status = Booking.Status.BOOKED if booked < session.capacity else Booking.Status.WAITING
    if existing:
        existing.status, existing.booked_by = status, actor
        existing.created_at = timezone.now()
        existing.save(update_fields=["status", "booked_by", "created_at"])
        booking = existing
    else:
        booking = Booking.objects.create(session=session, person=person, status=status, booked_by=actor)
    if status == Booking.Status.BOOKED:
        enqueue("learning.booking_invite_task", booking.pk)
        emit.booked([booking])
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: Any = None) -> Booking | None:
    """Cancel; the first on the waiting list moves up and is invited. Returns who moved up.
    Once the register is taken a booking stays (it is the record of who was expected)."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
    if session.attendance_taken_at is not None:
        raise ValidationError(_("The attendance is taken: the booking can no longer be cancelled."))
    was_booked = booking.status == Booking.Status.BOOKED
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    if not was_booked:
        return None
    waiting = (
        Booking.objects.filter(session=session, status=Booking.Status.WAITING)
        .order_by("created_at", "id")
        .first()
    )
    if waiting is None:
        return None
    waiting.status = Booking.Status.BOOKED
    waiting.save(update_fields=["status"])
    enqueue("learning.booking_invite_task", waiting.pk)
    emit.booked([waiting])
    return waiting


def ics_for(session: Session, person: Person, *, method: str = "REQUEST") -> bytes:
    """The calendar entry of a session for one person: an invitation (``REQUEST``) or, once the
    session is cancelled, ``CANCEL`` with the same UID and the session's raised sequence, so
    calendars remove the invitation they hold."""
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//Kompetenslyft//SE")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", f"session-{session.pk}@kompetenslyft")
    event.add("sequence", session.sequence)
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.starts_at + dt.timedelta(minutes=session.duration_minutes))
    event.add("summary", session.module.name)
    event.add("location", session.place or session.meeting_link)
    description = session.module.description
    if session.meeting_link:
        description = f"{description}\n{session.meeting_link}".strip()
    event.add("description", description)
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.full_name)
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def booking_send_invitation(*, booking_id: int) -> bool:
    booking = Booking.objects.select_related("session", "session__module", "person").get(pk=booking_id)
    person, session = booking.person, booking.session
    if booking.status != Booking.Status.BOOKED or not person.email:
        return False
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {"person": person, "session": session, "base": settings.KOMPETENSLYFT_BASE_URL}
        subject = render_to_string("learning/email/invitation_subject.txt", context).strip()
        body = render_to_string("learning/email/invitation.txt", context)
    message = EmailMessage(subject, body, to=[person.email])
    message.attach("kallelse.ics", ics_for(session, person), "text/calendar; method=REQUEST; charset=utf-8")
    message.send()
    Booking.objects.filter(pk=booking.pk).update(invited_at=timezone.now())
    return True


def session_send_reminders(*, session_id: int) -> int:
    session = Session.objects.select_related("module").get(pk=session_id)
    if session.cancelled:
        return 0
    sent = 0
    for booking in session.bookings.filter(
        status=Booking.Status.BOOKED, reminded_at__isnull=True
    ).select_related("person"):
        person = booking.person
        if not person.email:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {"person": person, "session": session, "base": settings.KOMPETENSLYFT_BASE_URL}
            subject = render_to_string("learning/email/reminder_subject.txt", context).strip()
            body = render_to_string("learning/email/reminder.txt", context)
        EmailMessage(subject, body, to=[person.email]).send()
        Booking.objects.filter(pk=booking.pk).update(reminded_at=timezone.now())
        sent += 1
    return sent


class RegisterSaved(NamedTuple):
    """What a register saved: the people on it marked present and those marked absent."""

    present: int
    absent: int


@transaction.atomic
def attendance_take(
    *, session: Session, present: set[int], hours: Decimal | None = None, actor: Any = None
) -> RegisterSaved:
    """The trainer's register: booked people present get an attendance row with the session's
    hours; booked people absent a no_show row (kept, counted nowhere). Listeners registered in
    ``hooks`` (the module evaluation) hear the register as taken, in the same transaction."""
    day = timezone.localtime(session.starts_at).date()
    if timezone.localdate() < day:
        raise ValidationError(
            _("The register opens on the day of the session (%(day)s).") % {"day": day.isoformat()}
        )
    if session.cancelled:
        raise ValidationError(_("The session is cancelled."))
    hours = hours if hours is not None else (Decimal(session.duration_minutes) / 60).quantize(Decimal("0.01"))
    # The register: booked people of the session's organisations (guests included), nobody else.
    booked = list(
        session.bookings.filter(
            status=Booking.Status.BOOKED,
            person__organisation_id__in=sorted(session_organisation_ids(session)),
        ).select_related("person")
    )
    existing = {
        a.person_id: a
        for a in Attendance.objects.select_for_update().filter(
            person_id__in=[b.person_id for b in booked], module=session.module, date=day
        )
    }
    for booking in booked:
        status = Attendance.Status.ATTENDED if booking.person_id in present else Attendance.Status.NO_SHOW
        row = existing.get(booking.person_id)
        if row is not None and row.session_id != session.pk:
            # A row of another session's register (perhaps another organisation's) or of an
            # import: this register never undoes it; it only records a presence over a no-show.
            if not (status == Attendance.Status.ATTENDED and row.status == Attendance.Status.NO_SHOW):
                continue
        Attendance.objects.update_or_create(
            person=booking.person,
            module=session.module,
            date=day,
            defaults={
                "session": session,
                "hours": hours,
                "status": status,
                "unit_id": booking.person.unit_id,
                "role_id": booking.person.role_id,
                "source": "session",
            },
        )
    by_organisation: dict[int, set[int]] = {}
    for booking in booked:
        by_organisation.setdefault(booking.person.organisation_id, set()).add(booking.person_id)
    for organisation_id, person_ids in by_organisation.items():
        participation.refresh_people(organisation_id, person_ids)
    Session.objects.filter(pk=session.pk).update(attendance_taken_at=timezone.now())
    on_register = {b.person_id for b in booked}
    came = [b.person for b in booked if b.person_id in present]
    done = completed_modules([p.pk for p in came])
    emit.attended(
        session, day, came, hours, {p.pk for p in came if session.module_id in done.get(p.pk, set())}
    )
    attendance_taken(
        Register(
            session=session,
            day=day,
            present=frozenset(on_register & present),
            absent=frozenset(on_register - present),
        )
    )
    audit_record(
        actor=actor,
        organisation=session.organisation,
        event=AuditEvent(
            "attendance.taken",
            "session",
            str(session.pk),
            str(session),
            {"present": len(on_register & present)},
        ),
    )
    return RegisterSaved(present=len(on_register & present), absent=len(on_register - present))


@transaction.atomic
def session_update(
    *,
    session: Session,
    recording_link: str,
    open_to: list[Organisation] | None = None,
    actor: Any = None,
) -> int:
    """Add the recording afterwards, or change the organisations it is opened to (``None``:
    unchanged). Closing it to an organisation cancels that organisation's bookings (the waiting
    list moves up). Returns how many bookings were cancelled so. Cancelling the whole session is
    ``session_cancel``."""
    Session.objects.filter(pk=session.pk).update(recording_link=recording_link)
    closed = 0
    details: dict[str, Any] = {"recording_link": recording_link}
    if open_to is not None:
        guests = _check_open_to(module=session.module, organisation=session.organisation, open_to=open_to)
        session.open_to.set(guests)
        details["open_to"] = sorted(o.code for o in guests)
        allowed = {session.organisation_id, *(o.pk for o in guests)}
        for booking in (
            session.bookings.exclude(status=Booking.Status.CANCELLED)
            .exclude(person__organisation_id__in=sorted(allowed))
            .order_by("-status", "created_at")  # the waiting ones first: nobody of theirs moves up
        ):
            booking_cancel(booking=booking, actor=actor)
            closed += 1
        details["bookings_cancelled"] = closed
    audit_record(
        actor=actor,
        organisation=session.organisation,
        event=AuditEvent("session.updated", "session", str(session.pk), str(session), details),
    )
    return closed


@transaction.atomic
def session_cancel(*, session: Session, actor: Any = None) -> int:
    """Cancel a session: bookings stay (for the record) and everyone booked or waiting is told
    by e-mail, in its language, with an .ics CANCEL and the module's other sessions. Refused
    once the register is taken. Returns how many people are told."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.attendance_taken_at is not None:
        raise ValidationError(_("The attendance is taken: the session can no longer be cancelled."))
    if session.cancelled:
        raise ValidationError(_("The session is already cancelled."))
    Session.objects.filter(pk=session.pk).update(cancelled=True, sequence=session.sequence + 1)
    told = list(
        session.bookings.filter(status__in=[Booking.Status.BOOKED, Booking.Status.WAITING]).values_list(
            "pk", flat=True
        )
    )
    audit_record(
        actor=actor,
        organisation=session.organisation,
        event=AuditEvent("session.cancelled", "session", str(session.pk), str(session), {"told": len(told)}),
    )
    if told:
        enqueue("learning.session_cancellation_task", session.pk)
    return len(told)


def session_alternatives(session: Session, person: Person) -> QuerySet[Session]:
    """The module's other sessions this person may book: coming, not cancelled, run by or
    opened to its organisation."""
    return (
        Session.objects.filter(
            session_organisations_filter([person.organisation_id]),
            module_id=session.module_id,
            cancelled=False,
            starts_at__gte=timezone.now(),
        )
        .exclude(pk=session.pk)
        .order_by("starts_at")
    )


def session_send_cancellation(*, session_id: int) -> int:
    """Tell everyone booked or waiting on a cancelled session (the task of ``session_cancel``)."""
    session = Session.objects.select_related("module").get(pk=session_id)
    if not session.cancelled:
        return 0
    sent = 0
    for booking in session.bookings.filter(
        status__in=[Booking.Status.BOOKED, Booking.Status.WAITING]
    ).select_related("person"):
        person = booking.person
        if not person.email:
            continue
        others = list(session_alternatives(session, person)[:5])
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {
                "person": person,
                "session": session,
                "others": others,
                "base": settings.KOMPETENSLYFT_BASE_URL,
            }
            subject = render_to_string("learning/email/cancellation_subject.txt", context).strip()
            body = render_to_string("learning/email/cancellation.txt", context)
        message = EmailMessage(subject, body, to=[person.email])
        if booking.status == Booking.Status.BOOKED:
            message.attach(
                "avbokning.ics",
                ics_for(session, person, method="CANCEL"),
                "text/calendar; method=CANCEL; charset=utf-8",
            )
        message.send()
        sent += 1
    return sent


def register_opens_on(session: Session) -> dt.date | None:
    """The day the register opens, while it is not open yet (``None`` once it is)."""
    day = timezone.localtime(session.starts_at).date()
    return day if timezone.localdate() < day else None
