"""A small organisation with one initiative and one indicator: Hemtjänst Norra (six people)
trains in March 2026, Hemtjänst Södra (two people) in April, Solgården not at all; the
indicator is 50 in Norra before March and 70 from March, 60 in Södra and 40 in Solgården."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kompetenslyft.indicators.figures import add_months, forget
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.tests.factories import PersonFactory

FIRST = dt.date(2025, 9, 1)
MONTHS = 15  # 2025-09 … 2026-11


def indicator_data(network: Any, *, with_indicator: bool = True) -> Any:
    forget()
    org = network.org_a
    module = Module.objects.create(
        organisation=org, code="M1", name="Journal", category="c", level="basic", format="onsite", hours=2
    )
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Digitalt lyft",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    initiative.modules.add(module)
    initiative.units.add(network.admin_a)
    north = PersonFactory.create_batch(6, unit=network.unit1)
    south = PersonFactory.create_batch(2, unit=network.unit2)
    for person in north:
        Attendance.objects.create(
            person=person, module=module, unit=network.unit1, date=dt.date(2026, 3, 12), hours=Decimal(2)
        )
    for person in south:
        Attendance.objects.create(
            person=person, module=module, unit=network.unit2, date=dt.date(2026, 4, 2), hours=Decimal(2)
        )
    # Attendance outside the period, or not counted, changes nothing.
    Attendance.objects.create(
        person=network.other_employee, module=module, unit=network.unit3, date=dt.date(2026, 8, 1), hours=2
    )
    Attendance.objects.create(
        person=network.colleague,
        module=module,
        unit=network.unit3,
        date=dt.date(2026, 3, 1),
        hours=2,
        status="no_show",
    )
    network.module = module
    network.initiative = initiative
    if not with_indicator:
        return network
    indicator = Indicator.objects.create(
        organisation=org,
        code="AVV14",
        name="Avvikelser hanterade inom 14 dagar",
        measure="percent",
        better="higher",
        target=Decimal(80),
    )
    indicator.initiatives.add(initiative)
    rows = []
    for i in range(MONTHS):
        month = add_months(FIRST, i)
        north_value = 50 if month < dt.date(2026, 3, 1) else 70
        for unit, value in ((network.unit1, north_value), (network.unit2, 60), (network.unit3, 40)):
            rows.append(IndicatorValue(indicator=indicator, unit=unit, month=month, value=Decimal(value)))
    IndicatorValue.objects.bulk_create(rows)
    network.module = module
    network.initiative = initiative
    network.indicator = indicator
    return network
