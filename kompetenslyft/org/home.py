"""The organisation domain's card on the start page (registered in ``OrgConfig.ready``): the
lead's recent imports and its ways to the people and units."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from .models import ImportBatch


def recent_imports(access: Access, limit: int = 3) -> list[ImportBatch]:
    batches = ImportBatch.objects.only("pk", "kind", "filename", "status", "created_at")
    if not access.is_superuser:
        batches = batches.filter(organisation_id__in=sorted(access.lead_org_ids))
    return list(batches.order_by("-created_at")[:limit])


def lead_card(access: Access, person: Any) -> Card | None:
    items = [
        Item(
            batch.filename,
            reverse("org:import_preview", args=[batch.pk]),
            detail=f"{batch.get_status_display()} · "
            + formats.date_format(timezone.localtime(batch.created_at), "SHORT_DATETIME_FORMAT"),
        )
        for batch in recent_imports(access)
    ]
    return Card(
        "imports",
        _("Recent imports"),
        items,
        empty=_("Nothing imported yet. Start with the units and people from the HR system."),
        links=[
            Item(_("Import a file"), reverse("org:import")),
            Item(_("People"), reverse("org:people")),
            Item(_("Units"), reverse("org:units")),
        ],
    )
