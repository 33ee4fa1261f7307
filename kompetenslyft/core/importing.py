"""The import machinery shared by every kind of file in formats.md.

An import is all or nothing: every row is checked first, every bad row is named with its
column and the reason, and only a clean file is written, in one transaction. Re-importing the
same file changes nothing. A dry run does all the work and rolls it back, so its counts are
exactly what the real import would do. Apps register their kinds with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .audit import AuditEvent, audit_record
from .tabular import Progress, Table, TableError, read_table

SAMPLE_SIZE = 100
BATCH = 1000
MAX_ERRORS = 1000  # errors kept with a result; error_count counts them all


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return self.message


@dataclass
class ImportResult:
    kind: str
    organisation: str = ""
    dry_run: bool = False
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # Facts a preview must put first, e.g. {"mass_deactivation": {"count": …, "active": …}}.
    notices: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error_count

    def count(self, category: str, description: str) -> None:
        self.counts[category] = self.counts.get(category, 0) + 1
        sample = self.samples.setdefault(category, [])
        if len(sample) < SAMPLE_SIZE and description:
            sample.append(description)

    def error(self, row: int, column: str, message: str) -> None:
        """Record a bad cell; only the first :data:`MAX_ERRORS` are kept, all are counted."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def first_time(self, seen: dict[Any, int], key: Any, row: int, column: str, message: str) -> bool:
        """Record where ``key`` first appears; on a repeat, name the row ("… appear again (first
        in row N)", ``message`` carrying ``%(first)s``) and return False."""
        if key in seen:
            self.error(row, column, message % {"first": seen[key]})
            return False
        seen[key] = row
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "organisation": self.organisation,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": self.counts,
            "samples": self.samples,
            "warnings": self.warnings,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
            "error_count": self.error_count,
            "notices": self.notices,
        }


class ImportRefused(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{result.error_count} error(s)")
        self.result = result


Handler = Callable[..., None]


@dataclass(frozen=True)
class Importer:
    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    handler: Handler  # handler(table, organisation, actor, result, **options)
    label: str = ""


IMPORTERS: dict[str, Importer] = {}


def register(
    kind: str, *, required: tuple[str, ...], optional: tuple[str, ...], handler: Handler, label: str = ""
) -> None:
    IMPORTERS[kind] = Importer(kind, required, optional, handler, label)


# Kinds that are not tables (e.g. a GIFT question bank): a runner
# (content=, filename=, organisation=, actor=, dry_run=, **options) → ImportResult, raising
# ImportRefused with every problem. The ``import`` command offers them beside the table kinds.
TextImporter = Callable[..., ImportResult]
TEXT_IMPORTERS: dict[str, TextImporter] = {}


def register_text_kind(kind: str, runner: TextImporter) -> None:
    TEXT_IMPORTERS[kind] = runner


def import_file(
    *,
    kind: str,
    content: bytes,
    filename: str,
    organisation: Any,
    actor: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> ImportResult:
    """Check and apply one import file. Raises :class:`ImportRefused` for bad input.

    ``progress(rows_read, rows_total)`` is called while the file is read."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise ValueError(f"unknown import kind {kind!r}")
    result = ImportResult(kind=kind, organisation=organisation.code, dry_run=dry_run)
    try:
        table = read_table(
            content,
            filename=filename,
            required=importer.required,
            optional=importer.optional,
            progress=progress,
            max_cell_errors=MAX_ERRORS,
        )
    except TableError as exc:
        result.error(0, "", str(exc))
        raise ImportRefused(result) from exc
    try:
        result.rows = len(table.rows)
        result.warnings.extend(table.warnings)
        if not table.rows:
            result.error(0, "", _("The file has a header but no rows."))
            raise ImportRefused(result)
        for cell in table.cell_errors:
            result.error(cell.row, cell.column, cell.message)
        result.error_count += table.cell_error_count - len(table.cell_errors)
        with transaction.atomic():
            importer.handler(table, organisation, actor, result, **options)
            if result.error_count:
                result.errors.sort(key=lambda e: e.row)
                raise ImportRefused(result)
            if not dry_run:
                from .hooks import changed

                changed(kind, organisation)
                audit_record(
                    actor=actor,
                    organisation=organisation,
                    event=AuditEvent(
                        action=f"import.{kind}",
                        target_type="organisation",
                        target_id=organisation.code,
                        target_label=filename,
                        changes={"rows": result.rows, **result.counts},
                    ),
                )
            else:
                transaction.set_rollback(True)
    finally:
        table.close()
    return result


def parse_table(content: bytes, **kwargs: Any) -> Table:
    return read_table(content, **kwargs)
