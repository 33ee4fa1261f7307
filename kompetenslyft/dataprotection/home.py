"""Home page cards: the employee's "My data", the data protection officer's access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from .models import AccessEntry
from .selectors import dpo_organisation_ids


def my_data_card(access: Access, person: Any) -> Card | None:
    if not access.person_id:
        return None
    url = reverse("dataprotection:my_data")
    return Card(
        key="my-data",
        title=_("My data"),
        items=[
            Item(_("Download everything the product holds about you"), url),
            Item(_("See who read your data"), f"{url}#reads"),
        ],
    )


def access_log_card(access: Access, person: Any) -> Card | None:
    orgs = dpo_organisation_ids(access)
    entries = AccessEntry.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=7))
    if orgs is not None:
        entries = entries.filter(organisation_id__in=sorted(orgs))
    return Card(
        key="access-log",
        title=_("Who read whose data"),
        items=[
            Item(
                _("Reads of people's data in the last 7 days"),
                reverse("dataprotection:access_log"),
                entries.count(),
            )
        ],
    )
