"""The indicators' cards on the start page and their block on an initiative's page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.home import Card, Item

from .models import Indicator
from .selectors import indicators_of_initiative, indicators_to_link


def lead_card(access: Access, person: Any) -> Card | None:
    rows = (
        Indicator.objects.filter(organisation_id__in=sorted(access.lead_org_ids), archived_at__isnull=True)
        .annotate(n=Count("initiatives"))
        .order_by("name")[:5]
    )
    items = [
        Item(
            i.name,
            reverse("indicators:detail", args=[i.pk]),
            detail=ngettext("linked to %(n)s initiative", "linked to %(n)s initiatives", i.n) % {"n": i.n},
        )
        for i in rows
    ]
    return Card(
        "indicators",
        _("Indicators"),
        items,
        empty=_("No indicator yet: define what the training should change at work."),
        links=[
            Item(_("All indicators"), reverse("indicators:list")),
            Item(_("New indicator"), reverse("indicators:create")),
        ],
    )


def initiative_panel(request: Any, subject: dict[str, Any]) -> str:
    """The indicators linked to the initiative; its organisation's lead links and unlinks."""
    initiative = subject["initiative"]
    access = access_for(request.user)
    is_lead = access.is_lead_of(initiative.organisation_id)
    linked = list(indicators_of_initiative(initiative))
    if not is_lead and not linked:
        return ""
    return render_to_string(
        "indicators/_initiative_panel.html",
        {
            "initiative": initiative,
            "linked": linked,
            "is_lead": is_lead,
            "choices": list(indicators_to_link(initiative)) if is_lead else [],
        },
        request=request,
    )
