"""Modules, attendance, the funder report, proposals from the gap, bookings and attendance."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from kompetenslyft.core.importing import ImportRefused, import_file
from kompetenslyft.learning.models import Attendance, Booking, Module, Proposal, Session
from kompetenslyft.learning.services import (
    attendance_take,
    booking_book,
    booking_cancel,
    initiative_create,
    proposals_generate,
    session_create,
)
from kompetenslyft.org.tests.factories import PersonFactory


def run(kind: str, text: str, org: Any) -> Any:
    return import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


def refused(kind: str, text: str, org: Any) -> list[str]:
    with translation.override("en"):
        with pytest.raises(ImportRefused) as info:
            run(kind, text, org)
        return [str(e) for e in info.value.result.errors]


@pytest.fixture
def setup(network: Any) -> Any:
    role = network.employee.role.name
    run("framework", "competence_code,name,category\nMAIL,E-post,K\nDOK,Dokumentation,K\n", network.org_a)
    run("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n{role},DOK,2\n", network.org_a)
    run(
        "modules",
        (
            "module_code,name,category,level,format,hours,competence_codes,mandatory_roles\n"
            'M-MAIL,E-post grund,Kommunikation,basic,onsite,"1,5",MAIL,\n'
            "M-DOK,Dokumentera,Dokumentation,advanced,live_remote,2,DOK,\n"
            f"M-GDPR,Dataskydd,Säkerhet,basic,elearning,0.5,,{role}\n"
            "M-FRI,Valfri,Övrigt,basic,microlearning,0.25,,\n"
        ),
        network.org_a,
    )
    return network


def test_modules_import_is_idempotent_and_bad_rows_named(setup: Any) -> None:
    text = (
        "module_code,name,category,level,format,hours\nM-MAIL,E-post grund,Kommunikation,basic,onsite,1.5\n"
    )
    assert run("modules", text, setup.org_a).counts == {"unchanged": 1}
    module = Module.objects.get(code="M-MAIL")
    # columns left out of the file leave the module's links alone
    assert module.hours == Decimal("1.50") and list(module.competences.values_list("code", flat=True)) == [
        "MAIL"
    ]
    assert refused(
        "modules",
        (
            "module_code,name,category,level,format,hours,competence_codes,mandatory_roles\n"
            "X1,Namn,Kat,expert,onsite,1,,\n"
            "X2,Namn,Kat,basic,poster,1,,\n"
            "X3,Namn,Kat,basic,onsite,en timme,,\n"
            "X4,Namn,Kat,basic,onsite,1,NOPE,rörmokare\n"
        ),
        setup.org_a,
    ) == [
        "row 2, column level: 'expert' is not basic or advanced",
        "row 3, column format: 'poster' is not one of onsite, live_remote, elearning, microlearning",
        "row 4, column hours: 'en timme' is not a number of hours",
        "row 5, column competence_code: 'NOPE' is not a competence of the organisation's frameworks",
        "row 5, column mandatory_roles: 'rörmokare' is not a role of the organisation",
    ]


def test_attendance_import_and_funder_report(setup: Any, capsys: Any) -> None:
    man = PersonFactory(unit=setup.unit3, gender="man")
    other = PersonFactory(unit=setup.unit1, gender="")
    text = (
        "employee_id,module_code,date,hours,status\n"
        f"{setup.employee.employee_id},M-MAIL,2026-02-01,1.5,\n"
        f"{setup.employee.employee_id},M-DOK,2026-03-01,2,completed\n"
        f"{man.employee_id},M-MAIL,2026-02-01,1.5,attended\n"
        f"{other.employee_id},M-MAIL,2026-02-02,1.5,no_show\n"
        f"{other.employee_id},M-DOK,2026-04-01,2,attended\n"
    )
    assert run("attendance", text, setup.org_a).counts == {"new": 5}
    assert run("attendance", text, setup.org_a).counts == {"unchanged": 5}
    call_command("report", "funder", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "unique_participants": {"total": 3, "women": 1, "men": 1, "other_or_unspecified": 1},
        "training_hours": 7.0,
        "evaluations": {
            "responses": 0,
            "motivated_share": 0.0,
            "method_good_share": 0.0,
            "important_share": 0.0,
            "will_use_share": 0.0,
            "level": {"too_easy": 0.0, "right": 0.0, "too_hard": 0.0},
        },
    }
    call_command("report", "funder", "--format", "json", "--unit", "DEP2", "--organisation", "alpha")
    assert json.loads(capsys.readouterr().out)["unique_participants"] == {
        "total": 1,
        "women": 0,
        "men": 1,
        "other_or_unspecified": 0,
    }
    call_command("report", "funder", "--format", "json", "--from", "2026-03-01", "--to", "2026-03-31")
    assert json.loads(capsys.readouterr().out)["training_hours"] == 2.0
    initiative_create(
        organisation=setup.org_a,
        code="lyft",
        name="Lyftet",
        units=[setup.admin_a],
        modules=[Module.objects.get(code="M-DOK")],
    )
    call_command("report", "funder", "--format", "json", "--initiative", "lyft")
    assert json.loads(capsys.readouterr().out)["unique_participants"]["total"] == 2
    with pytest.raises(CommandError) as info:
        call_command("report", "funder", "--format", "json", "--initiative", "nope")
    assert info.value.returncode == 2


def test_bad_attendance_rows(setup: Any) -> None:
    eid = setup.employee.employee_id
    assert refused(
        "attendance",
        (
            "employee_id,module_code,date,hours,status\n"
            f"NOBODY,M-MAIL,2026-01-01,1,\n{eid},NOPE,2026-01-01,1,\n{eid},M-MAIL,1 jan,1,\n{eid},M-MAIL,2026-01-01,-1,\n"
            f"{eid},M-MAIL,2026-01-01,1,maybe\n{eid},M-DOK,2026-01-01,1,\n{eid},M-DOK,2026-01-01,2,\n"
        ),
        setup.org_a,
    ) == [
        "row 2, column employee_id: 'NOBODY' is not a person of the organisation",
        "row 3, column module_code: 'NOPE' is not a module (import or create it first)",
        "row 4, column date: '1 jan' is not a date (use YYYY-MM-DD)",
        "row 5, column hours: '-1' is not a number of hours",
        "row 6, column status: 'maybe' is not one of attended, completed, no_show",
        "row 8, column date: the same person, module and date appear again (first in row 7)",
    ]
    assert not Attendance.objects.exists()


def test_proposals_assign_exempt_and_mandatory(setup: Any) -> None:
    eid, other = setup.employee.employee_id, setup.other_employee.employee_id
    run(
        "assessments",
        "employee_id,competence_code,level,measurement_point\n"
        f"{eid},MAIL,1,0\n{eid},DOK,4,0\n{other},MAIL,4,0\n{other},DOK,2,0\n",
        setup.org_a,
    )
    initiative = initiative_create(
        organisation=setup.org_a,
        code="lyft",
        name="Lyftet",
        units=[setup.admin_a],
        modules=list(Module.objects.all()),
    )
    assert proposals_generate(initiative_id=initiative.pk) >= 2
    modules = {m.code: m.pk for m in Module.objects.all()}
    mine = Proposal.objects.get(initiative=initiative, person=setup.employee).decisions()
    assert mine[modules["M-MAIL"]] == {"s": "assigned", "r": "below", "c": ["MAIL"]}
    assert mine[modules["M-DOK"]] == {"s": "exempt", "r": "reached", "c": []}
    assert mine[modules["M-GDPR"]] == {"s": "assigned", "r": "mandatory", "c": []}
    assert modules["M-FRI"] not in mine  # elective: open for self-enrolment
    theirs = Proposal.objects.get(initiative=initiative, person=setup.other_employee).decisions()
    assert theirs[modules["M-MAIL"]]["s"] == "exempt" and theirs[modules["M-DOK"]]["s"] == "exempt"
    # someone who never answered is below everywhere (not measured is not reached)
    colleague = Proposal.objects.get(initiative=initiative, person=setup.trainer).decisions()
    assert colleague[modules["M-DOK"]]["s"] == "assigned"


def test_booking_waiting_list_invitation_and_attendance(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    module = Module.objects.get(code="M-MAIL")
    starts = timezone.now() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        session = session_create(
            module=module,
            starts_at=starts,
            duration_minutes=90,
            capacity=1,
            place="Stadshuset, sal 3",
            trainers=[setup.trainer],
        )
        first = booking_book(session=session, person=setup.employee)
        second = booking_book(session=session, person=setup.other_employee)
    assert (first.status, second.status) == (Booking.Status.BOOKED, Booking.Status.WAITING)
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == [setup.employee.email]
    name, content, mimetype = invitation.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in text and "Stadshuset" in text
    with django_capture_on_commit_callbacks(execute=True):
        moved = booking_cancel(booking=first)
    assert moved is not None and moved.person == setup.other_employee
    assert Booking.objects.get(pk=second.pk).status == Booking.Status.BOOKED
    assert mail.outbox[-1].to == [setup.other_employee.email]
    with pytest.raises(ValidationError):  # the register opens on the day of the session
        attendance_take(session=session, present={setup.other_employee.pk})
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    session.refresh_from_db()
    attendance_take(session=session, present={setup.other_employee.pk})
    row = Attendance.objects.get(person=setup.other_employee)
    assert (row.status, row.hours) == (Attendance.Status.ATTENDED, Decimal("1.50"))


def test_other_evidence_exempts_through_the_hook(setup: Any) -> None:
    from kompetenslyft.learning import services

    initiative = initiative_create(
        organisation=setup.org_a,
        code="hook",
        name="Krok",
        units=[setup.admin_a],
        modules=[Module.objects.get(code="M-MAIL")],
    )
    mail_module = Module.objects.get(code="M-MAIL").pk

    def passed_test(initiative: Any, module_ids: list[int]) -> set[tuple[int, int]]:
        return {(setup.employee.pk, mail_module)}

    services.register_exemption_source(passed_test)
    try:
        proposals_generate(initiative_id=initiative.pk)
    finally:
        services.EXEMPTION_SOURCES.remove(passed_test)
    assert (
        Proposal.objects.get(initiative=initiative, person=setup.employee).decisions()[mail_module]["s"]
        == "exempt"
    )
    assert (
        Proposal.objects.get(initiative=initiative, person=setup.trainer).decisions()[mail_module]["s"]
        == "assigned"
    )


def test_reminders_two_days_before(setup: Any) -> None:
    from kompetenslyft.learning.services import session_send_reminders

    session = session_create(
        module=Module.objects.get(code="M-MAIL"),
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=60,
        capacity=5,
        meeting_link="https://teams.example/meet",
    )
    booking_book(session=session, person=setup.employee)
    mail.outbox.clear()
    assert session_send_reminders(session_id=session.pk) == 1
    assert mail.outbox[0].to == [setup.employee.email] and "teams.example" in mail.outbox[0].body
    assert session_send_reminders(session_id=session.pk) == 0  # once


def test_proposals_for_an_initiative_without_modules_are_empty_not_an_error(setup: Any) -> None:
    initiative = initiative_create(
        organisation=setup.org_a, code="tom", name="Ännu utan moduler", units=[setup.admin_a], modules=[]
    )
    proposals_generate(initiative_id=initiative.pk)
    assert all(not p.decisions() for p in Proposal.objects.filter(initiative=initiative))
