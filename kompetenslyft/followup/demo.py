"""The follow-up talks of the demo: the talks due 30 and 90 days after the completions the
learning demo recorded, most of them held and recorded by the managers (so that the application
rate shows on the dashboard), the rest still due (the demo manager has talks to hold)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from kompetenslyft.org.models import Organisation

from . import services
from .models import Applying, FollowUp, Hindrance


def followups_for_demo(organisation: Organisation) -> None:
    rnd = random.Random(30)
    today = timezone.localdate()
    # The daily run, as it ran each week of the last three months: the talks fell due then, so
    # that most were held in months that have closed and are published (ADR 0019).
    for days_ago in range(91, -1, -7):
        services.followups_create_due(today=today - dt.timedelta(days=days_ago))
    services.followups_create_due(today=today)
    talks = list(
        FollowUp.objects.filter(
            organisation=organisation, held_on__isnull=True, manager__isnull=False
        ).order_by("due_on", "pk")
    )
    applying = [Applying.YES, Applying.YES, Applying.PARTLY, Applying.NOT_YET, Applying.NOT_APPLICABLE]
    for talk in talks:
        if talk.due_on > today - dt.timedelta(days=3) or rnd.random() < 0.2:
            continue  # still to hold
        held = min(today, talk.due_on + dt.timedelta(days=rnd.randint(0, 10)))
        hindrances = rnd.sample([Hindrance.TIME, Hindrance.TOOLS, Hindrance.ROUTINES], rnd.randint(0, 2))
        services.followup_record(
            followup=talk,
            applying=rnd.choice(applying),
            hindrances=hindrances,
            hindrance_other="",
            support_needed="Mer tid att öva tillsammans på APT." if rnd.random() < 0.3 else "",
            held_on=held,
            actor=None,
        )
    # the managers were told of them: the demo's outbox stays quiet
    FollowUp.objects.filter(organisation=organisation).update(notified_at=timezone.now())
    services.publish_rate_months()  # the closed months, as the daily run publishes them (ADR 0019)
