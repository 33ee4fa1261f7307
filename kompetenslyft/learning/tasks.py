"""Background work of the learning domain."""

from __future__ import annotations

from django_tasks import task

from .services import booking_send_invitation, proposals_generate, session_send_reminders


@task()
def proposals_task(initiative_id: int) -> int:
    return proposals_generate(initiative_id=initiative_id)


@task()
def booking_invite_task(booking_id: int) -> bool:
    return booking_send_invitation(booking_id=booking_id)


@task()
def session_reminders_task(session_id: int) -> int:
    return session_send_reminders(session_id=session_id)
