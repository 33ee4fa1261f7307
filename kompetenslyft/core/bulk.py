"""Writing many rows fast, for summaries and bulk loads: PostgreSQL's COPY, or one prepared
``executemany`` on SQLite. Values must already be in database form (ids, not objects)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection

BATCH = 50_000


def _chunks(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` in chunks of ``BATCH``. Each chunk is read from ``rows`` before it is
    written, so a generator may itself query the database: on PostgreSQL a connection that
    streams a COPY cannot fetch from a cursor meanwhile (the bench hung there, twice)."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    quoted = connection.ops.quote_name(table)
    count = 0
    with connection.cursor() as cursor:
        for batch in _chunks(rows):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in batch:
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {quoted} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
                cursor.executemany(sql, batch)
            count += len(batch)
    return count
