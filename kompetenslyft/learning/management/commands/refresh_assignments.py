"""kompetenslyft refresh_assignments — the daily repetition and introduction run (cron): every
module with a refresh interval is assigned again to the people whose last completion is older
than it, and the introduction modules of their role to the people who started within the
window (an HR import does the latter at once; this catches start dates that come later)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.learning.module_services import introduction_assign, refresh_assign
from kompetenslyft.org.models import Organisation


class Command(BaseCommand):
    help = "Assign modules due again (refresh interval) and introduction modules of people who start."

    def handle(self, *args: Any, **options: Any) -> None:
        refreshed = refresh_assign()
        introduced = sum(
            introduction_assign(organisation_id=pk)
            for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True)
        )
        self.stdout.write(f"due again: {refreshed}, introduction: {introduced}")
