"""kompetenslyft retention [--dry-run] [--organisation CODE] — the nightly retention run
(cron): enqueues the task that applies every organisation's rules; with --dry-run it prints
what would go today per organisation and kind, and changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kompetenslyft.org.models import Organisation
from kompetenslyft.retention import selectors, services


class Command(BaseCommand):
    help = "Apply the retention rules as a background task (daily, cron); --dry-run prints what would go."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print counts per kind; change nothing.")
        parser.add_argument("--organisation", help="Only this organisation (code), with --dry-run.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["dry_run"]:
            services.nightly_enqueue()
            self.stdout.write("retention run enqueued")
            return
        organisations = Organisation.objects.order_by("code")
        if options["organisation"]:
            organisations = organisations.filter(code=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"no organisation {options['organisation']!r}", returncode=2)
        today = timezone.localdate()
        for organisation in organisations:
            for line in selectors.dry_run(organisation, today=today):
                self.stdout.write(
                    f"{organisation.code}\t{line.kind.key}\t{line.months}\t{line.cutoff}\t{line.count}"
                )
