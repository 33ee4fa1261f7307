"""Who works with an initiative's success cases (the rules, in one place): its organisation's
**lead** and the initiative's **project leaders** (its owners) see the candidates and write the
stories; everyone who sees the funder report of the initiative reads the stories there (they
are anonymised); nobody else reaches the pages (404, as for an initiative that does not exist)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import Initiative

from .models import Story


def may_work(access: Access, initiative: Initiative) -> bool:
    return access.is_lead_of(initiative.organisation_id) or access.manages_initiative(initiative)


def initiative_for(access: Access, pk: int) -> Initiative:
    initiative = Initiative.objects.filter(pk=pk).select_related("organisation").first()
    if initiative is None or not may_work(access, initiative):
        raise Http404
    return initiative


def stories_of(initiative: Initiative) -> QuerySet[Story]:
    return Story.objects.filter(initiative=initiative)


def story_for(initiative: Initiative, pk: int) -> Story:
    story = stories_of(initiative).filter(pk=pk).first()
    if story is None:
        raise Http404
    return story


def initiatives_for(access: Access) -> QuerySet[Initiative]:
    """The initiatives whose success cases the account works with (its lead home card)."""
    return Initiative.objects.filter(organisation_id__in=sorted(access.lead_org_ids)).order_by("name")
