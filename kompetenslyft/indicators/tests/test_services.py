"""Creating, changing, archiving, linking and entering values: each audited, each refusing
what crosses organisations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.indicators import services
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Initiative

pytestmark = pytest.mark.django_db


def _create(org: Any, actor: Any = None, code: str = "DOK") -> Indicator:
    return services.indicator_create(
        organisation=org,
        actor=actor,
        code=code,
        name="Tid för dokumentation per besök",
        measure="minutes",
        better="lower",
        target=Decimal(6),
    )


def test_create_update_archive_restore_are_audited(network: Any) -> None:
    actor = network.lead.user
    indicator = _create(network.org_a, actor)
    assert (indicator.measure, indicator.better, indicator.target, indicator.symbol) == (
        "minutes",
        "lower",
        Decimal(6),
        "minutes",
    )
    services.indicator_update(indicator=indicator, actor=actor, name="Dokumentationstid", target=None)
    indicator.refresh_from_db()
    assert (indicator.name, indicator.target) == ("Dokumentationstid", None)
    services.indicator_archive(indicator=indicator, actor=actor)
    assert Indicator.objects.get(pk=indicator.pk).archived
    services.indicator_restore(indicator=indicator, actor=actor)
    assert not Indicator.objects.get(pk=indicator.pk).archived
    entries = list(AuditEntry.objects.filter(target_type="indicator").order_by("pk"))
    assert [e.action for e in entries] == [
        "indicator.created",
        "indicator.changed",
        "indicator.archived",
        "indicator.restored",
    ]
    assert entries[1].changes == {
        "name": ["Tid för dokumentation per besök", "Dokumentationstid"],
        "target": ["6", "None"],
    }
    assert all(e.actor_id == actor.pk and e.organisation_id == network.org_a.pk for e in entries)


def test_a_code_is_unique_in_the_organisation_only(network: Any) -> None:
    _create(network.org_a)
    with pytest.raises(ValidationError):
        _create(network.org_a)
    _create(network.org_b)  # another organisation may use the same code
    other = _create(network.org_a, code="OTHER")
    with pytest.raises(ValidationError):
        services.indicator_update(indicator=other, actor=None, code="DOK")


def test_link_and_unlink_within_the_organisation(network: Any) -> None:
    indicator = _create(network.org_a)
    own = Initiative.objects.create(organisation=network.org_a, code="a", name="A")
    foreign = Initiative.objects.create(organisation=network.org_b, code="b", name="B")
    services.indicator_link(indicator=indicator, initiative=own, actor=None)
    services.indicator_link(indicator=indicator, initiative=own, actor=None)  # twice: once
    assert list(indicator.initiatives.all()) == [own]
    with pytest.raises(ValidationError):
        services.indicator_link(indicator=indicator, initiative=foreign, actor=None)
    services.indicator_unlink(indicator=indicator, initiative=own, actor=None)
    assert not indicator.initiatives.exists()
    entries = AuditEntry.objects.filter(action__in=["indicator.linked", "indicator.unlinked"]).order_by("pk")
    assert list(entries.values_list("action", "changes")) == [
        ("indicator.linked", {"initiative": "a"}),
        ("indicator.unlinked", {"initiative": "a"}),
    ]


def test_values_set_adds_changes_and_removes(network: Any) -> None:
    indicator = _create(network.org_a)
    march, april = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    counts = services.indicator_values_set(
        indicator=indicator,
        actor=None,
        values={(network.unit1.pk, march): Decimal(7), (network.unit2.pk, march): Decimal("6.5")},
    )
    assert counts == {"new": 2, "changed": 0, "removed": 0}
    counts = services.indicator_values_set(
        indicator=indicator,
        actor=None,
        values={
            (network.unit1.pk, march): Decimal(5),
            (network.unit2.pk, march): None,
            (network.unit3.pk, april): None,  # nothing there: nothing to remove
        },
    )
    assert counts == {"new": 0, "changed": 1, "removed": 1}
    assert list(IndicatorValue.objects.values_list("unit_id", "month", "value")) == [
        (network.unit1.pk, march, Decimal(5))
    ]
    assert Indicator.objects.get(pk=indicator.pk).values_version == 2
    with pytest.raises(ValidationError):
        services.indicator_values_set(
            indicator=indicator, actor=None, values={(network.unit_b.pk, march): Decimal(1)}
        )


@pytest.mark.parametrize(
    ("measure", "value", "problem"),
    [
        ("percent", "100.5", "a share must be between 0 and 100 %."),
        ("percent", "-1", "a share must be between 0 and 100 %."),
        ("count", "-3", "cannot be negative in this unit of measure."),
        ("minutes", "-0.5", "cannot be negative in this unit of measure."),
        ("days", "40000", "is larger than 3660: too large for this unit of measure."),
        ("count", "99999999", "is larger than 10000000: too large for this unit of measure."),
        ("number", "-2000000000", "is below -1000000000."),
    ],
)
def test_values_out_of_the_range_of_the_unit_of_measure_are_refused(
    network: Any, measure: str, value: str, problem: str
) -> None:
    indicator = _create(network.org_a)
    Indicator.objects.filter(pk=indicator.pk).update(measure=measure)
    indicator.refresh_from_db()
    with pytest.raises(ValidationError, match=problem.replace(".", r"\.")):
        services.indicator_values_set(
            indicator=indicator, actor=None, values={(network.unit1.pk, dt.date(2026, 3, 1)): Decimal(value)}
        )
    assert not IndicatorValue.objects.exists()
    # The edges are allowed; a plain number may be negative.
    edge = {"percent": "100", "count": "0", "minutes": "0", "days": "3660", "number": "-5"}.get(measure)
    if edge is not None:
        services.indicator_values_set(
            indicator=indicator, actor=None, values={(network.unit1.pk, dt.date(2026, 3, 1)): Decimal(edge)}
        )
