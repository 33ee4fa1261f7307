"""A module's page lists its coming sessions (date, time, place, free places, waiting list) with
a Book button each, booking through ``booking_book`` with the waiting list; enrolling from the
catalogue leads to them. Each refusal is tried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.learning.models import Booking, Enrolment, Module
from kompetenslyft.learning.module_services import module_adopt
from kompetenslyft.learning.services import booking_book, session_create, session_update


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def module(organisation: Any, code: str, name: str, **kwargs: Any) -> Module:
    return Module.objects.create(
        organisation=organisation, code=code, name=name, category="Digitalt", level="basic",
        format="onsite", hours=Decimal("1.5"), **kwargs,
    )  # fmt: skip


def in_days(days: int, hour: int = 9) -> dt.datetime:
    return (timezone.localtime() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def world(network: Any) -> Any:
    n = network
    n.teams = module(n.org_a, "M-TEAMS", "Teams i vardagen")
    n.other_module = module(n.org_a, "M-OTHER", "Annan modul")
    n.later = session_create(
        module=n.teams, organisation=n.org_a, starts_at=in_days(9, 13), duration_minutes=90, capacity=5,
        place="Sal 2",
    )  # fmt: skip
    n.full = session_create(
        module=n.teams, organisation=n.org_a, starts_at=in_days(4), duration_minutes=60, capacity=1,
        place="Sal 1",
    )  # fmt: skip
    booking_book(session=n.full, person=n.colleague)
    booking_book(session=n.full, person=n.other_employee)  # waits
    n.cancelled = session_create(
        module=n.teams, organisation=n.org_a, starts_at=in_days(6), duration_minutes=60, capacity=5,
        place="Inställd sal",
    )  # fmt: skip
    n.cancelled.cancelled = True
    n.cancelled.save(update_fields=["cancelled"])
    n.past = session_create(
        module=n.teams, organisation=n.org_a, starts_at=in_days(-3), duration_minutes=60, capacity=5,
        place="Förra veckan",
    )  # fmt: skip
    n.elsewhere = session_create(
        module=n.other_module, organisation=n.org_a, starts_at=in_days(5), duration_minutes=60, capacity=5,
        place="Annanstans",
    )  # fmt: skip
    return n


def test_the_module_page_lists_its_coming_sessions_with_places_and_waiting_list(world: Any) -> None:
    page = client_for(world.employee.user).get(reverse("learning:module", args=[world.teams.pk]))
    rows = [(c.session, c.free, c.waiting, c.mine) for c in page.context["sessions"]]
    assert rows == [(world.full, 0, 1, ""), (world.later, 5, 0, "")]  # date order; no cancelled, no past
    html = page.content.decode()
    assert "Sal 1" in html and "Sal 2" in html and "Inställd sal" not in html and "Förra veckan" not in html
    assert "Join the waiting list" in html and "90 minutes" in html
    assert html.count(f'action="{reverse("learning:module_book", args=[world.teams.pk])}"') == 2


def test_enrolling_offers_the_sessions_and_booking_goes_through_the_waiting_list(world: Any) -> None:
    client = client_for(world.employee.user)
    module_url = reverse("learning:module", args=[world.teams.pk])
    response = client.post(reverse("learning:module_enrol", args=[world.teams.pk]))
    assert response.status_code == 302 and response["Location"] == f"{module_url}#sessions"
    assert Enrolment.objects.filter(person=world.employee, module=world.teams).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You are enrolled in Teams i vardagen. Book one of its sessions below."
    ]
    page = client.get(module_url)
    assert page.context["enrolled"] and "You are enrolled in this module." in page.content.decode()
    book = reverse("learning:module_book", args=[world.teams.pk])
    response = client.post(book, {"session": world.later.pk})
    assert response.status_code == 302 and response["Location"] == f"{module_url}#sessions"
    assert Booking.objects.get(session=world.later, person=world.employee).status == "booked"
    client.post(book, {"session": world.full.pk})
    assert Booking.objects.get(session=world.full, person=world.employee).status == "waiting"
    mine = {c.session: c.mine for c in client.get(module_url).context["sessions"]}
    assert mine == {world.full: "waiting", world.later: "booked"}
    # The waiting list moves up through the same service when a place is given back.
    booking = Booking.objects.get(session=world.full, person=world.colleague)
    from kompetenslyft.learning.services import booking_cancel

    booking_cancel(booking=booking)
    assert Booking.objects.get(session=world.full, person=world.other_employee).status == "booked"


def test_enrolling_in_a_module_without_sessions_says_so(world: Any) -> None:
    lonely = module(world.org_a, "M-LONE", "Ensam modul")
    response = client_for(world.employee.user).post(reverse("learning:module_enrol", args=[lonely.pk]))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You are enrolled in Ensam modul. There is no session of it to book yet."
    ]
    page = client_for(world.employee.user).get(reverse("learning:module", args=[lonely.pk]))
    assert "There is no coming session of this module to book yet." in page.content.decode()


@pytest.mark.parametrize(
    ("session_attr", "status"),
    [("elsewhere", 404), ("cancelled", 404), ("past", 404), (None, 400)],
)
def test_booking_from_the_module_page_refuses_what_is_not_its_sessions(
    world: Any, session_attr: str | None, status: int
) -> None:
    session = getattr(world, session_attr) if session_attr else None
    value = session.pk if session else "x1"
    response = client_for(world.employee.user).post(
        reverse("learning:module_book", args=[world.teams.pk]), {"session": value}
    )
    assert response.status_code == status
    assert not Booking.objects.filter(person=world.employee).exists()


def test_another_organisations_session_is_not_listed_or_booked_until_it_is_opened(world: Any) -> None:
    world.teams.shared = True
    world.teams.save(update_fields=["shared"])
    module_adopt(organisation=world.org_b, module=world.teams)
    guest = world.person_b
    from kompetenslyft.org.tests.factories import UserFactory

    guest.user = UserFactory(username="berit")
    guest.save(update_fields=["user"])
    client = client_for(guest.user)
    assert client.get(reverse("learning:module", args=[world.teams.pk])).context["sessions"] == []
    book = reverse("learning:module_book", args=[world.teams.pk])
    assert client.post(book, {"session": world.later.pk}).status_code == 404
    session_update(session=world.later, recording_link="", open_to=[world.org_b])
    listed = [
        c.session for c in client.get(reverse("learning:module", args=[world.teams.pk])).context["sessions"]
    ]
    assert listed == [world.later]
    assert client.post(book, {"session": world.later.pk}).status_code == 302
    assert Booking.objects.get(session=world.later, person=guest).status == "booked"


def test_a_module_page_of_someone_without_a_person_lists_no_booking(world: Any) -> None:
    from kompetenslyft.org.tests.factories import UserFactory

    staff = UserFactory(username="admin", is_superuser=True, is_staff=True)
    page = client_for(staff).get(reverse("learning:module", args=[world.teams.pk]))
    assert page.status_code == 200 and page.context["sessions"] is None
    assert (
        client_for(staff)
        .post(reverse("learning:module_book", args=[world.teams.pk]), {"session": world.later.pk})
        .status_code
        == 404
    )


def test_my_learning_links_each_module_to_its_page_with_the_sessions(world: Any) -> None:
    """The reviewer's dead end: an assigned module on "My learning" was plain text."""
    client = client_for(world.employee.user)
    client.post(reverse("learning:module_enrol", args=[world.teams.pk]))
    page = client.get(reverse("learning:me")).content.decode()
    assert f'<a href="{reverse("learning:module", args=[world.teams.pk])}">Teams i vardagen</a>' in page
    module_page = client.get(reverse("learning:module", args=[world.teams.pk])).content.decode()
    assert "Sal 2" in module_page
