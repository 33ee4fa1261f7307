"""The funder report as a funder reads it: an Excel workbook of titled sheets (the scope, the
participants, the evaluations, the goals), shares as percentage cells, headers in the person's
language. The PDF is the template ``learning/funder_pdf.html`` over the same rows."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.spreadsheet import append_row

PERCENT = "0.0%"


@dataclass
class ExtraSheet:
    """A table another app adds to the funder report (a sheet in Excel, a section in the PDF):
    the cells are numbers or text; ``formats`` gives a column's number format (by index)."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    note: str = ""
    formats: dict[int, str] | None = None
    texts: list[list[str]] | None = None  # the rows as written for a reader (the PDF); else rows

    @property
    def display(self) -> list[list[Any]]:
        return self.texts if self.texts is not None else self.rows


# Other apps (costs …) add sheets without learning importing them: a function of the request
# and the report's context (its initiative, organisation, whether figures are protected) that
# returns its sheets, or none for this viewer. Registered in their AppConfig.ready.
ExtraSheets = Callable[[Any, dict[str, Any]], list[ExtraSheet]]
_EXTRA_SHEETS: list[ExtraSheets] = []


def register_funder_sheets(source: ExtraSheets) -> None:
    if source not in _EXTRA_SHEETS:
        _EXTRA_SHEETS.append(source)


def extra_sheets(request: Any, context: dict[str, Any]) -> list[ExtraSheet]:
    return [sheet for source in _EXTRA_SHEETS for sheet in source(request, context)]


def scope_rows(context: dict[str, Any]) -> list[tuple[str, str]]:
    """What the figures cover, stated on every export."""
    days = context["days"]
    return [
        (_("Organisation"), context["organisation"].name),
        (_("Initiative"), context["initiative"].name if context["initiative"] else _("All")),
        (_("Unit"), context["unit"].name if context["unit"] else _("All")),
        (_("Role"), context["role"].name if context["role"] else _("All")),
        (_("Module"), str(context["module"]) if context["module"] else _("All")),
        (_("Gender"), context["gender_label"] or _("All")),
        (_("Period"), f"{days[0] or '…'} – {days[1] or '…'}"),
    ]


def participant_rows(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    people = figures["unique_participants"]
    return [
        (_("Unique participants"), people["total"]),
        (_("women"), people["women"]),
        (_("men"), people["men"]),
        (_("other or unspecified"), people["other_or_unspecified"]),
        (_("Training hours"), figures["training_hours"]),
    ]


def evaluation_rows(figures: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """(label, value, is a share). With no answers in scope there is no share of them: the
    shares and the level split read "–", never 0 %."""
    e = figures["evaluations"]
    level = e.get("level") or {}
    rows: list[tuple[str, Any, bool]] = [
        (_("Motivated"), e.get("motivated_share"), True),
        (_("The way of learning was good"), e.get("method_good_share"), True),
        (_("Important for the job"), e.get("important_share"), True),
        (_("Will use it"), e.get("will_use_share"), True),
        (_("Level: too easy"), level.get("too_easy"), True),
        (_("Level: right"), level.get("right"), True),
        (_("Level: too hard"), level.get("too_hard"), True),
    ]
    if e.get("responses") == 0:
        rows = [(label, NO_ANSWERS, False) for label, _value, _share in rows]
    return [(_("Evaluation responses"), e.get("responses"), False), *rows]


NO_ANSWERS = "–"


def module_evaluation_header() -> list[str]:
    return [
        _("Module"),
        _("Evaluation responses"),
        _("Motivated"),
        _("The way of learning was good"),
        _("Important for the job"),
        _("Will use it"),
        _("Level: too easy"),
        _("Level: right"),
        _("Level: too hard"),
    ]


def module_evaluation_rows(
    per_module: list[tuple[Any, dict[str, Any]]],
) -> list[tuple[str, list[tuple[Any, bool]]]]:
    """Per module of the initiative: its name and its evaluation figures as (value, is a share),
    in the order of ``module_evaluation_header``; each module's figures passed the evaluation
    results' release on their own, as with the module filter."""
    rows = []
    for module, figures in per_module:
        values = evaluation_rows({"evaluations": figures})
        rows.append(
            (f"{module.code} {module.name}", [(value, is_share) for _label, value, is_share in values])
        )
    return rows


def _sheet(workbook: Any, title: str, header: list[str], first: bool = False) -> Any:
    from openpyxl.styles import Font

    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 42
    for column in "BCD":
        sheet.column_dimensions[column].width = 18
    return sheet


def _value(value: Any, too_few: str) -> Any:
    return too_few if value is None else value


def funder_xlsx(context: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    too_few = _("too few")
    workbook = Workbook()
    sheet = _sheet(workbook, _("Scope"), [_("Funder report"), ""], first=True)
    for label, value in scope_rows(context):
        append_row(sheet, [label, value])
    figures = context["figures"]
    sheet = _sheet(workbook, _("Participants"), [_("Figure"), _("Value")])
    for label, value in participant_rows(figures):
        append_row(sheet, [label, _value(value, too_few)])
    sheet = _sheet(workbook, _("Evaluations"), [_("Figure"), _("Value")])
    # evaluation figures are hidden under k or for differencing (the release of fixed blocks)
    hidden = _("hidden (fewer than %(k)s, or a smaller group could be worked out)") % {
        "k": context["organisation"].anonymity_threshold
    }
    for label, value, is_share in evaluation_rows(figures):
        append_row(sheet, [label, _value(value, hidden)])
        if is_share and value is not None:
            sheet.cell(sheet.max_row, 2).number_format = PERCENT
    if context.get("module_evaluation_rows"):
        sheet = _sheet(workbook, _("Evaluations per module"), module_evaluation_header())
        for name, values in context["module_evaluation_rows"]:
            append_row(sheet, [name, *(_value(value, hidden) for value, _share in values)])
            for column, (value, is_share) in enumerate(values, start=2):
                if is_share and value is not None:
                    sheet.cell(sheet.max_row, column).number_format = PERCENT
    if context.get("goals") is not None:
        sheet = _sheet(workbook, _("Goals"), [_("Goal"), _("Target"), _("Result"), _("Reached")])
        for goal in context["goals"]:
            reached = "" if goal.reached is None else (_("yes") if goal.reached else _("no"))
            append_row(sheet, [goal.label, goal.target, _value(goal.result, _("not shown")), reached])
            if goal.is_share:
                sheet.cell(sheet.max_row, 2).number_format = PERCENT
                if goal.result is not None:
                    sheet.cell(sheet.max_row, 3).number_format = PERCENT
    for extra in context.get("extra_sheets") or []:
        sheet = _sheet(workbook, extra.title, extra.header)
        for row in extra.rows:
            append_row(sheet, row)
            for column, number_format in (extra.formats or {}).items():
                if not isinstance(row[column], str):
                    sheet.cell(sheet.max_row, column + 1).number_format = number_format
        if extra.note:
            append_row(sheet, [])
            append_row(sheet, [extra.note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
