"""Reads of modules and job aids across the network: what an organisation uses (its own, the
network's, those it adopted), what others share that it may adopt. Scoped by ``core.access``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Organisation

from .models import JobAid, JobAidAdoption, Module, ModuleAdoption


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
