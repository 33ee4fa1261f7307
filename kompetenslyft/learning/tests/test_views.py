"""Learning pages: each role reaches exactly its own scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Module, Proposal, Session, SupportContact, SupportRequest
from kompetenslyft.learning.services import (
    booking_book,
    initiative_create,
    proposals_generate,
    session_create,
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(network: Any) -> Any:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,Kommunikation,basic,onsite,1.5,MAIL\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    module = Module.objects.get(code="M-MAIL")
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[module],
    )
    proposals_generate(initiative_id=network.initiative.pk)
    network.session = session_create(
        module=module,
        starts_at=timezone.now() + dt.timedelta(days=5),
        duration_minutes=60,
        capacity=10,
        place="Sal 1",
        trainers=[network.trainer],
    )
    network.other_session = session_create(
        module=module,
        starts_at=timezone.now() + dt.timedelta(days=6),
        duration_minutes=60,
        capacity=10,
        place="Sal 2",
    )
    booking_book(session=network.session, person=network.employee)
    SupportContact.objects.create(person=network.trainer, unit=network.dep1)
    network.module = module
    return network


def test_employee_journey_and_limits(world: Any) -> None:
    client = client_for(world.employee.user)
    page = client.get(reverse("learning:me")).content.decode()
    assert "E-post grund" in page and world.trainer.full_name in page  # its module, and who to ask
    response = client.post(reverse("learning:support_ask"), {"topic": "Outlook", "question": "Hur?"})
    assert response.status_code == 302
    assert SupportRequest.objects.get().unit == world.employee.unit
    for url in (
        reverse("learning:team"),
        reverse("learning:initiative", args=[world.initiative.pk]),
        reverse("learning:proposals", args=[world.initiative.pk]),
        reverse("learning:funder"),
        reverse("learning:sessions"),
        reverse("learning:session", args=[world.session.pk]),
        reverse("learning:support"),
    ):
        assert client.get(url).status_code == 404, url


def test_manager_confirms_only_its_own_people(world: Any) -> None:
    client = client_for(world.manager.user)
    page = client.get(reverse("learning:proposals", args=[world.initiative.pk])).content.decode()
    assert world.employee.family_name in page and world.other_employee.family_name not in page
    client.post(reverse("learning:proposals_confirm_all", args=[world.initiative.pk]))
    confirmed = set(Proposal.objects.filter(status="confirmed").values_list("person_id", flat=True))
    assert world.employee.pk in confirmed and world.other_employee.pk not in confirmed
    team = client.get(reverse("learning:team")).content.decode()
    assert world.other_employee.family_name not in team
    outside = client.get(reverse("learning:team"), {"unit": world.unit3.pk}).content.decode()
    assert world.other_employee.family_name not in outside


def test_trainer_sees_its_sessions_and_questions_only(world: Any) -> None:
    SupportRequest.objects.create(
        organisation=world.org_a, person=world.employee, unit=world.unit1, topic="A", question="in my units"
    )
    SupportRequest.objects.create(
        organisation=world.org_a,
        person=world.other_employee,
        unit=world.unit3,
        topic="B",
        question="elsewhere",
    )
    client = client_for(world.trainer.user)
    assert client.get(reverse("learning:session", args=[world.session.pk])).status_code == 200
    assert client.get(reverse("learning:session", args=[world.other_session.pk])).status_code == 404
    inbox = client.get(reverse("learning:support")).content.decode()
    assert "in my units" in inbox and "elsewhere" not in inbox
    url = reverse("learning:session_attendance", args=[world.session.pk])
    client.post(url, {"present": [world.employee.pk]})
    assert not world.employee.attendances.exists()  # not before the day of the session
    Session.objects.filter(pk=world.session.pk).update(starts_at=timezone.now())
    response = client.post(url, {"present": [world.employee.pk]})
    assert response.status_code == 302
    assert world.employee.attendances.get().status == "attended"


def test_other_organisations_and_aggregate_roles(world: Any) -> None:
    lead_b = client_for(world.lead_b.user)
    assert lead_b.get(reverse("learning:initiative", args=[world.initiative.pk])).status_code == 404
    assert lead_b.get(reverse("learning:proposals", args=[world.initiative.pk])).status_code == 404
    assert lead_b.get(reverse("learning:session", args=[world.session.pk])).status_code == 404
    top = client_for(world.top.user)
    assert top.get(reverse("learning:funder")).status_code == 200
    assert top.get(reverse("learning:proposals", args=[world.initiative.pk])).status_code == 404
    lead = client_for(world.lead.user)
    page = lead.get(reverse("learning:initiative", args=[world.initiative.pk])).content.decode()
    assert "Digitalt lyft" in page
    assert lead.get(reverse("learning:funder"), {"format": "xlsx"}).status_code == 200
    pdf = lead.get(reverse("learning:funder"), {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_manager_books_only_its_own_people(world: Any) -> None:
    booking_book(session=world.session, person=world.other_employee)  # someone outside the manager's units
    manager = client_for(world.manager.user)
    url = reverse("learning:session", args=[world.session.pk])
    page = manager.get(url).content.decode()
    assert world.employee.full_name in page and world.other_employee.full_name not in page
    book = reverse("learning:session_book", args=[world.session.pk])
    manager.post(book, {"people": [world.person_b.pk]})
    assert not world.session.bookings.filter(person=world.person_b).exists()
    manager.post(book, {"people": [world.colleague.pk]})
    assert world.session.bookings.filter(person=world.colleague, status="booked").exists()
    attendance = reverse("learning:session_attendance", args=[world.session.pk])
    details = reverse("learning:session_details", args=[world.session.pk])
    assert manager.post(attendance, {"present": [world.colleague.pk]}).status_code == 404
    assert manager.post(details, {"recording_link": ""}).status_code == 404
    assert manager.post(reverse("learning:session_cancel", args=[world.session.pk])).status_code == 404
    trainer = client_for(world.trainer.user)
    trainer.post(book, {"people": [world.person_b.pk]})
    assert not world.session.bookings.filter(person=world.person_b).exists()
    trainer.post(details, {"recording_link": "https://video.example/rec"})
    world.session.refresh_from_db()
    assert world.session.recording_link == "https://video.example/rec"


def test_job_aid_library(world: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    lead = client_for(world.lead.user)
    upload = SimpleUploadedFile("avvikelse.pdf", b"%PDF-1.4 lathund", content_type="application/pdf")
    response = lead.post(
        reverse("learning:job_aids"),
        {
            "title": "Avvikelse i fem steg",
            "owner": "Kvalitet",
            "version": "2",
            "plain_language": "on",
            "attachment": upload,
            "modules": [world.module.pk],
        },
    )
    assert response.status_code == 302
    page = client_for(world.employee.user).get(reverse("learning:job_aids")).content.decode()
    assert "Avvikelse i fem steg" in page
    from kompetenslyft.learning.models import JobAid

    aid = JobAid.objects.get()
    assert client_for(world.employee.user).get(reverse("learning:job_aid_file", args=[aid.pk])).content == (
        b"%PDF-1.4 lathund"
    )
    assert (
        client_for(world.lead_b.user).get(reverse("learning:job_aid_file", args=[aid.pk])).status_code == 404
    )
    assert (
        client_for(world.employee.user).post(reverse("learning:job_aids"), {"title": "x"}).status_code == 404
    )


def test_initiative_settings_and_project_leader_access(world: Any) -> None:
    lead = client_for(world.lead.user)
    url = reverse("learning:initiative", args=[world.initiative.pk])
    settings_url = reverse("learning:initiative_settings", args=[world.initiative.pk])
    project_leader = client_for(world.project_leader.user)
    assert project_leader.get(url).status_code == 404  # not yet one of its initiatives
    lead.post(
        settings_url,
        {
            "settings-status": "running",
            "settings-owners": world.project_leader.employee_id,
            "settings-steering_group": "NOBODY",
        },
    )
    world.initiative.refresh_from_db()
    assert world.initiative.status == "planned"  # an unknown id changes nothing
    lead.post(
        settings_url,
        {
            "settings-status": "running",
            "settings-owners": world.project_leader.employee_id,
            "settings-steering_group": world.top.employee_id,
            "settings-support": world.other_employee.employee_id,
        },
    )
    assert SupportContact.objects.filter(initiative=world.initiative, person=world.other_employee).exists()
    world.initiative.refresh_from_db()
    assert world.initiative.status == "running"
    assert project_leader.get(url).status_code == 200  # an owner follows and edits its initiative
    assert client_for(world.top.user).get(url).status_code == 200  # the steering group follows it
    entry = world.initiative.entries.first()
    done_url = reverse("learning:initiative_entry_done", args=[world.initiative.pk, entry.pk])
    assert client_for(world.top.user).post(done_url).status_code == 404  # following is not editing
    entry.refresh_from_db()
    assert not entry.done
