"""Background work of self-assessment: generating a campaign, invitations, reminders, and
keeping the gap summary current. Run by `kompetenslyft worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from kompetenslyft.org.models import Organisation

from .gaps import rebuild, refresh_group
from .services import campaign_generate, campaign_send_invitations, campaign_send_reminders


@task()
def campaign_generate_task(campaign_id: int) -> int:
    return campaign_generate(campaign_id=campaign_id)


@task()
def campaign_invite_task(campaign_id: int) -> int:
    return campaign_send_invitations(campaign_id=campaign_id)


@task()
def campaign_remind_task(campaign_id: int) -> int:
    return campaign_send_reminders(campaign_id=campaign_id)


@task()
def gap_refresh_task(organisation_id: int, unit_id: int, role_id: int) -> None:
    refresh_group(organisation_id=organisation_id, unit_id=unit_id, role_id=role_id)


@task()
def gap_rebuild_task(organisation_id: int) -> int:
    return rebuild(Organisation.objects.get(pk=organisation_id))
