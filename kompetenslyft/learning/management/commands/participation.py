"""kompetenslyft participation rebuild [--organisation CODE] — the participation summary made
anew from the attendance rows (after a restore, or to check it: a rebuild gives the same rows
as the refreshes that keep it current)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kompetenslyft.learning.participation import rebuild
from kompetenslyft.org.models import Organisation


class Command(BaseCommand):
    help = "Rebuild the participation summary the funder report counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--organisation", help="the organisation's code (default: every one)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("code")
        if options["organisation"]:
            organisations = organisations.filter(code=options["organisation"])
            if not organisations.exists():
                raise CommandError(
                    f"There is no organisation with the code '{options['organisation']}'.", returncode=2
                )
        for organisation in organisations:
            rows = rebuild(organisation)
            self.stdout.write(f"{organisation.code}: {rows} rows")
