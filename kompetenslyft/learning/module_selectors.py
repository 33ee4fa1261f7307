"""Reads of modules and job aids across the network: what an organisation uses (its own, the
network's, those it adopted), what others share that it may adopt. Scoped by ``core.access``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kompetenslyft.core.access import Access, session_organisations_filter
from kompetenslyft.org.models import Organisation, Person

from .models import Booking, JobAid, JobAidAdoption, Module, ModuleAdoption, Session


def modules_used_by(organisation_ids: Iterable[int]) -> QuerySet[Module]:
    ids = sorted(organisation_ids)
    adopted = ModuleAdoption.objects.filter(organisation_id__in=ids).values("module_id")
    return Module.objects.filter(
        Q(organisation_id__in=ids) | Q(organisation__isnull=True) | Q(pk__in=adopted)
    )


def modules_visible(access: Access) -> QuerySet[Module]:
    """The catalogue: the modules of the viewer's organisations (own, network, adopted)."""
    if access.is_superuser:
        return Module.objects.all()
    return modules_used_by(access.organisation_ids)


def lead_orgs_using(access: Access, module: Module) -> list[Organisation]:
    """The organisations the viewer leads that use the module (set its introduction roles)."""
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
    )
    using = Q(pk=module.organisation_id) | Q(pk__in=module.adoptions.values("organisation_id"))
    if module.organisation_id is None:
        using = Q()
    return list(orgs.filter(using).order_by("name"))


def modules_offered(organisation: Organisation) -> QuerySet[Module]:
    """Modules other organisations share that this one has not adopted yet. Never an unshared
    module, never one's own."""
    adopted = ModuleAdoption.objects.filter(organisation=organisation).values("module_id")
    return (
        Module.objects.filter(shared=True, organisation__isnull=False)
        .exclude(organisation=organisation)
        .exclude(pk__in=adopted)
        .order_by("category", "code")
    )


def modules_adopted(organisation: Organisation) -> QuerySet[Module]:
    return Module.objects.filter(adoptions__organisation=organisation).order_by("category", "code")


def job_aids_for(organisation_ids: Iterable[int]) -> QuerySet[JobAid]:
    """The job aids an organisation uses: its own, the network's and those it adopted."""
    ids = sorted(organisation_ids)
    adopted = JobAidAdoption.objects.filter(organisation_id__in=ids).values("job_aid_id")
    return JobAid.objects.filter(
        Q(organisation_id__in=ids) | Q(organisation__isnull=True) | Q(pk__in=adopted)
    )


def job_aids_offered(organisation: Organisation) -> QuerySet[JobAid]:
    adopted = JobAidAdoption.objects.filter(organisation=organisation).values("job_aid_id")
    return (
        JobAid.objects.filter(shared=True, organisation__isnull=False)
        .exclude(organisation=organisation)
        .exclude(pk__in=adopted)
        .defer("attachment")
        .order_by("title")
    )


def job_aids_adopted(organisation: Organisation) -> QuerySet[JobAid]:
    return JobAid.objects.filter(adoptions__organisation=organisation).defer("attachment").order_by("title")


def session_network(*, module: Module, organisation: Organisation) -> QuerySet[Organisation]:
    """The organisations a session of ``module`` run by ``organisation`` may be opened to: every
    other one for a module of the whole network; for a module its organisation shares with the
    network, the others that use it (its owner and those that adopted it); none otherwise."""
    others = Organisation.objects.exclude(pk=organisation.pk)
    if module.organisation_id is None:
        return others
    if not module.shared:
        return others.none()
    adopters = ModuleAdoption.objects.filter(module=module).values("organisation_id")
    return others.filter(Q(pk=module.organisation_id) | Q(pk__in=adopters))


@dataclass
class ComingSession:
    """A coming session of a module on its page: free places, the waiting list, and the
    viewer's own booking ("booked", "waiting" or "")."""

    session: Session
    free: int
    waiting: int
    mine: str


def coming_sessions(person: Person, module: Module, *, limit: int = 30) -> list[ComingSession]:
    """The module's coming sessions the person may book itself (run by or opened to its
    organisation, of a module offered to it), in date order, with free places and waiting list."""
    if not modules_used_by([person.organisation_id]).filter(pk=module.pk).exists():
        return []
    live = [Booking.Status.BOOKED, Booking.Status.WAITING]
    sessions = list(
        Session.objects.filter(
            session_organisations_filter([person.organisation_id]),
            module=module,
            cancelled=False,
            starts_at__gte=timezone.now(),
        )
        .annotate(
            booked_n=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)),
            waiting_n=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)),
        )
        .order_by("starts_at", "pk")[:limit]
    )
    mine = dict(
        Booking.objects.filter(
            person=person, session__in=[s.pk for s in sessions], status__in=live
        ).values_list("session_id", "status")
    )
    return [
        ComingSession(s, max(0, s.capacity - s.booked_n), s.waiting_n, mine.get(s.pk, ""))  # type: ignore[attr-defined]
        for s in sessions
    ]
