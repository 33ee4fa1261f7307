"""Background work of micro-learning."""

from __future__ import annotations

from django_tasks import task

from .services import microlearning_daily


@task()
def daily_task() -> dict[str, int]:
    return microlearning_daily()
