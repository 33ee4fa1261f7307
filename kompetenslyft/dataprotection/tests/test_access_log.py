"""Who looked at whom: reads of person-level pages and exports by others are logged; the data
protection officer reads the log of its own organisation only; the person sees who read it."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.dataprotection.models import AccessEntry, AccessPerson
from kompetenslyft.dataprotection.reads import EXEMPT, LOGGED
from kompetenslyft.org.tests.factories import UserFactory


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _patterns(resolvers: Any, prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else entry.namespace or namespace
            )
            found += _patterns(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((prefix + str(entry.pattern), name, entry.callback))
    return found


def _names_a_person(route: str, view: Any) -> bool:
    """A route with a person id in it, or a view that reads a person from the request, or
    whose view renders people other than the viewer (reads a person id or lists people)."""
    if "people/<" in route or "person" in route:
        return True
    try:
        source = inspect.getsource(getattr(view, "__wrapped__", view))
    except (OSError, TypeError):
        return False
    markers = ('name="person"', "person_detail(", "team_people(", "people_below(", "session_people(")
    return any(marker in source for marker in markers) or "access.person_id" in source


def test_every_url_that_names_a_person_is_logged_or_exempt_with_a_reason() -> None:
    patterns = _patterns(get_resolver().url_patterns)
    names = {name for _route, name, _view in patterns}
    unexplained = sorted(
        name
        for route, name, view in patterns
        if not route.startswith("admin/")
        and _names_a_person(route, view)
        and name not in LOGGED
        and name not in EXEMPT
    )
    assert not unexplained, (
        f"log these reads (dataprotection.reads.log_read) or exempt them with a reason: {unexplained}"
    )
    assert not (set(LOGGED) | set(EXEMPT)) - names, "no such URL any more"
    assert not set(LOGGED) & set(EXEMPT)
    assert all(len(reason) > 20 for reason in EXEMPT.values())


def test_a_lead_reading_a_persons_page_is_logged(network: Any) -> None:
    client_for(network.lead.user).get(reverse("org:person", args=[network.employee.pk]))
    entry = AccessEntry.objects.get()
    assert (entry.reader, entry.reader_person, entry.organisation, entry.kind, entry.people) == (
        network.lead.user,
        network.lead,
        network.org_a,
        "person_page",
        1,
    )
    assert list(AccessPerson.objects.values_list("person_id", flat=True)) == [network.employee.pk]


def test_reading_ones_own_data_is_not_logged(network: Any) -> None:
    client = client_for(network.employee.user)
    client.get(reverse("org:person", args=[network.employee.pk]))
    client.get(reverse("learning:me"))
    client.get(reverse("assessment:me"))
    assert not AccessEntry.objects.exists()


def test_a_refused_read_is_not_logged(network: Any) -> None:
    assert (
        client_for(network.lead_b.user).get(reverse("org:person", args=[network.employee.pk])).status_code
        == 404
    )
    assert not AccessEntry.objects.exists()


def test_an_export_is_one_entry_with_every_person_in_it(network: Any) -> None:
    response = client_for(network.lead.user).get(reverse("org:people_export"))
    b"".join(response.streaming_content)
    entry = AccessEntry.objects.get()
    people = set(AccessPerson.objects.filter(entry=entry).values_list("person_id", flat=True))
    assert entry.kind == "people_export" and entry.people == len(people)
    assert network.employee.pk in people and network.colleague.pk in people
    assert network.lead.pk not in people  # the reader itself
    assert network.person_b.pk not in people  # another organisation's


def test_a_managers_team_pages_are_logged(network: Any) -> None:
    client = client_for(network.manager.user)
    client.get(reverse("learning:team"))
    client.get(reverse("assessment:team"))
    kinds = set(AccessEntry.objects.values_list("kind", flat=True))
    assert kinds == {"team_progress", "team_competences"}
    read = set(AccessPerson.objects.values_list("person_id", flat=True))
    assert network.employee.pk in read and network.other_employee.pk not in read


def test_the_person_sees_who_read_its_data(network: Any) -> None:
    client_for(network.manager.user).get(reverse("org:person", args=[network.employee.pk]))
    page = client_for(network.employee.user).get(reverse("dataprotection:my_data")).content.decode()
    assert network.manager.full_name in page
    other = client_for(network.colleague.user if network.colleague.user else network.other_employee.user)
    assert network.manager.full_name not in other.get(reverse("dataprotection:my_data")).content.decode()


@pytest.fixture
def officer(network: Any) -> Any:
    user = UserFactory(username="dpo")
    Grant.objects.create(user=user, organisation=network.org_a, role=ProductRole.DATA_PROTECTION)
    return user


def test_the_officer_reaches_the_access_log_from_its_home_page(network: Any, officer: Any) -> None:
    client_for(network.lead.user).get(reverse("org:person", args=[network.employee.pk]))
    client = client_for(officer)
    home = client.get(reverse("home")).content.decode()
    assert reverse("dataprotection:access_log") in home
    page = client.get(reverse("dataprotection:access_log")).content.decode()
    assert network.lead.full_name in page and network.employee.employee_id in page


def test_the_officer_sees_no_persons_data_and_no_other_organisation(network: Any, officer: Any) -> None:
    client_for(network.lead_b.user).get(reverse("org:person", args=[network.person_b.pk]))
    client = client_for(officer)
    assert (
        network.person_b.employee_id not in client.get(reverse("dataprotection:access_log")).content.decode()
    )
    entry = AccessEntry.objects.get()
    assert client.get(reverse("dataprotection:access_entry", args=[entry.pk])).status_code == 404
    for url in (
        reverse("org:person", args=[network.employee.pk]),
        reverse("org:people"),
        reverse("learning:team"),
        reverse("assessment:team"),
    ):
        assert client.get(url).status_code == 404, url
    assert not AccessEntry.objects.filter(reader=officer).exists()


def test_only_officers_read_the_log(network: Any) -> None:
    for user in (
        network.lead.user,
        network.manager.user,
        network.employee.user,
        network.top.user,
        network.evaluator,
    ):
        assert client_for(user).get(reverse("dataprotection:access_log")).status_code == 404


def test_the_log_filters_by_person_reader_and_day(network: Any, officer: Any) -> None:
    client_for(network.lead.user).get(reverse("org:person", args=[network.employee.pk]))
    client_for(network.manager.user).get(reverse("org:person", args=[network.colleague.pk]))
    old = AccessEntry.objects.create(
        reader=network.lead.user,
        reader_label="lead",
        organisation=network.org_a,
        kind="person_page",
        people=1,
    )
    AccessPerson.objects.create(entry=old, person=network.other_employee)
    AccessEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    client = client_for(officer)
    url = reverse("dataprotection:access_log")

    def shown(**query: str) -> set[str]:
        page = client.get(url, query).content.decode()
        return {
            p.employee_id
            for p in (network.employee, network.colleague, network.other_employee)
            if p.employee_id in page
        }

    assert shown() == {
        network.employee.employee_id,
        network.colleague.employee_id,
        network.other_employee.employee_id,
    }
    assert shown(person=network.colleague.family_name) == {network.colleague.employee_id}
    assert shown(reader="manager") == {network.colleague.employee_id}
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert network.other_employee.employee_id not in shown(date_from=since)
    assert shown(date_to=(timezone.localdate() - dt.timedelta(days=30)).isoformat()) == {
        network.other_employee.employee_id
    }
    assert client.get(url, {"date_from": "2024-13-01"}).status_code == 400
    assert client.get(url, {"person": "x\x00"}).status_code == 400
    assert client.get(url, {"page": "x"}).status_code == 400


def test_a_large_read_is_listed_on_its_own_page(network: Any, officer: Any) -> None:
    from kompetenslyft.org.tests.factories import PersonFactory

    people = [PersonFactory(unit=network.unit1) for _ in range(7)]
    from kompetenslyft.dataprotection.services import access_record_people

    entry = access_record_people(reader=network.lead.user, kind="people_export", people=people)[0]
    client = client_for(officer)
    page = client.get(reverse("dataprotection:access_log")).content.decode()
    detail = reverse("dataprotection:access_entry", args=[entry.pk])
    assert detail in page and people[0].employee_id not in page
    listing = client.get(detail).content.decode()
    assert all(p.employee_id in listing for p in people)


def test_the_access_log_is_kept_for_its_retention_time(network: Any) -> None:
    """The nightly retention run deletes entries older than the organisation's "access_log"
    time, with their people; newer ones stay."""
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.dataprotection.models import AccessEntry, AccessPerson
    from kompetenslyft.dataprotection.services import access_record
    from kompetenslyft.retention import registry

    people = [(network.employee.pk, network.org_a.pk)]
    old = access_record(reader=network.lead.user, kind="person_page", people=people)
    new = access_record(reader=network.lead.user, kind="person_page", people=people)
    AccessEntry.objects.filter(pk__in=[e.pk for e in old]).update(
        created_at=timezone.now() - dt.timedelta(days=800)
    )
    kind = registry.get("access_log")
    cutoff = timezone.localdate() - dt.timedelta(days=730)
    assert kind.count(network.org_a, cutoff) == len(old) == 1
    seen: list[int] = []
    assert kind.apply(network.org_a, cutoff, seen.append) == 1 and seen == [1]
    assert list(AccessEntry.objects.values_list("pk", flat=True)) == [e.pk for e in new]
    assert AccessPerson.objects.filter(entry__in=[e.pk for e in old]).count() == 0
    assert kind.count(network.org_b, cutoff) == 0  # another organisation's log is its own


def test_the_log_keeps_that_a_search_was_made_not_what_was_searched(network: Any) -> None:
    """Found by the privacy review: a name typed into a filter stayed in the log's path after
    its person was pseudonymised."""
    response = client_for(network.lead.user).get(
        reverse("org:people_export"), {"q": network.employee.full_name, "unit": network.unit1.pk}
    )
    assert response.status_code == 200
    paths = list(AccessEntry.objects.values_list("path", flat=True))
    assert paths and all(network.employee.family_name not in p for p in paths)
    assert any("q=*" in p and f"unit={network.unit1.pk}" in p for p in paths), paths


def test_a_from_date_after_the_to_date_is_a_form_error_naming_both(network: Any, officer: Any) -> None:
    """Found by a new user's review: the log answered "0 reads" and said nothing."""
    client_for(network.lead.user).get(reverse("org:person", args=[network.employee.pk]))
    client = client_for(officer)
    today = timezone.localdate()
    later, earlier = today.isoformat(), (today - dt.timedelta(days=3)).isoformat()
    response = client.get(reverse("dataprotection:access_log"), {"date_from": later, "date_to": earlier})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page and later in page and earlier in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="date_to_error"' in page
    assert network.employee.employee_id not in page  # no rows beside the error
    # The same day on both ends is a day, not an error.
    same = client.get(reverse("dataprotection:access_log"), {"date_from": today, "date_to": today})
    assert 'role="alert"' not in same.content.decode()
    assert network.employee.employee_id in same.content.decode()
    # Any other bad value stays a bad request.
    bad = {"date_from": later, "date_to": earlier, "person": "x\x00"}
    assert client.get(reverse("dataprotection:access_log"), bad).status_code == 400


def test_a_log_filtered_by_person_names_the_person_in_its_heading(network: Any, officer: Any) -> None:
    """Found by a new user's review: the filtered list did not say whom it was about."""
    import re

    client_for(network.lead.user).get(reverse("org:person", args=[network.employee.pk]))
    client = client_for(officer)
    url = reverse("dataprotection:access_log")

    def heading(**query: str) -> str:
        page = client.get(url, query).content.decode()
        found = re.search(r"<h1>(.*?)</h1>", page, re.S)
        assert found is not None
        return found.group(1)

    person = network.employee
    about = heading(person=person.employee_id)
    assert person.given_name in about and person.family_name in about and person.employee_id in about
    assert person.employee_id not in heading()  # unfiltered: the plain heading
    assert "zzqx" in heading(person="zzqx")  # no one matches: says so, naming the search
    # Only people of the officer's organisations are named.
    other = heading(person=network.person_b.employee_id)
    assert network.person_b.family_name not in other and network.person_b.given_name not in other
