"""Organisations stay apart around sessions (issue 7, part 2) and booking is by picking (part 5).

Each test repeats an attack through the real views: org A ("Solvik" in the issue) is
``network.org_a``, org B ("Fjellvik") is ``network.org_b``. A module shared with the network is
given by both; a session belongs to the organisation that runs it and is bookable by another
organisation only when opened to it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.learning.models import Attendance, Booking, Module, Session
from kompetenslyft.learning.reports import FunderScope, build_funder, funder_figures
from kompetenslyft.learning.services import booking_book, session_create, session_update
from kompetenslyft.org.tests.factories import PersonFactory, UnitFactory, UserFactory


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_url(session: Session) -> str:
    return reverse("learning:session", args=[session.pk])


def action_url(name: str, session: Session) -> str:
    return reverse(f"learning:session_{name}", args=[session.pk])


SESSION_ACTIONS = (
    "learning:session_attendance",
    "learning:session_details",
    "learning:session_book",
    "learning:session_booking_cancel",
    "learning:session_cancel",
)


def to_today(session: Session) -> None:
    """The register opens on the day of the session: move it to now (started today)."""
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())


def without_tokens(html: str) -> str:
    """A page without its CSRF tokens (they differ between any two responses)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture
def net(network: Any) -> Any:
    """The conftest network plus org B's own trainer, manager and an employee with a login, a
    module shared with the network and one session of it run by each organisation."""
    n = network
    n.person_b.user = UserFactory(username="employeeb")
    n.person_b.save(update_fields=["user"])
    n.unit_b2 = UnitFactory(organisation=n.org_b, unit_id="B2", name="Sykehjemmet", parent=n.unit_b)
    n.manager_b = PersonFactory(
        unit=n.unit_b, user=UserFactory(username="managerb"), given_name="Magnus", family_name="Mo"
    )
    n.unit_b.manager = n.manager_b
    n.unit_b.save(update_fields=["manager"])
    n.trainer_b = PersonFactory(
        unit=n.unit_b2, user=UserFactory(username="trainerb"), given_name="Trond", family_name="Tveit"
    )
    Grant.objects.create(user=n.trainer_b.user, organisation=n.org_b, role=ProductRole.TRAINER)
    n.asa = PersonFactory(unit=n.unit3, given_name="Åsa", family_name="Ottosson", email="asa@solvik.example")
    n.shared = Module.objects.create(
        organisation=None, code="M-SHARED", name="Delad modul", category="Digitalt", level="basic",
        format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    start = timezone.now() + dt.timedelta(days=5)
    n.session_b = session_create(
        organisation=n.org_b, module=n.shared, starts_at=start, duration_minutes=90, capacity=10,
        place="Fjellvik rådhus", trainers=[n.trainer_b],
    )  # fmt: skip
    n.session_a = session_create(
        organisation=n.org_a, module=n.shared, starts_at=start, duration_minutes=90, capacity=10,
        place="Solvik stadshus", trainers=[n.trainer],
    )  # fmt: skip
    return n


A_ROLES = ("lead", "manager", "trainer", "employee", "top", "projectleader", "evaluator")
B_ROLES = ("leadb", "managerb", "trainerb", "employeeb")


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


# --- list and detail ---------------------------------------------------------------------------


@pytest.mark.parametrize(("viewers", "which"), [(A_ROLES, "session_b"), (B_ROLES, "session_a")])
def test_another_organisations_session_is_invisible_unless_opened(net: Any, viewers: Any, which: str) -> None:
    session = getattr(net, which)
    for username in viewers:
        client = client_for(user(username))
        listing = client.get(reverse("learning:sessions"))
        assert listing.status_code in (200, 404)
        if listing.status_code == 200:
            assert session_url(session) not in listing.content.decode(), username
            assert session.place not in listing.content.decode(), username
        assert client.get(session_url(session)).status_code == 404, username
        for name in SESSION_ACTIONS:
            assert client.post(reverse(name, args=[session.pk])).status_code == 404, username


def test_an_employee_cannot_book_another_organisations_session(net: Any) -> None:
    client = client_for(net.employee.user)
    page = client.get(reverse("learning:me")).content.decode()
    assert "Fjellvik rådhus" not in page
    response = client.post(reverse("learning:journey_book"), {"session": net.session_b.pk})
    missing = client.post(reverse("learning:journey_book"), {"session": 987654})
    assert response.status_code == missing.status_code == 404
    assert not Booking.objects.filter(session=net.session_b).exists()
    with pytest.raises(ValidationError):
        booking_book(session=net.session_b, person=net.employee)  # the service refuses it too
    assert not Booking.objects.filter(session=net.session_b).exists()


def test_managers_see_their_organisations_sessions_and_those_opened_to_it(net: Any) -> None:
    manager = client_for(net.manager.user)
    listing = manager.get(reverse("learning:sessions")).content.decode()
    assert session_url(net.session_a) in listing and session_url(net.session_b) not in listing
    net.session_b.open_to.add(net.org_a)
    listing = manager.get(reverse("learning:sessions")).content.decode()
    assert session_url(net.session_b) in listing
    assert manager.get(session_url(net.session_b)).status_code == 200
    manager_b = client_for(net.manager_b.user)
    listing_b = manager_b.get(reverse("learning:sessions")).content.decode()
    assert session_url(net.session_b) in listing_b and session_url(net.session_a) not in listing_b


# --- an opened session: what each side sees ---------------------------------------------------------


@pytest.fixture
def opened(net: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """org B's session opened to org A; one person of each side booked."""
    session_update(session=net.session_b, recording_link="", open_to=[net.org_a])
    with django_capture_on_commit_callbacks(execute=True):
        booking_book(session=net.session_b, person=net.employee)
        booking_book(session=net.session_b, person=net.person_b)
    return net


def test_the_running_side_sees_a_guest_by_name_only(opened: Any) -> None:
    n = opened
    for username in ("leadb", "trainerb"):
        page = client_for(user(username)).get(session_url(n.session_b)).content.decode()
        assert n.employee.full_name in page  # to tick the register
        for detail in (n.employee.email, n.employee.employee_id, n.unit1.name, n.employee.role.name):
            assert detail not in page, (username, detail)
        assert reverse("org:person", args=[n.employee.pk]) not in page
        assert n.person_b.full_name in page and n.unit_b.name in page  # its own people as before
    # Nor does the guest's person page open for them.
    assert client_for(n.lead_b.user).get(reverse("org:person", args=[n.employee.pk])).status_code == 404


def test_the_guest_side_sees_only_its_own_people(opened: Any) -> None:
    n = opened
    for username in ("lead", "manager"):
        page = client_for(user(username)).get(session_url(n.session_b)).content.decode()
        assert n.employee.full_name in page, username
        assert n.person_b.full_name not in page, username
        assert "Save attendance" not in page and "Spara närvaron" not in page


def test_guests_on_the_waiting_list_are_counted_not_named(net: Any) -> None:
    net.session_b.open_to.add(net.org_a)
    Session.objects.filter(pk=net.session_b.pk).update(capacity=1)
    booking_book(session=net.session_b, person=net.person_b)
    waiting = booking_book(session=net.session_b, person=net.employee)
    assert waiting.status == Booking.Status.WAITING
    response = client_for(net.lead_b.user).get(session_url(net.session_b))
    page = response.content.decode()
    assert net.employee.full_name not in page and net.employee.family_name not in page
    assert response.context["people"].guests_waiting == 1


# --- cancelling ------------------------------------------------------------------------------------


def test_the_running_side_cannot_cancel_a_guests_booking(opened: Any) -> None:
    n = opened
    guest = Booking.objects.get(session=n.session_b, person=n.employee)
    for username in ("leadb", "trainerb", "managerb"):
        client = client_for(user(username))
        assert (
            f'name="booking" value="{guest.pk}"' not in client.get(session_url(n.session_b)).content.decode()
        )
        response = client.post(action_url("booking_cancel", n.session_b), {"booking": guest.pk})
        assert response.status_code == 404, username
        guest.refresh_from_db()
        assert guest.status == Booking.Status.BOOKED, username
    # Its own people's bookings the running lead does cancel.
    own = Booking.objects.get(session=n.session_b, person=n.person_b)
    client_for(n.lead_b.user).post(action_url("booking_cancel", n.session_b), {"booking": own.pk})
    own.refresh_from_db()
    assert own.status == Booking.Status.CANCELLED


@pytest.mark.parametrize("who", ["employee", "manager", "lead"])
def test_a_guests_booking_is_cancelled_by_itself_its_manager_or_its_lead(opened: Any, who: str) -> None:
    n = opened
    guest = Booking.objects.get(session=n.session_b, person=n.employee)
    client = client_for(user(who))
    if who == "employee":
        response = client.post(reverse("learning:journey_booking_cancel"), {"booking": guest.pk})
    else:
        response = client.post(action_url("booking_cancel", n.session_b), {"booking": guest.pk})
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.status == Booking.Status.CANCELLED


def test_no_one_cancels_a_booking_outside_its_scope(opened: Any) -> None:
    n = opened
    own_b = Booking.objects.get(session=n.session_b, person=n.person_b)
    for username, url in (
        ("employee", reverse("learning:journey_booking_cancel")),
        ("lead", action_url("booking_cancel", n.session_b)),
        ("manager", action_url("booking_cancel", n.session_b)),
    ):
        assert client_for(user(username)).post(url, {"booking": own_b.pk}).status_code == 404
        # not an id at all: refused as bad input (core.params), never a 500
        assert client_for(user(username)).post(url, {"booking": "x1"}).status_code == 400
    own_b.refresh_from_db()
    assert own_b.status == Booking.Status.BOOKED


# --- attendance and where it counts -----------------------------------------------------------------


def test_the_running_trainer_takes_the_register_and_attendance_counts_where_the_person_belongs(
    opened: Any,
) -> None:
    n = opened
    to_today(n.session_b)
    for username in ("lead", "manager", "employee", "trainer"):  # org A may not take B's register
        response = client_for(user(username)).post(
            action_url("attendance", n.session_b), {"present": [n.employee.pk]}
        )
        assert response.status_code == 404, username
    assert not Attendance.objects.exists()
    response = client_for(n.trainer_b.user).post(
        action_url("attendance", n.session_b), {"present": [n.employee.pk, n.person_b.pk]}
    )
    assert response.status_code == 302
    guest_row = Attendance.objects.get(person=n.employee)
    assert guest_row.status == "attended" and guest_row.unit == n.unit1  # its own unit, in org A
    figures_a = funder_figures(FunderScope([n.org_a]))
    figures_b = funder_figures(FunderScope([n.org_b]))
    assert figures_a["unique_participants"]["total"] == 1 and figures_a["training_hours"] == 1.5
    assert figures_b["unique_participants"]["total"] == 1 and figures_b["training_hours"] == 1.5
    assert build_funder(organisation="beta")["unique_participants"]["total"] == 1
    assert build_funder()["unique_participants"]["total"] == 2
    # The funder pages: each lead sees its own people only, whoever ran the session.
    page_a = client_for(n.lead.user).get(reverse("learning:funder"))
    page_b = client_for(n.lead_b.user).get(reverse("learning:funder"))
    assert page_a.context["figures"]["unique_participants"]["total"] == 1
    assert page_b.context["figures"]["unique_participants"]["total"] == 1
    assert page_b.context["organisation"] == n.org_b
    # A's report filtered to one of its units counts its person there.
    assert funder_figures(FunderScope([n.org_a], unit=n.dep1))["unique_participants"]["total"] == 1
    assert funder_figures(FunderScope([n.org_b], unit=n.unit_b))["unique_participants"]["total"] == 1


def test_the_register_cannot_record_someone_not_booked_or_not_of_the_sessions_organisations(
    opened: Any,
) -> None:
    n = opened
    to_today(n.session_b)
    client_for(n.trainer_b.user).post(
        action_url("attendance", n.session_b), {"present": [n.colleague.pk, n.other_employee.pk]}
    )
    assert not Attendance.objects.filter(status="attended").exists()


def test_closing_a_session_to_an_organisation_cancels_its_bookings(opened: Any) -> None:
    n = opened
    response = client_for(n.lead_b.user).post(
        action_url("details", n.session_b), {"recording_link": "", "open_to": []}
    )
    assert response.status_code == 302
    assert Booking.objects.get(person=n.employee).status == Booking.Status.CANCELLED
    assert Booking.objects.get(person=n.person_b).status == Booking.Status.BOOKED
    page = client_for(n.lead_b.user).get(session_url(n.session_b)).content.decode()
    assert n.employee.full_name not in page
    to_today(n.session_b)
    client_for(n.trainer_b.user).post(action_url("attendance", n.session_b), {"present": [n.employee.pk]})
    assert not Attendance.objects.filter(person=n.employee).exists()
    assert client_for(n.lead.user).get(session_url(n.session_b)).status_code == 404


# --- opening a session -----------------------------------------------------------------------------


def test_only_the_running_side_opens_a_session_and_only_for_shared_modules(net: Any) -> None:
    n = net
    # The guest-to-be cannot open it for itself (it does not even see it).
    response = client_for(n.lead.user).post(action_url("details", n.session_b), {"open_to": [n.org_a.pk]})
    assert response.status_code == 404 and not n.session_b.open_to.exists()
    # The running trainer can.
    page = client_for(n.trainer_b.user).get(session_url(n.session_b)).content.decode()
    assert "open_to" in page
    response = client_for(n.trainer_b.user).post(
        action_url("details", n.session_b), {"recording_link": "", "open_to": [n.org_a.pk]}
    )
    assert response.status_code == 302 and list(n.session_b.open_to.all()) == [n.org_a]
    # An unknown organisation id is a clear 400, not a 500; nothing changes.
    response = client_for(n.trainer_b.user).post(
        action_url("details", n.session_b), {"recording_link": "", "open_to": ["999999"]}
    )
    assert response.status_code == 400 and list(n.session_b.open_to.all()) == [n.org_a]
    # A module of the running organisation's own cannot be opened to others.
    own = Module.objects.create(
        organisation=n.org_b, code="M-OWN", name="Egen", category="K", level="basic", format="onsite", hours=1
    )
    with pytest.raises(ValidationError):
        session_create(
            organisation=n.org_b, module=own, starts_at=timezone.now() + dt.timedelta(days=3),
            duration_minutes=60, capacity=5, place="X", open_to=[n.org_a],
        )  # fmt: skip
    with pytest.raises(ValidationError):  # nor run by another organisation
        session_create(
            organisation=n.org_a, module=own, starts_at=timezone.now() + dt.timedelta(days=3),
            duration_minutes=60, capacity=5, place="X",
        )  # fmt: skip


def test_the_session_form_offers_open_to_and_creates_an_opened_session(net: Any) -> None:
    lead_b = client_for(net.lead_b.user)
    page = lead_b.get(reverse("learning:sessions")).content.decode()
    assert 'name="open_to"' in page and net.org_a.name in page
    response = lead_b.post(
        reverse("learning:session_create"),
        {
            "module": net.shared.pk,
            "starts_at": (timezone.localtime() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "capacity": 5,
            "place": "Fjellvik bibliotek",
            "language": "nb",
            "organisation": net.org_b.pk,
            "open_to": [net.org_a.pk],
        },
    )
    assert response.status_code == 302
    created = Session.objects.get(place="Fjellvik bibliotek")
    assert created.organisation == net.org_b and list(created.open_to.all()) == [net.org_a]
    # A lead cannot make a session run by another organisation.
    response = lead_b.post(
        reverse("learning:session_create"),
        {
            "module": net.shared.pk,
            "starts_at": "2031-01-01T09:00",
            "duration_minutes": 60,
            "capacity": 5,
            "place": "Solvik, fake",
            "language": "sv",
            "organisation": net.org_a.pk,
        },
    )
    assert response.status_code == 400 and not Session.objects.filter(place="Solvik, fake").exists()


# --- booking by picking ------------------------------------------------------------------------------


def post_book(client: Client, session: Session, people: list[Any], capture: Any) -> Any:
    with capture(execute=True):
        return client.post(action_url("book", session), {"people": people})


@pytest.mark.parametrize(
    ("username", "session_attr", "target_attr"),
    [
        ("trainer", "session_a", "asa"),  # the trainer of the issue: Åsa is in its organisation
        ("manager", "session_a", "asa"),  # Åsa is not in the manager's units
        ("manager", "session_a", "person_b"),
        ("lead", "session_a", "person_b"),  # org B's person, session not opened to B
        ("leadb", "session_b", "asa"),  # the running lead picks a person of org A
        ("trainerb", "session_b", "asa"),
        ("managerb", "session_b", "asa"),
        ("employee", "session_a", "asa"),
    ],
)
def test_an_id_outside_ones_scope_reveals_nothing_books_no_one_sends_nothing(
    net: Any, django_capture_on_commit_callbacks: Any, username: str, session_attr: str, target_attr: str
) -> None:
    net.session_b.open_to.add(net.org_a)  # even opened, the running side does not book guests
    session, target = getattr(net, session_attr), getattr(net, target_attr)
    client = client_for(user(username))
    if client.get(session_url(session)).status_code == 404:
        assert post_book(client, session, [target.pk], django_capture_on_commit_callbacks).status_code == 404
    else:
        page = client.get(session_url(session)).content.decode()
        assert target.full_name not in page
        outside = post_book(client, session, [target.pk], django_capture_on_commit_callbacks)
        missing = post_book(client, session, [987654], django_capture_on_commit_callbacks)
        assert outside.status_code == missing.status_code == 400
        assert without_tokens(outside.content.decode()) == without_tokens(missing.content.decode())
        assert (
            target.full_name not in outside.content.decode()
            and target.family_name not in outside.content.decode()
        )
        # The old way of typing an employee id turns nothing into a name either.
        with django_capture_on_commit_callbacks(execute=True):
            typed = client.post(action_url("book", session), {"employee_id": target.employee_id})
        assert typed.status_code == 400 and target.family_name not in typed.content.decode()
        for bad in (["abc"], ["-1"], ["1" * 30]):
            assert post_book(client, session, bad, django_capture_on_commit_callbacks).status_code == 400
    assert not Booking.objects.filter(person=target).exists()
    assert mail.outbox == []


def test_a_mix_of_allowed_and_outside_ids_books_no_one(
    net: Any, django_capture_on_commit_callbacks: Any
) -> None:
    manager = client_for(net.manager.user)
    response = post_book(
        manager, net.session_a, [net.colleague.pk, net.asa.pk], django_capture_on_commit_callbacks
    )
    assert response.status_code == 400 and net.asa.family_name not in response.content.decode()
    assert not Booking.objects.exists() and mail.outbox == []


def test_the_picking_list_holds_exactly_the_people_one_may_book(
    net: Any, django_capture_on_commit_callbacks: Any
) -> None:
    n = net
    n.session_b.open_to.add(n.org_a)
    trainer_page = client_for(n.trainer.user).get(session_url(n.session_a)).content.decode()
    assert 'name="people"' not in trainer_page and n.asa.full_name not in trainer_page  # trainers do not book
    manager_page = client_for(n.manager.user).get(session_url(n.session_b)).content.decode()
    assert f'value="{n.colleague.pk}"' in manager_page and f'value="{n.employee.pk}"' in manager_page
    assert f'value="{n.asa.pk}"' not in manager_page and n.person_b.full_name not in manager_page
    lead_b_page = client_for(n.lead_b.user).get(session_url(n.session_b)).content.decode()
    assert f'value="{n.person_b.pk}"' in lead_b_page and n.asa.full_name not in lead_b_page
    lead_page = client_for(n.lead.user).get(session_url(n.session_b), {"q": "Ottosson"}).content.decode()
    assert f'value="{n.asa.pk}"' in lead_page and f'value="{n.colleague.pk}"' not in lead_page
    # Booking by picking: the guest lead books its own person on the opened session, who is e-mailed.
    lead = client_for(n.lead.user)
    response = post_book(lead, n.session_b, [n.asa.pk], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Booking.objects.get(person=n.asa, session=n.session_b).status == Booking.Status.BOOKED
    assert [m.to for m in mail.outbox] == [[n.asa.email]]
    followed = lead.get(session_url(n.session_b)).content.decode()
    assert f"{n.asa.full_name} är bokad." in followed


def test_an_employee_books_a_session_opened_to_its_organisation(net: Any) -> None:
    net.session_b.open_to.add(net.org_a)
    client = client_for(net.employee.user)
    response = client.post(reverse("learning:journey_book"), {"session": net.session_b.pk})
    assert response.status_code == 302
    assert Booking.objects.get(person=net.employee).session == net.session_b


def test_a_booking_made_by_someone_else_is_on_the_journey(opened: Any) -> None:
    """Booked by its lead on another organisation's session: the person sees the module and
    its booking on "My learning", where the invitation sends it."""
    n = opened
    page = client_for(n.employee.user).get(reverse("learning:me")).content.decode()
    assert n.session_b.module.name in page
    booking = Booking.objects.get(session=n.session_b, person=n.employee)
    assert f'name="booking" value="{booking.pk}"' in page  # and it can cancel it there


def test_one_register_never_undoes_another_sessions_attendance(opened: Any) -> None:
    """The same person booked on both organisations' sessions of the shared module on one day:
    Fjellvik's register (the person unticked) must not erase Solvik's "attended"."""
    n = opened
    booking_book(session=n.session_a, person=n.employee)
    to_today(n.session_a)
    to_today(n.session_b)
    client_for(n.lead.user).post(action_url("attendance", n.session_a), {"present": [n.employee.pk]})
    row = Attendance.objects.get(person=n.employee, module=n.shared)
    assert (row.session_id, row.status) == (n.session_a.pk, Attendance.Status.ATTENDED)
    client_for(n.trainer_b.user).post(action_url("attendance", n.session_b), {"present": [n.person_b.pk]})
    row.refresh_from_db()
    assert (row.session_id, row.status) == (n.session_a.pk, Attendance.Status.ATTENDED)
    # The other way round: a no-show on one register gives way to a presence on the other.
    Attendance.objects.all().delete()
    client_for(n.trainer_b.user).post(action_url("attendance", n.session_b), {"present": [n.person_b.pk]})
    assert Attendance.objects.get(person=n.employee).status == Attendance.Status.NO_SHOW
    client_for(n.lead.user).post(action_url("attendance", n.session_a), {"present": [n.employee.pk]})
    row = Attendance.objects.get(person=n.employee)
    assert (row.session_id, row.status) == (n.session_a.pk, Attendance.Status.ATTENDED)


def test_a_session_of_an_organisations_shared_module_opens_to_those_that_adopted_it(net: Any) -> None:
    n = net
    from kompetenslyft.learning.module_services import module_adopt
    from kompetenslyft.learning.selectors import sessions_bookable_by
    from kompetenslyft.org.tests.factories import OrganisationFactory

    third = OrganisationFactory(code="gamma", name="Gamma kommun")  # it has not adopted the module
    owned = Module.objects.create(
        organisation=n.org_b, code="M-BSHARED", name="Fjellviks modul", category="K", level="basic",
        format="onsite", hours=1, shared=True,
    )  # fmt: skip
    module_adopt(organisation=n.org_a, module=owned)
    session = session_create(
        organisation=n.org_b, module=owned, starts_at=timezone.now() + dt.timedelta(days=4),
        duration_minutes=60, capacity=5, place="Fjellvik skole", trainers=[n.trainer_b],
    )  # fmt: skip
    trainer_b = client_for(n.trainer_b.user)
    page = trainer_b.get(session_url(session)).content.decode()
    assert f'value="{n.org_a.pk}"' in page and "Gamma kommun" not in page
    response = trainer_b.post(action_url("details", session), {"recording_link": "", "open_to": [third.pk]})
    assert response.status_code == 400 and not session.open_to.exists()
    response = trainer_b.post(action_url("details", session), {"recording_link": "", "open_to": [n.org_a.pk]})
    assert response.status_code == 302 and list(session.open_to.all()) == [n.org_a]
    assert session in sessions_bookable_by(n.employee)  # the adopter's people may book it now
    with pytest.raises(ValidationError):  # the service refuses an organisation that does not use it
        session_update(session=session, recording_link="", open_to=[third])
    assert list(session.open_to.all()) == [n.org_a]


def test_a_session_of_a_module_not_shared_still_cannot_be_opened(net: Any) -> None:
    n = net
    own = Module.objects.create(
        organisation=n.org_b, code="M-PRIVATE", name="Privat", category="K", level="basic",
        format="onsite", hours=1, shared=False,
    )  # fmt: skip
    session = session_create(
        organisation=n.org_b, module=own, starts_at=timezone.now() + dt.timedelta(days=4),
        duration_minutes=60, capacity=5, place="Fjellvik hall", trainers=[n.trainer_b],
    )  # fmt: skip
    trainer_b = client_for(n.trainer_b.user)
    assert 'name="open_to"' not in trainer_b.get(session_url(session)).content.decode()
    response = trainer_b.post(action_url("details", session), {"recording_link": "", "open_to": [n.org_a.pk]})
    assert response.status_code == 400 and not session.open_to.exists()
    with pytest.raises(ValidationError):
        session_update(session=session, recording_link="", open_to=[n.org_a])
    assert not session.open_to.exists()
