"""The lead's card: success cases of its initiatives."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item


def lead_card(access: Access, person: Any) -> Card | None:
    if not access.lead_org_ids:
        return None
    return Card(
        "success-cases",
        _("Success cases"),
        [
            Item(
                _("Where the effect is largest and smallest, and the stories"),
                reverse("successcases:overview"),
            )
        ],
    )
