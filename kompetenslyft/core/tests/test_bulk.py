"""core.bulk.bulk_insert: chunks, and rows that are read from the database while they are written."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.core import bulk
from kompetenslyft.org.models import Organisation, Role


@pytest.mark.django_db
def test_rows_that_query_the_database_are_written_in_chunks(monkeypatch: Any) -> None:
    # On PostgreSQL a COPY in progress and a server-side cursor on the same connection
    # wait for each other for ever: the generator below reads through one per row.
    monkeypatch.setattr(bulk, "BATCH", 3)
    organisation = Organisation.objects.create(code="bulk", name="Bulk")

    def rows() -> Any:
        for n in range(7):
            known = list(
                Role.objects.filter(organisation=organisation).values_list("pk", flat=True).iterator()
            )
            yield (organisation.pk, f"Role {n} after {len(known)}")

    written = bulk.bulk_insert(Role._meta.db_table, ("organisation_id", "name"), rows())
    assert written == 7
    names = sorted(Role.objects.filter(organisation=organisation).values_list("name", flat=True))
    # Rows are read a chunk ahead of the write: each sees the chunks written before its own.
    assert names == sorted(
        [
            "Role 0 after 0",
            "Role 1 after 0",
            "Role 2 after 0",
            "Role 3 after 3",
            "Role 4 after 3",
            "Role 5 after 3",
            "Role 6 after 6",
        ]
    )


@pytest.mark.django_db
def test_no_rows_write_nothing() -> None:
    assert bulk.bulk_insert(Role._meta.db_table, ("organisation_id", "name"), iter(())) == 0
