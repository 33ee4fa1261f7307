"""A template for each kind of import: the header of ``shared/formats.md`` (the kind's
required columns, then its optional ones) and one example row, as CSV or as an .xlsx
workbook. Written through :mod:`kompetenslyft.core.spreadsheet`, so nothing in them can run as
a formula."""

from __future__ import annotations

from typing import Any

from .importing import IMPORTERS
from .spreadsheet import csv_text, xlsx_bytes

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# One plausible row per kind, by column. Numbers stay numbers in the workbook.
EXAMPLES: dict[str, dict[str, Any]] = {
    "units": {
        "unit_id": "NEW-UNIT-1",
        "name": "Hemtjänst Norr",
        "parent_id": "EXAMPLE-UNIT",
        "manager_employee_id": "E1000",
    },
    "people": {
        "employee_id": "E1001",
        "given_name": "Anna",
        "family_name": "Andersson",
        "unit_id": "EXAMPLE-UNIT",
        "role": "Undersköterska",
        "email": "anna.andersson@example.org",
        "gender": "woman",
        "language": "sv",
        "start_date": "2024-01-15",
    },
    "framework": {
        "competence_code": "DOK1",
        "name": "Dokumentation i journalsystemet",
        "category": "Digitala system",
        "description": "Att föra och läsa journalanteckningar",
        "knowledge_goals": "Kan föra in en anteckning; Kan läsa en genomförandeplan",
    },
    "requirements": {
        "role": "Undersköterska",
        "competence_code": "DOK1",
        "required_level": 3,
        "unit_id": "EXAMPLE-UNIT",
        "mandatory": "yes",
    },
    "assessments": {
        "employee_id": "E1001",
        "competence_code": "DOK1",
        "level": 2,
        "measurement_point": 0,
        "measured_at": "2025-03-01",
    },
    "modules": {
        "module_code": "M-DOK1",
        "name": "Journalföring, grund",
        "category": "Digitala system",
        "level": "basic",
        "format": "onsite",
        "hours": 3,
        "competence_codes": "DOK1",
        "mandatory_roles": "Undersköterska",
        "description": "Grunderna i journalsystemet",
        "pre_material": "https://example.org/journal",
    },
    "attendance": {
        "employee_id": "E1001",
        "module_code": "M-DOK1",
        "date": "2025-04-10",
        "hours": 3,
        "status": "attended",
    },
    "evaluations": {
        "module_code": "M-DOK1",
        "date": "2025-04-10",
        "motivated": 4,
        "level": 3,
        "method_good": 3,
        "important": 4,
        "will_use": 4,
        "comment": "Bra övningar",
        "employee_id": "E1001",
        "response_id": "R1",
    },
}


# The columns whose example is the organisation's own where it has one (``own``): a unit of the
# example row then exists, and so does its role. A new unit's own id stays an example.
OWN_COLUMNS = {"unit_id": "unit_id", "parent_id": "unit_id", "role": "role", "mandatory_roles": "role"}


def template_rows(kind: str, own: dict[str, str] | None = None) -> list[list[Any]]:
    """The header and the example row of ``kind``, with ``own`` values (``unit_id``, ``role``:
    the organisation's first) where it has them; KeyError for an unknown kind."""
    importer = IMPORTERS[kind]
    header = [*importer.required, *importer.optional]
    example = dict(EXAMPLES.get(kind, {}))
    for column, key in OWN_COLUMNS.items():
        if own and own.get(key) and column in example and not (kind == "units" and column == "unit_id"):
            example[column] = own[key]
    return [header, [example.get(column, "") for column in header]]


def template_file(kind: str, fmt: str, own: dict[str, str] | None = None) -> tuple[bytes, str, str]:
    """``(content, content type, file name)`` of the template; KeyError for an unknown kind or
    format."""
    content_type = FORMATS[fmt]
    rows = template_rows(kind, own)
    content = csv_text(rows).encode("utf-8") if fmt == "csv" else xlsx_bytes(kind, rows)
    return content, content_type, f"{kind}-template.{fmt}"
