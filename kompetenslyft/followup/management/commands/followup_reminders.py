"""kompetenslyft followup_reminders — the daily follow-up run (cron): enqueues the task that
makes the follow-up talks due 30 and 90 days after a completion and e-mails each manager one
digest (with the one reminder 14 days after a talk fell due). Safe to run any number of times
a day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.core.queue import enqueue


class Command(BaseCommand):
    help = (
        "Make the follow-up talks due (30 and 90 days after a completed module) and e-mail each "
        "manager one digest, as a background task. Safe to run any number of times a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        enqueue("followup.daily_task")
        self.stdout.write("follow-up run enqueued")
