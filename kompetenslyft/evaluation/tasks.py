"""Background work of the evaluation domain: the module evaluation's invitations and one
reminder, and sending a final survey (with progress) and its reminder. Run by
`kompetenslyft db_worker` (django-tasks, database backend)."""

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


@task()
def survey_send_task(survey_id: int) -> int:
    from .surveys import survey_send_requests

    return survey_send_requests(survey_id=survey_id)


@task()
def survey_remind_task(survey_id: int) -> int:
    from .surveys import survey_send_reminders

    return survey_send_reminders(survey_id=survey_id)
