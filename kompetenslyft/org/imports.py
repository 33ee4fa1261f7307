"""Imports of the unit tree and of people, exactly as ``shared/formats.md`` defines them
(the machinery — all or nothing, dry runs, row errors — is in :mod:`kompetenslyft.core.importing`)."""

from __future__ import annotations

from typing import Any

from kompetenslyft.core.importing import ImportRefused, ImportResult, import_file, register
from kompetenslyft.core.tabular import Table

from .models import Organisation
from .people_imports import import_people
from .unit_imports import import_units

KINDS = ("units", "people")
UNIT_COLUMNS = (("unit_id", "name"), ("parent_id", "manager_employee_id"))
PEOPLE_COLUMNS = (
    ("employee_id", "given_name", "family_name", "unit_id", "role"),
    ("email", "gender", "language", "start_date"),
)
# every column in the order of formats.md: the header of the files the demo and the bench write
UNIT_HEADER = [*UNIT_COLUMNS[0], *UNIT_COLUMNS[1]]
PEOPLE_HEADER = [*PEOPLE_COLUMNS[0], *PEOPLE_COLUMNS[1]]


def _units_handler(
    table: Table, organisation: Organisation, actor: Any, result: ImportResult, **_options: Any
) -> None:
    import_units(table, organisation, actor, result)


def _people_handler(
    table: Table,
    organisation: Organisation,
    actor: Any,
    result: ImportResult,
    keep_missing: bool = False,
    allow_deactivation: bool = False,
    **_options: Any,
) -> None:
    import_people(
        table,
        organisation,
        actor,
        result,
        keep_missing=keep_missing,
        allow_deactivation=allow_deactivation,
    )


register("units", required=UNIT_COLUMNS[0], optional=UNIT_COLUMNS[1], handler=_units_handler)
register("people", required=PEOPLE_COLUMNS[0], optional=PEOPLE_COLUMNS[1], handler=_people_handler)

__all__ = ["KINDS", "ImportRefused", "ImportResult", "import_file", "register"]
