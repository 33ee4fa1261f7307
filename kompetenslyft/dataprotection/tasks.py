"""Background work of data protection: register extracts and their purge.
Run by `kompetenslyft db_worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from .services import extract_run, extracts_purge


@task()
def extract_task(extract_id: int) -> str:
    return extract_run(extract_id)


@task()
def extracts_purge_task() -> int:
    return extracts_purge()
