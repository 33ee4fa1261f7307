"""The bench's erasure operation at a tiny size: every leaver pseudonymised, no statement names one."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

import kompetenslyft.bench.runner  # noqa: F401 - registers the operations (and imports the module below)
from kompetenslyft.bench.retention import seed
from kompetenslyft.lrs.models import Statement
from kompetenslyft.retention import services
from kompetenslyft.retention.models import Erasure

pytestmark = pytest.mark.django_db


def test_the_seeded_leavers_and_their_statements_are_pseudonymised(network: Any) -> None:
    organisation = seed(6, 120)
    assert (
        Statement.objects.filter(
            organisation=organisation, related_agents__contains="erasure.example"
        ).count()
        == 120
    )
    counts = services.rules_apply(organisation, today=timezone.localdate())
    assert counts["leavers"] == 6 and Erasure.objects.filter(organisation=organisation).count() == 6
    assert sum(Erasure.objects.values_list("statements", flat=True)) == 120
    assert not Statement.objects.filter(
        organisation=organisation, related_agents__contains="erasure.example"
    ).exists()
    assert not Statement.objects.filter(organisation=organisation, related_agents__contains="|L0000").exists()
    # The other organisations' people are untouched.
    network.employee.refresh_from_db()
    assert network.employee.given_name == "Elin"
