"""Background work of the introduction programme and repetition (tasks call services)."""

from __future__ import annotations

from django_tasks import task

from .module_services import introduction_assign, introduction_notify, refresh_assign


@task()
def introduction_assign_task(organisation_id: int) -> int:
    return introduction_assign(organisation_id=organisation_id)


@task()
def introduction_notify_task(manager_id: int, person_ids: list[int]) -> bool:
    return introduction_notify(manager_id=manager_id, person_ids=person_ids)


@task()
def refresh_assign_task() -> int:
    return refresh_assign()
