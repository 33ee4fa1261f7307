"""Answers, campaigns and the gap summary: incremental updates equal a full recomputation,
and `report gap` honours formats.md."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from kompetenslyft.assessment import gaps
from kompetenslyft.assessment.models import Answer, Campaign, Participant
from kompetenslyft.assessment.services import answers_submit, campaign_create, campaign_open
from kompetenslyft.competence.models import Competence
from kompetenslyft.core.importing import ImportRefused, import_file
from kompetenslyft.org.tests.factories import PersonFactory

FRAMEWORK = "competence_code,name,category\nMAIL,E-post,Kommunikation\nDOK,Dokumentation,Dokumentation\n"


@pytest.fixture
def setup(network: Any, django_capture_on_commit_callbacks: Any) -> Any:
    role = network.employee.role.name
    run("framework", FRAMEWORK, network.org_a)
    run(
        "requirements",
        f"role,competence_code,required_level,unit_id\n{role},MAIL,3,\n{role},DOK,2,DEP2\n",
        network.org_a,
    )
    return network


def run(kind: str, text: str, org: Any) -> Any:
    return import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


def open_campaign(network: Any, point: int = 0, **kwargs: Any) -> Campaign:
    today = timezone.localdate()
    campaign = campaign_create(
        organisation=network.org_a,
        name=f"Mätning {point}",
        measurement_point=point,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        units=kwargs.get("units", [network.admin_a]),
        roles=kwargs.get("roles", []),
    )
    campaign_open(campaign=campaign)
    return Campaign.objects.get(pk=campaign.pk)


def competence(code: str, network: Any) -> Competence:
    return Competence.objects.get(code=code, framework__organisation=network.org_a)


def test_opening_generates_participants_and_invites_them(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(setup)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.progress_done == campaign.progress_total
    # everyone in the organisation's tree with the employee's role (the only role with requirements)
    people = set(Participant.objects.filter(campaign=campaign).values_list("person_id", flat=True))
    assert setup.employee.pk in people and setup.other_employee.pk in people
    assert setup.person_b.pk not in people
    assert len(mail.outbox) == len(people)
    assert any(setup.employee.email in m.to for m in mail.outbox)


def test_answers_are_refused_outside_the_rules(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(setup, units=[setup.dep1])
    mail_pk, dok_pk = competence("MAIL", setup).pk, competence("DOK", setup).pk
    with translation.override("en"):
        with pytest.raises(ValidationError, match="is not in the target group"):
            answers_submit(person=setup.other_employee, campaign=campaign, levels={mail_pk: 2})
        with pytest.raises(ValidationError, match="DOK is not a competence your role and unit require"):
            answers_submit(person=setup.employee, campaign=campaign, levels={dok_pk: 2})
        with pytest.raises(ValidationError, match="7 is not a level 0–4"):
            answers_submit(person=setup.employee, campaign=campaign, levels={mail_pk: 7})
        assert not Answer.objects.exists()
        answers_submit(person=setup.employee, campaign=campaign, levels={mail_pk: 2})
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)
        with pytest.raises(ValidationError, match="is closed"):
            answers_submit(person=setup.employee, campaign=campaign, levels={mail_pk: 4})
    assert Answer.objects.get().level == 2


def test_incremental_summary_equals_a_full_recomputation(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for unit in (setup.unit1, setup.unit2, setup.unit3, setup.unit3):
        for _ in range(4):
            PersonFactory(unit=unit, role=setup.employee.role)
    gaps.rebuild(setup.org_a)
    rnd = random.Random(5)
    mail_c, dok_c = competence("MAIL", setup), competence("DOK", setup)
    for point in (0, 1):
        with django_capture_on_commit_callbacks(execute=True):
            campaign = open_campaign(setup, point)
        for participant in Participant.objects.filter(campaign=campaign).select_related(
            "person", "person__unit"
        ):
            person = participant.person
            levels = {mail_c.pk: rnd.randint(0, 4)}
            if person.unit.path.startswith(setup.dep2.path):
                levels[dok_c.pk] = rnd.randint(0, 4)
            if rnd.random() < 0.8:
                with django_capture_on_commit_callbacks(execute=True):
                    answers_submit(person=person, campaign=campaign, levels=levels)
    incremental = gaps.stored(setup.org_a)
    assert incremental == gaps.compute(setup.org_a)
    assert incremental  # not trivially empty
    gaps.rebuild(setup.org_a)
    assert gaps.stored(setup.org_a) == incremental


def test_report_gap_json(setup: Any, capsys: Any) -> None:
    role = setup.employee.role.name
    rows = (
        "employee_id,competence_code,level,measurement_point,measured_at\n"
        f"{setup.employee.employee_id},MAIL,1,0,2026-01-10\n"
        f"{setup.employee.employee_id},MAIL,3,1,2026-05-10\n"
        f"{setup.other_employee.employee_id},MAIL,4,0,\n"
        f"{setup.other_employee.employee_id},DOK,1,0,\n"
    )
    run("assessments", rows, setup.org_a)
    call_command("report", "gap", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    by_key = {(r["unit_id"], r["competence_code"]): r for r in data["rows"]}
    assert list(by_key) == sorted(by_key)
    # employee in U1: latest answer is point 1, level 3 ≥ 3 → not below
    assert by_key[("U1", "MAIL")] == {
        "unit_id": "U1",
        "competence_code": "MAIL",
        "required": 1,
        "assessed": 1,
        "below": 0,
        "share_below": 0.0,
    }
    # U3 holds other_employee and the trainer (same role): required 2, one assessed
    assert by_key[("U3", "MAIL")]["required"] == 2 and by_key[("U3", "MAIL")]["assessed"] == 1
    assert by_key[("U3", "DOK")] == {
        "unit_id": "U3",
        "competence_code": "DOK",
        "required": 2,
        "assessed": 1,
        "below": 1,
        "share_below": 1.0,
    }
    assert ("U1", "DOK") not in by_key  # DOK is required in DEP2 and below only
    call_command(
        "report", "gap", "--format", "json", "--measurement-point", "0", "--unit", "DEP1", "--role", role
    )
    point0 = {(r["unit_id"], r["competence_code"]): r for r in json.loads(capsys.readouterr().out)["rows"]}
    assert point0[("U1", "MAIL")]["below"] == 1 and point0[("U1", "MAIL")]["share_below"] == 1.0
    assert all(unit in {"DEP1", "U1", "U2"} for unit, _code in point0)
    with pytest.raises(Exception) as info:
        call_command("report", "gap", "--format", "json", "--unit", "NOPE")
    assert getattr(info.value, "returncode", None) == 2


def test_bad_assessment_rows(setup: Any) -> None:
    eid = setup.employee.employee_id
    with translation.override("en"), pytest.raises(ImportRefused) as info:
        run(
            "assessments",
            (
                "employee_id,competence_code,level,measurement_point,measured_at\n"
                f"NOBODY,MAIL,1,0,\n{eid},NOPE,1,0,\n{eid},MAIL,5,0,\n{eid},MAIL,1,x,\n{eid},MAIL,1,0,igår\n"
                f"{eid},MAIL,2,1,\n{eid},MAIL,3,1,\n"
            ),
            setup.org_a,
        )
    with translation.override("en"):
        assert [str(e) for e in info.value.result.errors] == [
            "row 2, column employee_id: 'NOBODY' is not a person of the organisation",
            "row 3, column competence_code: 'NOPE' is not a competence of the organisation's frameworks",
            "row 4, column level: '5' is not a level 0–4",
            "row 5, column measurement_point: 'x' is not a measurement point (0, 1, 2 …)",
            "row 6, column measured_at: 'igår' is not a date (use YYYY-MM-DD)",
            "row 8, column measurement_point: the same person, competence and measurement point appear again "
            "(first in row 7)",
        ]
    assert not Answer.objects.exists()


def test_assessment_import_is_idempotent_and_marks_latest(setup: Any) -> None:
    eid = setup.employee.employee_id
    text = f"employee_id,competence_code,level,measurement_point\n{eid},MAIL,1,0\n{eid},MAIL,2,1\n"
    assert run("assessments", text, setup.org_a).counts == {"new": 2}
    assert run("assessments", text, setup.org_a).counts == {"unchanged": 2}
    latest = Answer.objects.get(is_latest=True)
    assert (latest.measurement_point, latest.level) == (1, 2)


def test_open_gaps_are_the_gaps_of_the_full_list(setup: Any) -> None:
    """``person_open_gaps`` (the journey's suggestions) gives exactly the competences that
    ``person_gaps`` shows below the requirement, with the same levels: unanswered and reached
    requirements are not gaps."""
    from kompetenslyft.assessment.selectors import person_gaps, person_open_gaps

    eid = setup.employee.employee_id
    assert person_open_gaps(setup.employee) == []  # nothing answered yet
    run("assessments", f"employee_id,competence_code,level,measurement_point\n{eid},MAIL,1,0\n", setup.org_a)
    full = [
        (g.competence.code, g.required_level, g.level, g.point) for g in person_gaps(setup.employee) if g.gap
    ]
    open_ = [
        (g.competence.code, g.required_level, g.level, g.point) for g in person_open_gaps(setup.employee)
    ]
    assert open_ == full == [("MAIL", 3, 1, 0)]
    run("assessments", f"employee_id,competence_code,level,measurement_point\n{eid},MAIL,3,1\n", setup.org_a)
    assert person_open_gaps(setup.employee) == []  # reached


def test_the_summary_keeps_each_measurement_points_period(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A point's period is the first and last day of its answers: written by the rebuild (from
    scratch: an answer removed narrows it) and widened by each refresh after an answer."""
    from kompetenslyft.assessment.selectors import measurement_periods

    colleague = PersonFactory(unit=setup.unit1, role=setup.employee.role)
    run(
        "assessments",
        "employee_id,competence_code,level,measurement_point,measured_at\n"
        f"{setup.employee.employee_id},MAIL,1,0,2026-01-10\n"
        f"{colleague.employee_id},MAIL,2,0,2026-02-03\n"
        f"{colleague.employee_id},MAIL,3,1,2026-05-20\n",
        setup.org_a,
    )
    gaps.rebuild(setup.org_a)
    day = dt.date
    assert measurement_periods(setup.org_a) == {
        0: (day(2026, 1, 10), day(2026, 2, 3)),
        1: (day(2026, 5, 20), day(2026, 5, 20)),
    }
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(setup, 1, units=[setup.dep1])
    with django_capture_on_commit_callbacks(execute=True):
        answers_submit(person=setup.employee, campaign=campaign, levels={competence("MAIL", setup).pk: 3})
    today = timezone.localdate()
    assert measurement_periods(setup.org_a)[1] == (day(2026, 5, 20), today)
    Answer.objects.filter(person=colleague, measurement_point=0).delete()
    gaps.rebuild(setup.org_a)
    assert measurement_periods(setup.org_a) == {
        0: (day(2026, 1, 10), day(2026, 1, 10)),
        1: (day(2026, 5, 20), today),
    }
