"""Background work of accounts: the password e-mails (sent from a task, so that the answer to
the form takes as long whether or not the address is known)."""

from __future__ import annotations

from django_tasks import task

from .services import password_links_send


@task()
def password_links_task(email: str, language: str) -> int:
    return password_links_send(email=email, language=language)
