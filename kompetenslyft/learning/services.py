"""Writes of the learning domain: initiatives and their plans, proposals from the gap,
enrolments, sessions, bookings with a waiting list, invitations, attendance."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.competence.selectors import RequirementIndex
from kompetenslyft.core.access import session_bookable_by, session_organisation_ids
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.core.queue import can_defer, enqueue
from kompetenslyft.org.models import Organisation, Person, Unit

from . import participation
from .hooks import Register, attendance_taken
from .models import (
    Attendance,
    Booking,
    Enrolment,
    Initiative,
    JobAid,
    Module,
    PlanEntry,
    Proposal,
    Session,
    SupportContact,
)

# The before / during / after checklist of the 40-20-40 model, as the guides give it.
CHECKLIST = {
    PlanEntry.Phase.BEFORE: [
        _("The purpose and measurable goals are set and anchored with management"),
        _("Needs are measured: a baseline self-assessment against the requirements of each role"),
        _("Managers know their part: preparing people, freeing their time, follow-up talks"),
        _("The target group is informed of why, what, when and how (communication plan)"),
        _("Trainers and super users are chosen and prepared for each unit"),
        _("Time for learning is planned into schedules"),
    ],
    PlanEntry.Phase.DURING: [
        _("Training is given in short modules with knowledge goals, at the right level"),
        _("People who already reach the goal are exempt"),
        _("Support between sessions: job aids and someone to ask in each unit"),
        _("Attendance and progress are followed per unit; managers support those who lag behind"),
    ],
    PlanEntry.Phase.AFTER: [
        _("Every module is evaluated right after it ends"),
        _("A follow-up self-assessment shows the movement from the baseline"),
        _("Managers hold follow-up talks on using the new skills at work"),
        _("Effects are followed with the organisation's indicators"),
        _("Lessons learned are written down and shared"),
    ],
}


@transaction.atomic
def initiative_create(
    *,
    organisation: Any,
    code: str,
    name: str,
    purpose: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    budget: Decimal | None = None,
    units: list[Unit] | None = None,
    roles: list[Any] | None = None,
    modules: list[Module] | None = None,
    owners: list[Any] | None = None,
    actor: Any = None,
) -> Initiative:
    """A new initiative of ``organisation``; ``owners`` (its project leaders) must be people of
    the organisation (a project leader who creates its first initiative owns it)."""
    if any(owner.organisation_id != organisation.pk for owner in owners or []):
        raise ValidationError(_("An owner of an initiative must belong to its organisation."))
    if Initiative.objects.filter(organisation=organisation, code=code).exists():
        raise ValidationError(
            _("The organisation already has an initiative with the code '%(code)s'.") % {"code": code}
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("The initiative ends before it starts."))
    initiative = Initiative.objects.create(
        organisation=organisation,
        code=code,
        name=name,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
    )
    initiative.units.set(units or [])
    initiative.roles.set(roles or [])
    initiative.modules.set(modules or [])
    initiative.owners.set(owners or [])
    participation.refresh_initiative(initiative)
    PlanEntry.objects.bulk_create(
        PlanEntry(
            initiative=initiative, kind=PlanEntry.Kind.CHECKLIST, phase=phase, text=str(text), position=index
        )
        for phase, texts in CHECKLIST.items()
        for index, text in enumerate(texts)
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("initiative.created", "initiative", code, name),
    )
    return initiative


# Evidence that exempts someone from a module besides the self-assessment: a passed knowledge
# test, or a completion reported to the learning record store. Each source is a function
# (initiative, module ids) → set of (person id, module id) that need not take the module;
# the evaluation and LRS domains register theirs here.
ExemptionSource = Callable[[Initiative, list[int]], set[tuple[int, int]]]
EXEMPTION_SOURCES: list[ExemptionSource] = []


def register_exemption_source(source: ExemptionSource) -> None:
    if source not in EXEMPTION_SOURCES:
        EXEMPTION_SOURCES.append(source)


def initiative_people(initiative: Initiative) -> Any:
    paths = Q(pk__in=[])
    for path in initiative.units.values_list("path", flat=True):
        paths |= Q(path__startswith=path)
    people = Person.objects.filter(
        organisation_id=initiative.organisation_id,
        is_active=True,
        unit__in=Unit.objects.filter(paths).values("pk"),
    )
    role_ids = list(initiative.roles.values_list("pk", flat=True))
    return people.filter(role_id__in=role_ids) if role_ids else people


def proposals_request(*, initiative: Initiative, actor: Any) -> None:
    """Ask for proposals from the gap: made in the background (``proposals_generate``)."""
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent("proposals.requested", "initiative", str(initiative.pk), initiative.name),
    )
    enqueue("learning.proposals_task", initiative.pk)


def proposals_generate(*, initiative_id: int) -> int:
    """For everyone in the target group, the modules of the initiative that teach a competence
    it is below the requirement in (or has not assessed) are assigned; those whose competences
    it already reaches are exempt; modules mandatory for its role are always assigned. A
    confirmed proposal is left as the manager confirmed it."""
    from kompetenslyft.assessment.models import LATEST, Answer

    initiative = Initiative.objects.select_related("organisation").get(pk=initiative_id)
    index = RequirementIndex(initiative.organisation)
    modules = list(initiative.modules.prefetch_related("competences", "mandatory_roles"))
    teaches = {m.pk: [(c.pk, c.code) for c in m.competences.all()] for m in modules}
    mandatory = {m.pk: {r.pk for r in m.mandatory_roles.all()} for m in modules}
    people = list(initiative_people(initiative).values_list("pk", "unit_id", "role_id"))
    confirmed = set(
        Proposal.objects.filter(initiative=initiative, status=Proposal.Status.CONFIRMED).values_list(
            "person_id", flat=True
        )
    )
    wanted_competences = {c for pairs in teaches.values() for c, _code in pairs}
    # The hot path of a large initiative (millions of answers): read plain tuples.
    answers = Answer.objects.filter(
        person__organisation=initiative.organisation, competence_id__in=wanted_competences
    )
    if initiative.measurement_point == LATEST:
        answers = answers.filter(is_latest=True)
    else:
        answers = answers.filter(measurement_point=initiative.measurement_point)
    levels: dict[int, dict[int, int]] = {}
    if wanted_competences:  # (no modules, or none teaching a competence: nothing to read)
        sql, params = answers.values_list("person_id", "competence_id", "level").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(50_000):
                for person_id, competence_id, level in chunk:
                    levels.setdefault(person_id, {})[competence_id] = level
    # What each module means for a (unit, role) group is the same for all its members:
    # mandatory, or the (competence, code, required level) it teaches that the group requires.
    module_keys = [(m.pk, str(m.pk)) for m in modules]
    group_plans: dict[tuple[int, int], list[tuple[str, bool, list[tuple[int, str, int]]]]] = {}

    def plan_for(unit_id: int, role_id: int) -> list[tuple[str, bool, list[tuple[int, str, int]]]]:
        key = (unit_id, role_id)
        if key not in group_plans:
            required = index.for_group(unit_id, role_id)
            plan: list[tuple[str, bool, list[tuple[int, str, int]]]] = []
            for module_id, module_key in module_keys:
                if role_id in mandatory[module_id]:
                    plan.append((module_key, True, []))
                    continue
                relevant = [
                    (c, code, required[c].required_level) for c, code in teaches[module_id] if c in required
                ]
                if relevant:
                    plan.append((module_key, False, relevant))
            group_plans[key] = plan
        return group_plans[key]

    evidence: set[tuple[int, int]] = set()
    for source in EXEMPTION_SOURCES:
        evidence |= source(initiative, [m.pk for m in modules])
    rows: list[tuple[Any, ...]] = []
    now = timezone.now()
    no_levels: dict[int, int] = {}
    for person_id, unit_id, role_id in people:
        if person_id in confirmed:
            continue
        mine = levels.get(person_id, no_levels)
        below_items: dict[str, list[str]] = {}
        mandatory_items: list[str] = []
        exempt_items: list[str] = []
        for module_key, is_mandatory, relevant in plan_for(unit_id, role_id):
            if is_mandatory:
                mandatory_items.append(module_key)
                continue
            below = [code for c, code, level in relevant if mine.get(c, -1) < level]
            if below and evidence and (person_id, int(module_key)) in evidence:
                below = []
            if below:
                below_items[module_key] = below
            else:
                exempt_items.append(module_key)
        rows.append(
            (
                initiative.pk,
                person_id,
                unit_id,
                json.dumps(
                    {"b": below_items, "m": mandatory_items, "x": exempt_items}, separators=(",", ":")
                ),
                len(below_items) + len(mandatory_items),
                len(exempt_items),
                Proposal.Status.PROPOSED,
                now,
            )
        )
    with transaction.atomic():
        Proposal.objects.filter(initiative=initiative, status=Proposal.Status.PROPOSED)._raw_delete(
            Proposal.objects.db
        )
        bulk_insert(
            Proposal._meta.db_table,
            ("initiative_id", "person_id", "unit_id", "items", "assigned", "exempt", "status", "updated_at"),
            rows,
        )
        analyse(Proposal)
    return len(rows)


@transaction.atomic
def proposals_confirm(*, proposals: Any, actor: Any) -> int:
    """Confirm the given (already scoped) proposals."""
    count = proposals.filter(status=Proposal.Status.PROPOSED).update(
        status=Proposal.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
    )
    if count:
        first = proposals.select_related("initiative").first()
        if first is not None:
            audit_record(
                actor=actor,
                organisation=first.initiative.organisation,
                event=AuditEvent(
                    "proposals.confirmed",
                    "initiative",
                    first.initiative.code,
                    first.initiative.name,
                    {"people": count},
                ),
            )
    return count


@transaction.atomic
def enrol(*, person: Person, module: Module, initiative: Initiative | None = None) -> Enrolment:
    if module.organisation_id not in (None, person.organisation_id):
        raise ValidationError(_("The module is not offered to your organisation."))
    enrolment, _created = Enrolment.objects.get_or_create(
        person=person, module=module, defaults={"initiative": initiative}
    )
    return enrolment


# --- sessions and bookings ------------------------------------------------------------------------


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
    if guests and module.organisation_id is not None:
        raise ValidationError(
            _("Only a session of a module shared with the network can be opened to other organisations.")
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
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: Any = None) -> Booking | None:
    """Cancel; the first on the waiting list moves up and is invited. Returns who moved up."""
    session = Session.objects.select_for_update().get(pk=booking.session_id)
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
    return waiting


def ics_for(session: Session, person: Person) -> bytes:
    from icalendar import Calendar, Event, vCalAddress, vText

    calendar = Calendar()
    calendar.add("prodid", "-//Kompetenslyft//SE")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"session-{session.pk}@kompetenslyft")
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


@transaction.atomic
def attendance_take(
    *, session: Session, present: set[int], hours: Decimal | None = None, actor: Any = None
) -> int:
    """The trainer's register: booked people present get an attendance row with the session's
    hours; booked people absent a no_show row (kept, counted nowhere). Listeners registered in
    ``hooks`` (the module evaluation) hear the register as taken, in the same transaction."""
    hours = hours if hours is not None else (Decimal(session.duration_minutes) / 60).quantize(Decimal("0.01"))
    day = timezone.localtime(session.starts_at).date()
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
            {"present": len(present & {b.person_id for b in booked})},
        ),
    )
    return len(booked)


@transaction.atomic
def session_update(
    *,
    session: Session,
    recording_link: str,
    cancelled: bool,
    open_to: list[Organisation] | None = None,
    actor: Any = None,
) -> int:
    """Add the recording afterwards, cancel the session (bookings stay, for the record), or
    change the organisations it is opened to (``None``: unchanged). Closing it to an
    organisation cancels that organisation's bookings (the waiting list moves up). Returns how
    many bookings were cancelled so."""
    Session.objects.filter(pk=session.pk).update(recording_link=recording_link, cancelled=cancelled)
    closed = 0
    details: dict[str, Any] = {"recording_link": recording_link, "cancelled": cancelled}
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
def job_aid_save(
    *,
    organisation: Any,
    title: str,
    owner: str,
    version: str,
    plain_language: bool,
    link: str,
    attachment: Any,
    modules: list[Module],
    competences: list[Any],
    actor: Any = None,
) -> JobAid:
    aid = JobAid.objects.create(
        organisation=organisation,
        title=title,
        owner=owner,
        version=version,
        plain_language=plain_language,
        link=link,
        attachment_name=attachment.name[:255] if attachment else "",
        attachment=attachment.read() if attachment else b"",
    )
    aid.competences.set(competences)
    for module in modules:
        module.job_aids.add(aid)
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("job_aid.created", "job_aid", str(aid.pk), title),
    )
    return aid


@transaction.atomic
def initiative_settings(
    *,
    initiative: Initiative,
    status: str,
    owner_ids: list[str],
    steering_ids: list[str],
    support_ids: list[str] | None = None,
    actor: Any = None,
) -> list[str]:
    """Set the status, owners, steering group and the trainers and super users who answer the
    initiative's questions (by employee id, within the organisation). Returns the ids that name
    no one; nothing is changed then."""
    support_ids = support_ids or []
    named = owner_ids + steering_ids + support_ids
    people = {
        p.employee_id: p
        for p in Person.objects.filter(
            organisation_id=initiative.organisation_id, is_active=True, employee_id__in=named
        )
    }
    unknown = [e for e in named if e not in people]
    if unknown:
        return unknown
    initiative.status = status
    initiative.save(update_fields=["status"])
    initiative.owners.set([people[e] for e in owner_ids])
    initiative.steering_group.set([people[e] for e in steering_ids])
    SupportContact.objects.filter(initiative=initiative).exclude(person__employee_id__in=support_ids).delete()
    for employee_id in support_ids:
        SupportContact.objects.get_or_create(initiative=initiative, person=people[employee_id])
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "initiative.settings",
            "initiative",
            initiative.code,
            initiative.name,
            {"status": status, "owners": owner_ids, "steering_group": steering_ids, "support": support_ids},
        ),
    )
    return []
