"""kompetenslyft evaluation_reminders — send the module evaluations' invitations not yet sent
and the one reminder whose day has come, and publish the results of evaluations that have
closed (run it daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kompetenslyft.evaluation.asking import send_due
from kompetenslyft.evaluation.cube import cube_for
from kompetenslyft.evaluation.summary import publish
from kompetenslyft.org.models import Organisation


class Command(BaseCommand):
    help = (
        "Send module-evaluation invitations not yet sent and the one reminder to those who have not "
        "answered, three days before the evaluation closes. Safe to run any number of times a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        invitations, reminders = send_due()
        self.stdout.write(f"sent {invitations} evaluation invitation(s) and {reminders} reminder(s)")
        published = 0
        for organisation in Organisation.objects.all():
            published += publish(organisation.pk)
            cube_for(organisation)  # computed and stored once, so pages and reports read it
        self.stdout.write(f"published {published} answer(s) of closed evaluations")
