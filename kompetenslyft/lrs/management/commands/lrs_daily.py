"""kompetenslyft lrs_daily — the learning record store's daily run (cron): enqueues the task
that writes, for the evaluations given in the past week, the platform's statement that one was
given (only that; ADR 0014). Safe to run any number of times a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.core.queue import enqueue


class Command(BaseCommand):
    help = (
        "Write the platform's statements that evaluations were given (the past week's, not their "
        "content), as a background task. Safe to run any number of times a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        enqueue("lrs.daily_task")
        self.stdout.write("learning record store run enqueued")
