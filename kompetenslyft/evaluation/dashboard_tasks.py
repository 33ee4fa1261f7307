"""Background work of the dashboard: its exports (Excel, PDF) and their purge after a day.
Run by `kompetenslyft db_worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from .dashboard_exports import export_run, exports_purge


@task()
def dashboard_export_task(job_id: int) -> str:
    return export_run(job_id)


@task()
def dashboard_exports_purge_task() -> int:
    return exports_purge()
