"""The ingest path's round trips: on PostgreSQL a POST of statements is the client's lookup and
one SQL statement (statements, mentions, the count task's queue row); on SQLite one lookup of
ids before the rows. Each batch all or nothing, in the order sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from kompetenslyft.lrs import services, storage
from kompetenslyft.lrs.models import Mention, Statement
from kompetenslyft.lrs.validation import VOIDED

from .helpers import Xapi, body, new_id, statement

pytestmark = pytest.mark.django_db

COURSE = {"contextActivities": {"parent": [{"id": "https://kompetenslyft.example/courses/C1"}]}}


@pytest.fixture
def x(network: Any, settings: Any) -> Xapi:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return Xapi(network.org_a)


def _written(queries: Any) -> list[str]:
    """The queries a request sent, savepoints aside (a test runs in a transaction)."""
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]


def test_a_post_is_one_statement_on_postgresql_and_one_lookup_on_sqlite(x: Xapi) -> None:
    sent = [statement(id=new_id(), context=COURSE) for _ in range(5)]
    with CaptureQueriesContext(connection) as queries:
        response = x.post(sent)
    assert body(response) == [s["id"] for s in sent]
    written = _written(queries)
    if connection.vendor == "postgresql":
        # The client, then the statements with their mentions and queue row at once.
        assert len(written) == 2, written
        assert all(
            table in written[1] for table in ("lrs_statement", "lrs_mention", DBTaskResult._meta.db_table)
        )
    else:
        # The client, one lookup of the ids (stored or voided before), the rows, their ids read
        # back, the mentions, the queue row.
        assert len(written) == 6, written
    # In the order sent, with their mentions and one queued count of all five.
    assert list(Statement.objects.order_by("pk").values_list("statement_id", flat=True)) == body(response)
    assert Mention.objects.count() == 5
    [queued] = DBTaskResult.objects.all()
    assert sorted(queued.args_kwargs["args"][1]) == sorted(body(response))
    # The worker takes it and runs it (nobody of the organisation is named: nothing counts).
    [ready] = DBTaskResult.objects.ready()
    assert ready.task.call(*ready.args_kwargs["args"]) == 0


def test_a_statement_sent_again_in_a_batch_takes_the_general_path(x: Xapi) -> None:
    first = statement(id=new_id(), context=COURSE)
    assert x.post(first).status_code == 200
    again = x.post([statement(id=new_id(), context=COURSE), first])
    assert again.status_code == 200
    assert Statement.objects.count() == 2 and Mention.objects.count() == 2
    # Each request queued the count of what it stored, and only that.
    assert sorted(len(task.args_kwargs["args"][1]) for task in DBTaskResult.objects.all()) == [1, 1]
    other = x.post([statement(id=new_id()), {**first, "verb": {"id": "http://x.org/other"}}])
    assert other.status_code == 409
    assert Statement.objects.count() == 2


def test_a_statement_whose_voiding_came_first_is_stored_voided(x: Xapi) -> None:
    target = new_id()
    assert (
        x.post(
            statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
        ).status_code
        == 200
    )
    assert x.post([statement(id=target), statement(id=new_id())]).status_code == 200
    assert list(Statement.objects.filter(voided=True).values_list("statement_id", flat=True)) == [target]


def test_rows_that_clash_as_they_are_written_store_nothing(x: Xapi) -> None:
    """Another request storing one of the ids between the lookup and the write is refused by
    the unique index, the whole write with it (here: one id twice in the rows)."""
    ident = new_id()
    made = services._rows_of(
        x.client, [statement(context=COURSE)] * 2, [ident, ident], dt.datetime.now(dt.UTC), "1.0.3"
    )
    if connection.vendor == "postgresql":
        stored = storage.insert_at_once(
            organisation_id=x.client.organisation_id,
            client_id=x.client.pk,
            stored=made.rows[0][3],
            rows=made.rows,
            mentions=made.mentions,
            queued=services.queue_row("lrs.count_task", x.client.organisation_id, [ident]),
        )
        assert stored is False
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            storage.insert(x.client.organisation_id, made.rows, made.mentions)
    assert (Statement.objects.count(), Mention.objects.count(), DBTaskResult.objects.count()) == (0, 0, 0)
    # The connection is usable: the next request is stored.
    assert x.post(statement(id=ident)).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_process_s_threads_take_turns_at_sqlite_s_write_lock() -> None:
    """On SQLite the store's transaction is entered under the process's writer lock (a writer
    that meets SQLite's lock sleeps 1, 2, 5 … ms however soon it is free); not inside a
    caller's transaction, which may hold SQLite's lock already; never on PostgreSQL."""
    sqlite = connection.vendor == "sqlite"
    with storage.write_transaction():
        assert connection.in_atomic_block
        assert storage._WRITER.locked() is sqlite
    assert not storage._WRITER.locked()
    with transaction.atomic(), storage.write_transaction():
        assert not storage._WRITER.locked()


def test_an_extension_with_any_character_is_stored_and_read_back(x: Xapi) -> None:
    """The rows travel as JSON inside JSON on PostgreSQL: what a statement may carry (an
    extension's value is any JSON, NUL and quotes included) comes back unchanged."""
    value = {"text": 'a\u0000b "quoted" \\ back\\slash \u2028 ö', "n": [1, 2.5, None]}
    ident = new_id()
    sent = statement(id=ident, result={"extensions": {"https://x.org/ext": value}})
    assert x.post(sent).status_code == 200
    got = body(x.get({"statementId": ident}))
    assert got["result"]["extensions"]["https://x.org/ext"] == value
