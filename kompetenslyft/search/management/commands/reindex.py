"""kompetenslyft reindex — rebuild the search index (after a restore or a change of stemming)."""

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.search.services import reindex


class Command(BaseCommand):
    help = "Rebuild the search index over modules, job aids and published questions."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reindex()
        self.stdout.write(f"indexed {count} entries")
