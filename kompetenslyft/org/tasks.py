"""Background work of imports from the web: the preview (a dry run) and the confirmed import.
Run by `kompetenslyft worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_preview_task(batch_id: int) -> str:
    from .import_batches import import_batch_preview

    return import_batch_preview(batch_id=batch_id)


@task()
def import_apply_task(batch_id: int) -> str:
    from .import_batches import import_batch_apply

    return import_batch_apply(batch_id=batch_id)


@task()
def import_purge_task() -> int:
    from .import_batches import import_batches_purge

    return import_batches_purge()
