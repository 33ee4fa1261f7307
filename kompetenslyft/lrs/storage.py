"""The SQL of storing statements (``services._store`` decides what; this writes it): as few round
trips to the database as the database allows, each batch all or nothing.

On PostgreSQL a request of statements that void nothing and carry no attachments is one SQL
statement (:func:`insert_at_once`): the statements, their mentions and the count task's queue row
in data-modifying CTEs, run on its own as its own transaction: one round trip. The transaction
it replaces took ten (BEGIN, two lookups, a COPY of the statements and a read back of their ids,
a COPY of the mentions — each COPY two — the queue row through the ORM, COMMIT); on a loaded
machine each waits for the server process to be scheduled, and the round trips, not the rows,
set the rate of single-statement POSTs (measured: 172/s before, README). SQLite runs in the
process: there a transaction costs no round trips, and :func:`lookup` and :func:`insert` serve."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction

from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.queue import QueueRow

from .models import Mention, Statement
from .validation import VOIDED

COLUMNS = (
    "organisation_id", "client_id", "statement_id", "stored", "version", "actor_key", "object_key", "verb_id",
    "registration", "voided", "related_agents", "related_activities", "data", "ref_id",
)  # fmt: skip
MENTION_COLUMNS = ("organisation_id", "key_hash", "statement_id")
# The columns that differ from statement to statement (organisation, client, stored and voided are
# one value for the request, or computed): the fields of insert_at_once's JSON rows.
EACH = ("statement_id", "version", "actor_key", "object_key", "verb_id", "registration",
        "related_agents", "related_activities", "data", "ref_id")  # fmt: skip
EACH_AT = [COLUMNS.index(column) for column in EACH]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


# SQLite lets one writer in at a time; a writer that finds the database locked sleeps and tries
# again (1, 2, 5, 10 … ms), however soon the lock is free. The threads of one process take
# turns here instead, each woken as the one before it commits.
_WRITER = threading.Lock()


@contextmanager
def write_transaction() -> Iterator[None]:
    """The store's transaction (all or nothing). On SQLite, outside a caller's transaction, the
    process's threads queue for it on a lock of their own (only then: a thread inside a
    transaction may hold SQLite's lock already, and must not wait for one that waits for it)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _WRITER, transaction.atomic():
            yield
    else:
        with transaction.atomic():
            yield


def lookup(organisation_id: int, ids: Sequence[str]) -> tuple[dict[str, str], set[str]]:
    """For statement ids a request names: the organisation's stored statements with those ids
    (id → JSON) and the ids that a stored voiding statement names (a voiding statement may come
    before the statement it voids). One query: plain SQL, the ORM's query building cost more than
    the query on the ingest path."""
    if not ids:
        return {}, set()
    table = _table(Statement)
    if connection.vendor == "postgresql":
        # Each id probes its index, as in insert_at_once.
        sql = f"""
            SELECT 0, wanted.statement_id, found.data FROM unnest(%b::text[]) AS wanted (statement_id),
            LATERAL (SELECT data FROM {table} WHERE organisation_id = %s AND statement_id = wanted.statement_id) AS found
            UNION ALL
            SELECT 1, wanted.statement_id, '' FROM unnest(%b::text[]) AS wanted (statement_id), LATERAL (
                SELECT 1 FROM {table} WHERE organisation_id = %s AND ref_id = wanted.statement_id AND verb_id = %s
                LIMIT 1
            ) AS found"""  # noqa: S608
        params: list[Any] = [list(ids), organisation_id, list(ids), organisation_id, VOIDED]
        cursor_of = _bound_cursor
    else:
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT 0, statement_id, data FROM {table} WHERE organisation_id = %s AND statement_id IN ({marks})"  # noqa: S608
            f" UNION ALL SELECT 1, ref_id, '' FROM {table}"
            f" WHERE organisation_id = %s AND ref_id IN ({marks}) AND verb_id = %s"
        )
        params = [organisation_id, *ids, organisation_id, *ids, VOIDED]
        cursor_of = connection.cursor
    with cursor_of() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {ident: data for kind, ident, data in found if kind == 0}, {
        ident for kind, ident, _ in found if kind
    }


def insert(organisation_id: int, rows: list[list[Any]], mentions: dict[str, set[int]]) -> None:
    """The statements' rows and their mentions, in the caller's transaction. The mentions need the
    new rows' ids: read back by the unique index on (organisation, statement id)."""
    bulk_insert(Statement._meta.db_table, COLUMNS, rows)
    if not mentions:
        return
    idents = list(mentions)
    marks = ", ".join(["%s"] * len(idents))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT statement_id, id FROM {_table(Statement)}"  # noqa: S608
            f" WHERE organisation_id = %s AND statement_id IN ({marks})",
            [organisation_id, *idents],
        )
        pks = cursor.fetchall()
    bulk_insert(
        Mention._meta.db_table,
        MENTION_COLUMNS,
        [(organisation_id, hashed, pk) for ident, pk in pks for hashed in mentions[ident]],
    )


def insert_at_once(
    *,
    organisation_id: int,
    client_id: int,
    stored: Any,
    rows: list[list[Any]],
    mentions: dict[str, set[int]],
    queued: QueueRow | None,
) -> bool:
    """PostgreSQL: store ``rows`` (``COLUMNS``, all new statements, none voiding) with their
    ``mentions`` and the queue row ``queued`` in one SQL statement, unless the organisation holds
    one of their ids already; whether they were stored. Stored or not as a whole: the statement
    is its own transaction (or a savepoint in the caller's). The rows go as one JSON parameter
    (``json_to_recordset``): however many statements, the same few parameters, written by orjson
    and bound by the server (arrays a column cost psycopg more than the rows' own work). A
    statement stored meanwhile by another request with one of the ids (a unique violation) is
    not stored either: the caller's general path then compares it."""
    statement, mention = _table(Statement), _table(Mention)
    incoming = orjson.dumps(
        [{column: row[at] for column, at in zip(EACH, EACH_AT, strict=True)} for row in rows]
    )
    params: list[Any] = [
        incoming.decode(),
        organisation_id,
        organisation_id,
        VOIDED,
        organisation_id,
        client_id,
        stored,
    ]
    # Each id probes its index (LATERAL … LIMIT 1 is not flattened into a join): the planner,
    # left to choose, scanned the organisation's statements when its statistics were stale.
    sql = f"""
        WITH incoming AS (
            SELECT * FROM ROWS FROM (json_to_recordset(%s::json) AS ({", ".join(f"{c} text" for c in EACH)}))
            WITH ORDINALITY AS incoming ({", ".join(EACH)}, n)
        ),
        clash AS (
            SELECT 1 FROM incoming, LATERAL (
                SELECT 1 FROM {statement} WHERE organisation_id = %s AND statement_id = incoming.statement_id LIMIT 1
            ) AS found LIMIT 1
        ),
        early AS (
            SELECT incoming.statement_id FROM incoming, LATERAL (
                SELECT 1 FROM {statement} WHERE organisation_id = %s AND ref_id = incoming.statement_id
                AND verb_id = %s LIMIT 1
            ) AS found
        ),
        inserted AS (
            INSERT INTO {statement} ({", ".join(COLUMNS)})
            SELECT %s, %s, incoming.statement_id, %s::timestamptz, incoming.version, incoming.actor_key,
                incoming.object_key, incoming.verb_id, incoming.registration,
                incoming.statement_id IN (SELECT statement_id FROM early),
                incoming.related_agents, incoming.related_activities, incoming.data, incoming.ref_id
            FROM incoming WHERE NOT EXISTS (SELECT 1 FROM clash) ORDER BY incoming.n
            RETURNING id, statement_id
        )"""  # noqa: S608 - names are the models' tables, values are parameters
    if mentions:
        sql += f""",
        mentioned AS (
            INSERT INTO {mention} ({", ".join(MENTION_COLUMNS)})
            SELECT %s, named.key_hash, inserted.id
            FROM inserted JOIN json_to_recordset(%s::json) AS named (statement_id text, key_hash bigint)
            ON named.statement_id = inserted.statement_id
        )"""  # noqa: S608
        named = [
            {"statement_id": ident, "key_hash": hashed}
            for ident, hashes in mentions.items()
            for hashed in hashes
        ]
        params += [organisation_id, orjson.dumps(named).decode()]
    if queued is not None:
        names = ", ".join(connection.ops.quote_name(column) for column in queued.columns)
        sql += f""",
        queued AS (
            INSERT INTO {connection.ops.quote_name(queued.table)} ({names})
            SELECT {", ".join(["%s"] * len(queued.columns))} WHERE NOT EXISTS (SELECT 1 FROM clash)
        )"""  # noqa: S608
        params += list(queued.values)
    sql += "\n        SELECT EXISTS (SELECT 1 FROM clash)"
    try:
        # Outside a transaction the one statement is its own (autocommit); inside the caller's,
        # a savepoint undoes it alone.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            with _bound_cursor() as cursor:
                cursor.execute(sql, params)
                (clashed,) = cursor.fetchone()
    except IntegrityError:
        return False
    return not clashed


def _bound_cursor() -> Any:
    """A cursor of Django's connection (logged like its own) that sends the parameters apart
    from the query (server-side binding): the arrays go in binary form, where the client-side
    binding of Django's cursors escaped every quote of the statements' JSON in Python (a third of
    a batch's CPU time), and psycopg prepares the statement once it has run a few times."""
    import psycopg

    connection.ensure_connection()
    raw: Any = psycopg.Cursor(connection.connection)  # django-stubs name the wrapper, not the DB-API cursor
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
