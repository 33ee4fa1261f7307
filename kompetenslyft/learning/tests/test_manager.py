"""The manager's workday: proposals per person (confirm, swap, exempt with a reason, confirm
all of a selection), what confirming means on the journey, the team over the whole subtree,
and booking its assigned people. Each access rule is attacked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.access import access_for
from kompetenslyft.core.audit import AuditEntry
from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Attendance, Booking, InitiativeGoal, Module, Proposal
from kompetenslyft.learning.reports import FunderScope, participant_figures
from kompetenslyft.learning.selectors import goal_attainment, journey
from kompetenslyft.learning.services import initiative_create, proposals_generate, session_create
from kompetenslyft.org.tests.factories import PersonFactory, RoleFactory


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def work(network: Any) -> Any:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\nTEAMS,Teams,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n{role},TEAMS,2\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,K,basic,onsite,1.5,MAIL\n"
            "M-TEAMS,Teams grund,K,basic,onsite,1,TEAMS\n"
            "M-ALT,E-post på distans,K,basic,elearning,1,\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    network.mail, network.teams, network.alt = (
        Module.objects.get(code=c) for c in ("M-MAIL", "M-TEAMS", "M-ALT")
    )
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[network.mail, network.teams, network.alt],
    )
    proposals_generate(initiative_id=network.initiative.pk)
    network.proposal = Proposal.objects.get(person=network.employee)
    network.colleague_proposal = Proposal.objects.get(person=network.colleague)
    network.outside_proposal = Proposal.objects.get(person=network.other_employee)
    return network


def _url(name: str, work: Any, proposal: Proposal | None = None) -> str:
    args = [work.initiative.pk] + ([proposal.pk] if proposal is not None else [])
    return reverse(f"learning:{name}", args=args)


def _modules(person: Any) -> dict[str, tuple[str, str, str]]:
    return {j.module.code: (j.state, j.reason, j.note) for j in journey(person).modules}


def test_an_unconfirmed_proposal_is_not_on_the_journey_a_confirmed_one_is(work: Any) -> None:
    assert work.proposal.decisions()[work.mail.pk]["s"] == "assigned"
    assert "M-MAIL" not in _modules(work.employee)
    page = client_for(work.employee.user).get(reverse("learning:me")).content.decode()
    assert "E-post grund" not in page
    response = client_for(work.manager.user).post(_url("proposal_confirm", work, work.proposal))
    assert response.status_code == 302
    work.proposal.refresh_from_db()
    assert work.proposal.status == "confirmed" and work.proposal.confirmed_by == work.manager.user
    assert _modules(work.employee)["M-MAIL"][0] == "assigned"
    assert "E-post grund" in client_for(work.employee.user).get(reverse("learning:me")).content.decode()
    assert Proposal.objects.get(person=work.colleague).status == "proposed"  # one person only
    assert AuditEntry.objects.filter(action="proposal.confirmed", target_id=str(work.proposal.pk)).exists()


def test_an_exemption_with_a_reason_shows_on_the_journey(work: Any) -> None:
    client = client_for(work.manager.user)
    own = client.get(_url("proposal", work, work.proposal), {"unit": work.unit1.pk, "page": "x"})
    assert own.status_code == 200 and own.context["back"] == f"unit={work.unit1.pk}"
    client.post(
        _url("proposal_exempt", work, work.proposal),
        {"module": work.mail.pk, "reason": "  Har   e-postcertifikat  "},
    )
    client.post(_url("proposal_confirm", work, work.proposal))
    work.proposal.refresh_from_db()
    assert work.proposal.decisions()[work.mail.pk] == {
        "s": "exempt",
        "r": "manager",
        "c": [],
        "t": "Har e-postcertifikat",
    }
    assert (work.proposal.assigned, work.proposal.exempt) == (1, 1)
    assert _modules(work.employee)["M-MAIL"] == ("exempt", "manager", "Har e-postcertifikat")
    page = client_for(work.employee.user).get(reverse("learning:me")).content.decode()
    assert "Exempt: Har e-postcertifikat" in page
    entry = AuditEntry.objects.get(action="proposal.exempted")
    assert entry.changes["reason"] == "Har e-postcertifikat" and entry.actor == work.manager.user


@pytest.mark.parametrize("reason", ["", "   ", "bad\x00text", "x" * 301])
def test_an_exemption_needs_a_clean_reason(work: Any, reason: str) -> None:
    before = Proposal.objects.get(pk=work.proposal.pk).items
    response = client_for(work.manager.user).post(
        _url("proposal_exempt", work, work.proposal), {"module": work.mail.pk, "reason": reason}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=work.proposal.pk).items == before


def test_a_swap_assigns_another_module_of_the_initiative_and_survives_regeneration(work: Any) -> None:
    client = client_for(work.manager.user)
    client.post(
        _url("proposal_swap", work, work.proposal), {"module": work.mail.pk, "replacement": work.alt.pk}
    )
    decisions = Proposal.objects.get(pk=work.proposal.pk).decisions()
    assert work.mail.pk not in decisions and decisions[work.alt.pk]["s"] == "assigned"
    proposals_generate(initiative_id=work.initiative.pk)  # the lead asks again: the swap is kept
    regenerated = Proposal.objects.get(person=work.employee)
    assert (
        regenerated.decisions()[work.alt.pk]["r"] == "swapped" and work.mail.pk not in regenerated.decisions()
    )
    assert regenerated.assigned == 2
    # Swapping to a module already assigned, or one outside the initiative, changes nothing.
    other = Module.objects.create(
        organisation=work.org_a, code="M-X", name="X", category="K", level="basic", format="onsite", hours=1
    )
    client.post(
        _url("proposal_swap", work, regenerated), {"module": work.alt.pk, "replacement": work.teams.pk}
    )
    missing = client.post(
        _url("proposal_swap", work, regenerated), {"module": work.alt.pk, "replacement": other.pk}
    )
    assert missing.status_code == 404
    assert Proposal.objects.get(pk=regenerated.pk).items == regenerated.items
    client.post(_url("proposal_confirm", work, regenerated))
    assert _modules(work.employee)["M-ALT"][:2] == ("assigned", "swapped")


def test_another_units_proposal_is_a_404_and_nothing_changes(work: Any) -> None:
    client = client_for(work.manager.user)
    target = work.outside_proposal
    before = (target.status, target.items)
    for name, data in (
        ("proposal_confirm", {}),
        ("proposal_swap", {"module": work.mail.pk, "replacement": work.alt.pk}),
        ("proposal_exempt", {"module": work.mail.pk, "reason": "nej"}),
    ):
        assert client.post(_url(name, work, target), data).status_code == 404, name
    assert client.get(_url("proposal", work, target)).status_code == 404  # not even its page
    target.refresh_from_db()
    assert (target.status, target.items) == before
    assert not AuditEntry.objects.filter(target_type="proposal").exists()
    # Another organisation's lead reaches neither the page nor a proposal.
    other_lead = client_for(work.lead_b.user)
    assert other_lead.get(_url("proposals", work)).status_code == 404
    assert other_lead.post(_url("proposal_confirm", work, work.proposal)).status_code == 404
    assert other_lead.post(_url("proposals_confirm_all", work)).status_code == 404
    # The employee confirms nothing, not even its own.
    assert (
        client_for(work.employee.user).post(_url("proposal_confirm", work, work.proposal)).status_code == 404
    )
    # The actions take POST only.
    assert client.get(_url("proposal_confirm", work, work.proposal)).status_code == 405
    assert Proposal.objects.filter(status="confirmed").count() == 0


def test_confirm_all_confirms_the_filtered_selection_of_ones_own_people_only(work: Any) -> None:
    client = client_for(work.manager.user)
    page = client.get(_url("proposals", work), {"unit": work.unit1.pk}).content.decode()
    assert work.employee.full_name in page and work.colleague.full_name not in page
    client.post(_url("proposals_confirm_all", work), {"unit": work.unit1.pk})
    confirmed = set(Proposal.objects.filter(status="confirmed").values_list("person_id", flat=True))
    assert confirmed == {work.employee.pk}
    # A unit outside its scope is a 404 and confirms nothing (it must not widen the selection to
    # every one of its own people, as an ignored filter would).
    response = client.post(_url("proposals_confirm_all", work), {"unit": work.unit3.pk})
    assert response.status_code == 404
    confirmed = set(Proposal.objects.filter(status="confirmed").values_list("person_id", flat=True))
    assert confirmed == {work.employee.pk}
    assert client.post(_url("proposals_confirm_all", work), {"status": "bogus"}).status_code == 400
    assert set(Proposal.objects.filter(status="confirmed").values_list("person_id", flat=True)) == confirmed
    assert client.get(_url("proposals", work), {"unit": "abc"}).status_code == 400
    assert client.get(reverse("learning:team"), {"unit": work.unit3.pk}).status_code == 404


def test_the_proposals_page_pages_and_filters(work: Any, django_assert_max_num_queries: Any) -> None:
    nurse = RoleFactory(organisation=work.org_a, name="sjuksköterska")
    PersonFactory.create_batch(60, unit=work.unit1)
    special = PersonFactory(unit=work.unit2, role=nurse, family_name="Özil")
    proposals_generate(initiative_id=work.initiative.pk)
    client = client_for(work.manager.user)
    with django_assert_max_num_queries(20):
        first = client.get(_url("proposals", work))
    body = first.content.decode()
    assert first.context["page"].paginator.count == 64  # 61 + colleague + manager + special
    assert len(first.context["rows"]) == 50 and "Page 1 of 2" in body
    second = client.get(_url("proposals", work), {"page": 2})
    assert len(second.context["rows"]) == 14
    by_role = client.get(_url("proposals", work), {"role": nurse.pk})
    assert [r.proposal.person for r in by_role.context["rows"]] == [special]
    mine = Proposal.objects.get(person=work.employee)  # regenerated: a new row
    client.post(_url("proposal_confirm", work, mine))
    confirmed = client.get(_url("proposals", work), {"status": "confirmed"})
    assert [r.proposal.pk for r in confirmed.context["rows"]] == [mine.pk]
    assert client.get(_url("proposals", work), {"status": "proposed"}).context["page"].paginator.count == 63


def test_the_team_opens_on_the_whole_subtree_with_filters(work: Any) -> None:
    client = client_for(work.manager.user)
    page = client.get(reverse("learning:team"))
    names = {r.person.pk for r in page.context["rows"]}
    assert {work.employee.pk, work.colleague.pk, work.manager.pk} <= names
    assert work.other_employee.pk not in names and work.trainer.pk not in names
    body = page.content.decode()
    assert _url("proposals", work) in body and reverse("learning:book_assigned") in body
    south = client.get(reverse("learning:team"), {"unit": work.unit2.pk})
    assert [r.person for r in south.context["rows"]] == [work.colleague]
    assert client.get(reverse("learning:team"), {"unit": work.unit3.pk}).status_code == 404  # outside
    awaiting = client.get(reverse("learning:team"), {"status": "awaiting"})
    assert work.employee.pk in {r.person.pk for r in awaiting.context["rows"]}
    client.post(_url("proposal_confirm", work, work.proposal))
    client.post(
        _url("proposal_exempt", work, work.colleague_proposal), {"module": work.mail.pk, "reason": "a"}
    )
    client.post(
        _url("proposal_exempt", work, work.colleague_proposal), {"module": work.teams.pk, "reason": "b"}
    )
    client.post(_url("proposal_confirm", work, work.colleague_proposal))

    def people(status: str) -> list[Any]:
        return [r.person for r in client.get(reverse("learning:team"), {"status": status}).context["rows"]]

    assert people("not_started") == [work.employee]
    assert people("exempt") == [work.colleague]
    assert people("done") == [] and people("in_progress") == []
    session = session_create(
        module=work.mail,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
        capacity=5,
        place="Sal 1",
    )
    Booking.objects.create(session=session, person=work.employee, status="booked")
    assert people("in_progress") == [work.employee]
    assert (
        client.get(reverse("learning:team"), {"status": "nonsense"}).status_code == 400
    )  # an unknown status is refused, not ignored
    assert client_for(work.employee.user).get(reverse("learning:team")).status_code == 404


def test_book_assigned_people_picks_ones_own_and_tells_who_waits(work: Any) -> None:
    client = client_for(work.manager.user)
    session = session_create(
        module=work.mail,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
        capacity=1,
        place="Sal 2",
    )
    # Nothing confirmed yet: no one is assigned.
    assert client.get(reverse("learning:book_assigned_session", args=[session.pk])).status_code == 404
    for proposal in (work.proposal, work.colleague_proposal):
        client.post(_url("proposal_confirm", work, proposal))
    Proposal.objects.filter(pk=work.outside_proposal.pk).update(status="confirmed")
    listing = client.get(reverse("learning:book_assigned")).content.decode()
    assert reverse("learning:book_assigned_session", args=[session.pk]) in listing
    assert 'data-free="1"' in listing  # free places per session on the list
    url = reverse("learning:book_assigned_session", args=[session.pk])
    page = client.get(url)
    # One place for two people: the page says how many may be ticked.
    assert "1 place free" in page.content.decode()
    assert "Only 1 place is free: tick at most 1 person" in page.content.decode()
    # Its own people with a confirmed assignment (not the other unit's, not its own unconfirmed).
    assert {p.pk for p in page.context["people"]} == {work.employee.pk, work.colleague.pk}
    # Someone else's person in the post: refused as a whole.
    attack = client.post(url, {"person": [work.employee.pk, work.other_employee.pk]})
    assert attack.status_code == 400 and not Booking.objects.exists()
    # Two ticked for one place: over-booking is refused with a message saying why; nobody booked.
    over = client.post(url, {"person": [work.employee.pk, work.colleague.pk]}, follow=True)
    assert not Booking.objects.exists()
    assert "You ticked 2 people but only 1 place is free on this session" in over.content.decode()
    response = client.post(url, {"person": [work.employee.pk]}, follow=True)
    body = response.content.decode()
    assert dict(Booking.objects.values_list("person_id", "status")) == {work.employee.pk: "booked"}
    assert f"Booked: {work.employee.full_name}." in body
    assert [p.pk for p in response.context["people"]] == [work.colleague.pk]
    full = client.get(url).content.decode()  # full now: ticking means the waiting list
    assert 'data-free="0"' in full and "Full" in full
    assert "The session is full: everyone you tick goes on its waiting list." in full
    assert 'data-free="0"' in client.get(reverse("learning:book_assigned")).content.decode()
    waiting = client.post(url, {"person": [work.colleague.pk]}, follow=True).content.decode()
    assert f"On the waiting list: {work.colleague.full_name}." in waiting
    assert "Put the people ticked on the waiting list" in full
    assert AuditEntry.objects.filter(action="session.people_booked").exists()
    assert client_for(work.employee.user).get(url).status_code == 404


def test_book_assigned_people_leaves_out_who_is_booked_waiting_or_has_attended(work: Any) -> None:
    """Each rule of the list on its own: a coming booking or a place on a coming waiting list
    of the module takes a person off, an attended or completed session of it too; a booking on
    a past or cancelled session, or on another module, does not."""
    from kompetenslyft.learning.manager_selectors import assigned_not_booked

    client = client_for(work.manager.user)
    for proposal in (work.proposal, work.colleague_proposal):
        client.post(_url("proposal_confirm", work, proposal))
    soon = timezone.now() + dt.timedelta(days=3)
    session = session_create(module=work.mail, starts_at=soon, duration_minutes=60, capacity=9, place="Sal 2")
    other = session_create(module=work.mail, starts_at=soon, duration_minutes=60, capacity=9, place="Sal 3")
    teams = session_create(module=work.teams, starts_at=soon, duration_minutes=60, capacity=9, place="Sal 4")
    past = session_create(
        module=work.mail, starts_at=timezone.now() - dt.timedelta(days=3), duration_minutes=60, capacity=9,
        place="Sal 1",
    )  # fmt: skip
    access = access_for(work.manager.user)

    def offered() -> set[int]:
        return {p.pk for p in assigned_not_booked(access, session)}

    both = {work.employee.pk, work.colleague.pk}
    assert offered() == both
    Booking.objects.create(session=teams, person=work.employee, status="booked")  # another module
    Booking.objects.create(session=past, person=work.employee, status="booked")  # a past session
    assert offered() == both
    other.cancelled = True
    other.save(update_fields=["cancelled"])
    booking = Booking.objects.create(session=other, person=work.employee, status="booked")
    assert offered() == both  # booked on a cancelled session: still to book
    other.cancelled = False
    other.save(update_fields=["cancelled"])
    assert offered() == {work.colleague.pk}  # booked on a coming session
    booking.status = "waiting"
    booking.save(update_fields=["status"])
    assert offered() == {work.colleague.pk}  # waiting on a coming session
    booking.status = "cancelled"
    booking.save(update_fields=["status"])
    assert offered() == both
    for status, expected in (
        ("no_show", both),
        ("attended", {work.employee.pk}),
        ("completed", {work.employee.pk}),
    ):
        Attendance.objects.filter(person=work.colleague).delete()
        Attendance.objects.create(
            person=work.colleague,
            module=work.mail,
            session=past,
            unit=work.colleague.unit,
            date=past.starts_at.date(),
            hours=1,
            status=status,
        )
        assert offered() == expected, status


def test_the_team_role_filter_offers_only_roles_held_in_the_managers_subtree(work: Any) -> None:
    outside = RoleFactory(organisation=work.org_a, name="Kock")
    work.other_employee.role = outside  # outside the manager's units
    work.other_employee.save()
    unheld = RoleFactory(organisation=work.org_a, name="Vaktmästare")  # nobody holds it
    client = client_for(work.manager.user)
    roles = list(client.get(reverse("learning:team")).context["roles"])
    held = {p.role for p in (work.employee, work.colleague, work.manager)}
    assert set(roles) == held and outside not in roles and unheld not in roles
    assert client.get(reverse("learning:team"), {"role": outside.pk}).status_code == 404
    assert client.get(reverse("learning:team"), {"role": work.employee.role.pk}).status_code == 200
    # Someone who has left does not keep a role on the filter.
    work.colleague.role = RoleFactory(organisation=work.org_a, name="Sjuksköterska")
    work.colleague.is_active = False
    work.colleague.save()
    assert work.colleague.role not in list(client.get(reverse("learning:team")).context["roles"])
    # The lead filters over its whole organisation: every role of it.
    lead_roles = set(client_for(work.lead.user).get(reverse("learning:team")).context["roles"])
    assert {outside, unheld} <= lead_roles


def test_the_journey_summary_counts_assigned_done_booked_exempt_and_elective(work: Any) -> None:
    from kompetenslyft.learning.models import Attendance, Enrolment

    manager = client_for(work.manager.user)
    manager.post(_url("proposal_exempt", work, work.proposal), {"module": work.mail.pk, "reason": "Kan det"})
    manager.post(_url("proposal_confirm", work, work.proposal))  # M-TEAMS assigned, M-MAIL exempt
    extra = {
        code: Module.objects.create(
            organisation=work.org_a,
            code=code,
            name=name,
            category="K",
            level="basic",
            format="onsite",
            hours=1,
        )
        for code, name in (("M-INTRO", "Introduktion"), ("M-VAL", "Valfri modul"))
    }
    Enrolment.objects.create(person=work.employee, module=work.alt, kind=Enrolment.Kind.INTRODUCTION)
    Enrolment.objects.create(person=work.employee, module=extra["M-INTRO"], kind=Enrolment.Kind.INTRODUCTION)
    Enrolment.objects.create(person=work.employee, module=extra["M-VAL"], kind=Enrolment.Kind.ELECTIVE)
    Attendance.objects.create(
        person=work.employee, module=extra["M-INTRO"], unit=work.unit1, date=timezone.localdate(), hours=1,
        status=Attendance.Status.COMPLETED,
    )  # fmt: skip
    session = session_create(
        module=work.teams, starts_at=timezone.now() + dt.timedelta(days=3), duration_minutes=60,
        capacity=5, place="Sal 1",
    )  # fmt: skip
    Booking.objects.create(session=session, person=work.employee, status="booked")
    mine = journey(work.employee)
    assert (mine.assigned_total, mine.assigned_done, mine.booked_count, mine.waiting_count) == (3, 1, 1, 0)
    assert (mine.exempt_count, mine.elective_count, mine.progress) == (1, 1, 33)
    page = client_for(work.employee.user).get(reverse("learning:me")).content.decode()
    assert "1 of 3 assigned modules done · 1 booked · 1 exempt · 1 elective" in page
    # The list below says the same: two assigned still to do (one booked), one exempt, one elective.
    states = [(j.module.code, j.state, bool(j.booking)) for j in mine.open_modules]
    assert sorted(states) == [
        ("M-ALT", "assigned", False),
        ("M-MAIL", "exempt", False),
        ("M-TEAMS", "assigned", True),
        ("M-VAL", "elective", False),
    ]
    assert [j.module.code for j in mine.completed] == ["M-INTRO"]
    # The manager's team view counts by the same rule: a booking of the exempt module is not
    # "booked", and done and assigned are the journey's.
    exempt_session = session_create(
        module=work.mail, starts_at=timezone.now() + dt.timedelta(days=4), duration_minutes=60,
        capacity=5, place="Sal 2",
    )  # fmt: skip
    Booking.objects.create(session=exempt_session, person=work.employee, status="booked")
    rows = {r.person.pk: r for r in manager.get(reverse("learning:team")).context["rows"]}
    row = rows[work.employee.pk]
    assert (row.assigned, row.done, row.booked, row.exempt) == (3, 1, 1, 1)
    assert row.booked <= row.assigned - row.done
    # Someone with no assigned module reads so, not "0 of 0".
    other = client_for(work.other_employee.user).get(reverse("learning:me")).content.decode()
    assert "No assigned modules" in other and "0 of 0" not in other


def test_the_start_cards_not_booked_counts_people_as_book_my_assigned_people_does(work: Any) -> None:
    from kompetenslyft.learning.home import team_follow_up
    from kompetenslyft.learning.models import Proposal as P

    client = client_for(work.manager.user)
    assert team_follow_up(access_for(work.manager.user))["not_booked"] == 0  # nothing confirmed yet
    client.post(_url("proposal_confirm", work, work.proposal))  # several modules: still one person
    client.post(_url("proposal_confirm", work, work.colleague_proposal))
    assigned = P.objects.filter(person__in=[work.employee, work.colleague]).values_list("assigned", flat=True)
    assert sum(assigned) > 2  # more assignments than people
    figures = team_follow_up(access_for(work.manager.user))
    # No module has a coming session yet: there is nothing to book anyone on.
    assert figures == {"not_booked": 0, "lagging": 2}
    sessions = {}
    for module in (work.mail, work.teams):  # M-ALT (e-learning) is done without a session
        sessions[module.pk] = session_create(
            module=module, starts_at=timezone.now() + dt.timedelta(days=3), duration_minutes=60,
            capacity=5, place="Sal 1",
        )  # fmt: skip
    assert team_follow_up(access_for(work.manager.user))["not_booked"] == 2
    for session in sessions.values():  # the employee booked on every module it can be booked on
        Booking.objects.create(session=session, person=work.employee, status="waiting")
    # Its e-learning module (no session) does not keep it among those "not yet booked".
    assert team_follow_up(access_for(work.manager.user))["not_booked"] == 1


def test_the_start_cards_not_started_is_the_team_views_filter_it_links_to(work: Any) -> None:
    """The reviewer saw "65 not started" on the start page and 131 under the team view's
    "not started": the card's figure is now that filter's count, and its link opens it."""
    from kompetenslyft.learning.home import manager_card, team_follow_up

    client = client_for(work.manager.user)
    client.post(_url("proposal_confirm", work, work.proposal))
    client.post(_url("proposal_confirm", work, work.colleague_proposal))
    access = access_for(work.manager.user)
    card = manager_card(access, work.manager)
    assert card is not None
    link = next(i for i in card.items if i.url and "status=not_started" in i.url)
    listed = client.get(link.url).context["rows"]
    assert link.count == team_follow_up(access)["lagging"] == len(listed) == 2
    # A waiting-list place is no start: the employee stays "not started" in both.
    session = session_create(
        module=work.mail, starts_at=timezone.now() + dt.timedelta(days=3), duration_minutes=60,
        capacity=5, place="Sal 1",
    )  # fmt: skip
    Booking.objects.create(session=session, person=work.employee, status="waiting")
    card = manager_card(access_for(work.manager.user), work.manager)
    link = next(i for i in card.items if i.url and "status=not_started" in i.url)
    assert link.count == len(client.get(link.url).context["rows"])


# --- a new user's review of issue 10 --------------------------------------------------


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
