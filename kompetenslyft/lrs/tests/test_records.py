"""Records that count (ADR 0014): completed / passed statements from outside tools complete a
module for the person they name — within the client's organisation, once, after the commit —
and the platform's own statements never count again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kompetenslyft.learning.models import Attendance, Participation, Proposal
from kompetenslyft.learning.module_services import module_update
from kompetenslyft.learning.selectors import completed_modules
from kompetenslyft.lrs import emit, records
from kompetenslyft.lrs.verbs import COMPLETED, PASSED

from .helpers import Xapi, body, statement

pytestmark = pytest.mark.django_db

EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"


def send(capture: Any, x: Xapi, *statements: dict[str, Any]) -> Any:
    with capture(execute=True):
        response = x.post(list(statements))
    assert response.status_code == 200, response.content
    return body(response)


def counted(work: Any) -> list[tuple[int, str, Decimal, str, str]]:
    return sorted(
        Attendance.objects.filter(module__in=[work.mail, work.teams]).values_list(
            "person_id", "module__code", "hours", "status", "source"
        )
    )


def test_completed_by_mail_counts_with_its_duration_once(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    x = Xapi(work.org_a)
    employee = work.employee
    assert work.mail.activity_id.endswith("/xapi/activities/module/M-MAIL")
    done = statement(
        actor={"mbox": f"mailto:{employee.email.upper()}", "name": "E"},
        verb={"id": COMPLETED},
        object={"id": work.mail.activity_id},
        result={"completion": True, "duration": "PT1H15M"},
    )
    [ident] = send(django_capture_on_commit_callbacks, x, done)
    assert counted(work) == [(employee.pk, "M-MAIL", Decimal("1.25"), "completed", "lrs")]
    assert work.mail.pk in completed_modules([employee.pk])[employee.pk]
    # The dashboard's participation rows count it like the register's.
    assert Participation.objects.filter(person=employee).exists()
    # Sent again (the same id) or counted again: still one completion.
    send(django_capture_on_commit_callbacks, x, {**done, "id": ident})
    assert records.count_statements(organisation_id=work.org_a.pk, statement_ids=[ident]) == 0
    assert len(counted(work)) == 1


def test_account_with_the_employee_id_and_passed_count_onsite_hours_from_the_module(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    x = Xapi(work.org_a)
    passed = statement(
        actor={"account": {"homePage": "https://lms.example", "name": work.colleague.employee_id}},
        verb={"id": PASSED},
        object={"id": work.teams.activity_id},
        result={"success": True, "duration": "PT9H"},
    )
    send(django_capture_on_commit_callbacks, x, passed)
    assert counted(work) == [(work.colleague.pk, "M-TEAMS", Decimal("2.00"), "completed", "lrs")]


def test_what_does_not_count(work: Any, django_capture_on_commit_callbacks: Any) -> None:
    x = Xapi(work.org_a)
    mbox = f"mailto:{work.employee.email}"
    send(
        django_capture_on_commit_callbacks,
        x,
        statement(actor={"mbox": mbox}, verb={"id": EXPERIENCED}, object={"id": work.mail.activity_id}),
        statement(actor={"mbox": mbox}, verb={"id": COMPLETED}, object={"id": "https://elsewhere.example/x"}),
        statement(
            actor={"mbox": "mailto:nobody@example.org"},
            verb={"id": COMPLETED},
            object={"id": work.mail.activity_id},
        ),
        statement(
            actor={
                "account": {
                    "homePage": "https://kompetenslyft.invalid/pseudonym",
                    "name": work.employee.employee_id,
                }
            },
            verb={"id": COMPLETED},
            object={"id": work.mail.activity_id},
        ),
    )
    # Another organisation's client cannot complete Alfa's person's module.
    other = Xapi(work.org_b)
    send(
        django_capture_on_commit_callbacks,
        other,
        statement(actor={"mbox": mbox}, verb={"id": COMPLETED}, object={"id": work.mail.activity_id}),
    )
    # A completion voided in the same batch does not count.
    done = statement(actor={"mbox": mbox}, verb={"id": COMPLETED}, object={"id": work.mail.activity_id})
    [ident] = send(django_capture_on_commit_callbacks, x, done)
    assert len(counted(work)) == 1
    Attendance.objects.all().delete()
    void = statement(
        actor={"mbox": mbox},
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": ident},
    )
    send(django_capture_on_commit_callbacks, x, void)
    assert records.count_statements(organisation_id=work.org_a.pk, statement_ids=[ident]) == 0
    assert counted(work) == []


def test_the_platforms_own_statements_never_count(work: Any, django_capture_on_commit_callbacks: Any) -> None:
    made = emit.statement(work.employee, COMPLETED, emit.module_activity(work.mail))
    with django_capture_on_commit_callbacks(execute=True):
        emit.store(organisation_id=work.org_a.pk, statements=[made])
    assert records.count_statements(organisation_id=work.org_a.pk, statement_ids=[made["id"]]) == 0
    assert counted(work) == []
    # Stored twice (a task run again): one statement, no conflict.
    emit.store(organisation_id=work.org_a.pk, statements=[made])
    client = emit.platform_client(work.org_a.pk)
    assert client.is_platform and client.secret_hash == "!"


def test_a_passed_pre_test_exempts_where_the_module_allows(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    x = Xapi(work.org_a)
    pre = statement(
        actor={"mbox": f"mailto:{work.employee.email}"},
        verb={"id": PASSED},
        object={"id": work.mail.activity_id + "/pre-test"},
    )
    send(django_capture_on_commit_callbacks, x, pre)
    decision = Proposal.objects.get(person=work.employee).decisions()[work.mail.pk]
    assert decision["s"] == "exempt"
    assert counted(work) == []


def test_the_module_names_its_activity_iri(work: Any) -> None:
    fields = {
        "code": "M-MAIL",
        "name": "E-post grund",
        "category": "K",
        "level": "basic",
        "module_format": "elearning",
        "hours": Decimal("1.5"),
    }
    module_update(module=work.mail, activity_iri="https://lms.example/courses/mail", **fields)  # type: ignore[arg-type]
    work.mail.refresh_from_db()
    assert work.mail.activity_id == "https://lms.example/courses/mail"
    with pytest.raises(Exception) as raised:
        module_update(module=work.mail, activity_iri="not an iri", **fields)  # type: ignore[arg-type]
    assert "activity_iri" in raised.value.message_dict  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("duration", "hours"),
    [
        ("PT1H30M", Decimal("1.50")),
        ("PT45S", Decimal("0.01")),
        ("P1D", Decimal("24.00")),
        ("x", None),
        ("PT0S", None),
    ],
)
def test_hours_of(duration: str, hours: Decimal | None) -> None:
    assert records.hours_of(duration) == hours


def test_the_activity_iri_is_shown_and_edited_on_the_module_pages(work: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(work.lead.user)
    page = browser.get(reverse("learning:module", args=[work.mail.pk]))
    assert work.mail.activity_id in page.content.decode()
    edit = browser.get(reverse("learning:module_edit", args=[work.mail.pk]))
    assert b'name="activity_iri"' in edit.content


def test_a_database_queue_takes_the_count_in_the_statements_transaction(work: Any, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    x = Xapi(work.org_a)
    done = statement(actor={"mbox": f"mailto:{work.employee.email}"}, object={"id": work.mail.activity_id})
    assert x.post([done, statement(verb={"id": EXPERIENCED})]).status_code == 200
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "kompetenslyft.lrs.tasks.count_task"
    assert len(queued.args_kwargs["args"][1]) == 1  # only the counting statement's id
    assert x.post(statement(verb={"id": EXPERIENCED})).status_code == 200
    assert DBTaskResult.objects.count() == 1  # nothing counts: nothing queued
