"""ADR 0010 (addendum): both ends of a unit's training months are statements about k people.

An attack found that a unit's training months ENDED at the last month anyone of it attended:
with the dashboard's unit filter narrowed to one unit, top management (aggregates only) read
off the "1 month after" row which month one more person of it attended. The end is now the
month of the k-th last attendance (each person's last day, latest first), as the start is the
month of the k-th first; fewer than k people attending later move nothing for aggregates-only
viewers. Viewers of exact figures (k = 1) still see the last month anyone attended."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kompetenslyft.core.tests.pages import EN, client_for, number, tables
from kompetenslyft.indicators.figures import add_months, forget, training_months
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

FIRST = dt.date(2025, 9, 1)


def _setup(n: Any) -> tuple[Module, Initiative, Indicator]:
    forget()
    org = n.org_a
    assert org.anonymity_threshold == 5
    module = Module.objects.create(
        organisation=org, code="M1", name="Journal", category="c", level="basic", format="onsite", hours=2
    )
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    initiative.modules.add(module)
    initiative.units.add(n.admin_a)
    for person in PersonFactory.create_batch(5, unit=n.unit1):
        Attendance.objects.create(
            person=person, module=module, unit=n.unit1, date=dt.date(2026, 3, 12), hours=Decimal(2)
        )
    indicator = Indicator.objects.create(
        organisation=org, code="AVV", name="Avvikelser", measure="percent", better="higher"
    )
    indicator.initiatives.add(initiative)
    # a distinct value per month in Norra, so that a row tells which month it was taken from
    rows = [
        IndicatorValue(indicator=indicator, unit=n.unit1, month=add_months(FIRST, i), value=Decimal(10 + i))
        for i in range(18)
    ]
    rows += [
        IndicatorValue(indicator=indicator, unit=n.unit3, month=add_months(FIRST, i), value=Decimal(40))
        for i in range(18)
    ]
    IndicatorValue.objects.bulk_create(rows)
    return module, initiative, indicator


def _read(user: Any, initiative: Initiative, unit: Any) -> tuple[dict[str, float], dict[str, float]]:
    """(calendar: month → the trained units' mean, relative: row label → the trained mean) as
    ``user`` reads them on the dashboard, with the unit filter on ``unit``."""
    from kompetenslyft.evaluation.dashboard import forget_memo

    forget()
    forget_memo()
    page = client_for(user).get(
        reverse("evaluation:dashboard"), {"initiative": initiative.pk, "unit": unit.pk}, **EN
    )
    assert page.status_code == 200
    found = tables(page.content.decode())
    calendar_rows = next(
        rows for caption, rows in found.items() if caption.startswith("Avvikelser (") and "around" in caption
    )
    relative_rows = next(rows for caption, rows in found.items() if "relative to each unit" in caption)
    calendar = {r[0]: number(r[2]) for r in calendar_rows[1:] if r[2] not in ("", "–")}
    relative = {r[0]: number(r[1]) for r in relative_rows[1:] if r[1] not in ("", "–")}
    return calendar, relative


def _month_of(value: float, calendar: dict[str, float]) -> str:
    return next(month for month, v in calendar.items() if v == value)


def _late(n: Any, module: Module, day: dt.date) -> None:
    person = PersonFactory(unit=n.unit1, given_name="Sen", family_name="Komling")
    Attendance.objects.create(person=person, module=module, unit=n.unit1, date=day, hours=Decimal(2))


def test_one_more_person_attending_later_moves_nothing_for_top_management(network: Any) -> None:
    n = network
    module, initiative, _indicator = _setup(n)
    calendar, relative = _read(n.top.user, initiative, n.unit1)
    assert _month_of(relative["1 month after"], calendar) == "2026-04"
    assert relative["Training months"] == calendar["2026-03"]
    before = relative

    _late(n, module, dt.date(2026, 5, 20))  # one person: fewer than k

    calendar, relative = _read(n.top.user, initiative, n.unit1)
    assert relative == before
    assert _month_of(relative["1 month after"], calendar) == "2026-04"
    assert relative["Training months"] == calendar["2026-03"]


def test_the_end_moves_once_k_people_attended_later(network: Any) -> None:
    n = network
    module, initiative, _indicator = _setup(n)
    for _ in range(4):
        _late(n, module, dt.date(2026, 5, 20))
    assert training_months(initiative, min_people=5)[n.unit1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    _late(n, module, dt.date(2026, 6, 2))  # the 5th person attending after March: June
    months = training_months(initiative, min_people=5)[n.unit1.pk]
    assert months == (dt.date(2026, 3, 1), dt.date(2026, 5, 1))  # the 5th last: May
    calendar, relative = _read(n.top.user, initiative, n.unit1)
    assert _month_of(relative["1 month after"], calendar) == "2026-06"


def test_the_lead_still_sees_the_last_month_anyone_attended(network: Any) -> None:
    n = network
    module, initiative, _indicator = _setup(n)
    _late(n, module, dt.date(2026, 5, 20))
    assert training_months(initiative, min_people=1)[n.unit1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 5, 1))
    calendar, relative = _read(n.lead.user, initiative, n.unit1)
    assert _month_of(relative["1 month after"], calendar) == "2026-06"


def test_a_person_attending_several_times_counts_once_at_its_last_day(network: Any) -> None:
    n = network
    module, initiative, _indicator = _setup(n)
    person = PersonFactory(unit=n.unit1)
    for day in (
        dt.date(2026, 4, 3),
        dt.date(2026, 5, 3),
        dt.date(2026, 6, 3),
        dt.date(2026, 7, 3),
        dt.date(2026, 8, 3),
    ):
        Attendance.objects.create(person=person, module=module, unit=n.unit1, date=day, hours=Decimal(2))
    # five attendance rows of one person are one person's last day, not five people's
    assert training_months(initiative, min_people=5)[n.unit1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
