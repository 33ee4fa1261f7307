from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.followup import services
from kompetenslyft.followup.models import FollowUp
from kompetenslyft.org.tests.factories import PersonFactory, UserFactory

from .helpers import complete, module

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def due(network: Any) -> dict[str, Any]:
    m = module(network)
    complete(network.employee, m, days_ago=30)
    complete(network.colleague, m, days_ago=44)
    complete(network.other_employee, m, days_ago=30)
    other_manager = PersonFactory(
        unit=network.dep2, role=network.employee.role, user=UserFactory(username="othermgr")
    )
    network.dep2.manager = other_manager
    network.dep2.save()
    services.followups_create_due()
    return {
        "module": m,
        "mine": FollowUp.objects.get(person=network.employee),
        "overdue": FollowUp.objects.get(person=network.colleague),
        "theirs": FollowUp.objects.get(person=network.other_employee),
        "other_manager": other_manager,
    }


def form(**extra: Any) -> dict[str, Any]:
    return {
        "held_on": timezone.localdate().isoformat(),
        "applying": "partly",
        "hindrances": ["time", "tools"],
        "hindrance_other": "",
        "support_needed": "Mer tid med handledare",
        **extra,
    }


def test_manager_home_card_and_menu_lead_to_the_list(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    home = client.get(reverse("home")).content.decode()
    assert "Follow-up talks due" in home and reverse("followup:list") in home
    assert '<span class="count">2</span> <a href="/followup/">Follow-up talks due</a>' in home
    page = client.get(reverse("followup:list")).content.decode()
    assert network.employee.family_name in page and network.colleague.family_name in page
    assert network.other_employee.family_name not in page
    assert reverse("followup:record", args=[due["mine"].pk]) in page
    overdue = client.get(reverse("followup:list"), {"status": "overdue"}).content.decode()
    assert network.colleague.family_name in overdue and network.employee.family_name not in overdue
    only_due = client.get(reverse("followup:list"), {"status": "due"}).content.decode()
    assert network.employee.family_name in only_due and network.colleague.family_name not in only_due
    by_unit = client.get(reverse("followup:list"), {"unit": network.unit2.pk}).content.decode()
    assert network.colleague.family_name in by_unit and network.employee.family_name not in by_unit


def test_list_filters_refuse_what_is_out_of_scope_or_malformed(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    assert client.get(reverse("followup:list"), {"unit": network.unit3.pk}).status_code == 404
    assert client.get(reverse("followup:list"), {"unit": "x1"}).status_code == 400
    assert client.get(reverse("followup:list"), {"status": "later"}).status_code == 400
    assert client.get(reverse("followup:list"), {"module": 999999}).status_code == 404


def test_manager_records_and_changes_a_talk(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    url = reverse("followup:record", args=[due["mine"].pk])
    assert "Is the person applying it at work?" in client.get(url).content.decode()
    response = client.post(url, form())
    assert response.status_code == 302
    row = FollowUp.objects.get(pk=due["mine"].pk)
    assert (row.applying, row.hindrances, row.support_needed) == (
        "partly",
        ["time", "tools"],
        "Mer tid med handledare",
    )
    assert row.recorded_by_id == network.manager.user.pk
    # Recorded once: the record page sends back to the list.
    assert client.post(url, form(applying="yes")).status_code == 302
    assert FollowUp.objects.get(pk=row.pk).applying == "partly"
    change = reverse("followup:change", args=[row.pk])
    done = client.get(reverse("followup:list"), {"status": "done"}).content.decode()
    assert change in done
    assert client.post(change, form(applying="yes")).status_code == 302
    assert FollowUp.objects.get(pk=row.pk).applying == "yes"
    FollowUp.objects.filter(pk=row.pk).update(recorded_at=timezone.now() - dt.timedelta(days=15))
    assert client.get(change).status_code == 404


def test_bad_form_is_400_and_names_the_field(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    url = reverse("followup:record", args=[due["mine"].pk])
    response = client.post(url, form(applying="maybe"))
    assert response.status_code == 400
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(url, form(held_on=tomorrow))
    assert response.status_code == 400 and "cannot be held in the future" in response.content.decode()
    assert FollowUp.objects.get(pk=due["mine"].pk).held_on is None


def test_another_managers_person_is_404(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    for name in ("record", "change"):
        assert client.get(reverse(f"followup:{name}", args=[due["theirs"].pk])).status_code == 404
        assert client.post(reverse(f"followup:{name}", args=[due["theirs"].pk]), form()).status_code == 404
    assert client.get(reverse("followup:record", args=["12x"])).status_code == 400
    # And the other way round.
    other = client_for(due["other_manager"].user)
    assert other.get(reverse("followup:record", args=[due["mine"].pk])).status_code == 404
    assert other.get(reverse("followup:record", args=[due["theirs"].pk])).status_code == 200


def test_employee_and_lead_cannot_record(network: Any, due: dict[str, Any]) -> None:
    for user in (network.employee.user, network.lead.user, network.top.user):
        client = client_for(user)
        listed = client.get(reverse("followup:list"))
        if user == network.lead.user:
            # A lead's list holds only the talks with no manager up the tree (none here).
            assert listed.status_code == 200 and due["mine"].person.family_name not in listed.content.decode()
        else:
            assert listed.status_code == 404
        assert client.post(reverse("followup:record", args=[due["mine"].pk]), form()).status_code == 404
    assert FollowUp.objects.get(pk=due["mine"].pk).held_on is None


def test_manager_does_not_see_its_own_talk(network: Any) -> None:
    boss = PersonFactory(unit=network.admin_a, role=network.employee.role)
    network.admin_a.manager = boss
    network.admin_a.save()
    complete(network.manager, module(network), days_ago=30)
    services.followups_create_due()
    own = FollowUp.objects.get(person=network.manager)
    client = client_for(network.manager.user)
    assert client.get(reverse("followup:record", args=[own.pk])).status_code == 404


def test_the_person_sees_its_own_talks_on_its_journey_only(network: Any, due: dict[str, Any]) -> None:
    services.followup_record(
        followup=due["mine"],
        applying="not_yet",
        hindrances=["routines"],
        hindrance_other="",
        support_needed="Introduktion i systemet",
        held_on=timezone.localdate(),
        actor=network.manager.user,
    )
    page = client_for(network.employee.user).get(reverse("learning:me")).content.decode()
    assert "Follow-up talks with your manager" in page
    assert "Introduktion i systemet" in page and "not yet" in page and "routines" in page
    # The colleague's talk (same manager) is not on the employee's journey, nor the reverse.
    colleague_user = UserFactory(username="colleague")
    network.colleague.user = colleague_user
    network.colleague.save()
    other_page = client_for(colleague_user).get(reverse("learning:me")).content.decode()
    assert "Introduktion i systemet" not in other_page
    assert "not held yet" in other_page


def test_menu_has_follow_up_for_managers_only(network: Any) -> None:
    url = reverse("followup:list")
    assert url in client_for(network.manager.user).get(reverse("home")).content.decode()
    assert url not in client_for(network.employee.user).get(reverse("home")).content.decode()


def test_manager_sees_its_units_application_rate_exactly(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    for row, applying in ((due["mine"], "yes"), (due["overdue"], "not_yet")):
        services.followup_record(
            followup=row,
            applying=applying,
            hindrances=[],
            hindrance_other="",
            support_needed="",
            held_on=timezone.localdate(),
            actor=network.manager.user,
        )
    page = client.get(reverse("followup:list")).content.decode()
    assert "Application at work in your units" in page
    assert '<td class="num">2</td><td class="num">50 %</td>' in page
    # The other manager's recorded talk is not in it.
    services.followup_record(
        followup=due["theirs"],
        applying="yes",
        hindrances=[],
        hindrance_other="",
        support_needed="",
        held_on=timezone.localdate(),
        actor=due["other_manager"].user,
    )
    assert (
        '<td class="num">2</td><td class="num">50 %</td>'
        in client.get(reverse("followup:list")).content.decode()
    )


def _talk_pages(client: Client, followup: FollowUp) -> list[int]:
    codes = []
    for name in ("record", "change"):
        url = reverse(f"followup:{name}", args=[followup.pk])
        codes += [client.get(url).status_code, client.post(url, form()).status_code]
    return codes


def test_a_person_who_moves_leaves_the_former_managers_talks(network: Any, due: dict[str, Any]) -> None:
    """The talk follows the person's current unit: the manager it was given to when it fell
    due no longer lists, records or changes it once the person works in another's unit."""
    talk = due["mine"]
    services.followup_record(
        followup=FollowUp.objects.get(pk=due["overdue"].pk),
        actor=network.manager.user,
        held_on=timezone.localdate(),
        applying="yes",
        hindrances=[],
        hindrance_other="",
        support_needed="",
    )
    recorded = FollowUp.objects.get(pk=due["overdue"].pk)
    for person in (network.employee, network.colleague):
        person.unit = network.unit3  # under dep2, the other manager's
        person.save()
    old = client_for(network.manager.user)
    for status in ("", "done"):
        page = old.get(reverse("followup:list"), {"status": status} if status else {}).content.decode()
        assert network.employee.family_name not in page and network.colleague.family_name not in page
    assert _talk_pages(old, talk) == [404, 404, 404, 404]
    assert _talk_pages(old, recorded) == [404, 404, 404, 404]
    assert FollowUp.objects.get(pk=talk.pk).held_on is None
    assert FollowUp.objects.get(pk=recorded.pk).applying == "yes"
    new = client_for(due["other_manager"].user)
    assert network.employee.family_name in new.get(reverse("followup:list")).content.decode()
    assert new.get(reverse("followup:record", args=[talk.pk])).status_code == 200
    change = reverse("followup:change", args=[recorded.pk])
    assert new.post(change, form(applying="partly")).status_code == 302
    assert FollowUp.objects.get(pk=recorded.pk).applying == "partly"


def test_a_unit_with_a_new_manager_leaves_the_former_manager(network: Any, due: dict[str, Any]) -> None:
    successor = PersonFactory(
        unit=network.dep1, role=network.employee.role, user=UserFactory(username="succ")
    )
    network.dep1.manager = successor
    network.dep1.save()
    talk = due["mine"]
    old = client_for(network.manager.user)
    assert old.get(reverse("followup:list")).status_code == 404  # manages nothing any more
    assert _talk_pages(old, talk)[:2] == [404, 404]
    new = client_for(successor.user)
    assert network.employee.family_name in new.get(reverse("followup:list")).content.decode()
    assert new.get(reverse("followup:record", args=[talk.pk])).status_code == 200


def test_list_page_is_a_number_within_range(network: Any, due: dict[str, Any]) -> None:
    client = client_for(network.manager.user)
    for value in ("abc", "-1", "0", "1.5", "99999999999"):
        response = client.get(reverse("followup:list"), {"page": value})
        assert response.status_code == 400 and "page:" in response.content.decode(), value
    # A page past the end shows the last one, as every paged list of the product does.
    response = client.get(reverse("followup:list"), {"page": "9999999"})
    assert response.status_code == 200 and response.context["page"].number == 1
