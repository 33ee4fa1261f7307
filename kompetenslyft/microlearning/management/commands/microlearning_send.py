"""kompetenslyft microlearning_send — the daily micro-learning run (cron): enqueues the task
that starts micro-learning for new completions, makes the day's question sets for everyone due
and e-mails each person one link. Safe to run any number of times a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.core.queue import enqueue


class Command(BaseCommand):
    help = (
        "Make the day's micro-learning question sets and e-mail each person one link, as a "
        "background task. Safe to run any number of times a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        enqueue("microlearning.daily_task")
        self.stdout.write("micro-learning run enqueued")
