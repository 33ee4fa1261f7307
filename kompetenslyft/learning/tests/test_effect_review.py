"""A new user's review of issue 10, the learning side: one count of unique participants, the
team view's "awaiting" filter, the trainer's register of the day, the session page's waiting
list and booking cancellations, and competence names (not codes) on the journey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kompetenslyft.learning.models import Attendance, Booking, InitiativeGoal
from kompetenslyft.learning.reports import FunderScope, participant_figures
from kompetenslyft.learning.selectors import goal_attainment, journey
from kompetenslyft.learning.services import session_create

from .test_manager import _url, client_for, work  # noqa: F401 (the fixture)


def test_the_initiative_goal_counts_the_unique_participants_as_the_funder_report(work: Any) -> None:
    """Before, the goal counted attendance from the start only (and past the end), the funder
    report within the period: two figures for one thing."""
    initiative = work.initiative
    initiative.starts_on = timezone.localdate() - dt.timedelta(days=30)
    initiative.ends_on = timezone.localdate() - dt.timedelta(days=2)
    initiative.save()
    InitiativeGoal.objects.create(
        initiative=initiative, kind=InitiativeGoal.Kind.PARTICIPANTS, target_count=5
    )
    for person, days_ago in ((work.employee, 10), (work.colleague, 1)):  # the colleague after the end
        Attendance.objects.create(
            person=person, module=work.mail, date=timezone.localdate() - dt.timedelta(days=days_ago),
            hours=1, status="attended", unit=person.unit, role=person.role,
        )  # fmt: skip
    from kompetenslyft.learning import participation

    participation.rebuild(work.org_a)
    counted = participant_figures(FunderScope([work.org_a], initiative))[0]["total"]
    status = next(s for s in goal_attainment(initiative) if s.goal.kind == "participants")
    assert counted == 1 and status.value == 1


def test_awaiting_lists_people_with_proposals_to_confirm_as_awaiting(work: Any) -> None:
    client = client_for(work.manager.user)
    rows = client.get(reverse("learning:team"), {"status": "awaiting"}).context["rows"]
    mine = {r.person.pk: r for r in rows}
    assert work.employee.pk in mine
    assert mine[work.employee.pk].status == "awaiting"
    page = client.get(reverse("learning:team"), {"status": "awaiting"}).content.decode()
    assert "awaiting confirmation" in page and "nothing assigned" not in page
    # Once confirmed with everything exempt, it is exempt (not awaiting, not "nothing assigned").
    client.post(_url("proposal_exempt", work, work.proposal), {"module": work.mail.pk, "reason": "a"})
    client.post(_url("proposal_exempt", work, work.proposal), {"module": work.teams.pk, "reason": "b"})
    client.post(_url("proposal_exempt", work, work.proposal), {"module": work.alt.pk, "reason": "c"})
    client.post(_url("proposal_confirm", work, work.proposal))
    awaiting = {
        r.person.pk for r in client.get(reverse("learning:team"), {"status": "awaiting"}).context["rows"]
    }
    exempt = {r.person.pk for r in client.get(reverse("learning:team"), {"status": "exempt"}).context["rows"]}
    assert work.employee.pk not in awaiting and work.employee.pk in exempt


def test_the_trainers_home_offers_todays_register(work: Any) -> None:
    now = timezone.localtime()
    later = min(now + dt.timedelta(minutes=30), now.replace(hour=23, minute=59))
    session = session_create(
        module=work.mail, starts_at=max(later, now + dt.timedelta(minutes=1)), duration_minutes=30,
        capacity=5, place="Sal 1", trainers=[work.trainer],
    )  # fmt: skip
    page = client_for(work.trainer.user).get(reverse("home")).content.decode()
    url = reverse("learning:session", args=[session.pk]) + "#register"
    assert "Take today&#x27;s register" in page or "Take today's register" in page
    assert url in page


def test_the_session_page_hides_an_empty_waiting_list_and_names_what_a_cancel_cancels(work: Any) -> None:
    session = session_create(
        module=work.mail, starts_at=timezone.now() + dt.timedelta(days=2), duration_minutes=30,
        capacity=1, place="Sal 1", trainers=[work.trainer],
    )  # fmt: skip
    Booking.objects.create(session=session, person=work.employee, status="booked")
    client = client_for(work.lead.user)
    page = client.get(reverse("learning:session", args=[session.pk])).content.decode()
    assert "Waiting list" not in page
    assert "Cancel the booking" in page and ">Cancel<" not in page
    Booking.objects.create(session=session, person=work.colleague, status="waiting")
    page = client.get(reverse("learning:session", args=[session.pk])).content.decode()
    assert "Waiting list" in page
    # After it started, a booking is no longer cancelled from its page.
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save(update_fields=["starts_at"])
    page = client.get(reverse("learning:session", args=[session.pk])).content.decode()
    assert "Cancel the booking" not in page


def test_the_journey_names_the_competences_not_their_codes(work: Any) -> None:
    client_for(work.manager.user).post(_url("proposal_confirm", work, work.proposal))
    below = [j for j in journey(work.employee).modules if j.reason == "below"]
    assert below and all(name in ("E-post", "Teams") for j in below for name in j.competences)
    page = client_for(work.employee.user).get(reverse("learning:me")).content.decode()
    assert "required level in E-post" in page and "required level in MAIL" not in page
