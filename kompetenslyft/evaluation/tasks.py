"""Background work of the module evaluation: the invitations and the one reminder."""

from __future__ import annotations

from django_tasks import task


@task()
def evaluation_invitations_task(request_ids: list[int]) -> int:
    from .asking import send_invitations

    return send_invitations(request_ids)


@task()
def evaluation_reminders_task(request_ids: list[int]) -> int:
    from .asking import send_reminders

    return send_reminders(request_ids)
