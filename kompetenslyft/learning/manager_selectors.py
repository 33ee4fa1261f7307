"""Reads of the manager's workday: its people's proposals, its team (the whole subtree, with
filters, a page at a time) and its assigned people not yet booked on a module. Everything is
scoped to the units whose people the account may list (``Access.units_with_people_filter``:
a manager's own units and those below, a lead's organisations), never others' people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Person, Role, Unit
from kompetenslyft.org.selectors import in_subtrees

from .models import Attendance, Booking, Enrolment, Initiative, Module, Proposal, Session
from .selectors import DONE, completed_modules, due_again

TEAM_STATUSES = ("awaiting", "not_started", "in_progress", "done", "exempt")


def manageable_units(access: Access) -> QuerySet[Unit]:
    return Unit.objects.filter(access.units_with_people_filter())


def people_scope(access: Access, prefix: str = "") -> Q:
    """``units_with_people_filter`` as a Q on Person (or through ``prefix``, e.g. "person__"):
    a lead's organisations by the person's own organisation (a person's unit is always of its
    organisation), so that 50,000 people are counted and paged on the index by organisation,
    active and name instead of through a list of 3,000 units; a manager's units and those below."""
    if access.is_superuser:
        return Q()
    q = Q(**{f"{prefix}pk__in": []})
    lead_orgs = access.lead_org_ids
    if lead_orgs:
        q |= Q(**{f"{prefix}organisation_id__in": sorted(lead_orgs)})
    if access.managed_paths:
        below = Q(pk__in=[])
        for path in access.managed_paths:
            below |= Q(path__startswith=path)
        q |= Q(**{f"{prefix}unit__in": Unit.objects.filter(below).values("pk")})
    return q


def my_people(access: Access) -> QuerySet[Person]:
    """The active people of the units this account may list (not itself unless it is there)."""
    return Person.objects.filter(people_scope(access), is_active=True)


def scope_roles(access: Access) -> QuerySet[Role]:
    """The roles the team filters offer: every role of a lead's organisations, and the roles
    held by active people in a manager's units and below (not every role of its organisation)."""
    if access.is_superuser:
        return Role.objects.order_by("name")
    q = Q(pk__in=[])
    if access.lead_org_ids:
        q |= Q(organisation_id__in=sorted(access.lead_org_ids))
    if access.managed_paths:
        below = Q(pk__in=[])
        for path in access.managed_paths:
            below |= Q(path__startswith=path)
        # Through the units' ids (as ``people_scope`` does): a join on the path made SQLite
        # scan every person (0.14 s at 50,000 people).
        held = Person.objects.filter(unit__in=Unit.objects.filter(below).values("pk"), is_active=True).values(
            "role_id"
        )
        q |= Q(pk__in=held)
    return Role.objects.filter(q).order_by("name")


# --- proposals ------------------------------------------------------------------------------


def proposals_of(access: Access, initiative: Initiative) -> QuerySet[Proposal]:
    """The initiative's proposals of this account's people: another unit's is not there."""
    if access.is_superuser or access.is_lead_of(initiative.organisation_id):
        return Proposal.objects.filter(
            people_scope(access, "person__"), initiative=initiative, person__is_active=True
        )
    # A manager's people by their unit index, then their proposals by the person index: joined
    # on the person, SQLite read every proposal of the initiative (50,000) for a few hundred.
    people = Person.objects.filter(people_scope(access), is_active=True).values("pk")
    return Proposal.objects.filter(initiative=initiative, person__in=people)


def proposals_filtered(
    access: Access,
    initiative: Initiative,
    *,
    unit: Unit | None = None,
    role_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Proposal]:
    proposals = proposals_of(access, initiative)
    if unit is not None:
        proposals = proposals.filter(in_subtrees(unit.path, "person__unit"))
    if role_id is not None:
        proposals = proposals.filter(person__role_id=role_id)
    if status in Proposal.Status.values:
        proposals = proposals.filter(status=status)
    return proposals


def proposal_ids_by_name(
    access: Access,
    initiative: Initiative,
    *,
    unit: Unit | None = None,
    role_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Any]:
    """The ids of :func:`proposals_filtered`, in the order of their people's names: the people
    are walked on their name index and each one's proposal looked up on the proposals' unique
    (initiative, person) index, so that a page of 50 reads about 50 people — sorting 50,000
    proposals joined to their people took 45 ms a page."""
    people = Person.objects.filter(people_scope(access), is_active=True)
    if unit is not None:
        people = people.filter(in_subtrees(unit.path))
    if role_id is not None:
        people = people.filter(role_id=role_id)
    theirs = Proposal.objects.filter(initiative=initiative, person=OuterRef("pk"))
    if status in Proposal.Status.values:
        theirs = theirs.filter(status=status)
    return (
        people.annotate(proposal_id=Subquery(theirs.values("pk")[:1]))
        .filter(proposal_id__isnull=False)
        .order_by("family_name", "given_name", "pk")
        .values_list("proposal_id", flat=True)
    )


def _counted(proposals: QuerySet[Proposal]) -> tuple[int, int]:
    found = proposals.aggregate(
        total=Count("pk"), to_confirm=Count("pk", filter=Q(status=Proposal.Status.PROPOSED))
    )
    return found["total"], found["to_confirm"]


def _inactive_people(organisation_ids: list[int]) -> Any:
    return Person.objects.filter(organisation_id__in=organisation_ids, is_active=False).values("pk")


def proposals_counts(
    access: Access,
    initiative: Initiative,
    *,
    unit: Unit | None = None,
    role_id: int | None = None,
    status: str | None = None,
) -> tuple[int, int]:
    """(people in the selection of :func:`proposals_filtered`, of whom awaiting confirmation).
    A lead's whole organisation is every proposal of the initiative (they are made for the
    people of its organisation): counted on the proposals' own index, less those of people no
    longer active (few, found from theirs), not by joining 50,000 proposals to their people."""
    if unit is None and role_id is None and access.is_lead_of(initiative.organisation_id):
        proposals = Proposal.objects.filter(initiative=initiative)
        if status in Proposal.Status.values:
            proposals = proposals.filter(status=status)
        total, to_confirm = _counted(proposals)
        gone = _counted(proposals.filter(person__in=_inactive_people([initiative.organisation_id])))
        return total - gone[0], to_confirm - gone[1]
    return _counted(proposals_filtered(access, initiative, unit=unit, role_id=role_id, status=status))


@dataclass
class ProposalRow:
    proposal: Proposal
    assigned: list[tuple[Module, dict[str, Any]]]
    exempt: list[tuple[Module, dict[str, Any]]]
    others: list[Module]  # modules of the initiative it could be assigned instead
    # The list's words and links, put by the view (not worked out per cell in the template).
    name: str = ""
    url: str = ""
    status_label: str = ""
    change_label: str = ""
    confirm_url: str = ""
    confirm_label: str = ""

    # The list shows codes only (a page of 50 people × dozens of modules stays small); the
    # person's own page shows why and offers the swap and the exemption.
    @property
    def assigned_codes(self) -> str:
        return ", ".join(m.code for m, _i in self.assigned) or "–"

    @property
    def exempt_codes(self) -> str:
        return ", ".join(m.code for m, _i in self.exempt) or "–"


def proposal_rows(proposals: list[Proposal], modules: list[Module]) -> list[ProposalRow]:
    by_id = {m.pk: m for m in modules}
    rows = []
    for proposal in proposals:
        items = [(by_id[k], v) for k, v in proposal.decisions().items() if k in by_id]
        items.sort(key=lambda i: i[0].code)
        assigned = [i for i in items if i[1]["s"] == "assigned"]
        taken = {m.pk for m, _v in assigned}
        rows.append(
            ProposalRow(
                proposal,
                assigned,
                [i for i in items if i[1]["s"] == "exempt"],
                [m for m in modules if m.pk not in taken],
            )
        )
    return rows


def _by_initiative(proposals: QuerySet[Proposal]) -> dict[int, tuple[int, int]]:
    return {
        pk: (total, waiting)
        for pk, total, waiting in proposals.values_list("initiative_id")
        .annotate(total=Count("pk"), waiting=Count("pk", filter=Q(status=Proposal.Status.PROPOSED)))
        .values_list("initiative_id", "total", "waiting")
        .order_by()
    }


def awaiting_by_initiative(access: Access) -> list[tuple[Initiative, int]]:
    """The initiatives with proposals of this account's people, and how many await confirmation.
    A lead (managing no units besides) counts its organisations' initiatives on the proposals'
    own index, less the proposals of people no longer active, as :func:`proposals_counts`."""
    if access.lead_org_ids and not access.managed_paths and not access.is_superuser:
        orgs = sorted(access.lead_org_ids)
        # By the initiatives' ids: the proposals' covering index, no join to the initiatives.
        initiative_ids = list(
            Initiative.objects.filter(organisation_id__in=orgs).values_list("pk", flat=True)
        )
        found = _by_initiative(Proposal.objects.filter(initiative_id__in=initiative_ids))
        gone = _by_initiative(Proposal.objects.filter(person__in=_inactive_people(orgs)))
        counts = {
            pk: waiting - gone.get(pk, (0, 0))[1]
            for pk, (total, waiting) in found.items()
            if total > gone.get(pk, (0, 0))[0]
        }
    else:
        counts = {
            pk: waiting
            for pk, (_total, waiting) in _by_initiative(
                Proposal.objects.filter(people_scope(access, "person__"), person__is_active=True)
            ).items()
        }
    initiatives = Initiative.objects.filter(pk__in=list(counts)).order_by("name")
    return [(i, counts[i.pk]) for i in initiatives]


# --- the team -------------------------------------------------------------------------------


@dataclass
class TeamRow:
    person: Person
    assigned: int = 0
    exempt: int = 0
    booked: int = 0
    done: int = 0
    awaiting: int = 0  # proposals not yet confirmed
    status_label: str = ""  # the view's words for ``status``
    person_url: str = ""

    @property
    def status(self) -> str:
        if self.assigned:
            if self.done >= self.assigned:
                return "done"
            return "in_progress" if self.done or self.booked else "not_started"
        # Nothing confirmed to do yet: a proposal still waiting for the manager comes first.
        if self.awaiting:
            return "awaiting"
        return "exempt" if self.exempt else "none"


class ByIds:
    """Rows in a given order, a slice (a page) at a time: the order and the page are worked out
    on the ids only (a narrow query, or a list of ids), then just that page's rows are loaded
    in full. OFFSET over 50,000 full rows (with a proposal's items) is what made a page slow."""

    def __init__(self, ids: QuerySet[Any] | list[int], rows: QuerySet[Any], count: int | None = None) -> None:
        self.ids = ids
        self.rows = rows
        self._count = count

    def count(self) -> int:
        if self._count is None:
            self._count = len(self.ids) if isinstance(self.ids, list) else self.ids.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        wanted = list(self.ids[index])
        found = self.rows.in_bulk(wanted)
        return [found[pk] for pk in wanted if pk in found]


def people_by_ids(ids: QuerySet[Any] | list[int], count: int | None = None) -> ByIds:
    return ByIds(ids, Person.objects.select_related("unit", "role"), count)


def _confirmed(**kwargs: Any) -> Any:
    return Proposal.objects.filter(person=OuterRef("pk"), status=Proposal.Status.CONFIRMED, **kwargs)


def _coming_booking() -> Any:
    return Booking.objects.filter(
        person=OuterRef("pk"),
        status=Booking.Status.BOOKED,
        session__starts_at__gte=timezone.now(),
        session__cancelled=False,
    )


STATUS_CHUNK = 500


def team_people(
    access: Access, *, unit: Unit | None = None, role_id: int | None = None, status: str | None = None
) -> ByIds:
    """The people of the team view, in name order: the whole subtree (or one unit's), by role and
    status. Statuses read stored counts (awaiting, exempt) in the database; those that need the
    completed modules (not started, in progress, done) are narrowed in the database (nothing
    booked for 'not started', something booked or attended otherwise) and finished for those
    people only, by id, a chunk at a time."""
    people = my_people(access)
    if unit is not None:
        people = people.filter(in_subtrees(unit.path))
    if role_id is not None:
        people = people.filter(role_id=role_id)
    people = people.order_by("family_name", "given_name", "pk")
    if status == "awaiting":
        people = people.filter(Exists(Proposal.objects.filter(person=OuterRef("pk"), status="proposed")))
    elif status == "exempt":
        people = (
            people.filter(Exists(_confirmed(exempt__gt=0)))
            .exclude(Exists(_confirmed(assigned__gt=0)))
            .exclude(Exists(Proposal.objects.filter(person=OuterRef("pk"), status="proposed")))
        )
    elif status in ("not_started", "in_progress", "done"):
        candidates = people.filter(Exists(_confirmed(assigned__gt=0)))
        attended = Exists(Attendance.objects.filter(person=OuterRef("pk"), status__in=DONE))
        if status == "not_started":
            candidates = candidates.exclude(Exists(_coming_booking()))
        elif status == "in_progress":
            candidates = candidates.filter(Q(Exists(_coming_booking())) | Q(attended))
        else:
            candidates = candidates.filter(attended)
        ids = list(candidates.values_list("pk", flat=True))
        statuses: dict[int, str] = {}
        for start in range(0, len(ids), STATUS_CHUNK):
            chunk = ids[start : start + STATUS_CHUNK]
            statuses.update((pk, row.status) for pk, row in _figures(chunk).items())
        return people_by_ids([pk for pk in ids if statuses.get(pk) == status])
    return people_by_ids(people.values_list("pk", flat=True))


def _figures(ids: list[int]) -> dict[int, TeamRow]:
    """Figures of the given people by id (a page, a chunk), by the journey's rule
    (``selectors.journey``): a module is assigned by a confirmed proposal (assigned wins over
    exempt), an introduction or refresh enrolment, or a completion that fell due again; done is
    a completion not due again; booked counts the assigned modules not done with a coming
    booking (not bookings of exempt or elective modules). The rows' ``person`` is left unset;
    :func:`team_rows` puts it."""
    rows = {pk: TeamRow(None) for pk in ids}  # type: ignore[arg-type]
    assigned: dict[int, set[int]] = {}
    exempt: dict[int, set[int]] = {}
    for person_id, items, status in Proposal.objects.filter(person_id__in=ids).values_list(
        "person_id", "items", "status"
    ):
        if status != Proposal.Status.CONFIRMED:
            rows[person_id].awaiting += 1
            continue
        for module_id, decision in Proposal(items=items).decisions().items():
            (assigned if decision["s"] == "assigned" else exempt).setdefault(person_id, set()).add(module_id)
    for person_id, module_id in (
        Enrolment.objects.filter(person_id__in=ids)
        .exclude(kind=Enrolment.Kind.ELECTIVE)
        .values_list("person_id", "module_id")
    ):
        assigned.setdefault(person_id, set()).add(module_id)
    due = due_again(ids, today=timezone.localdate())
    for person_id, due_modules in due.items():
        assigned.setdefault(person_id, set()).update(due_modules)
    done = completed_modules(sorted(assigned)) if assigned else {}
    booked: dict[int, set[int]] = {}
    for person_id, module_id in Booking.objects.filter(
        person_id__in=ids,
        status=Booking.Status.BOOKED,
        session__starts_at__gte=timezone.now(),
        session__cancelled=False,
    ).values_list("person_id", "session__module_id"):
        booked.setdefault(person_id, set()).add(module_id)
    for person_id, row in rows.items():
        modules: set[int] = assigned.get(person_id, set())
        finished = (modules & done.get(person_id, set())) - set(due.get(person_id, {}))
        row.assigned = len(modules)
        row.exempt = len(exempt.get(person_id, set()) - modules)
        row.done = len(finished)
        row.booked = len((modules - finished) & booked.get(person_id, set()))
    return rows


def team_rows(people: list[Person]) -> list[TeamRow]:
    """Figures of the given people (one page): confirmed assignments only, as on the journey."""
    figures = _figures([p.pk for p in people])
    for person in people:
        figures[person.pk].person = person
    return list(figures.values())


# --- booking one's assigned people ----------------------------------------------------------


def sessions_to_book(access: Access) -> QuerySet[Session]:
    """Coming sessions of modules some of this account's people are assigned (confirmed),
    each with ``free_places``: its capacity less its bookings (never below 0)."""
    initiatives = Proposal.objects.filter(
        people_scope(access, "person__"),
        status=Proposal.Status.CONFIRMED,
        assigned__gt=0,
    ).values("initiative_id")
    return (
        Session.objects.filter(access.sessions_filter())
        .filter(
            cancelled=False,
            starts_at__gte=timezone.now(),
            module__initiatives__in=initiatives,
        )
        .select_related("module", "organisation")
        .annotate(
            free_places=Greatest(
                F("capacity")
                - Coalesce(
                    Subquery(
                        Booking.objects.filter(session=OuterRef("pk"), status=Booking.Status.BOOKED)
                        .order_by()
                        .values("session")
                        .annotate(n=Count("pk"))
                        .values("n")
                    ),
                    0,
                ),
                0,
            )
        )
        .distinct()
        .order_by("starts_at", "pk")
    )


def assigned_not_booked(access: Access, session: Session) -> list[Person]:
    """This account's people who may be booked on the session, are assigned its module (a
    confirmed proposal), have not completed it and are not booked or waiting on a coming
    session of it."""
    module_id = session.module_id
    # Ids first, each step one simple query over the ids of the step before: as correlated
    # NOT EXISTS checks on every candidate (or a subquery of the proposals' join) PostgreSQL
    # without fresh statistics planned nested loops over all the module's bookings and
    # attendance per person (a million rows for the demo's 1,300 people; minutes before).
    candidate_ids = list(
        my_people(access).filter(access.booking_candidates_filter(session)).values_list("pk", flat=True)
    )
    assigned: set[int] = set()
    for person_id, items in Proposal.objects.filter(
        person_id__in=candidate_ids,
        status=Proposal.Status.CONFIRMED,
        assigned__gt=0,
        initiative__modules=module_id,
    ).values_list("person_id", "items"):
        if Proposal(items=items).decisions().get(module_id, {}).get("s") == "assigned":
            assigned.add(person_id)
    if not assigned:
        return []
    # booked or waiting on a coming session of the module, or attended or completed it
    assigned -= set(
        Booking.objects.filter(
            person_id__in=sorted(assigned),
            session__module_id=module_id,
            session__cancelled=False,
            session__starts_at__gte=timezone.now(),
            status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
        ).values_list("person_id", flat=True)
    )
    assigned -= set(
        Attendance.objects.filter(
            person_id__in=sorted(assigned), module_id=module_id, status__in=DONE
        ).values_list("person_id", flat=True)
    )
    done = completed_modules(sorted(assigned))
    return list(
        Person.objects.filter(pk__in=sorted(p for p in assigned if module_id not in done.get(p, set())))
        .select_related("unit", "role")
        .order_by("family_name", "given_name", "pk")
    )
