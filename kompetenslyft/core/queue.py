"""The one place where work is put on the task queue.

Services never import their app's ``tasks`` module: a task calls a service, and a service that
wants work done later names the task here (``"learning.booking_invite_task"``), which is looked
up when the transaction commits. So the dependency runs one way, tasks → services, without
imports hidden inside functions."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
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


@dataclass(frozen=True)
class QueueRow:
    """A task's row in the database queue (django-tasks-db), in database form, for a service
    that writes it with its own rows — in its transaction, or in the same SQL statement."""

    table: str
    columns: tuple[str, ...]
    values: tuple[Any, ...]

    def insert(self) -> None:
        """One plain INSERT (in the caller's transaction)."""
        names = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(self.table)} ({names}) VALUES ({marks})",  # noqa: S608
                list(self.values),
            )


def queue_row(name: str, *args: Any) -> QueueRow | None:
    """The row that enqueuing the task ``name`` with ``args`` writes to the database queue, or
    None when the configured backend is not the database queue. The row is the backend's own
    (its model's fields, defaults and id function, the task checked as ``enqueue`` checks it),
    built without saving a model instance: on the LRS's ingest path the ORM's enqueue cost about
    as much as storing a single statement, and it was one more round trip to PostgreSQL. Unlike
    ``enqueue`` it sends no ``task_enqueued`` signal (whose only receiver logs at debug level)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import normalize_json

    task = task_named(name)
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    table, columns, template, per_row = _row_template(task, backend, connection.alias)
    values = list(template)
    for at, field, value in zip(
        per_row,
        (_field("id"), _field("args_kwargs"), _field("enqueued_at")),
        (backend._get_id(), normalize_json({"args": args, "kwargs": {}}), timezone.now()),
        strict=True,
    ):
        values[at] = field.get_db_prep_save(value, connection)
    return QueueRow(table, columns, tuple(values))


PER_ROW = ("id", "args_kwargs", "enqueued_at")  # what differs between two rows of one task


def _field(name: str) -> Any:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult._meta.get_field(name)


@functools.lru_cache(maxsize=32)
def _row_template(
    task: Any, backend: Any, alias: str
) -> tuple[str, tuple[str, ...], tuple[Any, ...], tuple[int, ...]]:
    """The table and columns of ``task``'s queue rows, the database values every such row holds
    (None at the positions of ``PER_ROW``) and those positions, in ``PER_ROW``'s order: built,
    and the task checked, once per task, backend and database (building them for every row
    cost half of what writing the row through the ORM had cost)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)
    result: DBTaskResult[Any, Any] = DBTaskResult(
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),  # as the backend's pre_save handler sets it
        backend_name=backend.alias,
    )
    fields = DBTaskResult._meta.local_concrete_fields
    per_row = tuple([field.name for field in fields].index(name) for name in PER_ROW)
    values = tuple(
        None if n in per_row else field.get_db_prep_save(field.pre_save(result, True), connections[alias])
        for n, field in enumerate(fields)
    )
    return DBTaskResult._meta.db_table, tuple(field.column for field in fields), values, per_row
