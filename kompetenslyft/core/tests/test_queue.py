"""A queue row written with a service's own rows (``queue_row``) is the row ``enqueue`` writes,
and the worker runs it."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from kompetenslyft.core.queue import queue_row, task_named
from kompetenslyft.org.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_queue_row_is_the_row_that_enqueue_writes(settings: Any) -> None:
    settings.TASKS = DATABASE_QUEUE
    task_named("lrs.count_task").enqueue(7, ["a", "b"])
    row = queue_row("lrs.count_task", 7, ["a", "b"])
    assert row is not None
    row.insert()
    enqueued, written = DBTaskResult.objects.order_by("enqueued_at")
    same = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in ("id", "enqueued_at")]
    assert {name: getattr(written, name) for name in same} == {name: getattr(enqueued, name) for name in same}
    assert written.id != enqueued.id and written.enqueued_at >= enqueued.enqueued_at


def test_the_worker_takes_and_runs_a_queue_row(settings: Any) -> None:
    settings.TASKS = DATABASE_QUEUE
    row = queue_row("lrs.count_task", OrganisationFactory().pk, [])
    assert row is not None
    row.insert()
    # What the worker picks and runs (db_worker itself closes the test's connection).
    [ready] = DBTaskResult.objects.ready()
    assert ready.task.call(*ready.args_kwargs["args"], **ready.args_kwargs["kwargs"]) == 0


def test_no_queue_row_for_a_queue_outside_the_database(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert queue_row("lrs.count_task", 7, []) is None
