"""The lead's card on the start page: the retention rules and what they would remove today."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item
from kompetenslyft.org.models import Organisation

from . import kinds, registry, selectors


def lead_card(access: Access, person: Any) -> Card:
    organisations = list(Organisation.objects.filter(pk__in=sorted(access.lead_org_ids)).order_by("name")[:1])
    items = []
    if organisations:
        organisation = organisations[0]
        months = selectors.months_for(organisation, "leavers")
        due = kinds.leavers_due(organisation, registry.cutoff(timezone.localdate(), months)).count()
        items.append(Item(_("Leavers due for pseudonymisation"), reverse("retention:overview"), count=due))
    return Card(
        "retention",
        _("Retention and erasure"),
        items,
        links=[Item(_("Retention rules and dry run"), reverse("retention:overview"))],
    )
