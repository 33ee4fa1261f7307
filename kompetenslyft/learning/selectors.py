"""Reads of the learning domain, scoped by core.access."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Person, Unit

from .models import (
    Attendance,
    Booking,
    Enrolment,
    Initiative,
    InitiativeGoal,
    JobAid,
    Module,
    PlanEntry,
    Proposal,
    Session,
    SupportContact,
    SupportRequest,
)

DONE = (Attendance.Status.ATTENDED, Attendance.Status.COMPLETED)


def initiatives_visible(access: Access) -> QuerySet[Initiative]:
    """Leads: their organisations' initiatives; project leaders and steering groups: theirs;
    managers: those whose proposals reach their people."""
    if access.is_superuser:
        return Initiative.objects.all()
    q = Q(organisation_id__in=sorted(access.lead_org_ids))
    if access.person_id:
        q |= Q(owners=access.person_id) | Q(steering_group=access.person_id)
    if access.managed_paths:
        q |= Q(pk__in=Proposal.objects.filter(access.people_filter("person__")).values("initiative_id"))
    return Initiative.objects.filter(q).distinct()


def modules_for(organisation_id: int) -> QuerySet[Module]:
    return Module.objects.filter(Q(organisation_id=organisation_id) | Q(organisation__isnull=True))


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

    @property
    def open_modules(self) -> list[JourneyModule]:
        return [m for m in self.modules if not m.completed]

    @property
    def required_total(self) -> int:
        return sum(1 for m in self.modules if m.state != "exempt")

    @property
    def required_done(self) -> int:
        return sum(1 for m in self.modules if m.state != "exempt" and m.completed)

    @property
    def progress(self) -> int:
        return round(100 * self.required_done / self.required_total) if self.required_total else 100


def journey(person: Person) -> Journey:
    # Only what its manager confirmed is on the journey: a proposal is a suggestion until then.
    proposals = list(
        Proposal.objects.filter(person=person, status=Proposal.Status.CONFIRMED).select_related("initiative")
    )
    enrolments = {e.module_id for e in Enrolment.objects.filter(person=person)}
    states: dict[int, tuple[str, str, list[str]]] = {}
    notes: dict[int, str] = {}
    for proposal in proposals:
        for module_id, item in proposal.decisions().items():
            current = states.get(module_id)
            if current is None or (current[0] == "exempt" and item["s"] == "assigned"):
                states[module_id] = (item["s"], item["r"], item["c"])
                notes[module_id] = item.get("t", "")
    for module_id in enrolments:
        states.setdefault(module_id, ("elective", "elective", []))
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
    modules = Module.objects.prefetch_related("competences").in_bulk(list(states))
    done = completed_modules([person.pk]).get(person.pk, set())
    codes = {m.pk: [c.code for c in m.competences.all()] for m in modules.values()}
    items = [
        JourneyModule(
            modules[m],
            s,
            r,
            c or (codes[m] if r == "reached" else []),
            m in done,
            bookings.get(m),
            notes.get(m, ""),
        )
        for m, (s, r, c) in states.items()
        if m in modules
    ]
    items.sort(key=lambda j: ({"assigned": 0, "elective": 1, "exempt": 2}[j.state], j.module.code))
    from kompetenslyft.competence.selectors import requirements_for

    required = requirements_for(role_id=person.role_id, unit=person.unit)
    module_ids = [j.module.pk for j in items]
    aids = list(
        JobAid.objects.filter(Q(organisation=person.organisation) | Q(organisation__isnull=True))
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
    q = Q(pk__in=[])
    for path in Unit.objects.filter(pk__in=contacts.exclude(unit__isnull=True).values("unit_id")).values_list(
        "path", flat=True
    ):
        q |= Q(unit__path__startswith=path)
    q |= Q(initiative__in=contacts.exclude(initiative__isnull=True).values("initiative_id"))
    return SupportRequest.objects.filter(q).select_related("person", "unit", "answered_by")


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
    people = people.filter(unit__path__startswith=unit.path) if include_below else people.filter(unit=unit)
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
    return (
        Session.objects.filter(access.sessions_filter())
        .select_related("module", "organisation")
        .annotate(
            booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED), distinct=True),
            waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING), distinct=True),
        )
    )


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

    @property
    def reached(self) -> bool:
        return self.target is not None and self.value >= self.target


def goal_attainment(initiative: Initiative) -> list[GoalStatus]:
    from kompetenslyft.assessment.models import Answer
    from kompetenslyft.competence.selectors import RequirementIndex

    from .services import initiative_people

    statuses = []
    people = initiative_people(initiative)
    for goal in initiative.goals.prefetch_related("competences"):
        if goal.kind == InitiativeGoal.Kind.PARTICIPANTS:
            rows = Attendance.objects.filter(
                status__in=DONE,
                module__in=initiative.modules.all(),
                person__organisation=initiative.organisation,
            )
            if initiative.starts_on:
                rows = rows.filter(date__gte=initiative.starts_on)
            total = rows.values("person").distinct().count()
            women = rows.filter(person__gender="woman").values("person").distinct().count()
            statuses.append(
                GoalStatus(
                    goal,
                    Decimal(total),
                    Decimal(goal.target_count or 0) or None,
                    Decimal(women) / total if total else None,
                )
            )
            continue
        competence_ids = [c.pk for c in goal.competences.all()]
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
        share = Decimal(reached) / concerned if concerned else Decimal(0)
        statuses.append(GoalStatus(goal, share.quantize(Decimal("0.0001")), goal.target_share))
    return statuses


def proposal_summary(access: Access, initiative: Initiative) -> list[dict[str, Any]]:
    rows = (
        Proposal.objects.filter(initiative=initiative)
        .filter(access.people_filter("person__"))
        .values("unit_id")
        .annotate(
            people=Count("pk"),
            assigned=Sum("assigned"),
            exempt=Sum("exempt"),
            confirmed=Count("pk", filter=Q(status=Proposal.Status.CONFIRMED)),
        )
    )
    units = Unit.objects.in_bulk([r["unit_id"] for r in rows])
    return sorted(({**r, "unit": units[r["unit_id"]]} for r in rows), key=lambda r: r["unit"].path)


def plan(initiative: Initiative) -> dict[str, list[PlanEntry]]:
    entries: dict[str, list[PlanEntry]] = {kind: [] for kind in PlanEntry.Kind.values}
    for entry in initiative.entries.all():
        entries[entry.kind].append(entry)
    entries["risk"].sort(key=lambda e: -e.risk_score)
    return entries
