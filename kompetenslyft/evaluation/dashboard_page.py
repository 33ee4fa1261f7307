"""The dashboard as sections — a chart and its table each — that the page, the Excel workbook
and the PDF all render: the figures of :mod:`.dashboard`, in the person's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kompetenslyft.assessment.models import LATEST
from kompetenslyft.assessment.selectors import measurement_periods
from kompetenslyft.core.numbers import money_text, share_text
from kompetenslyft.learning.models import Module

from . import charts
from .dashboard import Filters, describe_filters
from .dashboard_evaluation import evaluation_months, evaluation_total, modules_present, response_rates
from .dashboard_gap import gap, goal_attainment
from .dashboard_participation import participation
from .models import ITEMS
from .summary import versions_pinned

GENDER_ORDER = ("woman", "man", "other")


@dataclass(frozen=True)
class Value:
    """One table cell: ``kind`` is text, int, num (hours), money (an amount), pct (a fraction
    0–1) or pp (a difference of two fractions); ``value`` None = hidden (or, with ``blank``, not applicable)."""

    value: Any
    kind: str = "int"
    blank: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None and not self.blank

    @property
    def numeric(self) -> bool:
        return self.kind != "text"

    @property
    def display(self) -> str:
        return self.text("")

    def text(self, hidden_text: str, style: tuple[str, str] | None = None) -> str:
        """The value written for a person, in the active language's number format (``style``:
        its decimal and thousand separators, looked up once per table by the caller)."""
        if self.value is None:
            return "–" if self.blank else hidden_text
        decimal, thousand = style or number_style()
        if self.kind == "pct":
            return share_text(self.value, places=1, space=" ")
        if self.kind == "pp":
            sign = "+" if self.value > 0 else ("−" if self.value < 0 else "±")
            return f"{sign}{_number(abs(self.value) * 100, 1, decimal, thousand)}"
        if self.kind == "num":
            return _number(self.value, 1, decimal, thousand)
        if self.kind == "int":
            return _number(self.value, 0, decimal, thousand)
        if self.kind == "money":  # whole kronor, as everywhere (core.numbers)
            return money_text(self.value)
        return str(self.value)


def number_style() -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))


def _number(value: float, places: int, decimal: str, thousand: str) -> str:
    text = f"{value:,.{places}f}"
    if text.startswith("-"):
        text = "\u2212" + text[1:]  # the minus sign (U+2212), not the hyphen-minus
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousand)


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[Value]]


@dataclass
class Section:
    ident: str
    title: str
    description: str
    chart: SafeString
    table: Table
    note: str = ""
    hidden_text: str = ""
    short_title: str = ""  # an Excel sheet's name (31 characters at most, whole words)
    blank_note: str = ""  # what "–" (no figure, not hidden) means in this table, said below it

    @property
    def has_hidden(self) -> bool:
        """Whether a figure of the table is hidden (its mark is then explained once below)."""
        return any(value.hidden for row in self.table.rows for value in row[1:])

    @property
    def shows_blank_note(self) -> bool:
        """Whether to say under the table what its "–" means: it has one, and a note for it."""
        return bool(self.blank_note) and any(
            value.value is None and value.blank for row in self.table.rows for value in row[1:]
        )

    def table_html(self) -> SafeString:
        """The data table (a caption, column and row headers), written here rather than by the
        template engine: a large organisation's tables have thousands of cells."""
        table = self.table
        hidden = escape(self.hidden_text)
        style = number_style()
        numeric = ' class="num"'
        head = "".join(
            f'<th scope="col"{numeric if i else ""}>{escape(column)}</th>'
            for i, column in enumerate(table.columns)
        )
        body = []
        for row in table.rows:
            cells = [f'<th scope="row">{escape(row[0].value)}</th>']
            for value in row[1:]:
                if value.hidden:
                    cells.append(f'<td class="hidden-figure">{hidden}</td>')
                else:
                    cells.append(f'<td class="num">{escape(value.text("", style))}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        if not body:
            body.append(
                f'<tr><td colspan="{len(table.columns)}">{escape(_("No data for this choice yet."))}</td></tr>'
            )
        html = (
            f"<table><caption>{escape(table.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )
        return mark_safe(html)  # noqa: S308 - every piece of text above is escaped


@dataclass
class Page:
    filters: Filters
    exact: bool
    threshold: int
    hidden_text: str  # the short mark written in a hidden figure's place
    hidden_note: str  # what the mark means, said once under each table
    sections: list[Section] = field(default_factory=list)
    filter_rows: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _text(value: Any) -> Value:
    return Value(str(value), "text")


def _na() -> Value:
    return Value(None, "text", blank=True)


def item_names() -> dict[str, str]:
    return {
        "motivated": _("Motivated"),
        "method_good": _("Good way of learning"),
        "important": _("Important for the job"),
        "will_use": _("Will use it"),
    }


def level_names() -> dict[str, str]:
    return {"too_easy": _("Too easy"), "right": _("Right level"), "too_hard": _("Too hard")}


@dataclass(frozen=True)
class SectionContext:
    """What a section of another app is built from: the dashboard's filters, whether the viewer
    sees exact figures (else every figure passes core.disclosure), and the page's texts for a
    hidden figure and for no data."""

    filters: Filters
    exact: bool
    hidden: str
    empty: str


SectionBuilder = Callable[[SectionContext], list[Section]]
_extra_sections: list[SectionBuilder] = []


def register_sections(builder: SectionBuilder) -> None:
    """Add sections from another app (knowledge tests, follow-ups, indicators, costs …) after
    the evaluation's own; apps register in their ``AppConfig.ready``, so the dashboard imports
    none of them. Registering twice is harmless."""
    if builder not in _extra_sections:
        _extra_sections.append(builder)


@versions_pinned()
def build_page(filters: Filters, *, exact: bool) -> Page:
    k = filters.organisation.anonymity_threshold
    hidden = _("hidden*")
    note = "* " + _("hidden (fewer than %(k)s, or a smaller group could be worked out)") % {"k": k}
    empty = _("No data for this choice yet.")
    people = participation(filters, exact=exact)
    page = Page(filters, exact, k, hidden, note, filter_rows=describe_filters(filters, people))
    if not exact:
        page.notes.append(
            _(
                "You see aggregates only: no figure for fewer than %(k)s people or answers, nor "
                "where such a group could be worked out from the others."
            )
            % {"k": k}
        )
        page.notes.append(
            _(
                "Participants and hours are the funder report's figures: one initiative over "
                "its whole period, by unit, role and gender; the period and module filters do "
                "not apply to them. Completion is shown for the whole initiative only."
            )
        )
    page.notes.append(_("Evaluation results are shown for groups of %(k)s answers or more only.") % {"k": k})
    page.sections.append(_participants(filters, people, hidden, empty))
    page.sections.append(_completion(people, hidden, empty))
    gap_figures = gap(filters, exact=exact)
    goals = goal_attainment(filters, people, exact=exact)
    if filters.initiative is not None:
        page.sections.append(_goals(filters, goals, hidden, empty))
    modules = _modules(filters)
    figures = {m.pk: evaluation_total(filters, m) for m in modules}
    page.sections.append(_rates(filters, modules, figures, exact, hidden, empty))
    shares = _shares(evaluation_total(filters), modules, figures, hidden, empty)
    if _answers_left_out(filters, modules, figures, exact=exact):
        left_out = _(
            "Answers in groups too small to show (fewer than %(k)s, such as a module's answers of "
            "one month) are left out of these figures for everyone, so a module can have fewer "
            "answers here than requests answered above."
        ) % {"k": k}
        for section in shares:
            section.note = left_out
    page.sections.extend(shares)
    page.sections.append(_trend(evaluation_months(filters), hidden, empty))
    gap_note = _(
        "The gap figures are not split by gender nor by month: the gender and period filters do "
        "not apply to them."
    )
    page.sections.append(_movement(gap_figures, hidden, empty, gap_note))
    page.sections.append(
        _closing(gap_figures, measurement_periods(filters.organisation), hidden, empty, gap_note)
    )
    context = SectionContext(filters, exact, hidden, empty)
    for builder in _extra_sections:
        page.sections.extend(builder(context))
    for section in page.sections:
        section.hidden_text = hidden
    return page


def _modules(filters: Filters) -> list[Module]:
    return modules_present(filters)


def _gender_names() -> dict[str, str]:
    return {"woman": _("Women"), "man": _("Men"), "other": _("Other or unspecified")}


def _participants(filters: Filters, people: Any, hidden: str, empty: str) -> Section:
    names = _gender_names()
    genders = [g for g in GENDER_ORDER if filters.gender in (None, g)]
    rows: list[list[Value]] = []
    categories = [_("All participants")] + [names[g] for g in genders]
    values = [people.participants.get("total")] + [people.participants.get(g) for g in genders]
    # The targets are set for the whole initiative: a narrower selection is not compared with
    # them (the note says so).
    whole = filters.is_whole_initiative
    target_count = people.target_count if whole else None
    target_women = people.target_women if whole else None
    targets: list[float | None] = [target_count] + [target_women if g == "woman" else None for g in genders]
    for label, key in [(_("All participants"), "total"), *[(names[g], g) for g in genders]]:
        target = target_count if key == "total" else (target_women if key == "woman" else None)
        rows.append(
            [
                _text(label),
                Value(people.participants.get(key)),
                Value(people.hours.get(key), "num"),
                Value(round(target) if target is not None else None, "int", blank=target is None),
            ]
        )
    has_any = any(v is not None for v in values)
    chart = (
        charts.bar_chart(
            ident="participants",
            title=_("Unique participants by gender"),
            description=_(
                "Unique participants in total and by gender, with the initiative's targets as dashed marks."
            ),
            categories=categories,
            series=[charts.Series(_("Unique participants"), values)],
            hidden_text=hidden,
            empty_text=empty,
            targets=targets if any(t is not None for t in targets) else None,
            target_label=_("Target"),
        )
        if has_any or any(v is None for v in values)
        else charts.empty_chart(
            ident="participants", title=_("Unique participants by gender"), description="", message=empty
        )
    )
    table = Table(
        _("Unique participants and training hours"),
        [_("Group"), _("Unique participants"), _("Training hours"), _("Target")],
        rows,
    )
    note = "" if whole or people.target_count is None else _target_note()
    return Section(
        "participants",
        _("Unique participants by gender"),
        "",
        chart,
        table,
        note=note,
        short_title=_("Participants"),
    )


def _target_note() -> str:
    return _(
        "The targets apply to the whole initiative: they are compared only when no unit, module, "
        "role, gender or period is chosen."
    )


def _completion(people: Any, hidden: str, empty: str) -> Section:
    total = people.participants.get("total")
    completed = people.completed.get("total")
    assigned = people.assigned
    rate = completed / total if total and completed is not None else None
    rows = [
        [_text(_("Assigned a module")), Value(assigned)],
        [_text(_("Took part")), Value(total)],
        [_text(_("Completed")), Value(completed)],
        [_text(_("Completed, share of those who took part")), Value(rate, "pct", blank=total == 0)],
    ]
    if assigned is not None and total is not None:
        rows.append(
            [
                _text(_("Took part, share of those assigned")),
                Value(total / assigned if assigned else None, "pct", blank=not assigned),
            ]
        )
    chart = charts.bar_chart(
        ident="completion",
        title=_("Completion"),
        description=_("People assigned a module, people who took part and people who completed."),
        categories=[_("Assigned a module"), _("Took part"), _("Completed")],
        series=[charts.Series(_("People"), [assigned, total, completed])],
        hidden_text=hidden,
        empty_text=empty,
    )
    return Section(
        "completion",
        _("Completion"),
        "",
        chart,
        Table(_("Completion"), [_("Figure"), _("Value")], rows),
        short_title=_("Completion"),
    )


def _goals(filters: Filters, goals: list[Any], hidden: str, empty: str) -> Section:
    if not filters.is_whole_initiative:
        # A target is set for the whole initiative: a unit, role, gender, module or month is
        # not held against it.
        rows = [
            [
                _text(g.goal.description or g.goal.get_kind_display()),
                Value(g.target, "pct" if g.is_share else "int", blank=g.target is None),
            ]
            for g in goals
        ]
        chart = charts.empty_chart(
            ident="goals", title=_("Goal attainment"), description="", message=_target_note()
        )
        table = Table(_("Goal attainment"), [_("Goal"), _("Target for the whole initiative")], rows)
        return Section(
            "goals",
            _("Goal attainment"),
            "",
            chart,
            table,
            note=_target_note(),
            short_title=_("Goal attainment"),
        )
    rows = []
    categories, reached, targets = [], [], []
    for g in goals:
        label = g.goal.description or g.goal.get_kind_display()
        kind = "pct" if g.is_share else "int"
        rows.append([_text(label), Value(g.target, kind, blank=g.target is None), Value(g.reached, kind)])
        if g.is_share:
            categories.append(label)
            reached.append(g.reached)
            targets.append(g.target)
    chart = charts.bar_chart(
        ident="goals",
        title=_("Goal attainment"),
        description=_(
            "Share of the target group's people who reach the required level in all the goal's "
            "competences (one not assessed counts as not reached), against the target."
        ),
        categories=categories,
        series=[charts.Series(_("Reached"), reached)],
        percent=True,
        maximum=1.0,
        hidden_text=hidden,
        empty_text=_("The initiative has no goal on reaching the knowledge goals."),
        targets=targets,
        target_label=_("Target"),
    )
    table = Table(_("Goal attainment"), [_("Goal"), _("Target"), _("Reached")], rows)
    return Section("goals", _("Goal attainment"), "", chart, table, short_title=_("Goal attainment"))


def _rates(
    filters: Filters,
    modules: list[Module],
    figures: dict[int, dict[str, Any]],
    exact: bool,
    hidden: str,
    empty: str,
) -> Section:
    """Requests, and those answered with the rate only where the evaluation figure of the same
    module and filters is shown: an answered count is a count of answers, hidden as they are."""
    rates = response_rates(filters, modules, exact=exact)
    rows = []
    shown_rates: list[float | None] = []
    for r in rates:
        answers_shown = figures[r.module.pk]["responses"] is not None
        answered = r.answered if answers_shown else None
        rate = r.rate if answers_shown and r.requests else None
        rows.append(
            [
                _text(r.module.name),
                Value(r.requests),
                Value(answered),
                Value(rate, "pct", blank=r.requests == 0),
            ]
        )
        shown_rates.append(rate)
    chart = charts.bar_chart(
        ident="rates",
        title=_("Evaluation response rates"),
        description=_("Share of evaluation requests answered, per module."),
        categories=[r.module.name for r in rates],
        series=[charts.Series(_("Response rate"), shown_rates)],
        percent=True,
        maximum=1.0,
        hidden_text=hidden,
        empty_text=empty,
        blank_text=_("no requests"),
        blank=[r.requests == 0 for r in rates],
    )
    table = Table(
        _("Evaluation response rates per module"),
        [_("Module"), _("Requests"), _("Answered"), _("Response rate")],
        rows,
    )
    return Section("rates", _("Evaluation response rates"), "", chart, table, short_title=_("Response rates"))


def _answers_left_out(
    filters: Filters, modules: list[Module], figures: dict[int, dict[str, Any]], *, exact: bool
) -> bool:
    """Whether a module shows fewer answers than requests answered (its answers in groups under
    the threshold are left out of the evaluation figures, for everyone)."""
    for rate in response_rates(filters, modules, exact=exact):
        responses = figures[rate.module.pk]["responses"]
        if responses is not None and rate.answered is not None and rate.answered > responses:
            return True
    return False


def _figure_values(figure: dict[str, Any]) -> list[Value]:
    """Responses, the four shares and the level split; with no answers the shares are "–"
    (there is no share of nothing), never 0 %."""
    none = figure["responses"] == 0
    return [
        Value(figure["responses"]),
        *[Value(None if none else figure[f"{item}_share"], "pct", blank=none) for item in ITEMS],
        *[Value(None if none else figure["level"][key], "pct", blank=none) for key in level_names()],
    ]


def _chart_value(figure: dict[str, Any], value: Any) -> Any:
    return None if not figure["responses"] else value


def _shares(
    total: dict[str, Any],
    modules: list[Module],
    figures: dict[int, dict[str, Any]],
    hidden: str,
    empty: str,
) -> list[Section]:
    """Per module, each figure the selection narrowed to the module (a total: answers without
    a person count in it, so the modules add up to the selection)."""
    names = item_names()
    levels = level_names()
    labelled: list[tuple[str, dict[str, Any]]] = [(m.name, figures[m.pk]) for m in modules]
    rows = [
        [_text(label), *_figure_values(figure)] for label, figure in [(_("All modules"), total), *labelled]
    ]
    categories = [label for label, _f in labelled]
    blank = [f["responses"] == 0 for _l, f in labelled]
    no_answers = _("no answers")
    series = [
        charts.Series(names[item], [_chart_value(f, f[f"{item}_share"]) for _l, f in labelled])
        for item in ITEMS
    ]
    shares_chart = charts.bar_chart(
        ident="shares",
        title=_("Evaluation shares per module"),
        description=_("Share of answers 3 or 4 on each of the four evaluation questions, per module."),
        categories=categories,
        series=series,
        percent=True,
        maximum=1.0,
        hidden_text=hidden,
        empty_text=empty,
        blank_text=no_answers,
        blank=blank,
    )
    level_chart = charts.stacked_bar_chart(
        ident="levels",
        title=_("Level of the module"),
        description=_(
            "Share of answers finding the module too easy, at the right level or too hard, per module."
        ),
        categories=categories,
        parts=[
            charts.Series(levels[key], [_chart_value(f, f["level"][key]) for _l, f in labelled])
            for key in levels
        ],
        hidden_text=hidden,
        empty_text=empty,
        blank_text=no_answers,
        blank=blank,
    )
    columns = [_("Module"), _("Responses"), *[names[i] for i in ITEMS], *levels.values()]
    level_rows = [[row[0], row[1], *row[6:]] for row in rows]
    return [
        Section(
            "shares",
            _("Evaluation shares per module"),
            "",
            shares_chart,
            Table(_("Evaluation shares per module"), columns[:6], [row[:6] for row in rows]),
            short_title=_("Shares per module"),
        ),
        Section(
            "levels",
            _("Level of the module"),
            "",
            level_chart,
            Table(_("Level of the module"), [columns[0], columns[1], *levels.values()], level_rows),
            short_title=_("Level per module"),
        ),
    ]


def _trend(months: list[tuple[str, dict[str, Any]]], hidden: str, empty: str) -> Section:
    """From the first to the last month with answers in the period, each month the selection
    narrowed to it; a month without answers breaks the lines and says so in the table."""
    names = item_names()
    chart = charts.line_chart(
        ident="trend",
        title=_("Evaluation shares month by month"),
        description=_("Share of answers 3 or 4 on each of the four evaluation questions, per month."),
        labels=[label for label, _f in months],
        series=[
            charts.Series(names[item], [_chart_value(f, f[f"{item}_share"]) for _l, f in months])
            for item in ITEMS
        ],
        empty_text=empty,
    )
    rows = [[_text(label), *_figure_values(figure)[:5]] for label, figure in months]
    table = Table(
        _("Evaluation shares month by month"), [_("Month"), _("Responses"), *[names[i] for i in ITEMS]], rows
    )
    return Section(
        "trend", _("Evaluation shares month by month"), "", chart, table, short_title=_("Month by month")
    )


def _movement(figures: Any, hidden: str, empty: str, note: str) -> Section:
    base_point = 0 if 0 in figures.points else None
    rows = []
    categories, before, after = [], [], []
    for competence in figures.competences:
        first = figures.cells.get((base_point, competence.pk)) if base_point is not None else None
        last = figures.cells[(LATEST, competence.pk)]
        a = first.share_reaching if first else None
        b = last.share_reaching
        change = b - a if a is not None and b is not None else None
        rows.append(
            [
                _text(competence.name),
                Value(first.assessed if first else None, blank=first is None),
                Value(a, "pct", blank=first is None),
                Value(last.assessed),
                Value(b, "pct"),
                Value(change, "pp", blank=first is None),
            ]
        )
        categories.append(competence.name)
        before.append(a)
        after.append(b)
    chart = charts.bar_chart(
        ident="movement",
        title=_("Movement from the baseline"),
        description=_(
            "Share of the people assessed who reach the required level, at the baseline (measurement point 0) and at each person's latest self-assessment, per competence."
        ),
        categories=categories,
        series=[charts.Series(_("Baseline"), before), charts.Series(_("Latest"), after)],
        percent=True,
        maximum=1.0,
        hidden_text=hidden,
        empty_text=empty,
    )
    table = Table(
        _("Movement from the baseline"),
        [
            _("Competence"),
            _("Assessed at the baseline"),
            _("Reaching at the baseline"),
            _("Assessed, latest"),
            _("Reaching, latest"),
            _("Change, percentage points"),
        ],
        rows,
    )
    return Section(
        "movement",
        _("Movement from the baseline"),
        "",
        chart,
        table,
        note=note,
        short_title=_("Movement"),
    )


def period_text(first: dt.date, last: dt.date) -> str:
    """A measurement point's period in the page's language's date format (one day alone)."""
    start = date_format(first, "SHORT_DATE_FORMAT")
    return start if first == last else f"{start} – {date_format(last, 'SHORT_DATE_FORMAT')}"


def _closing(
    figures: Any, periods: dict[int, tuple[dt.date, dt.date]], hidden: str, empty: str, note: str
) -> Section:
    """Per measurement point, with its period (its answers' first and last day): the chart's
    points are labelled with the day each began."""
    points = [p for p in figures.points if p != LATEST]
    rows = []
    shares = []
    for point in points:
        total = figures.total(point)
        period = periods.get(point)
        rows.append(
            [
                _text(str(point)),
                _text(period_text(*period)) if period else _na(),
                Value(total.assessed),
                Value(total.below),
                Value(total.share_below, "pct"),
            ]
        )
        shares.append(total.share_below)
    chart = charts.line_chart(
        ident="closing",
        title=_("The gap closing over time"),
        description=_(
            "Share of the self-assessments below the required level, per measurement point (0 is the baseline)."
        ),
        labels=[date_format(periods[p][0], "SHORT_DATE_FORMAT") if p in periods else str(p) for p in points],
        series=[charts.Series(_("Below the required level"), shares)],
        empty_text=empty,
    )
    table = Table(
        _("The gap closing over time"),
        [
            _("Measurement point"),
            _("Period"),
            _("Assessed"),
            _("Below the required level"),
            _("Share below"),
        ],
        rows,
    )
    return Section(
        "closing",
        _("The gap closing over time"),
        "",
        chart,
        table,
        note=note,
        short_title=_("Gap over time"),
    )
