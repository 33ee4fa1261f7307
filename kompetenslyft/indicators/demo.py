"""An indicator of the demo, linked to the initiative "Digitalt lyft": deviation reports handled
within 14 days, per care unit and month over the year around the training, better after it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Organisation, Unit

from . import services


def _months_back(today: dt.date, n: int) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(n):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return sorted(months)


def indicators_for_demo(organisation: Organisation) -> None:
    rnd = random.Random(14)
    initiative = Initiative.objects.get(organisation=organisation, code="digitalt-lyft")
    indicator = services.indicator_create(
        organisation=organisation,
        actor=None,
        code="AVV14",
        name="Avvikelser hanterade inom 14 dagar",
        measure="percent",
        better="higher",
        description="Andel avvikelserapporter som hanterats inom 14 dagar (verksamhetssystemet).",
        target=Decimal(90),
    )
    services.indicator_link(indicator=indicator, initiative=initiative, actor=None)
    vof = Unit.objects.get(organisation=organisation, unit_id="VOF")
    units = list(
        Unit.objects.filter(organisation=organisation, path__startswith=vof.path, depth=vof.depth + 2)
    )
    start = initiative.starts_on or timezone.localdate()
    values: dict[tuple[int, dt.date], Decimal | None] = {}
    for unit in units:
        base = rnd.uniform(58, 72)
        for month in _months_back(timezone.localdate(), 14):
            after = max(0, (month - start).days) / 30
            value = min(99.0, base + after * rnd.uniform(2.0, 4.0) + rnd.uniform(-3, 3))
            values[(unit.pk, month)] = Decimal(str(round(value, 1)))
    services.indicator_values_set(indicator=indicator, actor=None, values=values)
