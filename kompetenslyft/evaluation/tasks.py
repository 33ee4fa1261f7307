"""Background work of the evaluation domain: the module evaluation's invitations and one
reminder, and sending a final survey (with progress) and its reminder. Run by
`kompetenslyft db_worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from .asking import send_invitations, send_reminders
from .surveys import survey_send_reminders, survey_send_requests


@task()
def evaluation_invitations_task(request_ids: list[int]) -> int:
    return send_invitations(request_ids)


@task()
def evaluation_reminders_task(request_ids: list[int]) -> int:
    return send_reminders(request_ids)


@task()
def survey_send_task(survey_id: int) -> int:
    return survey_send_requests(survey_id=survey_id)


@task()
def survey_remind_task(survey_id: int) -> int:
    return survey_send_reminders(survey_id=survey_id)


@task()
def results_snapshot_task(organisation_id: int) -> int:
    """Compute and store the results cube after a change to the summary (an import), so that
    the next page or `report evaluation` reads it instead of computing the release. Returns
    the summary version it stored (0 when there was nothing to do)."""
    from kompetenslyft.org.models import Organisation

    from .cube import cube_for
    from .summary import version

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    cube_for(organisation)
    return version(organisation_id)[1]
