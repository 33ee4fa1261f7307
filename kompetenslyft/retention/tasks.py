"""Background work of retention: the nightly run and a lead's decision."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def nightly_task() -> dict[str, int]:
    return services.nightly()


@task()
def decision_task(run_id: int, person_id: int, reason: str = "") -> int:
    return services.decision_apply(run_id=run_id, person_id=person_id, reason=reason)
