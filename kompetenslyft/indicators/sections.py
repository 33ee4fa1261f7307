"""The indicator sections (a chart and its table each) on the dashboard and on an indicator's
page: the values around the training period, on the calendar and relative to each unit's own
training (see :mod:`.figures`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.evaluation.charts import Series, empty_chart
from kompetenslyft.evaluation.dashboard import month_text
from kompetenslyft.evaluation.dashboard_page import Section, SectionContext, Table, Value
from kompetenslyft.learning.models import Initiative

from .charts import period_line_chart
from .figures import AROUND, Around, around, training
from .models import Indicator
from .selectors import indicators_of_initiative


def phase_names() -> dict[str, str]:
    return {"before": _("Before"), "during": _("During"), "after": _("After")}


def _text(value: str) -> Value:
    return Value(value, "text")


def _na() -> Value:
    return Value(None, "text", blank=True)


def _num(value: float | None) -> Value:
    return Value(value, "num", blank=value is None)


def _int(value: int) -> Value:
    return Value(value, "int")


def offset_label(offset: int) -> str:
    if offset < 0:
        return ngettext("%(n)s month before", "%(n)s months before", -offset) % {"n": -offset}
    if offset > 0:
        return ngettext("%(n)s month after", "%(n)s months after", offset) % {"n": offset}
    return _("Training months")


def sections_for(figures: Around, *, empty: str, prefix: str = "indicator") -> list[Section]:
    indicator, initiative = figures.indicator, figures.initiative
    ident = f"{prefix}-{indicator.pk}-{initiative.pk}"
    symbol = indicator.symbol
    trained_name = _("Units that trained")
    comparison_name = _("Units that did not train")
    better = indicator.get_better_display()
    target = float(indicator.target) if indicator.target is not None else None
    period = figures.period
    phases = phase_names()
    labels = [month_text(row.month) for row in figures.calendar]
    band = None
    if period is not None and figures.calendar:
        inside = [j for j, row in enumerate(figures.calendar) if row.phase == "during"]
        if inside:
            band = (inside[0], inside[-1])
    subtitle = _("%(indicator)s (%(unit)s, %(better)s) around %(initiative)s") % {
        "indicator": indicator.name,
        "unit": symbol,
        "better": better,
        "initiative": initiative.name,
    }
    count_note = _(
        "%(trained)s units trained, %(other)s other units with values did not train in the "
        "initiative; no unit is in both groups. Each line is the plain mean of the units' values."
    ) % {"trained": figures.trained_units, "other": figures.compared_units}
    if period is not None:
        period_text = f"{month_text(period[0])} – {month_text(period[1])}"
    else:
        period_text = _("no training period")
    description = _(
        "The indicator's monthly mean for the units that trained and for those that did not; "
        "the training period %(period)s is shaded."
    ) % {"period": period_text}
    chart = period_line_chart(
        ident=ident,
        title=subtitle,
        description=description,
        labels=labels,
        series=[
            Series(trained_name, [row.trained.mean for row in figures.calendar]),
            Series(comparison_name, [row.comparison.mean for row in figures.calendar]),
        ],
        band=band,
        band_label=_("Training period"),
        target=target,
        target_label=_("Target"),
        empty_text=empty,
    )
    rows = [
        [
            _text(month_text(row.month)),
            _text(phases[row.phase]),
            _num(row.trained.mean),
            _int(row.trained.units),
            _num(row.comparison.mean),
            _int(row.comparison.units),
        ]
        for row in figures.calendar
    ]
    table = Table(
        subtitle,
        [
            _("Month"),
            _("Phase"),
            f"{trained_name} ({symbol})",
            _("Units"),
            f"{comparison_name} ({symbol})",
            _("Units"),
        ],
        rows,
    )
    calendar = Section(
        ident,
        subtitle,
        description,
        chart,
        table,
        note=count_note,
        short_title=_cut_words(indicator.name, 31),
    )
    relative_rows = [r for r in figures.relative]
    has_relative = any(r.trained.units for r in relative_rows)
    relative_title = _("%(indicator)s relative to each unit's own training") % {"indicator": indicator.name}
    relative_description = _(
        "The units that trained, from %(n)s months before their first training month to %(n)s "
        "months after their last, beside the units that did not train in the same calendar months."
    ) % {"n": AROUND}
    relative_labels = [offset_label(r.offset) for r in relative_rows]
    if has_relative:
        zero = next(j for j, r in enumerate(relative_rows) if r.offset == 0)
        relative_chart = period_line_chart(
            ident=f"{ident}-r",
            title=relative_title,
            description=relative_description,
            labels=[_short_offset(r.offset) for r in relative_rows],
            series=[
                Series(trained_name, [r.trained.mean for r in relative_rows]),
                Series(comparison_name, [r.comparison for r in relative_rows]),
            ],
            band=(zero, zero),
            band_label=_("Training months"),
            target=target,
            target_label=_("Target"),
            empty_text=empty,
        )
    else:
        relative_chart = empty_chart(
            ident=f"{ident}-r", title=relative_title, description="", message=_("No unit has trained yet.")
        )
    relative_table = Table(
        relative_title,
        [_("Months"), f"{trained_name} ({symbol})", _("Units"), f"{comparison_name} ({symbol})"],
        [
            [_text(label), _num(r.trained.mean), _int(r.units), _num(r.comparison)]
            for label, r in zip(relative_labels, relative_rows, strict=True)
        ]
        if has_relative
        else [],
    )
    relative = Section(
        f"{ident}-r",
        relative_title,
        relative_description,
        relative_chart,
        relative_table,
        short_title=_cut_words(_("%(indicator)s, relative") % {"indicator": indicator.name}, 31),
    )
    return [calendar, relative]


def _short_offset(offset: int) -> str:
    return f"{offset:+d}".replace("-", "\u2212") if offset else "0"


def _cut_words(text: str, n: int) -> str:
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut or text[:n]


def initiative_sections(
    initiative: Initiative,
    indicators: list[Indicator],
    *,
    exact: bool,
    empty: str,
    paths: tuple[str, ...] | None = None,
    month_from: object = None,
    month_to: object = None,
    prefix: str = "indicator",
) -> list[Section]:
    k = initiative.organisation.anonymity_threshold
    min_people = 1 if exact else k
    trained = training(initiative, min_people=min_people, paths=paths)
    sections: list[Section] = []
    for indicator in indicators:
        figures = around(
            indicator,
            initiative,
            min_people=min_people,
            paths=paths,
            trained=trained,
            month_from=month_from,  # type: ignore[arg-type]
            month_to=month_to,  # type: ignore[arg-type]
        )
        sections.extend(sections_for(figures, empty=empty, prefix=prefix))
    return sections


def dashboard_sections(context: SectionContext) -> list[Section]:
    """The dashboard's indicator sections: those linked to the chosen initiative, within the
    chosen unit and period (the role, gender and module filters do not apply to them)."""
    filters = context.filters
    if filters.initiative is None:
        return _unchosen(context)
    indicators = list(indicators_of_initiative(filters.initiative))
    if not indicators:
        return []
    sections = initiative_sections(
        filters.initiative,
        indicators,
        exact=context.exact,
        empty=context.empty,
        paths=(filters.unit.path,) if filters.unit is not None else None,
        month_from=filters.month_from,
        month_to=filters.month_to,
    )
    scope = _(
        "Indicators are the units' own figures: the role, gender and module filters do not apply to them."
    )
    note = f"{scope} {trained_rule(context.exact, filters.organisation.anonymity_threshold)}"
    for section in sections[:1]:
        section.note = f"{section.note} {note}".strip()
    return sections


def trained_rule(exact: bool, k: int) -> str:
    """When a unit counts as trained: for a viewer of exact figures once anyone of it took
    part (``initiative_sections``' ``min_people`` 1), else once k people or more did, and
    until the last month from which k or more still took part (ADR 0010)."""
    if exact:
        return _("A unit counts as trained once someone of it has taken part.")
    start = ngettext(
        "A unit counts as trained once %(k)s person or more of it has taken part.",
        "A unit counts as trained once %(k)s people or more of it have taken part.",
        k,
    ) % {"k": k}
    end = ngettext(
        "Its training months end with the last month from which %(k)s person or more of it still took part.",
        "Its training months end with the last month from which %(k)s people or more of it still took part.",
        k,
    ) % {"k": k}
    return f"{start} {end}"


def _unchosen(context: SectionContext) -> list[Section]:
    """Without an initiative: the organisation's linked indicators, and how to see them."""
    from .models import Indicator

    linked = (
        Indicator.objects.filter(organisation=context.filters.organisation, archived_at__isnull=True)
        .filter(initiatives__isnull=False)
        .prefetch_related("initiatives")
        .distinct()
        .order_by("name")
    )
    rows = [[_text(i.name), _text(", ".join(sorted(x.name for x in i.initiatives.all())))] for i in linked]
    if not rows:
        return []
    message = _("Choose an initiative to see its indicators around the training period.")
    return [
        Section(
            "indicators",
            _("Indicators"),
            "",
            empty_chart(ident="indicators", title=_("Indicators"), description="", message=message),
            Table(_("Indicators linked to initiatives"), [_("Indicator"), _("Initiatives")], rows),
            note=message,
            short_title=_("Indicators"),
        )
    ]
