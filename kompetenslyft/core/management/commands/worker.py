"""kompetenslyft worker — runs background tasks (django-tasks database backend)."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run background tasks: e-mail, invitations, reminders, campaign generation, gap updates."

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
