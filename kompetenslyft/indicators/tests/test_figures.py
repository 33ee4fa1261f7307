"""The values around the training period: the calendar (trained units beside those that did
not train: two groups that never overlap), relative to each unit's own training months, for exact and aggregates-only viewers,
and the sections (chart and table) the dashboard and the indicator page show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kompetenslyft.evaluation.dashboard import Filters, forget_memo
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.indicators.figures import AROUND, around, training_months
from kompetenslyft.indicators.sections import trained_rule

from .data import indicator_data

pytestmark = pytest.mark.django_db


def _row(figures: Any, month: str) -> Any:
    return next(r for r in figures.calendar if r.month.isoformat()[:7] == month)


def test_training_months_per_unit_and_subtree(network: Any) -> None:
    n = indicator_data(network)
    months = training_months(n.initiative, min_people=1)
    assert months[n.unit1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert months[n.unit2.pk] == (dt.date(2026, 4, 1), dt.date(2026, 4, 1))
    assert months[n.dep1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert n.unit3.pk not in months  # only a no-show in the period, and attendance after it
    # Under the anonymity threshold (5) Södra's two people do not make it a trained unit.
    protected = training_months(n.initiative, min_people=5)
    assert n.unit2.pk not in protected
    assert protected[n.unit1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    # Hemtjänst: the 5th person's first day (March) to the 5th last day, latest first (March):
    # Södra's two in April are fewer than k and do not stretch it (ADR 0010, addendum).
    assert protected[n.dep1.pk] == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))


def test_calendar_around_the_period_for_the_lead(network: Any) -> None:
    n = indicator_data(network)
    figures = around(n.indicator, n.initiative, min_people=1)
    assert figures.period == (dt.date(2026, 3, 1), dt.date(2026, 5, 1))
    assert [r.month for r in figures.calendar][0] == dt.date(2025, 9, 1)
    assert [r.month for r in figures.calendar][-1] == dt.date(2026, 11, 1)
    assert [r.phase for r in figures.calendar].count("during") == 3
    before = _row(figures, "2026-02")
    assert before.phase == "before"
    assert (before.trained.mean, before.trained.units) == (55.0, 2)
    # A unit is in one group only: Norra and Södra trained (in March, April), so before their
    # training they are not counted again among the units that did not train (Solgården).
    assert (before.comparison.mean, before.comparison.units) == (40.0, 1)
    assert before.trained.units + before.comparison.units == 3
    march = _row(figures, "2026-03")
    assert (march.trained.mean, march.comparison.mean, march.comparison.units) == (65.0, 40.0, 1)
    april = _row(figures, "2026-04")
    assert (april.comparison.mean, april.comparison.units) == (40.0, 1)
    assert _row(figures, "2026-07").phase == "after"
    assert (figures.trained_units, figures.compared_units) == (2, 1)


def test_relative_to_each_units_own_training(network: Any) -> None:
    n = indicator_data(network)
    rows = {r.offset: r for r in around(n.indicator, n.initiative, min_people=1).relative}
    assert (rows[-1].trained.mean, rows[-1].trained.units, rows[-1].comparison) == (55.0, 2, 40.0)
    assert (rows[0].trained.mean, rows[0].comparison) == (65.0, 40.0)
    assert (rows[1].trained.mean, rows[1].comparison) == (65.0, 40.0)
    assert rows[-6].trained.units == 2 and rows[6].trained.units == 2


def test_aggregates_only_viewers_count_a_unit_as_trained_from_k_people(network: Any) -> None:
    n = indicator_data(network)
    figures = around(n.indicator, n.initiative, min_people=5)
    april = _row(figures, "2026-04")
    assert (april.trained.mean, april.trained.units) == (70.0, 1)  # Norra only
    assert (april.comparison.mean, april.comparison.units) == (50.0, 2)  # Södra and Solgården
    assert (figures.trained_units, figures.compared_units) == (1, 2)


def test_a_unit_filter_narrows_the_units(network: Any) -> None:
    n = indicator_data(network)
    figures = around(n.indicator, n.initiative, min_people=1, paths=(n.dep1.path,))
    assert (figures.trained_units, figures.compared_units) == (2, 0)
    assert _row(figures, "2026-02").comparison.units == 0  # both trained: nobody to compare with


def test_new_values_are_seen_at_once(network: Any) -> None:
    from kompetenslyft.indicators.services import indicator_values_set

    n = indicator_data(network)
    assert _row(around(n.indicator, n.initiative, min_people=1), "2026-04").comparison.mean == 40.0
    indicator_values_set(indicator=n.indicator, actor=None, values={(n.unit3.pk, dt.date(2026, 4, 1)): 46})
    n.indicator.refresh_from_db()
    assert _row(around(n.indicator, n.initiative, min_people=1), "2026-04").comparison.mean == 46.0


def _sections(n: Any, *, exact: bool, **filters: Any) -> dict[str, Any]:
    forget_memo()
    page = build_page(Filters(n.org_a, initiative=n.initiative, **filters), exact=exact)
    return {s.ident: s for s in page.sections if s.ident.startswith("indicator")}


def test_the_dashboard_shows_chart_and_table_around_the_training(network: Any) -> None:
    n = indicator_data(network)
    sections = _sections(n, exact=True)
    ident = f"indicator-{n.indicator.pk}-{n.initiative.pk}"
    calendar, relative = sections[ident], sections[f"{ident}-r"]
    table = calendar.table
    assert len(table.rows) == 15
    feb = next(r for r in table.rows if r[0].value == "2026-02")
    assert [v.value for v in feb[1:]] == ["Before", 55.0, 2, 40.0, 1]
    may = next(r for r in table.rows if r[0].value == "2026-05")
    assert may[1].value == "During"
    chart = str(calendar.chart)
    assert 'role="img"' in chart and "Training period" in chart and "stroke-dasharray" in chart
    assert "Avvikelser hanterade inom 14 dagar" in chart
    assert [r[0].value for r in relative.table.rows][5:8] == [
        "1 month before",
        "Training months",
        "1 month after",
    ]
    assert relative.table.rows[6][1].value == 65.0


def test_the_dashboard_for_the_evaluator_uses_the_threshold(network: Any) -> None:
    n = indicator_data(network)
    sections = _sections(n, exact=False)
    calendar = sections[f"indicator-{n.indicator.pk}-{n.initiative.pk}"]
    april = next(r for r in calendar.table.rows if r[0].value == "2026-04")
    assert [v.value for v in april[2:]] == [70.0, 1, 50.0, 2]
    assert "A unit counts as trained once 5 people or more of it have taken part." in calendar.note
    assert "end with the last month from which 5 people or more of it still took part." in calendar.note


def test_the_leads_note_says_when_a_unit_counts_as_trained_in_words(network: Any) -> None:
    """The lead sees exact figures (a unit is trained once anyone of it took part): the note
    said "once 1 people"; and the plural follows the number."""
    n = indicator_data(network)
    calendar = _sections(n, exact=True)[f"indicator-{n.indicator.pk}-{n.initiative.pk}"]
    assert "A unit counts as trained once someone of it has taken part." in calendar.note
    assert "1 people" not in calendar.note
    assert trained_rule(False, 1) == (
        "A unit counts as trained once 1 person or more of it has taken part. Its training months "
        "end with the last month from which 1 person or more of it still took part."
    )
    assert "end with" not in calendar.note  # the lead's months end with the last anyone took part


def test_the_dashboard_without_an_initiative_says_how_to_see_them(network: Any) -> None:
    n = indicator_data(network)
    forget_memo()
    page = build_page(Filters(n.org_a), exact=True)
    section = next(s for s in page.sections if s.ident == "indicators")
    assert section.table.rows[0][1].value == "Digitalt lyft"


def test_no_section_for_an_initiative_without_indicators(network: Any) -> None:
    n = indicator_data(network)
    n.indicator.initiatives.remove(n.initiative)
    assert _sections(n, exact=True) == {}


def test_negative_numbers_are_written_with_the_minus_sign(network: Any) -> None:
    """The hyphen-minus (U+002D) in "-2,5" read badly: numbers and offsets use U+2212."""
    from kompetenslyft.evaluation.charts import _number
    from kompetenslyft.evaluation.dashboard_page import Value
    from kompetenslyft.indicators.sections import _short_offset

    assert Value(-2.5, "num").text("", (",", "\u00a0")) == "\u22122,5"
    assert Value(-1234, "int").text("", (",", "\u00a0")) == "\u22121\u00a0234"
    assert _short_offset(-3) == "\u22123" and _short_offset(2) == "+2"
    assert _number(-4.0) == "\u22124" and "-" not in _number(-0.25)


def test_units_are_counted_once_whatever_their_months(network: Any) -> None:
    """The counts under the chart are distinct units, not unit-months: a unit that reports in
    some months only is one unit, and the two groups add up to the units with values."""
    from kompetenslyft.indicators.models import IndicatorValue

    n = indicator_data(network)
    IndicatorValue.objects.filter(
        indicator=n.indicator, unit=n.unit3, month__gte=dt.date(2026, 6, 1)
    ).delete()
    figures = around(n.indicator, n.initiative, min_people=1)
    shown = IndicatorValue.objects.filter(indicator=n.indicator).values("unit").distinct().count()
    assert (figures.trained_units, figures.compared_units) == (2, 1)
    assert figures.trained_units + figures.compared_units <= shown


def test_the_training_months_row_counts_units_not_unit_months(network: Any) -> None:
    """Under "Training months" the Units column counted unit-months (65 for 11 units in the
    demo): Norra trains in March and April (two months), Södra in April — 2 units, 3
    unit-months; the mean stays the mean of the unit-months."""
    from decimal import Decimal

    from kompetenslyft.learning.models import Attendance
    from kompetenslyft.org.tests.factories import PersonFactory

    n = indicator_data(network)
    Attendance.objects.create(
        person=PersonFactory(unit=n.unit1),
        module=n.module,
        unit=n.unit1,
        date=dt.date(2026, 4, 20),
        hours=Decimal(2),
    )
    rows = {r.offset: r for r in around(n.indicator, n.initiative, min_people=1).relative}
    assert rows[0].trained.units == 3 and rows[0].units == 2
    assert rows[0].trained.mean == (70 + 70 + 60) / 3
    assert rows[-1].units == rows[-1].trained.units == 2
    page = build_page(Filters(n.org_a, initiative=n.initiative), exact=True)
    (relative,) = [s for s in page.sections if s.ident.endswith("-r")]
    assert relative.table.rows[AROUND][0].value == "Training months"
    assert relative.table.rows[AROUND][2].value == 2
