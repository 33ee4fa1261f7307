"""Background work of follow-up talks."""

from __future__ import annotations

from django_tasks import task

from .services import followups_daily


@task()
def daily_task() -> dict[str, int]:
    return followups_daily()
