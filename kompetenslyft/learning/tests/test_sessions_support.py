"""Sessions, trainers and support (issue 9): trainer and initiative picked, the list filtered and
paged, the register opening on the day, cancelling a session (e-mail with an .ics CANCEL and the
module's other sessions), cancel buttons gone once attendance is taken, recordings on the
journey, support questions and answers by e-mail, the lead's overview — and the attacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry, Grant, ProductRole
from kompetenslyft.learning import selectors
from kompetenslyft.learning.models import (
    Attendance,
    Booking,
    Module,
    Proposal,
    Session,
    SupportContact,
    SupportRequest,
)
from kompetenslyft.learning.services import (
    attendance_take,
    booking_book,
    booking_cancel,
    initiative_create,
    session_cancel,
    session_create,
    support_request_answer,
    support_request_create,
)
from kompetenslyft.org.tests.factories import PersonFactory, UserFactory


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def to_today(session: Session) -> None:
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    session.refresh_from_db()


@pytest.fixture
def world(network: Any, django_capture_on_commit_callbacks: Any) -> Any:
    n = network
    n.module = Module.objects.create(
        organisation=n.org_a, code="M-DOK", name="Dokumentation", category="K", level="basic",
        format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    n.initiative = initiative_create(
        organisation=n.org_a, code="lyft", name="Digitalt lyft", units=[n.admin_a], modules=[n.module]
    )
    start = timezone.now() + dt.timedelta(days=5)
    n.session = session_create(
        module=n.module, starts_at=start, duration_minutes=60, capacity=1, place="Sal 1",
        trainers=[n.trainer], initiative=n.initiative,
    )  # fmt: skip
    n.later = session_create(
        module=n.module, starts_at=start + dt.timedelta(days=7), duration_minutes=60, capacity=5,
        place="Sal 2",
    )  # fmt: skip
    n.employee.language = "en"
    n.employee.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        n.booked = booking_book(session=n.session, person=n.employee)
        n.waiting = booking_book(session=n.session, person=n.colleague)
    mail.outbox.clear()
    # org B with its own trainer and session
    n.trainer_b = PersonFactory(unit=n.unit_b, user=UserFactory(username="trainerb"), given_name="Trond")
    Grant.objects.create(user=n.trainer_b.user, organisation=n.org_b, role=ProductRole.TRAINER)
    module_b = Module.objects.create(
        organisation=n.org_b,
        code="M-B",
        name="Modul B",
        category="K",
        level="basic",
        format="onsite",
        hours=1,
    )
    n.session_b = session_create(
        module=module_b, starts_at=start, duration_minutes=60, capacity=5, place="Fjellvik",
        trainers=[n.trainer_b],
    )  # fmt: skip
    return n


# --- cancelling a session ---------------------------------------------------------------------------


def test_cancelling_tells_everyone_booked_or_waiting_with_an_ics_cancel_and_the_other_sessions(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        told = session_cancel(session=world.session, actor=world.trainer.user)
    assert told == 2
    world.session.refresh_from_db()
    assert world.session.cancelled and world.session.sequence == 1
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {world.employee.email, world.colleague.email}
    english = by_person[world.employee.email]  # the booked one, in its language (English)
    assert f"Hello {world.employee.given_name}," in english.body and "is cancelled" in english.body
    assert "Sal 2" in english.body  # the module's other session is offered
    name, content, mimetype = english.attachments[0]
    text = content.decode() if isinstance(content, bytes) else content
    assert mimetype.startswith("text/calendar; method=CANCEL")
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text and "SEQUENCE:1" in text
    assert f"UID:session-{world.session.pk}@kompetenslyft" in text  # same UID as the invitation
    swedish = by_person[world.colleague.email]  # waiting: no invitation to cancel; in Swedish
    assert f"Hej {world.colleague.given_name}!" in swedish.body  # the default language
    assert swedish.attachments == []
    assert AuditEntry.objects.filter(action="session.cancelled").exists()
    with pytest.raises(ValidationError):
        session_cancel(session=world.session)


def test_the_invitation_and_the_cancel_share_uid_and_raise_the_sequence(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        booking_book(session=world.later, person=world.employee)
    invitation = mail.outbox[-1].attachments[0][1]
    invitation = invitation.decode() if isinstance(invitation, bytes) else invitation
    assert "METHOD:REQUEST" in invitation and "SEQUENCE:0" in invitation
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=world.later)
    cancel = mail.outbox[-1].attachments[0][1]
    cancel = cancel.decode() if isinstance(cancel, bytes) else cancel
    uid = f"UID:session-{world.later.pk}@kompetenslyft"
    assert uid in invitation and uid in cancel and "SEQUENCE:1" in cancel


def test_once_attendance_is_taken_nothing_is_cancelled_and_the_buttons_are_gone(world: Any) -> None:
    to_today(world.session)
    attendance_take(session=world.session, present={world.employee.pk})
    with pytest.raises(ValidationError):
        session_cancel(session=world.session)
    with pytest.raises(ValidationError):
        booking_cancel(booking=world.booked)
    lead = client_for(world.lead.user)
    page = lead.get(reverse("learning:session", args=[world.session.pk])).content.decode()
    assert reverse("learning:session_cancel", args=[world.session.pk]) not in page
    assert reverse("learning:session_booking_cancel", args=[world.session.pk]) not in page
    lead.post(reverse("learning:session_cancel", args=[world.session.pk]))
    lead.post(
        reverse("learning:session_booking_cancel", args=[world.session.pk]), {"booking": world.booked.pk}
    )
    world.session.refresh_from_db()
    world.booked.refresh_from_db()
    assert not world.session.cancelled and world.booked.status == Booking.Status.BOOKED


def test_a_trainer_cancels_its_session_but_not_another_organisations_or_one_it_does_not_train(
    world: Any,
) -> None:
    url_b = reverse("learning:session_cancel", args=[world.session_b.pk])
    for username in ("trainer", "lead", "manager", "employee"):
        assert client_for(world_user(world, username)).post(url_b).status_code == 404, username
    assert not Session.objects.get(pk=world.session_b.pk).cancelled
    # a trainer of the organisation that is not the session's trainer, and a manager: 404
    other_trainer = PersonFactory(unit=world.unit1, user=UserFactory(username="trainer2"))
    Grant.objects.create(user=other_trainer.user, organisation=world.org_a, role=ProductRole.TRAINER)
    url = reverse("learning:session_cancel", args=[world.session.pk])
    assert client_for(other_trainer.user).post(url).status_code == 404
    assert client_for(world.manager.user).post(url).status_code == 404
    assert not Session.objects.get(pk=world.session.pk).cancelled
    response = client_for(world.trainer.user).post(url, follow=True)
    assert response.status_code == 200 and Session.objects.get(pk=world.session.pk).cancelled
    page = client_for(world.lead.user).get(reverse("learning:session", args=[world.session.pk]))
    assert reverse("learning:session", args=[world.later.pk]) in page.content.decode()  # offered
    assert client_for(world.trainer.user).get(url).status_code == 405  # a POST only


def world_user(world: Any, username: str) -> Any:
    return {
        "trainer": world.trainer.user,
        "lead": world.lead.user,
        "manager": world.manager.user,
        "employee": world.employee.user,
    }[username]


def test_the_journey_shows_a_cancelled_booking_with_the_other_sessions(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=world.session)
    page = client_for(world.employee.user).get(reverse("learning:me"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "is cancelled" in html and "Sal 2" in html


# --- the register opens on the day -----------------------------------------------------------------


def test_the_register_opens_on_the_day_of_the_session(world: Any) -> None:
    trainer = client_for(world.trainer.user)
    page = trainer.get(reverse("learning:session", args=[world.session.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    day = timezone.localtime(world.session.starts_at).date().isoformat()
    assert f"The register opens on the day of the session, {day}" in html
    assert reverse("learning:session_attendance", args=[world.session.pk]) not in html
    with pytest.raises(ValidationError):
        attendance_take(session=world.session, present={world.employee.pk})
    trainer.post(
        reverse("learning:session_attendance", args=[world.session.pk]), {"present": [world.employee.pk]}
    )
    assert not Attendance.objects.exists()
    to_today(world.session)
    html = trainer.get(reverse("learning:session", args=[world.session.pk])).content.decode()
    assert reverse("learning:session_attendance", args=[world.session.pk]) in html
    saved = trainer.post(
        reverse("learning:session_attendance", args=[world.session.pk]),
        {"present": [world.employee.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert Attendance.objects.get(person=world.employee).status == Attendance.Status.ATTENDED
    # The message says what was saved: those present and those absent, not everyone booked.
    on_register = world.session.bookings.filter(status="booked").count()
    assert f"Attendance saved: 1 present, {on_register - 1} absent." in saved.content.decode(), (
        saved.content.decode()
    )


# --- trainer and initiative, the list -----------------------------------------------------------------


def schedule(client: Client, world: Any, **extra: Any) -> Any:
    data = {
        "module": world.module.pk,
        "starts_at": (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "capacity": 5,
        "place": "Nya salen",
        "language": "sv",
        "organisation": world.org_a.pk,
        **extra,
    }
    return client.post(reverse("learning:session_create"), data)


def test_the_trainer_is_picked_among_the_organisations_trainers(world: Any) -> None:
    lead = client_for(world.lead.user)
    page = lead.get(reverse("learning:sessions")).content.decode()
    assert f'<option value="{world.trainer.pk}">{world.trainer.full_name}</option>' in page
    assert f'value="{world.employee.pk}"' not in page  # not a trainer
    assert world.trainer_b.full_name not in page  # another organisation's trainer
    # A person without the trainer role, or of another organisation, is refused.
    for someone in (world.employee, world.trainer_b):
        assert schedule(lead, world, trainer=someone.pk).status_code == 400
    assert schedule(lead, world, initiative=987654).status_code == 400
    assert not Session.objects.filter(place="Nya salen").exists()
    assert schedule(lead, world, trainer=world.trainer.pk, initiative=world.initiative.pk).status_code == 302
    created = Session.objects.get(place="Nya salen")
    assert list(created.trainers.all()) == [world.trainer] and created.initiative == world.initiative


def test_the_list_is_in_date_order_filtered_and_paged(world: Any, settings: Any) -> None:
    lead = client_for(world.lead.user)
    url = reverse("learning:sessions")
    past = session_create(
        module=world.module, starts_at=timezone.now() - dt.timedelta(days=20), duration_minutes=60,
        capacity=5, place="Förr",
    )  # fmt: skip

    def listed(**params: Any) -> list[int]:
        response = lead.get(url, params)
        assert response.status_code == 200
        return [s.pk for s in response.context["page"]]

    assert listed() == [world.session.pk, world.later.pk]  # coming, in date order
    assert listed(when="past") == [past.pk]
    assert listed(when="all") == [past.pk, world.session.pk, world.later.pk]
    assert listed(trainer=world.trainer.pk) == [world.session.pk]
    assert listed(initiative=world.initiative.pk) == [world.session.pk]
    day = timezone.localtime(world.later.starts_at).date().isoformat()
    assert listed(start=day) == [world.later.pk]
    assert listed(end=timezone.localtime(world.session.starts_at).date().isoformat()) == [world.session.pk]
    assert listed(module=world.module.pk, when="all") == [past.pk, world.session.pk, world.later.pk]
    assert world.session_b.pk not in listed(when="all")  # another organisation's
    for bad in ("abc", "²", "99999999999999999999"):
        assert lead.get(url, {"trainer": bad, "module": bad, "start": bad}).status_code < 500
    settings.KOMPETENSLYFT_PAGE_SIZE = 1
    first = lead.get(url)
    assert first.context["page"].paginator.num_pages == 2 and "page=2" in first.content.decode()
    assert [s.pk for s in lead.get(url, {"page": 2}).context["page"]] == [world.later.pk]


# --- recordings on the journey ------------------------------------------------------------------------


def test_the_recording_is_on_the_journey_of_those_who_took_part_and_those_assigned(world: Any) -> None:
    from kompetenslyft.learning.services import proposals_generate, session_update

    to_today(world.session)
    attendance_take(session=world.session, present={world.employee.pk})
    session_update(session=world.session, recording_link="https://video.example/rec-1")
    world.module.mandatory_roles.add(world.other_employee.role)  # assigned to Olle by the initiative
    proposals_generate(initiative_id=world.initiative.pk)
    # Assigned means confirmed by the manager: only then is it on the journey.
    Proposal.objects.filter(initiative=world.initiative).update(status=Proposal.Status.CONFIRMED)
    took_part = selectors.journey(world.employee)
    assigned = selectors.journey(world.other_employee)
    assert [s.pk for s in took_part.recordings] == [world.session.pk]
    assert [s.pk for s in assigned.recordings] == [world.session.pk]
    page = client_for(world.employee.user).get(reverse("learning:me")).content.decode()
    assert "https://video.example/rec-1" in page
    # Someone of another organisation, neither assigned nor present, sees nothing of it.
    assert selectors.journey(world.person_b).recordings == []


# --- the journey's booking --------------------------------------------------------------------------


def test_booking_on_the_journey_says_it_was_booked(world: Any) -> None:
    client = client_for(world.other_employee.user)
    response = client.post(
        reverse("learning:journey_book"), {"session": world.later.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    when = timezone.localtime(world.later.starts_at).strftime("%Y-%m-%d %H:%M")
    assert f"You are booked on Dokumentation {when}." in response.content.decode()
    full = client.post(
        reverse("learning:journey_book"),
        {"session": world.session.pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "you are on the waiting list of Dokumentation" in full.content.decode()
    assert client.get(reverse("learning:journey_book")).status_code == 405
    assert client.post(reverse("learning:journey_book"), {"session": world.session_b.pk}).status_code == 404


# --- support ------------------------------------------------------------------------------------------


def test_a_question_tells_the_contacts_and_the_answer_tells_the_asker(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    SupportContact.objects.create(person=world.trainer, unit=world.dep1)
    world.trainer.language = "nb"
    world.trainer.save(update_fields=["language"])
    employee = client_for(world.employee.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = employee.post(reverse("learning:support_ask"), {"topic": "Journalen", "question": "Var?"})
    assert response.status_code == 302
    question = SupportRequest.objects.get()
    assert (question.person, question.unit) == (world.employee, world.unit1)
    assert [m.to for m in mail.outbox] == [[world.trainer.email]]
    body = mail.outbox[0].body
    assert f"Hei {world.trainer.given_name}!" in body  # in the trainer's language (bokmål)
    assert "Journalen" in mail.outbox[0].subject and "Var?" in body and "/learning/support/" in body
    mail.outbox.clear()
    # The manager (not a contact) cannot answer; nor can org B's trainer.
    url = reverse("learning:support_answer", args=[question.pk])
    for user in (world.manager.user, world.trainer_b.user, world.employee.user, world.lead.user):
        assert client_for(user).post(url, {"answer": "Nej"}).status_code == 404
    trainer = client_for(world.trainer.user)
    inbox = trainer.get(reverse("learning:support")).content.decode()
    assert "Var?" in inbox and url in inbox
    with django_capture_on_commit_callbacks(execute=True):
        assert trainer.post(url, {"answer": "Under Dokumentation."}).status_code == 302
    question.refresh_from_db()
    assert question.answer == "Under Dokumentation." and question.answered_by == world.trainer
    assert [m.to for m in mail.outbox] == [[world.employee.email]]
    assert f"Hello {world.employee.given_name}," in mail.outbox[0].body  # the asker's language
    assert "Journalen" in mail.outbox[0].subject and "Under Dokumentation." in mail.outbox[0].body
    assert trainer.post(url, {"answer": "Again"}).status_code == 302  # refused: already answered
    question.refresh_from_db()
    assert question.answer == "Under Dokumentation."
    assert AuditEntry.objects.filter(action__in=["support.asked", "support.answered"]).count() == 2
    # An empty question is refused on the journey page, nothing is stored.
    assert employee.post(reverse("learning:support_ask"), {"topic": "", "question": ""}).status_code == 400
    assert SupportRequest.objects.count() == 1


def test_an_employee_cannot_read_anothers_question(world: Any) -> None:
    support_request_create(person=world.colleague, topic="Lön", question="Hemlig fråga")
    employee = client_for(world.employee.user)
    assert "Hemlig fråga" not in employee.get(reverse("learning:me")).content.decode()
    for name in ("learning:support", "learning:support_overview"):
        assert employee.get(reverse(name)).status_code == 404
    assert "Hemlig fråga" not in client_for(world.manager.user).get(reverse("learning:me")).content.decode()
    assert client_for(world.manager.user).get(reverse("learning:support_overview")).status_code == 404
    assert client_for(world.top.user).get(reverse("learning:support_overview")).status_code == 404


def test_the_lead_sees_every_question_of_its_organisation_with_counts_by_topic(world: Any) -> None:
    asked = [
        support_request_create(person=world.employee, topic="Journalen", question="Fråga ett"),
        support_request_create(person=world.colleague, topic="Journalen", question="Fråga två"),
        support_request_create(person=world.other_employee, topic="Lön", question="Fråga tre"),
        support_request_create(person=world.person_b, topic="Lønn", question="Norsk fråga"),
    ]
    support_request_answer(request=asked[0], answer="Svar", answered_by=world.trainer)
    lead = client_for(world.lead.user)
    initiatives = lead.get(reverse("learning:initiatives")).content.decode()
    url = reverse("learning:support_overview")
    assert url in initiatives  # reachable from the lead's initiatives page
    response = lead.get(url)
    topics = {t["topic"]: (t["total"], t["waiting"]) for t in response.context["topics"]}
    assert topics == {"Journalen": (2, 1), "Lön": (1, 1)}
    html = response.content.decode()
    assert "Fråga tre" in html and "Norsk fråga" not in html
    waiting = lead.get(url, {"topic": "Journalen", "answered": "no"}).content.decode()
    assert "Fråga två" in waiting and "Fråga ett" not in waiting and "Fråga tre" not in waiting
    assert "Fråga ett" in lead.get(url, {"answered": "yes"}).content.decode()
    lead_b = client_for(world.lead_b.user).get(url).content.decode()
    assert "Norsk fråga" in lead_b and "Fråga ett" not in lead_b
