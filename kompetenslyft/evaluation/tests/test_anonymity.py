"""An admin with the database tries to link an evaluation answer to the person who gave it.

Ten people of the same unit, role and gender (so the placement says nothing) answer the same
session through the product's own page, in a known order, over several days, each with a
recognisable answer. The test then tries every way we know: columns and foreign keys of the
anonymous tables, timestamps, the order of the ids, the physical order of the rows (``rowid``
on SQLite, ``ctid`` on PostgreSQL) after every answer, and every row and timestamp any table
gained or changed while an answer was given (the audit log included). Runs on both databases."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.evaluation.models import Answer, Comment, Question, QuestionAnswer, Request
from kompetenslyft.learning.services import attendance_take
from kompetenslyft.org.tests.factories import PersonFactory

from .conftest import hold_session

ANONYMOUS = (Answer, Comment, QuestionAnswer)
PLACEMENT_TARGETS = {"organisation", "unit", "role", "module", "session", "question"}
# What answering may touch: the anonymous rows, the summary and its version, the request's date.
MAY_CHANGE = {
    "evaluation_answer",
    "evaluation_comment",
    "evaluation_questionanswer",
    "evaluation_cell",
    "evaluation_state",
    "evaluation_request",
}
PEOPLE = 10


def test_anonymous_tables_hold_no_link_and_no_time(db: Any) -> None:
    for model in ANONYMOUS:
        for field in model._meta.concrete_fields:
            if field.is_relation:
                target = field.related_model._meta.model_name  # type: ignore[union-attr]
                assert target in PLACEMENT_TARGETS, f"{model.__name__}.{field.name} → {target}"
            assert not isinstance(field, models.DateTimeField | models.TimeField), (
                f"{model.__name__}.{field.name}"
            )
            assert field.name not in ("person", "request", "user", "token", "employee_id")
        # the table in the database has exactly the model's columns, none finer than a date
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, model._meta.db_table)
        assert {c.name for c in description} == {f.column for f in model._meta.concrete_fields}
        for column in description:
            type_name = connection.introspection.get_field_type(column.type_code, column)
            assert type_name not in ("DateTimeField", "TimeField"), f"{model.__name__}.{column.name}"
    # the random primary keys carry no order
    assert all(isinstance(model._meta.pk, models.UUIDField) for model in ANONYMOUS)
    # who was asked keeps days only
    for model in (Request,):
        assert not any(isinstance(f, models.DateTimeField) for f in model._meta.concrete_fields)


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names())


def _snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text, sorted (so only content counts, not order)."""
    out = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            out[table] = sorted(repr(row) for row in cursor.fetchall())
    return out


def _time_columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return [
        c.name
        for c in description
        if connection.introspection.get_field_type(c.type_code, c) in ("DateTimeField", "TimeField")
    ]


def _physical(model: type[models.Model], label: str) -> list[str]:
    """The rows' labels in the order they lie in the table."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(label)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {order}")  # noqa: S608 - our own names
        return [str(row[0]) for row in cursor.fetchall()]


@pytest.fixture
def room(network: Any) -> Any:
    role = network.employee.role
    people = PersonFactory.create_batch(PEOPLE, unit=network.unit1, role=role, gender="woman")
    session = hold_session(network, days_ago=3, people=people)
    extra = Question.objects.create(
        organisation=network.org_a, initiative=session.initiative, text="Vad tar du med dig?", kind="text"
    )
    attendance_take(session=session, present={p.pk for p in people})
    return session, people, extra


def test_an_admin_with_the_database_cannot_link_answers_to_people(
    room: Any, monkeypatch: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    session, people, extra = room
    first_day = timezone.localdate() - dt.timedelta(days=3)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answered: list[str] = []  # the comment of each answer, in the order given
    audit_before = AuditEntry.objects.count()
    newest_not_last = older_reordered = 0
    for index, person in enumerate(people):
        day = first_day + dt.timedelta(days=index // 4)  # over three days
        monkeypatch.setattr(timezone, "localdate", lambda *a, _day=day, **k: _day)
        label = f"svar {index:02d}"
        url = reverse("evaluation:token", args=[Request.objects.get(person=person).token])
        request_before = Request.objects.filter(person=person).values().get()
        before = _snapshot()
        caplog.clear()
        with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks() as callbacks:
            response = client.post(
                url,
                {
                    "motivated": str(index % 4 + 1),
                    "level": str(index % 5 + 1),
                    "comment": label,
                    f"q{extra.pk}": f"extra {index:02d}",
                },
            )
        assert response.status_code == 302
        after = _snapshot()
        answered.append(label)

        # 1. what changed while answering: only the anonymous rows, the summary and the request
        changed = {t for t in before if before[t] != after[t]}
        assert {"evaluation_answer", "evaluation_request"} <= changed <= MAY_CHANGE, changed - MAY_CHANGE
        for table in changed:
            assert _time_columns(table) == [], f"{table} has a time column and changed on answering"
        request_after = Request.objects.filter(person=person).values().get()
        assert {k for k in request_after if request_after[k] != request_before[k]} == {"answered_on"}
        assert request_after["answered_on"] == day
        assert AuditEntry.objects.count() == audit_before
        assert callbacks == []  # no task, no mail, nothing after commit
        # nothing logged that could join the person to the answer
        assert [r for r in caplog.records if r.name.startswith(("kompetenslyft", "django.request"))] == []

        # 2. the physical order after each answer: the newest is not simply appended
        physical = [c for c in _physical(Comment, "text")]
        if index >= 1:
            newest_not_last += physical[-1] != label
            previous = [c for c in physical if c != label]
            older_reordered += previous != answered[:-1]
        answered_sorted_physically = physical
    assert newest_not_last > 0 and older_reordered > 0

    # 3. the order of ids and of the rows, table by table, against the order of answering
    extras = [f"extra {i:02d}" for i in range(PEOPLE)]
    signatures = [f"{i % 4 + 1}-{i % 5 + 1}" for i in range(PEOPLE)]
    by_id = {
        "answer": [f"{a.motivated}-{a.level}" for a in Answer.objects.order_by("id")],
        "comment": list(Comment.objects.order_by("id").values_list("text", flat=True)),
        "extra": list(QuestionAnswer.objects.order_by("id").values_list("text", flat=True)),
    }
    expected = {"answer": signatures, "comment": answered, "extra": extras}
    for key, order in by_id.items():
        assert sorted(order) == sorted(expected[key])
        assert order not in (expected[key], expected[key][::-1]), f"{key}: ids follow the order of answering"
    physical_orders = {
        "comment": answered_sorted_physically,
        "extra": _physical(QuestionAnswer, "text"),
    }
    answers_by_rowid = [
        str(pk).replace("-", "") for pk in _physical(Answer, "id")
    ]  # uuid text, no dashes on SQLite
    pk_signature = {a.pk.hex: f"{a.motivated}-{a.level}" for a in Answer.objects.all()}
    physical_orders["answer"] = [pk_signature[pk] for pk in answers_by_rowid]
    for key, order in physical_orders.items():
        assert order not in (expected[key], expected[key][::-1]), f"{key}: rows lie in the order of answering"

    # PostgreSQL stamps every row with the transaction that wrote it (xmin): the occurrence's
    # rows are all rewritten by the last answer, so they share one and it says nothing per row.
    if connection.vendor == "postgresql":
        for model in ANONYMOUS:
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"SELECT COUNT(DISTINCT xmin::text) FROM {table}")  # noqa: S608 - our own names
                assert cursor.fetchone()[0] == 1, model.__name__

    # 4. no date on an anonymous row is the day someone answered, unless it is the session's
    for model in ANONYMOUS:
        dates = set()
        for row in model.objects.values():
            dates |= {v for v in row.values() if isinstance(v, dt.date)}
        assert dates <= {
            session.starts_at.astimezone(timezone.get_current_timezone()).date(),
            first_day.replace(day=1),
        }
    # the requests say who answered on which day, and nothing of what
    assert Request.objects.filter(answered_on__isnull=False).count() == PEOPLE
