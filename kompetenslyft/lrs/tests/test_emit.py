"""The platform writes statements for what happens in it (ADR 0014): booked, attended,
completed, knowledge tests and micro-learning answered, evaluated (only that) — with the
platform's own client as authority, in bulk where the service is bulk, never counted again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.utils import timezone

from kompetenslyft.core.importing import import_file
from kompetenslyft.evaluation.answering import Answers, answer_submit
from kompetenslyft.evaluation.models import Request
from kompetenslyft.knowledge import services as knowledge
from kompetenslyft.learning.models import Attendance, Session
from kompetenslyft.learning.services import attendance_take, booking_book, session_create
from kompetenslyft.lrs import emit, evaluated
from kompetenslyft.lrs.models import Statement
from kompetenslyft.lrs.verbs import ANSWERED, ATTEMPTED, ATTENDED, COMPLETED, REGISTERED
from kompetenslyft.microlearning.models import QuestionSet
from kompetenslyft.microlearning.services import set_answer

pytestmark = pytest.mark.django_db

GIFT = Path(__file__).parents[2] / "knowledge" / "tests" / "fixtures" / "digital_dokumentation.gift"


def platform_statements(organisation: Any) -> list[dict[str, Any]]:
    client = emit.platform_client(organisation.pk)
    rows = Statement.objects.filter(organisation=organisation, client=client).order_by("id")
    return [orjson.loads(row.data) for row in rows]


def of(person: Any, statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"] for s in statements if s["actor"]["account"]["name"] == person.employee_id]


def test_booking_and_register_write_enrolled_attended_completed_once(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session = session_create(
            module=work.teams,
            starts_at=timezone.now() + dt.timedelta(days=2),
            duration_minutes=90,
            capacity=10,
            place="Rum 1",
            trainers=[work.trainer],
        )
        booking_book(session=session, person=work.employee)
        booking_book(session=session, person=work.colleague)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    session.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_take(session=session, present={work.employee.pk}, actor=work.trainer.user)
    made = platform_statements(work.org_a)
    assert of(work.employee, made) == [REGISTERED, ATTENDED, COMPLETED]
    assert of(work.colleague, made) == [REGISTERED]  # absent: no statement
    attended = next(s for s in made if s["verb"]["id"] == ATTENDED)
    assert attended["result"] == {"duration": "PT1.50H"}
    assert attended["object"]["id"] == work.teams.activity_id
    assert attended["authority"]["account"]["name"] == emit.platform_client(work.org_a.pk).key
    # Its own completion is not counted again: still the register's one attendance row.
    assert list(Attendance.objects.filter(person=work.employee).values_list("source", "status")) == [
        ("session", "attended")
    ]


def test_an_attendance_import_writes_statements_and_its_dry_run_none(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    text = (
        "employee_id,module_code,date,hours,status\n"
        f"{work.employee.employee_id},M-MAIL,2026-03-02,1.5,completed\n"
        f"{work.colleague.employee_id},M-MAIL,2026-03-02,1.5,no_show\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_file(
            kind="attendance", content=text.encode(), filename="a.csv", organisation=work.org_a, dry_run=True
        )
    assert platform_statements(work.org_a) == []
    with django_capture_on_commit_callbacks(execute=True):
        import_file(kind="attendance", content=text.encode(), filename="a.csv", organisation=work.org_a)
    [made] = platform_statements(work.org_a)
    assert made["verb"]["id"] == COMPLETED and made["timestamp"].startswith("2026-03-0")
    assert made["result"] == {"duration": "PT1.50H", "completion": True}
    assert Attendance.objects.filter(source="lrs").count() == 0


def test_a_knowledge_test_is_recorded_as_attempted_without_its_result(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    knowledge.bank_import(
        organisation=work.org_a,
        module=work.mail,
        content=GIFT.read_bytes(),
        filename=GIFT.name,
        actor=work.lead.user,
    )
    settings = {"pass_mark": 60, "questions_drawn": 5, "max_attempts": 2, "wait_hours": 0, "active": True}
    pre = knowledge.test_save(
        organisation=work.org_a, module=work.mail, kind="pre", actor=work.lead.user, **settings
    )
    attempt = knowledge.attempt_start(test=pre, person=work.employee)
    question, options = attempt.drawn[0]
    with django_capture_on_commit_callbacks(execute=True):
        attempt, _ = knowledge.attempt_submit(
            attempt=attempt, answers={int(question): [int(options[0])]}, actor=None
        )
    [made] = platform_statements(work.org_a)
    # A score is the person's own (knowledge.results): the LRS, read by the organisation's
    # clients, says only that the test was handed in.
    assert made["verb"]["id"] == ATTEMPTED
    assert made["object"]["id"] == f"{work.mail.activity_id}/pre-test"
    assert made["result"] == {"completion": True}
    assert made["context"]["contextActivities"]["parent"][0]["id"] == work.mail.activity_id


def test_micro_learning_answers_are_counted_not_told(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row = QuestionSet.objects.create(
        person=work.employee, organisation=work.org_a, day=timezone.localdate(), questions=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        set_answer(question_set=row, answers={})
    row.questions, row.right = [1, 2, 3, 4], 3
    with django_capture_on_commit_callbacks(execute=True):
        emit.micro_answered(row, work.employee)
    empty, made = platform_statements(work.org_a)
    assert empty["verb"]["id"] == ANSWERED and empty["result"] == {"completion": True}
    assert made["verb"]["id"] == ANSWERED and made["result"] == {"completion": True}  # not 3 of 4
    assert "answers" not in orjson.dumps(made).decode()


def test_an_evaluation_is_written_by_the_daily_run_and_only_that_it_was_given(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    request = Request.objects.create(
        organisation=work.org_a,
        person=work.employee,
        module=work.teams,
        occurred_on=today,
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        answer_submit(request_id=request.pk, answers=Answers(motivated=4, comment="Mycket bra, tack Tina"))
    assert callbacks == []  # nothing after the answer's commit
    assert evaluated.evaluations_given(today=today) == 0  # today's wait for tomorrow's run
    tomorrow = today + dt.timedelta(days=1)
    assert evaluated.evaluations_given(today=tomorrow) == 1
    assert evaluated.evaluations_given(today=tomorrow) == 1  # again: the same statement, no more
    [made] = platform_statements(work.org_a)
    assert made["id"] == evaluated.statement_id(request.pk)
    assert made["verb"]["id"] == emit.EVALUATED
    assert made["object"]["id"] == work.teams.activity_id
    assert set(made) == {"id", "actor", "verb", "object", "timestamp", "stored", "authority", "version"}
    assert made["timestamp"] == emit.format_time(emit._day_start(today))
    assert "Tina" not in orjson.dumps(made).decode()
