"""The manager's card on the start page: follow-up talks due."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from .selectors import held_by, to_hold_count


def manager_card(access: Access, person: Any) -> Card | None:
    if not access.is_manager or not access.person_id:
        return None
    n = to_hold_count(access)
    return Card(
        "follow-up",
        _("Follow-up at work"),
        [Item(_("Follow-up talks due"), reverse("followup:list"), count=n)],
        links=[Item(_("Recorded follow-up talks"), reverse("followup:list") + "?status=done")],
    )


def lead_card(access: Access, person: Any) -> Card | None:
    """The lead's card when talks fell due with no manager up the unit tree (sent to the lead)."""
    if access.is_manager or not access.lead_org_ids or not access.person_id:
        return None  # a manager's card lists them already
    if not held_by(access).exists():
        return None
    return Card(
        "follow-up-unmanaged",
        _("Follow-up talks with no manager"),
        [Item(_("Follow-up talks due"), reverse("followup:list"), count=to_hold_count(access))],
        links=[Item(_("Recorded follow-up talks"), reverse("followup:list") + "?status=done")],
    )
