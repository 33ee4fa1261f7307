"""Reads of the learning domain, scoped by core.access."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Person, Unit
from kompetenslyft.org.selectors import in_subtrees

from .checklist import PHASE_ORDER
from .models import (
    Attendance,
    Booking,
    Enrolment,
    Initiative,
    InitiativeGoal,
    JobAid,
    Module,
    ModuleAdoption,
    PlanEntry,
    Proposal,
    Session,
    SupportContact,
    SupportRequest,
)
from .module_rules import add_months, order_by_prerequisites
from .module_selectors import job_aids_for

DONE = (Attendance.Status.ATTENDED, Attendance.Status.COMPLETED)


def initiatives_visible(access: Access) -> QuerySet[Initiative]:
    """Leads: their organisations' initiatives; project leaders and steering groups: theirs;
    managers: those whose proposals reach their people."""
    if access.is_superuser:
        return Initiative.objects.all()
    # EXISTS and IN, not joins made DISTINCT (a DISTINCT over every proposal of the account's
    # people on each request): the proposals' initiatives are read from the account's people
    # (a manager's few hundred, by unit), never by scanning an initiative's 50,000 proposals.
    q = Q(organisation_id__in=sorted(access.lead_org_ids))
    if access.person_id:
        q |= Q(
            Exists(
                Initiative.owners.through.objects.filter(
                    initiative_id=OuterRef("pk"), person_id=access.person_id
                )
            )
        )
        q |= Q(
            Exists(
                Initiative.steering_group.through.objects.filter(
                    initiative_id=OuterRef("pk"), person_id=access.person_id
                )
            )
        )
    if access.managed_paths:
        below = Q(pk__in=[])
        for path in access.managed_paths:
            below |= Q(path__startswith=path)
        people = Person.objects.filter(unit__in=Unit.objects.filter(below).values("pk"))
        q |= Q(pk__in=Proposal.objects.filter(person__in=people.values("pk")).values("initiative_id"))
    return Initiative.objects.filter(q)


def initiative_editable(access: Access, initiative: Initiative) -> bool:
    """Its organisation's leads and its owners change an initiative (not its steering group)."""
    return access.is_lead_of(initiative.organisation_id) or bool(
        access.person_id and initiative.owners.filter(pk=access.person_id).exists()
    )


def scope_has_participants(
    organisation_id: int, module_ids: Any, starts_on: dt.date | None, ends_on: dt.date | None
) -> bool:
    """Whether counted attendance of the organisation's people falls in a scope (modules ×
    period, an open end unbounded): what an initiative with that scope counts as participants
    (``participation._scopes``). One EXISTS on the attendance's (module, date) index."""
    ids = sorted(set(module_ids))
    if not ids:
        return False
    rows = Attendance.objects.filter(
        module_id__in=ids, status__in=DONE, person__organisation_id=organisation_id
    )
    if starts_on:
        rows = rows.filter(date__gte=starts_on)
    if ends_on:
        rows = rows.filter(date__lte=ends_on)
    return rows.exists()


def initiative_has_participants(initiative: Initiative) -> bool:
    return scope_has_participants(
        initiative.organisation_id,
        initiative.modules.values_list("pk", flat=True),
        initiative.starts_on,
        initiative.ends_on,
    )


def initiative_scope_locked(access: Access, initiative: Initiative) -> bool:
    """Whether this viewer may no longer change the initiative's period and modules (ADR 0019,
    addendum): once people have taken part in it, only a viewer of exact figures for the whole
    organisation (its lead) may. Anyone else who may edit it — its project leaders — reads its
    participants as protected figures, and a read before and after moving the end by a day, or
    dropping a module, would tell who took part only on that day or in that module."""
    return not access.is_lead_of(initiative.organisation_id) and initiative_has_participants(initiative)


def modules_for(organisation_id: int) -> QuerySet[Module]:
    """The modules an organisation uses: its own, the network's and those it adopted."""
    adopted = ModuleAdoption.objects.filter(organisation_id=organisation_id).values("module_id")
    return Module.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True) | Q(pk__in=adopted)
    )


def due_again(person_ids: Any, *, today: dt.date, module_ids: Any = None) -> dict[int, dict[int, dt.date]]:
    """Per person, the modules with a refresh interval whose last completion is older than it:
    module id → the day it fell due again."""
    rows = Attendance.objects.filter(
        person_id__in=person_ids, status__in=DONE, module__refresh_months__isnull=False
    )
    if module_ids is not None:
        rows = rows.filter(module_id__in=module_ids)
    result: dict[int, dict[int, dt.date]] = {}
    for person_id, module_id, months, last in (
        rows.values("person_id", "module_id", "module__refresh_months")
        .annotate(last=Max("date"))
        .values_list("person_id", "module_id", "module__refresh_months", "last")
    ):
        due_on = add_months(last, months or 0)
        if due_on <= today:
            result.setdefault(person_id, {})[module_id] = due_on
    return result


def completed_modules(person_ids: Any) -> dict[int, set[int]]:
    """Modules completed per person: a ``completed`` attendance, or attended on every session
    of the module the person was booked on (an imported ``attended`` row with no booking
    counts as the whole module)."""
    done: dict[int, set[int]] = {}
    attended: dict[tuple[int, int], set[Any]] = {}
    for person_id, module_id, status, session_id in Attendance.objects.filter(
        person_id__in=person_ids, status__in=DONE
    ).values_list("person_id", "module_id", "status", "session_id"):
        if status == Attendance.Status.COMPLETED:
            done.setdefault(person_id, set()).add(module_id)
        attended.setdefault((person_id, module_id), set()).add(session_id)
    booked: dict[tuple[int, int], set[int]] = {}
    for person_id, module_id, session_id in Booking.objects.filter(
        person_id__in=person_ids, status=Booking.Status.BOOKED, session__cancelled=False
    ).values_list("person_id", "session__module_id", "session_id"):
        booked.setdefault((person_id, module_id), set()).add(session_id)
    for key, sessions in attended.items():
        if booked.get(key, set()) <= sessions:
            done.setdefault(key[0], set()).add(key[1])
    return done


@dataclass
class JourneyModule:
    module: Module
    state: str  # assigned | exempt | elective
    reason: str = ""
    competences: list[str] = field(default_factory=list)
    completed: bool = False
    booking: Booking | None = None
    due_since: dt.date | None = None  # completed once, due again since this day (refresh interval)
    note: str = ""  # the manager's reason for an exemption it made


@dataclass
class Journey:
    person: Person
    modules: list[JourneyModule]
    upcoming: list[Booking]
    completed: list[JourneyModule]
    job_aids: list[JobAid]
    contacts: list[Person]
    electives: list[Module]
    requests: list[SupportRequest]
    recordings: list[Session] = field(default_factory=list)
    cancelled: list[Booking] = field(default_factory=list)

    @property
    def open_modules(self) -> list[JourneyModule]:
        return [m for m in self.modules if not m.completed]

    # The summary above the list, counted from the same items as the list below it: the
    # assigned modules and how many are done; of those still open, how many are booked or on a
    # waiting list; the exempt ones; the electives (chosen, or booked on by someone else).
    @property
    def assigned_total(self) -> int:
        return sum(1 for m in self.modules if m.state == "assigned")

    @property
    def assigned_done(self) -> int:
        return sum(1 for m in self.modules if m.state == "assigned" and m.completed)

    def _open_with(self, status: str) -> int:
        return sum(
            1 for m in self.open_modules if m.state != "exempt" and m.booking and m.booking.status == status
        )

    @property
    def booked_count(self) -> int:
        return self._open_with(Booking.Status.BOOKED)

    @property
    def waiting_count(self) -> int:
        return self._open_with(Booking.Status.WAITING)

    @property
    def exempt_count(self) -> int:
        return sum(1 for m in self.modules if m.state == "exempt")

    @property
    def elective_count(self) -> int:
        return sum(1 for m in self.modules if m.state == "elective")

    @property
    def progress(self) -> int:
        """The share of the assigned modules done, in per cent."""
        return round(100 * self.assigned_done / self.assigned_total) if self.assigned_total else 100


@dataclass
class ToDo:
    """An assigned module the person has not done, with its coming booking if any."""

    module: Module
    booking: Booking | None


def _module_states(
    person: Person,
) -> tuple[
    dict[int, tuple[str, str, list[str]]], dict[int, str], dict[int, Booking], set[int], dict[int, dt.date]
]:
    """The journey's modules as decided (module → state, reason, competences), the managers'
    notes, the coming bookings by module, the modules done and those due again: the one reading
    that the journey and the start page's "to do" share."""
    proposals = list(
        Proposal.objects.filter(person=person, status=Proposal.Status.CONFIRMED).select_related("initiative")
    )
    enrolments = {e.module_id: e for e in Enrolment.objects.filter(person=person)}
    states: dict[int, tuple[str, str, list[str]]] = {}
    notes: dict[int, str] = {}
    for proposal in proposals:
        for module_id, item in proposal.decisions().items():
            current = states.get(module_id)
            if current is None or (current[0] == "exempt" and item["s"] == "assigned"):
                states[module_id] = (item["s"], item["r"], item["c"])
                notes[module_id] = item.get("t", "")
    for module_id, enrolment in enrolments.items():
        if enrolment.kind == Enrolment.Kind.ELECTIVE:
            states.setdefault(module_id, ("elective", "elective", []))
        elif states.get(module_id, ("exempt",))[0] != "assigned":
            states[module_id] = ("assigned", enrolment.kind, [])
    now = timezone.now()
    bookings = {
        b.session.module_id: b
        for b in Booking.objects.filter(
            person=person,
            status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
            session__starts_at__gte=now,
            session__cancelled=False,
        )
        .select_related("session", "session__module")
        .order_by("session__starts_at")
    }
    # A module someone else booked the person on (a lead, its manager) is on its journey too.
    for module_id in bookings:
        states.setdefault(module_id, ("elective", "booked", []))
    done = completed_modules([person.pk]).get(person.pk, set())
    due = due_again([person.pk], today=timezone.localdate()).get(person.pk, {})
    for module_id in due:  # assigned again, whether or not the daily refresh has run yet
        done.discard(module_id)
        if states.get(module_id, ("exempt",))[0] != "assigned":
            states[module_id] = ("assigned", "refresh", [])
    return states, notes, bookings, done, due


@dataclass
class LearningToDo:
    """What the start page's "My learning" shows: the assigned modules not done (counted and
    listed alike) and the other coming sessions booked of modules not done (electives)."""

    assigned: list[ToDo]
    booked: list[Booking]


def modules_to_do(person: Person) -> LearningToDo:
    """The person's assigned modules not done (a completion that expired is due again), the
    booked ones first by their session's start, then by name; and its other coming bookings of
    modules not done. The start page counts and lists the first, so the figure and the list are
    the same modules, and a done module is in neither."""
    states, _notes, bookings, done, _due = _module_states(person)
    wanted = [m for m, (state, _r, _c) in states.items() if state == "assigned" and m not in done]
    modules = {b.session.module_id: b.session.module for b in bookings.values()}
    missing = [m for m in wanted if m not in modules]
    if missing:
        modules.update(Module.objects.in_bulk(missing))
    assigned = [ToDo(modules[m], bookings.get(m)) for m in wanted if m in modules]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    assigned.sort(
        key=lambda t: (t.booking.session.starts_at if t.booking else far, t.module.name, t.module.pk)
    )
    listed = {t.module.pk for t in assigned}
    booked = sorted(
        (
            b
            for m, b in bookings.items()
            if m not in listed and m not in done and b.status == Booking.Status.BOOKED
        ),
        key=lambda b: b.session.starts_at,
    )
    return LearningToDo(assigned, booked)


def journey(person: Person) -> Journey:
    """The person's modules: assigned by an initiative's proposal its manager confirmed (a
    proposal is a suggestion until then), by its role's introduction programme or because a
    completion has expired (refresh interval), electives it chose and modules it was booked on;
    a module comes after its prerequisites."""
    states, notes, bookings, done, due = _module_states(person)
    now = timezone.now()
    modules = Module.objects.prefetch_related("competences", "prerequisites").in_bulk(list(states))
    codes = {m.pk: [c.code for c in m.competences.all()] for m in modules.values()}
    # The person reads the competences' names, not their codes (a code the modules no longer
    # teach is looked up in the organisation's frameworks).
    names = {c.code: c.local_name for m in modules.values() for c in m.competences.all()}
    proposed = {code for _s, _r, found in states.values() for code in found} - set(names)
    if proposed:
        from kompetenslyft.competence.selectors import competence_names

        names.update(competence_names(person.organisation_id, proposed))
    items = [
        JourneyModule(
            modules[m],
            s,
            r,
            [names.get(code, code) for code in (c or (codes[m] if r == "reached" else []))],
            m in done,
            bookings.get(m),
            due.get(m),
            notes.get(m, ""),
        )
        for m, (s, r, c) in states.items()
        if m in modules
    ]
    items.sort(key=lambda j: ({"assigned": 0, "elective": 1, "exempt": 2}[j.state], j.module.code))
    by_id = {j.module.pk: j for j in items}
    edges = {m.pk: [p.pk for p in m.prerequisites.all()] for m in modules.values()}
    items = [by_id[pk] for pk in order_by_prerequisites(list(by_id), edges)]
    from kompetenslyft.competence.selectors import requirements_for

    required = requirements_for(role_id=person.role_id, unit=person.unit)
    module_ids = [j.module.pk for j in items]
    aids = list(
        job_aids_for([person.organisation_id])
        .filter(Q(modules__in=module_ids) | Q(competences__in=list(required)))
        .distinct()[:30]
    )
    electives = list(
        modules_for(person.organisation_id)
        .filter(mandatory_roles__isnull=True)
        .exclude(pk__in=list(states))
        .order_by("category", "code")[:50]
    )
    return Journey(
        person,
        items,
        list(bookings.values()),
        [j for j in items if j.completed],
        aids,
        support_contacts(person),
        electives,
        list(SupportRequest.objects.filter(person=person)[:20]),
        recordings(person, [j.module.pk for j in items if j.state == "assigned"]),
        list(
            Booking.objects.filter(
                person=person,
                status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
                session__cancelled=True,
                session__starts_at__gte=now,
            )
            .select_related("session", "session__module")
            .order_by("session__starts_at")[:10]
        ),
    )


def recordings(person: Person, assigned_module_ids: list[int]) -> list[Session]:
    """Sessions with a recording this person may watch: those it took part in (attended), and
    those of the modules it is assigned, run by or opened to its organisation."""
    from kompetenslyft.core.access import session_organisations_filter

    took_part = Attendance.objects.filter(person=person, status__in=DONE, session__isnull=False).values(
        "session_id"
    )
    assigned = Q(module_id__in=assigned_module_ids) & session_organisations_filter([person.organisation_id])
    return list(
        Session.objects.exclude(recording_link="")
        .filter(Q(pk__in=took_part) | assigned)
        .select_related("module")
        .order_by("-starts_at")[:20]
    )


def support_contacts(person: Person, initiative: Initiative | None = None) -> list[Person]:
    ancestors = [int(pk) for pk in person.unit.path.strip("/").split("/") if pk]
    q = Q(unit_id__in=ancestors)
    if initiative is not None:
        q |= Q(initiative=initiative)
    else:
        q |= Q(initiative__in=Proposal.objects.filter(person=person).values("initiative_id"))
    return list(
        Person.objects.filter(is_active=True, support_for__in=SupportContact.objects.filter(q)).distinct()
    )


def support_inbox(access: Access) -> QuerySet[SupportRequest]:
    """Questions routed to this person: from the units (and below) or initiatives it supports."""
    if access.person_id is None:
        return SupportRequest.objects.none()
    contacts = SupportContact.objects.filter(person_id=access.person_id)
    paths = list(
        Unit.objects.filter(pk__in=contacts.exclude(unit__isnull=True).values("unit_id")).values_list(
            "path", flat=True
        )
    )
    q = in_subtrees(paths)
    q |= Q(initiative__in=contacts.exclude(initiative__isnull=True).values("initiative_id"))
    return SupportRequest.objects.filter(q).select_related("person", "unit", "answered_by")


def support_questions(
    organisation_id: int, *, topic: str = "", answered: bool | None = None
) -> QuerySet[SupportRequest]:
    """Every question of an organisation (the lead's overview), newest first, optionally of one
    topic and answered or not."""
    questions = SupportRequest.objects.filter(organisation_id=organisation_id)
    if topic:
        questions = questions.filter(topic__iexact=topic)
    if answered is not None:
        questions = questions.filter(answered_at__isnull=not answered)
    return questions.select_related("person", "unit", "answered_by").order_by("-created_at", "-pk")


def support_topic_counts(organisation_id: int) -> list[dict[str, Any]]:
    """Questions per topic of an organisation, with how many wait for an answer."""
    return list(
        SupportRequest.objects.filter(organisation_id=organisation_id)
        .values("topic")
        .annotate(total=Count("pk"), waiting=Count("pk", filter=Q(answered_at__isnull=True)))
        .order_by("-total", "topic")[:50]
    )


def support_topics(organisation_id: int) -> list[tuple[str, int]]:
    return list(
        SupportRequest.objects.filter(organisation_id=organisation_id)
        .values_list("topic")
        .annotate(n=Count("pk"))
        .order_by("-n")[:20]
    )


@dataclass
class TeamRow:
    person: Person
    assigned: int = 0
    exempt: int = 0
    booked: int = 0
    done: int = 0

    @property
    def not_started(self) -> bool:
        return self.assigned > 0 and self.done == 0 and self.booked == 0


def team_progress(access: Access, unit: Unit, *, include_below: bool = False) -> list[TeamRow]:
    """A manager's team: who is assigned, booked, done, exempt, and who has not started."""
    people = Person.objects.filter(access.people_filter(), is_active=True)
    people = people.filter(in_subtrees(unit.path)) if include_below else people.filter(unit=unit)
    people_list = list(people.select_related("unit", "role").order_by("family_name", "given_name"))
    ids = [p.pk for p in people_list]
    rows = {p.pk: TeamRow(p) for p in people_list}
    assigned_modules: dict[int, set[int]] = {}
    in_team = people.values("pk")  # a subquery: cheaper for the database than a list of hundreds of ids
    for person_id, items in Proposal.objects.filter(person_id__in=in_team).values_list("person_id", "items"):
        assigned_modules.setdefault(person_id, set()).update(
            {int(m) for m in items.get("b", {})} | {int(m) for m in items.get("m", [])}
        )
        rows[person_id].exempt += len(items.get("x", []))
    done = completed_modules(in_team)
    booked = Counter(
        Booking.objects.filter(
            person_id__in=ids, status=Booking.Status.BOOKED, session__starts_at__gte=timezone.now()
        ).values_list("person_id", flat=True)
    )
    for person_id, row in rows.items():
        modules = assigned_modules.get(person_id, set())
        row.assigned = len(modules)
        row.done = len(modules & done.get(person_id, set()))
        row.booked = booked.get(person_id, 0)
    return list(rows.values())


def session_runs(access: Access, session: Session) -> bool:
    """Whether this account runs the session (a lead of the running organisation or its
    trainer): it takes the register and edits the session. See ``core.access``."""
    return access.runs_session(session)


def sessions_for(access: Access) -> QuerySet[Session]:
    """The sessions this account sees (``Access.sessions_filter``), with their booked and waiting
    counts."""

    # Counted per session shown (a subquery on the bookings' index), not by joining every
    # booking of every visible session and grouping: the list's count and the filters' choices
    # then read the sessions alone.
    def counted(status: str) -> Coalesce:
        bookings = (
            Booking.objects.filter(session=OuterRef("pk"), status=status)
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(bookings, output_field=IntegerField()), 0)

    return (
        Session.objects.filter(access.sessions_filter())
        .select_related("module", "organisation")
        .annotate(booked=counted(Booking.Status.BOOKED), waiting=counted(Booking.Status.WAITING))
    )


def trainers_of(organisation_ids: list[int]) -> QuerySet[Person]:
    """The people with the trainer role (a grant) in these organisations: whom a session may
    name as its trainer."""
    from kompetenslyft.core.models import Grant, ProductRole

    # The few trainers' accounts first: found from the people by account, not by walking an
    # organisation's 50,000 people in name order to test each against the grants.
    users = list(
        Grant.objects.filter(organisation_id__in=organisation_ids, role=ProductRole.TRAINER).values_list(
            "user_id", flat=True
        )
    )
    return Person.objects.filter(
        organisation_id__in=organisation_ids, is_active=True, user_id__in=users
    ).order_by("family_name", "given_name", "pk")


@dataclass(frozen=True)
class SessionFilters:
    module_id: int | None = None
    trainer_id: int | None = None
    initiative_id: int | None = None
    start: Any = None  # a date
    end: Any = None
    when: str = "upcoming"  # upcoming | past | all


def sessions_listed(access: Access, filters: SessionFilters) -> QuerySet[Session]:
    """The sessions list: what ``sessions_for`` allows, filtered, in date order (the past newest
    first)."""
    from datetime import datetime, time

    sessions = sessions_for(access)
    now = timezone.now()
    if filters.module_id is not None:
        sessions = sessions.filter(module_id=filters.module_id)
    if filters.trainer_id is not None:
        sessions = sessions.filter(trainers=filters.trainer_id)
    if filters.initiative_id is not None:
        sessions = sessions.filter(initiative_id=filters.initiative_id)
    tz = timezone.get_current_timezone()
    if filters.start is not None:
        sessions = sessions.filter(starts_at__gte=datetime.combine(filters.start, time.min, tzinfo=tz))
    if filters.end is not None:
        sessions = sessions.filter(starts_at__lte=datetime.combine(filters.end, time.max, tzinfo=tz))
    if filters.when == "upcoming":
        # Today's sessions stay in the list all day (the trainer takes the register).
        today = datetime.combine(timezone.localdate(), time.min, tzinfo=tz)
        return sessions.filter(starts_at__gte=min(now, today)).order_by("starts_at", "pk")
    if filters.when == "past":
        return sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
    return sessions.order_by("starts_at", "pk")


@dataclass(frozen=True)
class Participant:
    """One booking as the viewer may see it. A guest (someone of another organisation than the
    one running the session, seen by the running side) carries its name only: ``unit`` is empty
    and nothing else of the person is read."""

    booking_id: int
    person_id: int
    name: str
    status: str
    status_label: str
    unit: str = ""
    guest: bool = False
    may_cancel: bool = False
    organisation_id: int = 0


@dataclass
class SessionPeople:
    booked: list[Participant]
    waiting: list[Participant]
    guests_waiting: int = 0

    @property
    def cancellable(self) -> list[Participant]:
        return [p for p in self.booked + self.waiting if p.may_cancel]


def session_people(access: Access, session: Session, *, runs: bool) -> SessionPeople:
    """The participants of a session as this account may see them (``core.access`` rules)."""
    bookings = (
        session.bookings.exclude(status=Booking.Status.CANCELLED)
        .filter(access.session_bookings_filter(session, runs=runs))
        .order_by("created_at", "pk")
    )
    cancellable = set(
        bookings.filter(access.booking_cancel_filter(session, runs=runs)).values_list("pk", flat=True)
    )
    labels = dict(Booking.Status.choices)
    people = SessionPeople([], [])
    for pk, person_id, given, family, organisation_id, unit, status in bookings.values_list(
        "pk",
        "person_id",
        "person__given_name",
        "person__family_name",
        "person__organisation_id",
        "person__unit__name",
        "status",
    ):
        guest = runs and organisation_id != session.organisation_id
        if guest and status == Booking.Status.WAITING:
            people.guests_waiting += 1
            continue
        row = Participant(
            booking_id=pk,
            person_id=person_id,
            name=f"{given} {family}".strip(),
            status=status,
            status_label=str(labels[status]),
            unit="" if guest else unit,
            guest=guest,
            may_cancel=pk in cancellable,
            organisation_id=organisation_id,
        )
        (people.booked if status == Booking.Status.BOOKED else people.waiting).append(row)
    return people


def booking_candidates(
    access: Access, session: Session, search: str = "", limit: int = 50
) -> tuple[list[Person], int]:
    """The people this account may book on the session and who are not booked or waiting yet,
    matching the search (name or employee id), at most ``limit``; and how many match in all."""
    people = Person.objects.filter(access.booking_candidates_filter(session), is_active=True).exclude(
        pk__in=session.bookings.exclude(status=Booking.Status.CANCELLED).values("person_id")
    )
    for term in search.split()[:5]:
        people = people.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(employee_id__iexact=term)
        )
    return (
        list(people.select_related("unit").order_by("family_name", "given_name", "pk")[:limit]),
        people.count(),
    )


def bookable_people(access: Access, session: Session) -> QuerySet[Person]:
    """Everyone this account may book on the session (to check what a form posted)."""
    return Person.objects.filter(access.booking_candidates_filter(session), is_active=True)


def sessions_bookable_by(person: Person) -> QuerySet[Session]:
    """Sessions a person may book itself: run by or opened to its organisation, of a module
    offered to its organisation."""
    from kompetenslyft.core.access import session_organisations_filter

    return Session.objects.filter(
        session_organisations_filter([person.organisation_id]),
        module__in=modules_for(person.organisation_id),
    )


@dataclass
class GoalStatus:
    goal: InitiativeGoal
    value: Decimal
    target: Decimal | None
    women_share: Decimal | None = None
    edit_form: Any = None  # the goal's form, on the page of someone who may change it

    @property
    def reached(self) -> bool:
        return self.target is not None and self.value >= self.target


def goal_competence_ids(initiative: Initiative, goal: InitiativeGoal) -> list[int]:
    """The competences a reach goal is measured on: those chosen, else the modules'."""
    return [c.pk for c in goal.competences.all()] or list(
        initiative.modules.values_list("competences", flat=True).exclude(competences=None).distinct()
    )


def people_reaching(initiative: Initiative, competence_ids: list[int]) -> tuple[int, int]:
    """THE reach of a goal, for the initiative page and the funder report alike: of the target
    group's people required to have any of ``competence_ids`` (concerned), those whose latest
    self-assessment is at or above the required level in every one of them (reached); someone
    who has not assessed a competence has not reached it. Returns (reached, concerned)."""
    from kompetenslyft.assessment.models import Answer
    from kompetenslyft.competence.selectors import RequirementIndex

    from .services import initiative_people

    if not competence_ids:
        return 0, 0
    people = initiative_people(initiative)
    index = RequirementIndex(initiative.organisation)
    latest = {
        (p, c): level
        for p, c, level in Answer.objects.filter(
            person__in=people, competence_id__in=competence_ids, is_latest=True
        ).values_list("person_id", "competence_id", "level")
    }
    concerned = reached = 0
    for person_id, unit_id, role_id in people.values_list("pk", "unit_id", "role_id"):
        required = index.for_group(unit_id, role_id)
        relevant = [c for c in competence_ids if c in required]
        if not relevant:
            continue
        concerned += 1
        if all(latest.get((person_id, c), -1) >= required[c].required_level for c in relevant):
            reached += 1
    return reached, concerned


def initiative_participants(initiative: Initiative) -> dict[str, int]:
    """The initiative's unique participants by gender over its whole period (its modules, the
    whole organisation): ``reports.participant_figures``, the one count every page uses."""
    from .reports import FunderScope, participant_figures

    return participant_figures(FunderScope([initiative.organisation], initiative))[0]


def goal_attainment(initiative: Initiative) -> list[GoalStatus]:
    statuses = []
    for goal in initiative.goals.prefetch_related("competences"):
        if goal.kind == InitiativeGoal.Kind.PARTICIPANTS:
            # THE unique participants, as the dashboard, the funder report and the costs count them.
            people = initiative_participants(initiative)
            total, women = people["total"], people["women"]
            statuses.append(
                GoalStatus(
                    goal,
                    Decimal(total),
                    Decimal(goal.target_count or 0) or None,
                    Decimal(women) / total if total else None,
                )
            )
            continue
        reached, concerned = people_reaching(initiative, goal_competence_ids(initiative, goal))
        share = Decimal(reached) / concerned if concerned else Decimal(0)
        statuses.append(GoalStatus(goal, share.quantize(Decimal("0.0001")), goal.target_share))
    return statuses


def proposal_summary(
    access: Access, initiative: Initiative, shown: int | None = None
) -> list[dict[str, Any]]:
    """Per unit (in tree order): people, assigned and exempt modules, confirmed proposals.
    ``shown``: only the first units carry their :class:`Unit` (the rest, ``unit`` None, are
    there to be counted) — an initiative over a whole organisation has thousands of units."""
    proposals = Proposal.objects.filter(initiative=initiative)
    if access.is_superuser or initiative.organisation_id not in access.lead_org_ids:
        # (the initiative's own lead sees every proposal: no join to the people to filter;
        # others' people by their ids, then the proposals by the person index)
        proposals = proposals.filter(person__in=Person.objects.filter(access.people_filter()).values("pk"))
    rows = list(
        proposals.values("unit_id")
        .annotate(
            people=Count("pk"),
            assigned=Sum("assigned"),
            exempt=Sum("exempt"),
            confirmed=Count("pk", filter=Q(status=Proposal.Status.CONFIRMED)),
        )
        .order_by("unit__path")  # in tree order, by the database
    )
    wanted = rows if shown is None else rows[:shown]
    units = Unit.objects.in_bulk([r["unit_id"] for r in wanted])
    return [{**r, "unit": units.get(r["unit_id"])} for r in rows]


def plan(initiative: Initiative) -> dict[str, list[PlanEntry]]:
    entries: dict[str, list[PlanEntry]] = {kind: [] for kind in PlanEntry.Kind.values}
    for entry in initiative.entries.all():
        entries[entry.kind].append(entry)
    entries["risk"].sort(key=lambda e: -e.risk_score)
    # The checklist runs before → during → after (the phases' values would sort after first).
    entries["checklist"].sort(key=lambda e: (PHASE_ORDER.get(e.phase, 3), e.position, e.pk))
    return entries


def initiative_code_taken(organisation: Any, code: str) -> bool:
    """Has the organisation an initiative with this code already?"""
    return Initiative.objects.filter(organisation=organisation, code=code).exists()
