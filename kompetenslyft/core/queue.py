"""The one place where work is put on the task queue.

Services never import their app's ``tasks`` module: a task calls a service, and a service that
wants work done later names the task here (``"learning.booking_invite_task"``), which is looked
up when the transaction commits. So the dependency runs one way, tasks → services, without
imports hidden inside functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string


def task_named(name: str) -> Any:
    """The task ``"<app>.<task>"`` of ``kompetenslyft.<app>.tasks`` (or a module under the app:
    ``"<app>.<module>.<task>"``)."""
    app, _, rest = name.partition(".")
    module, _, attribute = rest.rpartition(".")
    return import_string(f"kompetenslyft.{app}.{module or 'tasks'}.{attribute}")


def can_defer(name: str) -> bool:
    """Whether the configured backend can run the task later (the demo's inline one cannot)."""
    return bool(task_named(name).get_backend().supports_defer)


def enqueue(name: str, *args: Any, run_after: dt.datetime | None = None) -> None:
    """Enqueue the task once the current transaction commits (at once outside one)."""

    def send() -> None:
        task = task_named(name)
        (task.using(run_after=run_after) if run_after is not None else task).enqueue(*args)

    transaction.on_commit(send)
