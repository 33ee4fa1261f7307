"""Asking: a request per attendee present when the register is taken, the e-mail in the
person's language, one reminder, and the dependency direction (learning never imports us)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kompetenslyft.evaluation import asking
from kompetenslyft.evaluation.models import Request
from kompetenslyft.learning.services import attendance_take

from .conftest import Held


def take(held: Held, present: list[Any], capture: Any) -> None:
    with capture(execute=True):
        attendance_take(session=held.session, present={p.pk for p in present})


def test_register_asks_those_present_once(held: Held, django_capture_on_commit_callbacks: Any) -> None:
    present = held.people[:4]
    take(held, present, django_capture_on_commit_callbacks)
    requests = Request.objects.filter(module=held.module)
    assert {r.person_id for r in requests} == {p.pk for p in present}
    day = timezone.localdate() - dt.timedelta(days=1)
    one = requests.get(person=held.people[0])
    assert (one.session_id, one.initiative_id, one.occurred_on, one.opens_on) == (
        held.session.pk,
        held.initiative.pk,
        day,
        day,
    )
    assert one.closes_on == day + dt.timedelta(days=held.network.org_a.evaluation_days)
    assert one.organisation_id == held.network.org_a.pk
    # each person present got the link by e-mail (the immediate task backend runs it)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in present)
    assert all(r.sent_on == timezone.localdate() for r in requests)
    assert one.token in next(m.body for m in mail.outbox if m.to == [held.people[0].email])

    # taken again, with one more present and one now absent: no duplicate, the absent one is not asked
    mail.outbox.clear()
    take(held, [*held.people[1:4], held.people[4]], django_capture_on_commit_callbacks)
    assert sorted(Request.objects.filter(module=held.module).values_list("person_id", flat=True)) == sorted(
        p.pk for p in held.people[1:5]
    )
    assert [m.to for m in mail.outbox] == [[held.people[4].email]]


def test_an_answered_request_stays_when_marked_absent_later(
    held: Held, django_capture_on_commit_callbacks: Any
) -> None:
    take(held, held.people[:2], django_capture_on_commit_callbacks)
    Request.objects.filter(person=held.people[0]).update(answered_on=timezone.localdate())
    take(held, [], django_capture_on_commit_callbacks)
    assert list(Request.objects.values_list("person_id", flat=True)) == [held.people[0].pk]


def test_the_email_speaks_the_persons_language(held: Held, django_capture_on_commit_callbacks: Any) -> None:
    held.people[0].language = "nb"
    held.people[0].save(update_fields=["language"])
    held.people[1].language = "en"
    held.people[1].save(update_fields=["language"])
    take(held, held.people[:2], django_capture_on_commit_callbacks)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[held.people[1].email].subject.startswith("How was")
    # the form may hold the initiative's own questions too: not "five"
    assert "a few short questions" in by_address[held.people[1].email].body
    # the catalogues translate once merged; until then the nb e-mail is at least rendered under nb
    from django.utils import translation

    with translation.override("nb"):
        from django.utils.translation import gettext

        expected = gettext("How was “%(name)s”? Two minutes of evaluation") % {"name": held.module.name}
    assert by_address[held.people[0].email].subject == expected


def test_one_reminder_before_closing_to_those_who_have_not_answered(
    held: Held, django_capture_on_commit_callbacks: Any
) -> None:
    take(held, held.people[:3], django_capture_on_commit_callbacks)
    Request.objects.filter(person=held.people[0]).update(answered_on=timezone.localdate())
    mail.outbox.clear()
    # too early: nothing
    call_command("evaluation_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []
    closes = Request.objects.first().closes_on  # type: ignore[union-attr]
    due = asking.remind_from(closes - dt.timedelta(days=held.network.org_a.evaluation_days), closes)
    assert asking.send_due(today=due) == (0, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in held.people[1:3])
    assert all(any(w in m.subject.lower() for w in ("reminder", "påminnelse")) for m in mail.outbox)
    # only one, whatever the number of runs; none after closing
    assert asking.send_due(today=due) == (0, 0)
    assert asking.send_due(today=closes + dt.timedelta(days=1)) == (0, 0)
    assert len(mail.outbox) == 2


def test_the_command_sends_invitations_the_task_did_not(held: Held) -> None:
    # the register taken without running the on-commit task (e.g. the worker was down)
    attendance_take(session=held.session, present={held.people[0].pk})
    assert mail.outbox == [] and Request.objects.get().sent_on is None
    assert asking.send_due() == (1, 0)
    assert mail.outbox[0].to == [held.people[0].email]


def test_reminder_day() -> None:
    day = dt.date(2026, 3, 2)
    assert asking.remind_from(day, day + dt.timedelta(days=14)) == day + dt.timedelta(days=11)
    assert asking.remind_from(day, day + dt.timedelta(days=2)) == day + dt.timedelta(days=1)


@pytest.mark.django_db(False)
def test_learning_does_not_import_evaluation() -> None:
    """The dependency points one way: evaluation subscribes to learning's hooks."""
    import ast
    from pathlib import Path

    import kompetenslyft.learning as learning

    root = Path(learning.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.relative_to(root).parts:
            continue  # the tests of learning may set up evaluations
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("kompetenslyft.evaluation")]
    assert offenders == []
