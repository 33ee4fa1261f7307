"""Reading import files: UTF-8 CSV (`,` or `;`, with or without a byte-order mark) or the
first sheet of an .xlsx, into rows keyed by normalised header names.

Row numbers are those a person sees in Excel: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

XLSX_MAGIC = b"PK\x03\x04"


class TableError(Exception):
    """The file as a whole cannot be read (not a table, wrong encoding, missing columns)."""


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    warnings: list[str] = field(default_factory=list)


def read_table(
    content: bytes, *, filename: str = "", required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> Table:
    if not content.strip():
        raise TableError(_("The file is empty."))
    if content[:4] == XLSX_MAGIC or filename.lower().endswith(".xlsx"):
        header, raw_rows, warnings = _read_xlsx(content)
    else:
        header, raw_rows, warnings = _read_csv(content)
    columns = [_normalise_header(h) for h in header]
    if not any(columns):
        raise TableError(_("The file has no header row."))
    seen: set[str] = set()
    for name in columns:
        if name and name in seen:
            raise TableError(_("The column %(column)s appears twice in the header.") % {"column": name})
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        raise TableError(
            _("Required column(s) missing from the header: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    known = set(required) | set(optional)
    unknown = [c for c in columns if c and c not in known]
    if unknown:
        warnings.append(_("Unknown column(s) ignored: %(columns)s.") % {"columns": ", ".join(unknown)})
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in raw_rows:
        cells = [_cell_text(v) for v in values]
        if not any(cells):
            continue
        row = {}
        for index, name in enumerate(columns):
            if name in known:
                row[name] = cells[index] if index < len(cells) else ""
        rows.append((number, row))
    return Table(columns=columns, rows=rows, warnings=warnings)


def _normalise_header(value: object) -> str:
    return _cell_text(value).lstrip("\ufeff").strip().lower().replace(" ", "_")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(content: bytes) -> tuple[list[str], list[tuple[int, list[object]]], list[str]]:
    warnings: list[str] = []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Swedish and Norwegian Excel saves "CSV (semicolon separated)" as Windows-1252.
        text = content.decode("cp1252", errors="replace")
        warnings.append(_("The file is not UTF-8; it was read as Windows-1252 (Western European)."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise TableError(_("The file has no header row.")) from exc
    except csv.Error as exc:
        raise TableError(_("The file cannot be read as CSV: %(error)s") % {"error": exc}) from exc
    rows: list[tuple[int, list[object]]] = []
    try:
        for values in reader:
            rows.append((len(rows) + 2, list[object](values)))
    except csv.Error as exc:
        raise TableError(
            _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": len(rows) + 2, "error": exc}
        ) from exc
    return header, rows, warnings


def _read_xlsx(content: bytes) -> tuple[list[str], list[tuple[int, list[object]]], list[str]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise TableError(
            _("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": exc}
        ) from exc
    if not data:
        raise TableError(_("The first sheet of the workbook is empty."))
    header = [str(_cell_text(v)) for v in data[0]]
    rows: list[tuple[int, list[object]]] = [
        (index + 2, list(values)) for index, values in enumerate(data[1:])
    ]
    return header, rows, []
