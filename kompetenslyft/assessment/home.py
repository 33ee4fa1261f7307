"""The assessment domain's cards on the start page (registered in ``AssessmentConfig.ready``):
the employee's open self-assessments, the lead's response rates of open campaigns. Each card
is one aggregate query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from .models import Campaign, Participant


def open_questionnaires(person_id: int) -> list[Participant]:
    """The person's self-assessments it can answer today and has not finished."""
    today = timezone.localdate()
    return list(
        Participant.objects.filter(
            person_id=person_id,
            completed_at__isnull=True,
            campaign__status=Campaign.Status.OPEN,
            campaign__opens_on__lte=today,
            campaign__closes_on__gte=today,
        )
        .select_related("campaign")
        .order_by("campaign__closes_on")[:5]
    )


def open_campaign_rates(access: Access) -> list[Campaign]:
    """The lead's open campaigns with their participants and those who have answered."""
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN)
    if not access.is_superuser:
        campaigns = campaigns.filter(organisation_id__in=sorted(access.lead_org_ids))
    return list(
        campaigns.annotate(
            people=Count("participants"),
            answered=Count("participants", filter=Q(participants__completed_at__isnull=False)),
        ).order_by("closes_on")[:10]
    )


def employee_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    items = [
        Item(
            p.campaign.name,
            reverse("assessment:answer", args=[p.campaign_id]),
            detail=_("%(answered)s of %(questions)s answered · closes %(date)s")
            % {"answered": p.answered, "questions": p.questions, "date": p.campaign.closes_on.isoformat()},
        )
        for p in open_questionnaires(person.pk)
    ]
    return Card(
        "self-assessment",
        _("Self-assessment to answer"),
        items,
        empty=_("No self-assessment is waiting for you."),
        links=[Item(_("My competences and gaps"), reverse("assessment:me"))],
    )


def lead_card(access: Access, person: Any) -> Card | None:
    items = []
    for campaign in open_campaign_rates(access):
        rate = round(100 * campaign.answered / campaign.people) if campaign.people else 0  # type: ignore[attr-defined]
        items.append(
            Item(
                campaign.name,
                reverse("assessment:campaign", args=[campaign.pk]),
                detail=_("%(rate)s %% answered (%(answered)s of %(people)s)")
                % {"rate": rate, "answered": campaign.answered, "people": campaign.people},  # type: ignore[attr-defined]
            )
        )
    return Card(
        "campaigns",
        _("Response rates of open self-assessments"),
        items,
        empty=_("No self-assessment is open."),
        links=[
            Item(_("All self-assessments"), reverse("assessment:campaigns")),
            Item(_("Gaps"), reverse("assessment:gaps")),
        ],
    )
