"""Writing CSV and Excel files that are safe to open in a spreadsheet.

Names, unit names and free text come from imports and forms. A cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is read by Excel and LibreOffice as a formula
(``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``, ``@SUM(…)``): "formula injection" (OWASP, CSV
injection). Every CSV and xlsx the product writes goes through this module, which puts a ``'``
in front of such text; numbers, dates and empty cells are left as they are. In xlsx, text is
also always stored as text (openpyxl would otherwise store a string starting with ``=`` as a
formula), and characters that xlsx cannot hold are dropped rather than failing the export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet should receive it: text that a spreadsheet would run as a
    formula gets a leading ``'``; anything that is not text is returned unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in values]


def csv_text(rows: Iterable[Sequence[Any]], *, byte_order_mark: bool = True) -> str:
    """Rows as CSV text (with a byte-order mark, so that Excel reads UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(neutralise_row(row))
    return ("\ufeff" if byte_order_mark else "") + buffer.getvalue()


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl worksheet: text neutralised and stored as text."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

    cells = []
    for value in values:
        if isinstance(value, Promise):
            value = str(value)
        if isinstance(value, str):
            cell = Cell(sheet, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))
            cell.data_type = "s"  # never a formula ('f') or an error code ('e')
        else:
            cell = Cell(sheet, value=value)  # numbers stay numbers
        cells.append(cell)
    sheet.append(cells)


def xlsx_bytes(title: str, rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as a one-sheet Excel workbook."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        append_row(sheet, row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_ASCII = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss"})


def download_name(*parts: Any, extension: str) -> str:
    """A download's file name in the person's language: each part (a translated word, an
    organisation's code) as a lowercase ASCII slug, then today's date:
    ``download_name(_("gap-analysis"), "solvik", extension="xlsx")`` is
    ``gap-analys-solvik-2026-11-22.xlsx`` in Swedish."""
    from django.utils import timezone
    from django.utils.text import slugify

    slugs = [slugify(str(part).translate(_ASCII)) for part in parts]
    stem = "-".join(slug for slug in slugs if slug) or "export"
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"
