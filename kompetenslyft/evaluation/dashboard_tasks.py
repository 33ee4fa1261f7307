"""Background work of the dashboard: its exports (Excel, PDF) and their purge after a day.
Run by `kompetenslyft db_worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def dashboard_export_task(job_id: int) -> str:
    from .dashboard_exports import export_run

    return export_run(job_id)


@task()
def dashboard_exports_purge_task() -> int:
    from .dashboard_exports import exports_purge

    return exports_purge()
