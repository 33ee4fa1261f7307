"""Background work of the learning domain."""

from __future__ import annotations

from django_tasks import task


@task()
def proposals_task(initiative_id: int) -> int:
    from .services import proposals_generate

    return proposals_generate(initiative_id=initiative_id)


@task()
def booking_invite_task(booking_id: int) -> bool:
    from .services import booking_send_invitation

    return booking_send_invitation(booking_id=booking_id)


@task()
def session_reminders_task(session_id: int) -> int:
    from .services import session_send_reminders

    return session_send_reminders(session_id=session_id)
