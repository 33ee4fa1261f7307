"""kompetenslyft purge_imports [--days N] — delete web uploads never confirmed (with their file)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kompetenslyft.org.services import import_batches_purge


class Command(BaseCommand):
    help = "Delete import uploads that were previewed (or refused) but never confirmed, older than N days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"retention in days (default KOMPETENSLYFT_IMPORT_RETENTION_DAYS, "
            f"now {settings.KOMPETENSLYFT_IMPORT_RETENTION_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            from django.core.management.base import CommandError

            raise CommandError("--days must be 0 or more", returncode=2)
        deleted = import_batches_purge(days=days)
        self.stdout.write(f"deleted {deleted} unconfirmed import upload(s)")
