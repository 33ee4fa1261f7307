"""The manager's and lead's pages at scale: counts read off the proposals' own index for a lead
(less the proposals of people who left) equal the counts over its people, an initiative is
visible through one's people without a DISTINCT over every proposal, and each page asks a
fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from kompetenslyft.core.access import access_for
from kompetenslyft.learning import manager_selectors as ms
from kompetenslyft.learning.models import Proposal
from kompetenslyft.learning.selectors import initiatives_visible
from kompetenslyft.learning.services import initiative_create, proposals_generate
from kompetenslyft.org.models import Person
from kompetenslyft.org.tests.factories import PersonFactory

from .test_manager import _url, client_for
from .test_manager import work as work  # the fixture


def _joined_counts(access: Any, initiative: Any, status: str | None = None) -> tuple[int, int]:
    selection = ms.proposals_filtered(access, initiative, status=status)
    return selection.count(), selection.filter(status=Proposal.Status.PROPOSED).count()


def test_a_leads_counts_leave_out_people_who_left(work: Any) -> None:
    PersonFactory.create_batch(5, unit=work.unit1)
    proposals_generate(initiative_id=work.initiative.pk)
    work.proposal = Proposal.objects.get(person=work.employee)
    client_for(work.manager.user).post(_url("proposal_confirm", work, work.proposal))
    Person.objects.filter(pk=work.colleague.pk).update(is_active=False)
    lead = access_for(work.lead.user)
    for status in (None, "proposed", "confirmed"):
        counted = ms.proposals_counts(lead, work.initiative, status=status)
        assert counted == _joined_counts(lead, work.initiative, status)
    total, to_confirm = ms.proposals_counts(lead, work.initiative)
    everyone = Proposal.objects.filter(initiative=work.initiative).count()
    assert total == everyone - 1 and to_confirm == total - 1  # the colleague left, one confirmed
    page = client_for(work.lead.user).get(_url("proposals", work))
    assert page.context["page"].paginator.count == total and page.context["to_confirm"] == to_confirm
    # The team page's initiatives: the same figure awaiting confirmation.
    assert ms.awaiting_by_initiative(lead) == [(work.initiative, to_confirm)]
    # A manager's counts stay its own people's.
    manager = access_for(work.manager.user)
    assert ms.proposals_counts(manager, work.initiative) == _joined_counts(manager, work.initiative)
    assert ms.awaiting_by_initiative(manager) == [
        (work.initiative, _joined_counts(manager, work.initiative)[1])
    ]


def test_an_initiative_whose_people_all_left_is_not_listed_for_the_lead(work: Any) -> None:
    other = initiative_create(
        organisation=work.org_a, code="liten", name="Liten", units=[work.unit2], modules=[work.mail]
    )
    proposals_generate(initiative_id=other.pk)
    assert Proposal.objects.filter(initiative=other).exists()
    lead = access_for(work.lead.user)
    assert other in [i for i, _n in ms.awaiting_by_initiative(lead)]
    Person.objects.filter(unit=work.unit2).update(is_active=False)
    assert other not in [i for i, _n in ms.awaiting_by_initiative(lead)]
    assert ms.proposals_counts(lead, other) == (0, 0)


def test_an_initiative_is_visible_through_ones_people_only(work: Any) -> None:
    manager = access_for(work.manager.user)
    assert list(initiatives_visible(manager).filter(pk=work.initiative.pk)) == [work.initiative]
    # Another organisation's lead and a plain employee do not see it.
    assert not initiatives_visible(access_for(work.lead_b.user)).filter(pk=work.initiative.pk).exists()
    assert not initiatives_visible(access_for(work.employee.user)).filter(pk=work.initiative.pk).exists()
    # Without proposals of the manager's people it is gone for the manager (no join leaks it).
    Proposal.objects.filter(person__unit__path__startswith=work.unit1.parent.path).delete()
    assert not initiatives_visible(manager).filter(pk=work.initiative.pk).exists()
    # One row per initiative in the list, whatever the number of proposals behind it.
    assert list(initiatives_visible(access_for(work.lead.user))) == [work.initiative]


@pytest.mark.parametrize("people", [3, 40])
@pytest.mark.parametrize("who", ["manager", "lead"])
def test_pages_ask_the_same_queries_at_any_size(
    work: Any, people: int, who: str, django_assert_max_num_queries: Any
) -> None:
    PersonFactory.create_batch(people, unit=work.unit1)
    proposals_generate(initiative_id=work.initiative.pk)
    client = client_for(getattr(work, who).user)
    for url, params in (
        (_url("proposals", work), {}),
        (_url("proposals", work), {"status": "proposed"}),
        (reverse("learning:team"), {}),
        (reverse("home"), {}),
    ):
        client.get(url, params)  # session and caches warmed
        # The lead's start page has a card per app (knowledge tests, indicators, success cases,
        # micro-learning, retention …): one query each (retention three), the same at any size.
        # "My learning" reads the journey's own decisions (two queries more than a count).
        home_most = 28 if who == "lead" else 25
        with django_assert_max_num_queries(home_most if url == reverse("home") else 20):
            assert client.get(url, params).status_code == 200


@pytest.mark.parametrize("people", [3, 40])
def test_the_sessions_list_counts_bookings_per_session_in_fixed_queries(
    work: Any, people: int, django_assert_max_num_queries: Any
) -> None:
    from django.utils import timezone

    from kompetenslyft.learning.models import Booking
    from kompetenslyft.learning.services import session_create

    session = session_create(
        module=work.mail,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=60,
        capacity=people,
        place="Sal 3",
    )
    booked = PersonFactory.create_batch(people, unit=work.unit1)
    Booking.objects.bulk_create([Booking(session=session, person=p, status="booked") for p in booked])
    Booking.objects.create(session=session, person=work.employee, status="waiting")
    client = client_for(work.lead.user)
    client.get(reverse("learning:sessions"))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("learning:sessions"))
    shown = next(s for s in page.context["page"].object_list if s.pk == session.pk)
    assert (shown.booked, shown.waiting) == (people, 1)
