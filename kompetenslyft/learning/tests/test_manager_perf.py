"""The manager's pages at size (issue 9): the queries of the proposals page and the team do not
grow with the number of people, the page is ordered and loaded right, and the team's statuses
narrowed in the database still tell not started / in progress / done — never of others' people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.learning.models import Attendance, Proposal
from kompetenslyft.learning.services import proposals_generate
from kompetenslyft.org.tests.factories import PersonFactory

from .test_manager import _url, client_for, work  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_the_pages_ask_the_same_queries_for_4_or_124_people(work: Any) -> None:  # noqa: F811
    client = client_for(work.manager.user)
    proposals, team = _url("proposals", work), reverse("learning:team")
    client.get(proposals)  # the session and the caches warm
    small = {
        name: _queries(client, url, params)
        for name, url, params in (
            ("proposals", proposals, {}),
            ("proposed", proposals, {"status": "proposed"}),
            ("team", team, {}),
            ("awaiting", team, {"status": "awaiting"}),
        )
    }
    PersonFactory.create_batch(120, unit=work.unit1)
    proposals_generate(initiative_id=work.initiative.pk)
    big = {
        name: _queries(client, url, params)
        for name, url, params in (
            ("proposals", proposals, {"page": 2}),
            ("proposed", proposals, {"status": "proposed", "page": 3}),
            ("team", team, {"page": 2}),
            ("awaiting", team, {"status": "awaiting", "page": 3}),
        )
    }
    assert big == small
    # Two more since issue 12: the read is logged (an entry and one bulk insert of the page's
    # people, ADR 0017), the same for 4 or 124 people.
    assert small["proposals"] <= 14 + 2 and small["team"] <= 16 + 2


def test_a_page_is_ordered_by_name_and_loads_its_own_rows(work: Any) -> None:  # noqa: F811
    for index in range(60):
        PersonFactory(unit=work.unit1, family_name=f"Zz{index:02d}", given_name="A")
    proposals_generate(initiative_id=work.initiative.pk)
    client = client_for(work.manager.user)
    expected = list(
        Proposal.objects.filter(person__unit__path__startswith=work.manager.unit.path, person__is_active=True)
        .filter(initiative=work.initiative)
        .order_by("person__family_name", "person__given_name", "pk")
        .values_list("pk", flat=True)
    )
    shown = []
    for number in (1, 2):
        page = client.get(_url("proposals", work), {"page": number})
        shown += [r.proposal.pk for r in page.context["rows"]]
        assert all(r.proposal.person.unit.name for r in page.context["rows"])
    assert shown == expected
    people = []
    for number in (1, 2):
        people += [
            r.person.pk for r in client.get(reverse("learning:team"), {"page": number}).context["rows"]
        ]
    assert people[-60:] == [
        p.pk
        for p in sorted(work.unit1.people.filter(family_name__startswith="Zz"), key=lambda p: p.family_name)
    ]


def _assigned(proposal: Proposal) -> list[int]:
    return sorted(m for m, d in proposal.decisions().items() if d["s"] == "assigned")


def _attend(person: Any, module_id: int, status: str, days_ago: int = 5) -> None:
    Attendance.objects.create(
        person=person,
        module_id=module_id,
        unit=person.unit,
        role=person.role,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        hours=Decimal("1"),
        status=status,
        source="import",
    )


def test_in_progress_and_done_come_from_attendance_and_stay_in_ones_own_units(work: Any) -> None:  # noqa: F811
    client = client_for(work.manager.user)
    mine = Proposal.objects.get(person=work.employee)
    outside = Proposal.objects.get(person=work.other_employee)
    Proposal.objects.filter(pk__in=[mine.pk, outside.pk]).update(status="confirmed")
    modules = _assigned(mine)
    assert len(modules) >= 2 and _assigned(outside)

    def people(status: str) -> list[Any]:
        return [r.person for r in client.get(reverse("learning:team"), {"status": status}).context["rows"]]

    assert people("not_started") == [work.employee]
    _attend(work.employee, modules[0], "no_show")  # counts nowhere
    assert people("not_started") == [work.employee] and people("in_progress") == []
    _attend(work.employee, modules[0], "completed", days_ago=4)
    assert people("in_progress") == [work.employee] and people("not_started") == []
    for module_id in modules[1:]:
        _attend(work.employee, module_id, "attended")  # imported, no booking: the whole module
    assert people("done") == [work.employee] and people("in_progress") == []
    # Another unit's person, done as well, is never among the manager's people.
    for module_id in _assigned(outside):
        _attend(work.other_employee, module_id, "completed")
    assert work.other_employee not in people("done")
    rows = client.get(reverse("learning:team"), {"status": "done"}).context["rows"]
    assert [(r.assigned, r.done) for r in rows] == [(len(modules), len(modules))]
