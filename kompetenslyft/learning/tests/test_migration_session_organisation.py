"""Migration 0002: existing sessions get the organisation that runs them, and those whose people
already hold bookings keep them (the session is opened to their organisation)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kompetenslyft.org.tests.factories import OrganisationFactory, PersonFactory, UnitFactory

BEFORE = [("learning", "0001_initial")]
AFTER = [("learning", "0003_session_organisation_required")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_sessions_get_their_organisation_and_keep_their_guests() -> None:
    solvik = OrganisationFactory(code="solvik")
    fjellvik = OrganisationFactory(code="fjellvik")
    solvik_person = PersonFactory(unit=UnitFactory(organisation=solvik))
    fjellvik_trainer = PersonFactory(unit=UnitFactory(organisation=fjellvik))
    try:
        old = migrate(BEFORE)
        Module = old.get_model("learning", "Module")
        Session = old.get_model("learning", "Session")
        Booking = old.get_model("learning", "Booking")
        common = {"category": "K", "level": "basic", "format": "onsite", "hours": Decimal(1)}
        shared = Module.objects.create(organisation=None, code="M-SHARED", name="Delad", **common)
        own = Module.objects.create(organisation_id=solvik.pk, code="M-OWN", name="Egen", **common)
        when = timezone.now() + dt.timedelta(days=3)
        by_trainer = Session.objects.create(module=shared, starts_at=when, place="Fjellvik")
        by_trainer.trainers.add(fjellvik_trainer.pk)
        Booking.objects.create(session=by_trainer, person_id=solvik_person.pk, status="booked")
        of_own_module = Session.objects.create(module=own, starts_at=when, place="Solvik")
        new = migrate(AFTER)
        Session = new.get_model("learning", "Session")
        first = Session.objects.get(pk=by_trainer.pk)
        assert first.organisation_id == fjellvik.pk
        assert list(first.open_to.values_list("pk", flat=True)) == [solvik.pk]
        second = Session.objects.get(pk=of_own_module.pk)
        assert second.organisation_id == solvik.pk and not second.open_to.exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
