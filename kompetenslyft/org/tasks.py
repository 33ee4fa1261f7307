"""Background work of imports from the web: the preview (a dry run) and the confirmed import.
Run by `kompetenslyft worker` (django-tasks, database backend). Tasks call services; services
enqueue tasks by name (``core.queue.enqueue``), so the dependency runs one way."""

from __future__ import annotations

from django_tasks import task

from .import_batches import import_batch_apply, import_batch_preview
from .services import import_batches_purge


@task()
def import_preview_task(batch_id: int) -> str:
    return import_batch_preview(batch_id=batch_id)


@task()
def import_apply_task(batch_id: int) -> str:
    return import_batch_apply(batch_id=batch_id)


@task()
def import_purge_task() -> int:
    return import_batches_purge()
