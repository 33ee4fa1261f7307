"""Background work of the learning record store."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from . import emit, evaluated, records


@task()
def count_task(organisation_id: int, statement_ids: list[str]) -> int:
    return records.count_statements(organisation_id=organisation_id, statement_ids=statement_ids)


@task()
def emit_task(organisation_id: int, statements: list[dict[str, Any]]) -> int:
    return emit.store(organisation_id=organisation_id, statements=statements)


@task()
def daily_task() -> int:
    return evaluated.evaluations_given()
