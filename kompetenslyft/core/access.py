"""Who may see what: the one place where product roles become query filters.

Every selector that lists or fetches people or units goes through :func:`access_for` and the
``*_filter`` functions here; views never build their own scoping. The rules (PRODUCT.md):

* competence lead: everything in its organisation;
* manager: the people of the units it manages and every unit below them, and itself;
* employee: itself only;
* top management and external evaluator: aggregates of their organisation, never a person;
* project leader and trainer: their initiatives and sessions, and themselves.

An installation superuser (the operator) sees everything.

Sessions and the organisations of a network (the ``session_*`` and ``booking*`` rules below):

* A session belongs to the organisation that **runs** it (``Session.organisation``). Its module
  is that organisation's own or one shared with the network. A session of a shared module may be
  **opened to** named other organisations (``Session.open_to``); only then may their people book
  it. The session's organisations are the running one and those it is opened to.
* **Who sees a session**: a lead, the sessions its organisation runs and those opened to it; a
  trainer, the sessions it trains; a manager, the coming sessions run by or opened to the
  organisation of the units it manages; an employee books from its own page, from the sessions
  run by or opened to its own organisation. Nobody else sees a session: it is a 404, as for one
  that does not exist.
* **Who runs a session** (takes the register, adds the recording, cancels it, opens it to other
  organisations): a lead of the running organisation and the session's trainers.
* **What the running side sees of participants**: its own organisation's people as before
  (name and unit); a participant of another organisation (a *guest*) by name only, to tick the
  register: no e-mail, unit, role, employee id or link to the person. Guests on the waiting list
  are counted, not named. Bookings of people whose organisation is neither running nor opened
  are not part of the register at all.
* **Who sees the other side**: a lead or manager of a guest's organisation sees its own people's
  bookings on a session opened to it (nothing of the running organisation's people).
* **Booking others** is picking from the people one may list (a lead: its organisation; a
  manager: its units and below) who belong to one of the session's organisations. Trainers do
  not book others: they see their participants only (PRODUCT.md), and people enrol themselves or
  are booked by their manager or lead. A person id outside this set is answered exactly as one
  that does not exist.
* **Cancelling a booking**: the person itself, anyone who may list the person (its manager, its
  own lead) and, for the running organisation's own people, the running side. A guest's booking
  is never cancelled by the running side (closing the session to the guest's organisation
  cancels that organisation's bookings as a whole, see ``learning.services.session_update``).
* **Attendance** is recorded by the running side for every booked person of the session's
  organisations, guests included, and counts where the person belongs: the funder figures of an
  organisation count its own people, whoever ran the session, and never anyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q

from .models import Grant, ProductRole


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_superuser: bool = False
    person_id: int | None = None
    person_organisation_id: int | None = None
    grants: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    managed_paths: tuple[str, ...] = ()
    managed_organisation_ids: frozenset[int] = field(default_factory=frozenset)

    # --- roles -------------------------------------------------------------------------
    def org_ids_with(self, *roles: str) -> set[int]:
        return {org for org, role in self.grants if role in roles}

    @property
    def lead_org_ids(self) -> set[int]:
        return self.org_ids_with(ProductRole.LEAD)

    @property
    def aggregate_org_ids(self) -> set[int]:
        """Organisations whose aggregate figures (counts per unit) this account may see."""
        return self.org_ids_with(ProductRole.LEAD, ProductRole.TOP_MANAGEMENT, ProductRole.EVALUATOR)

    @property
    def project_leader(self) -> bool:
        return bool(self.org_ids_with(ProductRole.PROJECT_LEADER))

    @property
    def is_trainer(self) -> bool:
        return bool(self.org_ids_with(ProductRole.TRAINER))

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_paths)

    @property
    def is_lead(self) -> bool:
        return self.is_superuser or bool(self.lead_org_ids)

    def is_lead_of(self, organisation_id: int) -> bool:
        return self.is_superuser or organisation_id in self.lead_org_ids

    @property
    def can_list_people(self) -> bool:
        return self.is_superuser or bool(self.lead_org_ids) or self.is_manager

    @property
    def can_see_units(self) -> bool:
        return self.is_superuser or bool(self.aggregate_org_ids) or self.is_manager

    @property
    def product_roles(self) -> list[str]:
        roles = sorted({role for _org, role in self.grants})
        if self.is_manager:
            roles.append("manager")
        if self.person_id:
            roles.append("employee")
        return roles

    @property
    def organisation_ids(self) -> set[int]:
        ids = {org for org, _role in self.grants} | set(self.managed_organisation_ids)
        if self.person_organisation_id:
            ids.add(self.person_organisation_id)
        return ids

    # --- filters -------------------------------------------------------------------------
    def people_filter(self, prefix: str = "") -> Q:
        """A Q on Person (or on a model reaching Person through ``prefix``, e.g. "person__")."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        lead_orgs = self.lead_org_ids
        if lead_orgs:
            q |= Q(**{f"{prefix}organisation_id__in": sorted(lead_orgs)})
        if self.managed_paths:
            q |= Q(**{f"{prefix}unit__in": _units_under(self.managed_paths)})
        if self.person_id:
            q |= Q(**{f"{prefix}pk": self.person_id})
        return q

    def managed_people_filter(self, prefix: str = "") -> Q:
        """A Q on Person (or through ``prefix``): the people whose CURRENT unit is one this
        account manages now, or below it (the manager part of :meth:`people_filter` alone)."""
        if not self.managed_paths:
            return Q(**{f"{prefix}pk__in": []})
        return Q(**{f"{prefix}unit__in": _units_under(self.managed_paths)})

    def units_filter(self) -> Q:
        """A Q on Unit: the units whose tree and aggregate counts this account may see."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        orgs = self.aggregate_org_ids
        if orgs:
            q |= Q(organisation_id__in=sorted(orgs))
        for path in self.managed_paths:
            q |= Q(path__startswith=path)
        return q

    def can_list_people_of(self, unit: Any) -> bool:
        """Whether the people of ``unit`` (by name) are in scope: ``units_with_people_filter``
        for one unit already at hand, so that pages link only where the viewer may follow."""
        return self.is_lead_of(unit.organisation_id) or any(
            unit.path.startswith(p) for p in self.managed_paths
        )

    def units_with_people_filter(self) -> Q:
        """A Q on Unit: the units whose people (by name) this account may see."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        lead_orgs = self.lead_org_ids
        if lead_orgs:
            q |= Q(organisation_id__in=sorted(lead_orgs))
        for path in self.managed_paths:
            q |= Q(path__startswith=path)
        return q

    # --- sessions (learning) -----------------------------------------------------------------
    def sessions_filter(self) -> Q:
        """A Q on Session: the sessions this account sees (lists and detail pages)."""
        if self.is_superuser:
            return Q()
        q = Q(pk__in=[])
        if self.person_id:
            q |= Q(pk__in=_sessions_trained_by(self.person_id))
        leads = sorted(self.lead_org_ids)
        if leads:
            q |= session_organisations_filter(leads)
        if self.managed_organisation_ids:
            from django.utils import timezone

            coming = Q(starts_at__gte=timezone.now() - timedelta(days=1), cancelled=False)
            q |= coming & session_organisations_filter(sorted(self.managed_organisation_ids))
        return q

    def runs_session(self, session: Any) -> bool:
        """Whether this account runs the session: a lead of the running organisation or one of
        the session's trainers (takes the register, edits the session, opens it)."""
        if self.is_superuser or session.organisation_id in self.lead_org_ids:
            return True
        return bool(self.person_id and session.trainers.filter(pk=self.person_id).exists())

    def session_bookings_filter(self, session: Any, *, runs: bool) -> Q:
        """A Q on Booking of the session: the bookings this account sees. The running side sees
        everyone of the session's organisations (guests by name only, see the module's
        docstring); others see the people they may list."""
        if runs:
            return Q(person__organisation_id__in=sorted(session_organisation_ids(session)))
        return self.people_filter("person__")

    def booking_cancel_filter(self, session: Any, *, runs: bool) -> Q:
        """A Q on Booking of the session: the bookings this account may cancel."""
        q = self.people_filter("person__")
        if runs:
            q |= Q(person__organisation_id=session.organisation_id)
        return q

    def booking_candidates_filter(self, session: Any) -> Q:
        """A Q on Person: the people this account may book on the session (picked from a list)."""
        if not self.can_list_people:
            return Q(pk__in=[])
        return self.people_filter() & Q(organisation_id__in=sorted(session_organisation_ids(session)))

    # --- final surveys of initiatives (evaluation) ----------------------------------------------
    def manages_initiative(self, initiative: Any) -> bool:
        """Whether this account creates, edits and sends the initiative's final survey: a lead of
        its organisation, or one of its owners (the initiative's project leader)."""
        if self.is_lead_of(initiative.organisation_id):
            return True
        return bool(self.person_id and initiative.owners.filter(pk=self.person_id).exists())

    def sees_survey_free_text(self, survey: Any) -> bool:
        """Whether this account reads a final survey's free-text answers (behind a shown figure):
        a lead of its organisation, or one of the initiative's owners or its steering group. Top
        management and external evaluators see aggregates only (PRODUCT.md): figures, never text."""
        if self.is_lead_of(survey.organisation_id):
            return True
        if not self.person_id:
            return False
        from kompetenslyft.learning.models import Initiative

        return Initiative.objects.filter(
            Q(owners=self.person_id) | Q(steering_group=self.person_id), pk=survey.initiative_id
        ).exists()

    def surveys_filter(self) -> Q:
        """A Q on Survey: the final surveys whose results this account sees — always through the
        disclosure control, as aggregates (no one sees an answer, or a group under k): every
        survey of its organisation for a lead, top management and an external evaluator; those
        of its own initiatives for their owners and steering group."""
        if self.is_superuser:
            return Q()
        q = Q(organisation_id__in=sorted(self.aggregate_org_ids))
        if self.person_id:
            from kompetenslyft.learning.models import Initiative

            owned = Initiative.owners.through.objects.filter(person_id=self.person_id)
            steered = Initiative.steering_group.through.objects.filter(person_id=self.person_id)
            q |= Q(initiative_id__in=owned.values("initiative_id"))
            q |= Q(initiative_id__in=steered.values("initiative_id"))
        return q


def session_organisations_filter(organisation_ids: list[int]) -> Q:
    """A Q on Session: the sessions run by, or opened to, one of the organisations."""
    from kompetenslyft.learning.models import Session

    opened = Session.open_to.through.objects.filter(organisation_id__in=organisation_ids)
    return Q(organisation_id__in=organisation_ids) | Q(pk__in=opened.values("session_id"))


def session_organisation_ids(session: Any) -> set[int]:
    """The running organisation and those the session is opened to: whose people may book it."""
    return {session.organisation_id, *session.open_to.values_list("pk", flat=True)}


def session_bookable_by(session: Any, person: Any) -> bool:
    return bool(person.organisation_id in session_organisation_ids(session))


def _sessions_trained_by(person_id: int) -> Any:
    from kompetenslyft.learning.models import Session

    return Session.trainers.through.objects.filter(person_id=person_id).values("session_id")


def _units_under(paths: tuple[str, ...]) -> Any:
    from kompetenslyft.org.models import Unit

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q).values("pk")


ANONYMOUS = Access(user_id=None)


def access_for(user: Any) -> Access:
    """The access of a user, computed once per request (three small queries)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kompetenslyft_access", None)
    if cached is not None:
        return cached
    from kompetenslyft.org.models import Person, Unit

    person = Person.objects.filter(user_id=user.pk, is_active=True).values("pk", "organisation_id").first()
    managed: list[Any] = []
    if person:
        managed = list(Unit.objects.filter(manager_id=person["pk"]).values("path", "organisation_id"))
    paths = _outermost(sorted(m["path"] for m in managed))
    access = Access(
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        person_id=person["pk"] if person else None,
        person_organisation_id=person["organisation_id"] if person else None,
        grants=frozenset(Grant.objects.filter(user_id=user.pk).values_list("organisation_id", "role")),
        managed_paths=tuple(paths),
        managed_organisation_ids=frozenset(m["organisation_id"] for m in managed),
    )
    user._kompetenslyft_access = access
    return access


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie under another path of the list (a manager of a unit and of a unit
    below it needs one filter, not two)."""
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def forget_access(user: Any) -> None:
    if hasattr(user, "_kompetenslyft_access"):
        del user._kompetenslyft_access
