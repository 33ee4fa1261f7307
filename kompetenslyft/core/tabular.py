"""Reading import files: UTF-8 CSV (`,` or `;`, with or without a byte-order mark) or the
first sheet of an .xlsx, into rows keyed by normalised header names.

Row numbers are those a person sees in Excel: the header is row 1, the first data row row 2.

Memory is bounded for every file kind: the file is read row by row, never as a whole sheet,
and the limits (rows, columns, cells; the uncompressed size of the parts of a workbook) are
checked before anything is allocated for them — a workbook's declared dimension first, then
again while streaming, because a sheet can lie about its dimension or leave it out. The rows
of the known columns are kept in a private temporary file for the one import that reads them;
:attr:`Table.rows` streams them from there (each handler iterates it once).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _

from .filekinds import not_a_table

XLSX_MAGIC = b"PK\x03\x04"
PROGRESS_EVERY = 5000
# C0 controls except tab, line feed and carriage return, DEL, and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

Progress = Callable[[int, int], None]


class TableError(Exception):
    """The file as a whole cannot be read (not a table, wrong encoding, missing columns, too big)."""


@dataclass(frozen=True)
class Limits:
    """What one import file may hold. Defaults come from settings (see README)."""

    rows: int
    columns: int
    cells: int
    xlsx_sheet_bytes: int
    xlsx_other_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            rows=settings.KOMPETENSLYFT_IMPORT_MAX_ROWS,
            columns=settings.KOMPETENSLYFT_IMPORT_MAX_COLUMNS,
            cells=settings.KOMPETENSLYFT_IMPORT_MAX_CELLS,
            xlsx_sheet_bytes=settings.KOMPETENSLYFT_IMPORT_MAX_SHEET_BYTES,
            xlsx_other_bytes=settings.KOMPETENSLYFT_IMPORT_MAX_WORKBOOK_PART_BYTES,
        )


@dataclass
class CellError:
    row: int
    column: str
    message: str


class Rows:
    """The non-empty data rows of a table as ``(row number, {column: text})``, streamed from a
    private temporary file; iterable more than once, with a known length."""

    def __init__(self, store: IO[str], columns: list[str], count: int) -> None:
        self._store = store
        self._columns = columns
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        self._store.seek(0)
        columns = self._columns
        for record in csv.reader(self._store):
            yield int(record[0]), dict(zip(columns, record[1:], strict=True))

    def close(self) -> None:
        self._store.close()


@dataclass
class Table:
    columns: list[str]
    rows: Rows
    warnings: list[str] = field(default_factory=list)
    cell_errors: list[CellError] = field(default_factory=list)
    cell_error_count: int = 0

    def close(self) -> None:
        self.rows.close()


def read_table(
    content: bytes,
    *,
    filename: str = "",
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    limits: Limits | None = None,
    progress: Progress | None = None,
    max_cell_errors: int = 1000,
) -> Table:
    """Check the header and every row against ``limits``; keep the known columns' text.

    Raises :class:`TableError` for a file that cannot be read or breaks a limit. Cells holding
    control characters are reported in :attr:`Table.cell_errors` (the first
    ``max_cell_errors``; :attr:`Table.cell_error_count` counts them all)."""
    limits = limits or Limits.from_settings()
    if not content.strip():
        raise TableError(_("The file is empty."))
    problem = not_a_table(content, filename)
    if problem:
        raise TableError(problem)
    if content[:4] == XLSX_MAGIC or filename.lower().endswith(".xlsx"):
        source: _Source = _XlsxSource(content, limits)
    else:
        source = _CsvSource(content, limits)
    try:
        header_row = next(source.rows, None)
        if header_row is None:
            raise TableError(_("The file has no header row."))
        columns = [_normalise_header(h) for h in header_row[1]]
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
                _("Required column(s) missing from the header: %(columns)s.")
                % {"columns": ", ".join(missing)}
            )
        known = set(required) | set(optional)
        unknown = [c for c in columns if c and c not in known]
        warnings = list(source.warnings)
        if unknown:
            warnings.append(_("Unknown column(s) ignored: %(columns)s.") % {"columns": ", ".join(unknown)})
        kept = [(index, name) for index, name in enumerate(columns) if name in known]
        kept_names = [name for _index, name in kept]
        store = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed by Table
        writer = csv.writer(store)
        count = 0
        errors: list[CellError] = []
        error_count = 0
        for number, values in source.rows:
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            record = [cells[index] if index < len(cells) else "" for index, _name in kept]
            for (_index, name), text in zip(kept, record, strict=True):
                match = CONTROL_CHARACTERS.search(text)
                if match:
                    error_count += 1
                    if len(errors) < max_cell_errors:
                        errors.append(
                            CellError(
                                number,
                                name,
                                _("contains the control character U+%(code)04X, which is not allowed in text")
                                % {"code": ord(match.group())},
                            )
                        )
            writer.writerow([number, *record])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count, source.estimated_rows)
    finally:
        source.close()
    if progress:
        progress(count, count)
    return Table(
        columns=columns,
        rows=Rows(store, kept_names, count),
        warnings=warnings,
        cell_errors=errors,
        cell_error_count=error_count,
    )


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


def _too_many_rows(limits: Limits) -> TableError:
    return TableError(
        _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": limits.rows}
    )


def _too_many_columns(limits: Limits, row: int) -> TableError:
    return TableError(
        _("Row %(row)s has more than %(limit)s columns; the import reads at most that many.")
        % {"row": row, "limit": limits.columns}
    )


def _too_many_cells(limits: Limits) -> TableError:
    return TableError(
        _("The file has more than %(limit)s cells; split it into smaller files.") % {"limit": limits.cells}
    )


class _Source:
    rows: Iterator[tuple[int, list[object]]]
    warnings: list[str]
    estimated_rows: int = 0

    def close(self) -> None:  # pragma: no cover - overridden where there is something to close
        pass


# --- CSV ----------------------------------------------------------------------------------------


class _CsvSource(_Source):
    def __init__(self, content: bytes, limits: Limits) -> None:
        self.limits = limits
        self.warnings = []
        encoding = "utf-8-sig"
        if not _is_utf8(content):
            # Older Swedish and Norwegian Excel saves "CSV (semicolon separated)" as Windows-1252.
            encoding = "cp1252"
            self.warnings.append(_("The file is not UTF-8; it was read as Windows-1252 (Western European)."))
        self.estimated_rows = max(0, content.count(b"\n") - 1) or 1
        first_line = content[: content.find(b"\n") if b"\n" in content else 65536][:65536]
        text = first_line.decode(encoding, errors="replace")
        self.delimiter = max((";", ",", "\t"), key=text.count)
        self.stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, errors="replace", newline="")
        self.rows = self._rows()

    def _rows(self) -> Iterator[tuple[int, list[object]]]:
        reader = csv.reader(self.stream, delimiter=self.delimiter)
        limits = self.limits
        number = 1  # the header is row 1
        cells = 0
        try:
            for values in reader:
                if number > limits.rows + 1:
                    raise _too_many_rows(limits)
                if len(values) > limits.columns:
                    raise _too_many_columns(limits, number)
                cells += len(values)
                if cells > limits.cells:
                    raise _too_many_cells(limits)
                yield number, list[object](values)
                number += 1
        except csv.Error as exc:
            if number == 1:
                raise TableError(_("The file cannot be read as CSV: %(error)s") % {"error": exc}) from exc
            raise TableError(
                _("Row %(row)s cannot be read as CSV: %(error)s") % {"row": number, "error": exc}
            ) from exc

    def close(self) -> None:
        self.stream.close()


def _is_utf8(content: bytes, chunk: int = 1 << 20) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), chunk):
            decoder.decode(content[start : start + chunk], final=start + chunk >= len(content))
    except UnicodeDecodeError:
        return False
    return True


# --- xlsx ---------------------------------------------------------------------------------------


class _XlsxSource(_Source):
    """The first sheet of a workbook, streamed with our own loop over openpyxl's cell parser so
    that nothing but the current row is ever held, whatever the sheet declares."""

    def __init__(self, content: bytes, limits: Limits) -> None:
        self.limits = limits
        self.warnings = []
        self.workbook: Any = None
        self.source: IO[bytes] | None = None
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise _not_a_workbook(exc) from exc
        with archive:
            self.sheet_path = _check_archive(archive, limits)
        self.rows = self._rows(content)

    def _open(self, content: bytes) -> Any:
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for broken files
            raise _not_a_workbook(exc) from exc
        if not workbook.worksheets:
            raise TableError(_("The first sheet of the workbook is empty."))
        return workbook

    def _rows(self, content: bytes) -> Iterator[tuple[int, list[object]]]:
        from openpyxl.worksheet._reader import WorkSheetParser

        limits = self.limits
        self.workbook = workbook = self._open(content)
        sheet = workbook.worksheets[0]
        self.source = source = workbook._archive.open(sheet._worksheet_path)
        parser = WorkSheetParser(
            source,
            workbook.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        row_tag, cell_tag = f"{SPREADSHEET_NS}row", f"{SPREADSHEET_NS}c"
        data_tag, dimension_tag = f"{SPREADSHEET_NS}sheetData", f"{SPREADSHEET_NS}dimension"
        stack: list[Element] = []
        in_data = False
        row: dict[int, object] = {}
        row_number = 0
        previous = 0
        cells = 0
        try:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    if element.tag == dimension_tag:
                        self._check_dimension(element.get("ref", ""))
                    elif element.tag == data_tag:
                        in_data = True
                    elif element.tag == row_tag and in_data:
                        number = element.get("r")
                        row_number = int(number) if number else row_number + 1
                        if row_number <= previous:
                            raise TableError(
                                _("The sheet's rows are out of order (row %(row)s).") % {"row": row_number}
                            )
                        if row_number > limits.rows + 1:
                            raise _too_many_rows(limits)
                        parser.row_counter, parser.col_counter = row_number, 0
                        row = {}
                    stack.append(element)
                    continue
                stack.pop()
                parent = stack[-1] if stack else None
                if element.tag == cell_tag and in_data:
                    cell = parser.parse_cell(element)
                    column = cell["column"]
                    if column > limits.columns or len(row) >= limits.columns:
                        raise _too_many_columns(limits, row_number)
                    cells += 1
                    if cells > limits.cells:
                        raise _too_many_cells(limits)
                    if cell["value"] is not None:
                        row[column] = cell["value"]
                elif element.tag == row_tag and in_data:
                    # Rows the sheet leaves out are empty rows: they carry no data and are skipped.
                    previous = row_number
                    if row:
                        values: list[object] = [None] * max(row)
                        for column, value in row.items():
                            values[column - 1] = value
                        yield row_number, values
                elif element.tag == data_tag:
                    in_data = False
                elif in_data:
                    continue  # a cell's value, formula or inline text: read with its cell
                if parent is not None:
                    parent.remove(element)  # keep only the path to the current cell
        except TableError:
            raise
        except (
            ParseError,
            DefusedXmlException,
            KeyError,
            IndexError,
            ValueError,
            TypeError,
            OSError,
            zipfile.BadZipFile,
        ) as exc:
            raise _not_a_workbook(exc) from exc
        if previous == 0:
            raise TableError(_("The first sheet of the workbook is empty."))

    def _check_dimension(self, ref: str) -> None:
        """Refuse a sheet whose declared used range is beyond the limits, before reading it."""
        from openpyxl.utils.cell import range_boundaries

        if not ref:
            return
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            return  # a broken dimension is no promise; the streaming counts still hold
        limits = self.limits
        columns = (max_col or 1) - (min_col or 1) + 1
        rows = (max_row or 1) - (min_row or 1) + 1
        if max_row and max_row > limits.rows + 1:
            raise _too_many_rows(limits)
        if max_col and max_col > limits.columns:
            raise _too_many_columns(limits, min_row or 1)
        if rows * columns > limits.cells:
            raise _too_many_cells(limits)
        self.estimated_rows = max(1, (max_row or 1) - 1)

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        if self.workbook is not None:
            self.workbook.close()


def _not_a_workbook(exc: BaseException) -> TableError:
    return TableError(_("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": exc})


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> str:
    """Guard against zip bombs: the declared uncompressed sizes of the parts that are read.
    (A part that lies about its size is cut off there by the zip reader and fails its CRC.)"""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise TableError(
            _("The file cannot be read as an Excel workbook (.xlsx): %(error)s")
            % {"error": _("it has no workbook part")}
        )
    sheets = sorted(
        (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")),
        key=lambda n: (len(n), n),
    )
    other = 0
    for info in archive.infolist():
        if info.filename.startswith("xl/worksheets/"):
            if info.file_size > limits.xlsx_sheet_bytes:
                raise TableError(
                    _(
                        "A sheet of the workbook unpacks to more than %(limit)s MB; split it into smaller files."
                    )
                    % {"limit": limits.xlsx_sheet_bytes // (1024 * 1024)}
                )
        else:
            other += info.file_size
    if other > limits.xlsx_other_bytes:
        raise TableError(
            _("The workbook's shared parts unpack to more than %(limit)s MB.")
            % {"limit": limits.xlsx_other_bytes // (1024 * 1024)}
        )
    return sheets[0] if sheets else ""
