"""The costs' section of the dashboard (``evaluation.dashboard_page.register_sections``), shown
when one initiative is chosen: cost, participants and hours in total and per format, cost per
participant and per training hour, travel saved. The figures are the initiative's whole (the
dashboard's other filters do not apply), exact for the lead and protected for every other
viewer, as on the costs page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from kompetenslyft.evaluation import charts
from kompetenslyft.evaluation.dashboard_page import Section, SectionContext, Table, Value

from .figures import cost_figures, has_costs


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def cost_sections(context: SectionContext) -> list[Section]:
    initiative = context.filters.initiative
    if initiative is None:
        return []
    if not has_costs(initiative):
        return []
    figures = cost_figures(initiative, exact=context.exact)
    currency = figures.currency

    def row(
        label: str, people: Any, hours: Any, cost: Any, each: Any, per_hour: Any, travel: Any
    ) -> list[Value]:
        return [
            Value(label, "text"),
            Value(people),
            Value(_float(hours), "num"),
            Value(_float(cost), "money"),
            Value(_float(each), "money"),
            Value(_float(per_hour), "money"),
            Value(_float(travel), "money", blank=travel is None and people is not None),
        ]

    rows = [
        row(
            _("All formats"),
            figures.participants,
            figures.hours,
            figures.total,
            figures.per_participant,
            figures.per_hour,
            figures.travel_saved,
        )
    ]
    for r in figures.formats:
        rows.append(
            row(r.label, r.participants, r.hours, r.cost, r.per_participant, r.per_hour, r.travel_saved)
        )
    categories = [str(r[0].value) for r in rows]
    chart = charts.bar_chart(
        ident="costs",
        title=_("Cost per participant by format"),
        description=_(
            "The cost per unique participant, in total and for each format of the initiative's modules."
        ),
        categories=categories,
        series=[
            charts.Series(
                _("Cost per participant (%(currency)s)") % {"currency": currency},
                # whole kronor, as the table writes money (core.numbers)
                [None if r[4].value is None else round(r[4].value) for r in rows],
            )
        ],
        hidden_text=context.hidden,
        empty_text=context.empty,
    )
    table = Table(
        _("Costs compared between formats (%(currency)s)") % {"currency": currency},
        [
            _("Format"),
            _("Unique participants"),
            _("Training hours"),
            _("Cost"),
            _("Cost per participant"),
            _("Cost per training hour"),
            _("Travel saved"),
        ],
        rows,
    )
    note = _(
        "Costs are the initiative's whole: the unit, role, gender, module and period filters do not "
        "apply to them. Travel saved by remote formats: %(hours)s hours."
    ) % {
        "hours": "–"
        if figures.travel_hours_saved is None
        else str(floatformat(figures.travel_hours_saved, "1g"))
    }
    return [
        Section(
            "costs",
            _("Costs and benefit"),
            "",
            chart,
            table,
            note=note,
            short_title=_("Costs"),
        )
    ]
