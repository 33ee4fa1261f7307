"""A session belongs to the organisation that runs it and may be opened to others of the network.

Existing sessions get the organisation of their module, else of their initiative, else of their
first trainer, else of the first person booked on them. So that no one silently loses a place, a
session is opened to every other organisation whose people already hold a booking on it (the
running organisation saw their names before this migration; from now on it sees only what its
register needs). A session that names no organisation at all, in an installation with none, has
no bookings (people belong to an organisation) and is removed.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def fill_organisation(apps: Any, schema_editor: Any) -> None:
    Session = apps.get_model("learning", "Session")
    Booking = apps.get_model("learning", "Booking")
    Organisation = apps.get_model("org", "Organisation")
    fallback = Organisation.objects.order_by("pk").values_list("pk", flat=True).first()
    for session in Session.objects.select_related("module", "initiative").iterator():
        organisation_id = session.module.organisation_id or (
            session.initiative.organisation_id if session.initiative_id else None
        )
        if organisation_id is None:
            trainer = session.trainers.order_by("pk").first()
            organisation_id = trainer.organisation_id if trainer else None
        booked_orgs = set(
            Booking.objects.filter(session=session)
            .exclude(status="cancelled")
            .values_list("person__organisation_id", flat=True)
        )
        if organisation_id is None:
            first = Booking.objects.filter(session=session).order_by("created_at", "pk").first()
            organisation_id = first.person.organisation_id if first else fallback
        if organisation_id is None:
            session.delete()
            continue
        session.organisation_id = organisation_id
        session.save(update_fields=["organisation"])
        guests = booked_orgs - {organisation_id}
        if guests:
            session.open_to.add(*sorted(guests))


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0001_initial"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="sessions",
                to="org.organisation",
                verbose_name="run by",
            ),
        ),
        migrations.AddField(
            model_name="session",
            name="open_to",
            field=models.ManyToManyField(
                blank=True,
                help_text="People of these organisations may book the session too (shared modules only).",
                related_name="sessions_opened",
                to="org.organisation",
                verbose_name="open to other organisations",
            ),
        ),
        migrations.RunPython(fill_organisation, migrations.RunPython.noop),
    ]
