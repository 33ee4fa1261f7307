"""Reads for the FAQ: who may publish which question, and what everyone of an organisation reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kompetenslyft.core.access import Access

from .models import SupportRequest
from .selectors import support_inbox


def faq_publishable(access: Access) -> QuerySet[SupportRequest]:
    """Answered questions this viewer may publish: those routed to it (the trainers and super
    users who may answer them) and, for a lead, every question of its organisation."""
    answered = SupportRequest.objects.exclude(answer="")
    if access.is_superuser:
        return answered
    routed = support_inbox(access).values("pk")
    return answered.filter(Q(pk__in=routed) | Q(organisation_id__in=sorted(access.lead_org_ids)))


def faq_entries(access: Access) -> QuerySet[SupportRequest]:
    """Published entries of the viewer's organisations, newest first; only the FAQ texts are read."""
    published = SupportRequest.objects.filter(faq_published_at__isnull=False)
    if not access.is_superuser:
        published = published.filter(organisation_id__in=sorted(access.organisation_ids))
    return published.only("pk", "organisation_id", "faq_question", "faq_answer", "faq_published_at").order_by(
        "-faq_published_at", "-pk"
    )
