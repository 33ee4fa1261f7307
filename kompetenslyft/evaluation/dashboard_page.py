"""The dashboard as sections — a chart and its table each — that the page, the Excel workbook
and the PDF all render: the figures of :mod:`.dashboard`, in the person's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kompetenslyft.assessment.models import LATEST
from kompetenslyft.learning.models import Module

from . import charts
from .dashboard import (
    Filters,
    describe_filters,
    evaluation_by,
    gap,
    goal_attainment,
    modules_present,
    participation,
    response_rates,
)
from .models import ITEMS

GENDER_ORDER = ("woman", "man", "other")


@dataclass(frozen=True)
class Value:
    """One table cell: ``kind`` is text, int, num (hours), pct (a fraction 0–1) or pp (a
    difference of two fractions); ``value`` None = hidden (or, with ``blank``, not applicable)."""

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
            return f"{_number(self.value * 100, 1, decimal, thousand)} %"
        if self.kind == "pp":
            sign = "+" if self.value > 0 else ("−" if self.value < 0 else "±")
            return f"{sign}{_number(abs(self.value) * 100, 1, decimal, thousand)}"
        if self.kind == "num":
            return _number(self.value, 1, decimal, thousand)
        if self.kind == "int":
            return _number(self.value, 0, decimal, thousand)
        return str(self.value)


def number_style() -> tuple[str, str]:
    return str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR"))


def _number(value: float, places: int, decimal: str, thousand: str) -> str:
    text = f"{value:,.{places}f}"
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
    hidden_text: str
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


def build_page(filters: Filters, *, exact: bool) -> Page:
    k = filters.organisation.anonymity_threshold
    hidden = _("hidden (fewer than %(k)s, or a smaller group could be worked out)") % {"k": k}
    empty = _("No data for this choice yet.")
    people = participation(filters, exact=exact)
    page = Page(filters, exact, k, hidden, filter_rows=describe_filters(filters, people))
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
                "Participants, hours and completion are counted for one initiative over its "
                "whole period, by unit and gender: the period, module and role filters do not "
                "apply to them."
            )
        )
    page.notes.append(_("Evaluation results are shown for groups of %(k)s answers or more only.") % {"k": k})
    page.sections.append(_participants(filters, people, hidden, empty))
    page.sections.append(_completion(people, hidden, empty))
    gap_figures = gap(filters, exact=exact)
    goals = goal_attainment(filters, people, gap_figures)
    if filters.initiative is not None:
        page.sections.append(_goals(goals, hidden, empty))
    modules = _modules(filters)
    page.sections.append(_rates(filters, modules, exact, hidden, empty))
    by_module = evaluation_by(filters, "module")
    page.sections.extend(_shares(by_module, modules, hidden, empty))
    page.sections.append(_trend(evaluation_by(filters, "month"), hidden, empty))
    page.sections.append(_movement(gap_figures, hidden, empty))
    page.sections.append(_closing(gap_figures, hidden, empty))
    for section in page.sections:
        section.hidden_text = hidden
    if filters.gender is not None:
        page.notes.append(
            _("The gap figures are not split by gender: the gender filter does not apply to them.")
        )
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
    targets: list[float | None] = [people.target_count] + [
        people.target_women if g == "woman" else None for g in genders
    ]
    for label, key in [(_("All participants"), "total"), *[(names[g], g) for g in genders]]:
        target = people.target_count if key == "total" else (people.target_women if key == "woman" else None)
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
    return Section("participants", _("Unique participants by gender"), "", chart, table)


def _completion(people: Any, hidden: str, empty: str) -> Section:
    total = people.participants.get("total")
    completed = people.completed.get("total")
    assigned = people.assigned
    rate = completed / total if total and completed is not None else (None if total is None else 0.0)
    rows = [
        [_text(_("Assigned a module")), Value(assigned, blank=assigned is None and not people.protected)],
        [_text(_("Took part")), Value(total)],
        [_text(_("Completed")), Value(completed)],
        [_text(_("Completed, share of those who took part")), Value(rate, "pct")],
    ]
    if assigned is not None and total is not None:
        rows.append(
            [
                _text(_("Took part, share of those assigned")),
                Value(total / assigned if assigned else 0.0, "pct"),
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
        "completion", _("Completion"), "", chart, Table(_("Completion"), [_("Figure"), _("Value")], rows)
    )


def _goals(goals: list[Any], hidden: str, empty: str) -> Section:
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
            "Share of the people assessed who reach the required level of the goal's competences, against the target."
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
    return Section("goals", _("Goal attainment"), "", chart, table)


def _rates(filters: Filters, modules: list[Module], exact: bool, hidden: str, empty: str) -> Section:
    rates = response_rates(filters, modules, exact=exact)
    rows = [[_text(r.module.name), Value(r.requests), Value(r.answered), Value(r.rate, "pct")] for r in rates]
    chart = charts.bar_chart(
        ident="rates",
        title=_("Evaluation response rates"),
        description=_("Share of evaluation requests answered, per module."),
        categories=[r.module.name for r in rates],
        series=[charts.Series(_("Response rate"), [r.rate for r in rates])],
        percent=True,
        maximum=1.0,
        hidden_text=hidden,
        empty_text=empty,
    )
    table = Table(
        _("Evaluation response rates per module"),
        [_("Module"), _("Requests"), _("Answered"), _("Response rate")],
        rows,
    )
    return Section("rates", _("Evaluation response rates"), "", chart, table)


def _shares(result: dict[str, Any], modules: list[Module], hidden: str, empty: str) -> list[Section]:
    by_code = {g["key"]: g for g in result.get("groups", [])}
    names = item_names()
    levels = level_names()
    labelled: list[tuple[str, dict[str, Any]]] = [
        (m.name, by_code[m.code]) for m in modules if m.code in by_code
    ]
    total = result["total"]
    rows = []
    for label, figure in [(_("All modules"), total), *labelled]:
        rows.append(
            [
                _text(label),
                Value(figure["responses"]),
                *[Value(figure[f"{item}_share"], "pct") for item in ITEMS],
                *[Value(figure["level"][key], "pct") for key in levels],
            ]
        )
    categories = [label for label, _f in labelled]
    series = [
        charts.Series(names[item], [f[f"{item}_share"] if f else None for _l, f in labelled])
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
    )
    level_chart = charts.stacked_bar_chart(
        ident="levels",
        title=_("Level of the module"),
        description=_(
            "Share of answers finding the module too easy, at the right level or too hard, per module."
        ),
        categories=categories,
        parts=[
            charts.Series(levels[key], [f["level"][key] if f else None for _l, f in labelled])
            for key in levels
        ],
        hidden_text=hidden,
        empty_text=empty,
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
        ),
        Section(
            "levels",
            _("Level of the module"),
            "",
            level_chart,
            Table(_("Level of the module"), [columns[0], columns[1], *levels.values()], level_rows),
        ),
    ]


def _trend(result: dict[str, Any], hidden: str, empty: str) -> Section:
    groups = result.get("groups", [])
    names = item_names()
    chart = charts.line_chart(
        ident="trend",
        title=_("Evaluation shares month by month"),
        description=_("Share of answers 3 or 4 on each of the four evaluation questions, per month."),
        labels=[g["key"] for g in groups],
        series=[charts.Series(names[item], [g[f"{item}_share"] for g in groups]) for item in ITEMS],
        empty_text=empty,
    )
    rows = [
        [_text(g["key"]), Value(g["responses"]), *[Value(g[f"{item}_share"], "pct") for item in ITEMS]]
        for g in groups
    ]
    table = Table(
        _("Evaluation shares month by month"), [_("Month"), _("Responses"), *[names[i] for i in ITEMS]], rows
    )
    return Section("trend", _("Evaluation shares month by month"), "", chart, table)


def _movement(figures: Any, hidden: str, empty: str) -> Section:
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
            _("Change"),
        ],
        rows,
    )
    return Section("movement", _("Movement from the baseline"), "", chart, table)


def _closing(figures: Any, hidden: str, empty: str) -> Section:
    points = [p for p in figures.points if p != LATEST]
    rows = []
    shares = []
    for point in points:
        total = figures.total(point)
        rows.append(
            [_text(str(point)), Value(total.assessed), Value(total.below), Value(total.share_below, "pct")]
        )
        shares.append(total.share_below)
    chart = charts.line_chart(
        ident="closing",
        title=_("The gap closing over time"),
        description=_(
            "Share of the self-assessments below the required level, per measurement point (0 is the baseline)."
        ),
        labels=[str(p) for p in points],
        series=[charts.Series(_("Below the required level"), shares)],
        empty_text=empty,
    )
    table = Table(
        _("The gap closing over time"),
        [_("Measurement point"), _("Assessed"), _("Below the required level"), _("Share below")],
        rows,
    )
    return Section("closing", _("The gap closing over time"), "", chart, table)
