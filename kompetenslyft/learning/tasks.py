"""Background work of the learning domain."""

from __future__ import annotations

from django_tasks import task

from .services import (
    booking_send_invitation,
    proposals_generate,
    session_send_cancellation,
    session_send_reminders,
    support_send_answer,
    support_send_question,
)


@task()
def proposals_task(initiative_id: int) -> int:
    return proposals_generate(initiative_id=initiative_id)


@task()
def booking_invite_task(booking_id: int) -> bool:
    return booking_send_invitation(booking_id=booking_id)


@task()
def session_reminders_task(session_id: int) -> int:
    return session_send_reminders(session_id=session_id)


@task()
def session_cancellation_task(session_id: int) -> int:
    return session_send_cancellation(session_id=session_id)


@task()
def support_asked_task(request_id: int) -> int:
    return support_send_question(request_id=request_id)


@task()
def support_answered_task(request_id: int) -> bool:
    return support_send_answer(request_id=request_id)
