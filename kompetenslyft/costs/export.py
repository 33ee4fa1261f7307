"""The costs in the funder report's Excel workbook (a "Costs" sheet) and PDF (a section),
through ``learning.funder_export.register_funder_sheets``: for the chosen initiative, to the
viewers of :mod:`.selectors` (the entries only to those who enter them), figures protected as
on the costs page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.defaultfilters import floatformat
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.learning.funder_export import ExtraSheet
from kompetenslyft.learning.templatetags.initiative_tags import money

from .figures import REMOTE, ZERO, CostFigures, cost_figures, has_costs, kind_rows, priced_entries
from .selectors import cost_view


def _hours(value: Decimal) -> str:
    return str(floatformat(value, "1g"))  # one decimal, as the dashboard writes hours


def in_currency(label: str, currency: str) -> str:
    """A heading with its currency once ("Total cost (SEK)"), so that the cells below or beside
    it carry only the number."""
    return f"{label} ({currency})"


def cost_rows(figures: CostFigures, hidden: str) -> tuple[list[list[Any]], list[list[str]]]:
    """(cells for Excel, texts for the PDF): the key figures, the costs by kind, the formats."""
    currency = figures.currency
    cells: list[list[Any]] = []
    texts: list[list[str]] = []

    def add(label: str, value: Any, text: str, *, money_row: bool = False, short: str = "") -> None:
        # Excel keeps the label and the number; the page and the PDF put the currency in the
        # label once and write the number alone ("Total cost (SEK)" | "505 676").
        cells.append([label, hidden if value is None else value, "" if value is None else text])
        shown = in_currency(short or label, currency) if money_row else label
        texts.append([shown, hidden if value is None else text, ""])

    add(_("Currency"), currency, currency)
    add(_("Unique participants"), figures.participants, str(figures.participants))
    add(_("Training hours"), figures.hours, _hours(figures.hours) if figures.hours is not None else "")
    for label, value in kind_rows(figures):
        add(label, value, money(value), money_row=True)
    add(_("Cost per participant"), figures.per_participant, money(figures.per_participant), money_row=True)
    add(_("Cost per training hour"), figures.per_hour, money(figures.per_hour), money_row=True)
    add(
        _("Travel saved (money)"),
        figures.travel_saved,
        money(figures.travel_saved),
        money_row=True,
        short=_("Travel saved"),  # "Travel saved (SEK)", not "Travel saved (money) (SEK)"
    )
    add(
        _("Travel saved (hours)"),
        figures.travel_hours_saved,
        _hours(figures.travel_hours_saved) if figures.travel_hours_saved is not None else "",
    )
    for cell_row in cells:
        cell_row.pop()  # Excel: the value alone (a number stays a number)
    header = [
        _("Format"),
        _("Unique participants"),
        _("Training hours"),
        in_currency(_("Cost"), currency),
        in_currency(_("Cost per participant"), currency),
        in_currency(_("Cost per training hour"), currency),
        in_currency(_("Travel saved"), currency),
    ]
    cells.append([])
    texts.append([])
    cells.append(header)
    texts.append(header)
    for fmt in figures.formats:
        concealed = fmt.participants is None  # hidden by the release; else None: nothing to divide

        def cell(value: Any, *, applies: bool = True, concealed: bool = concealed) -> Any:
            if not applies:
                return ""
            return (hidden if concealed else "–") if value is None else value

        remote = fmt.format in REMOTE
        values = [
            cell(fmt.participants),
            cell(fmt.hours),
            cell(fmt.cost),
            cell(fmt.per_participant),
            cell(fmt.per_hour),
            cell(fmt.travel_saved, applies=remote),
        ]
        cells.append([fmt.label, *values])
        texts.append(
            [
                fmt.label,
                *(
                    money(v)
                    if isinstance(v, Decimal) and i >= 2
                    else (_hours(v) if isinstance(v, Decimal) else str(v))
                    for i, v in enumerate(values)
                ),
            ]
        )
    if figures.unallocated:
        cells.append([_("Not tied to a format"), "", "", figures.unallocated])
        texts.append([_("Not tied to a format"), "", "", money(figures.unallocated)])
    return cells, texts


def _all_initiatives_sheet(request: Any, context: dict[str, Any]) -> list[ExtraSheet]:
    """The funder report with "all initiatives" (for viewers allowed it): one row per initiative
    with costs — its direct costs, working time and total, each as on its own report — and
    their sum per currency, so that the costs never vanish behind the choice."""
    access = access_for(request.user)
    header = [_("Initiative"), _("Direct costs"), _("Working time"), _("Total cost")]
    cells: list[list[Any]] = []
    texts: list[list[Any]] = []
    sums: dict[str, list[Decimal]] = {}
    for initiative in context.get("initiatives") or []:
        view = cost_view(access, initiative)
        if view is None or not has_costs(initiative):
            continue
        figures = cost_figures(initiative, exact=view.exact)
        currency = figures.currency
        values = [figures.direct, figures.working_time, figures.total]
        cells.append([initiative.name, *("–" if v is None else v for v in values)])
        texts.append([initiative.name, *("–" if v is None else money(v, currency) for v in values)])
        total = sums.setdefault(currency, [ZERO, ZERO, ZERO])
        for i, v in enumerate(values):
            total[i] += v or ZERO
    if not cells:
        return []
    for currency, total in sums.items():
        label = _("All initiatives (%(currency)s)") % {"currency": currency}
        cells.append([label, *total])
        texts.append([label, *(money(v, currency) for v in total)])
    return [
        ExtraSheet(
            title=_("Costs"),
            header=header,
            rows=cells,
            texts=texts,
            note=_(
                "All initiatives: one row per initiative with costs entered, and their sum. "
                "Choose an initiative for its costs per kind and format."
            ),
        )
    ]


def funder_sheets(request: Any, context: dict[str, Any]) -> list[ExtraSheet]:
    initiative = context.get("initiative")
    if initiative is None:
        return _all_initiatives_sheet(request, context)
    view = cost_view(access_for(request.user), initiative)
    if view is None or not has_costs(initiative):
        return []  # nothing entered yet: no sheet
    figures = cost_figures(initiative, exact=view.exact)
    hidden = _("hidden (fewer than %(k)s, or a smaller group could be worked out)") % {
        "k": initiative.organisation.anonymity_threshold
    }
    cells, texts = cost_rows(figures, hidden)
    if view.edits:
        entries = priced_entries(initiative)
        header = [
            _("Kind of cost"),
            _("Description"),
            _("Module"),
            in_currency(_("Amount"), figures.currency),
        ]
        cells += [[], header]
        texts += [[], header]
        for p in entries:
            module = p.entry.session.module if p.entry.session else p.entry.module
            cells.append(
                [
                    str(capfirst(p.entry.get_kind_display())),
                    p.entry.description,
                    module.code if module else "",
                    p.amount,
                ]
            )
            texts.append(
                [
                    str(capfirst(p.entry.get_kind_display())),
                    p.entry.description,
                    module.code if module else "",
                    money(p.amount),
                ]
            )
    return [
        ExtraSheet(
            title=_("Costs"),
            header=[_("Figure"), _("Value")],
            rows=cells,
            texts=texts,
            note=_("Amounts in %(currency)s.") % {"currency": figures.currency},
        )
    ]
