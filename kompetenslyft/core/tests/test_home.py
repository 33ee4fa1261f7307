"""The start page: each role's cards (what to do next, with counts and links), the access
rules behind them, their query counts, and the menu."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.assessment.models import Campaign, Participant
from kompetenslyft.core.importing import import_file
from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.evaluation.models import Request
from kompetenslyft.learning.models import (
    Attendance,
    Enrolment,
    Initiative,
    Module,
    Proposal,
    SupportContact,
    SupportRequest,
)
from kompetenslyft.learning.participation import refresh_people
from kompetenslyft.learning.services import (
    booking_book,
    initiative_create,
    proposals_generate,
    session_create,
)
from kompetenslyft.org.models import ImportBatch


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def home(user: Any) -> str:
    response = client_for(user).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def card(page: str, key: str) -> str:
    """The HTML of one card of the page ("" when the page has none)."""
    start = page.find(f'data-card="{key}"')
    if start < 0:
        return ""
    return page[start : page.find("</section>", start)]


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
    network.module = module
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
    network.past_session = session_create(
        module=module,
        starts_at=timezone.now() - dt.timedelta(days=1),
        duration_minutes=60,
        capacity=10,
        place="Sal 9",
        trainers=[network.trainer],
    )
    today = timezone.localdate()
    network.campaign = Campaign.objects.create(
        organisation=network.org_a,
        name="Baslinje 2026",
        measurement_point=0,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=10),
        status=Campaign.Status.OPEN,
    )
    for person in (network.employee, network.other_employee):
        Participant.objects.create(campaign=network.campaign, person=person, unit=person.unit, questions=4)
    SupportContact.objects.create(person=network.trainer, unit=network.dep1)
    return network


def test_employee_sees_what_to_do_next(world: Any) -> None:
    booking_book(session=world.session, person=world.employee)
    request = Request.objects.create(
        organisation=world.org_a,
        person=world.employee,
        module=world.module,
        occurred_on=timezone.localdate(),
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + dt.timedelta(days=14),
    )
    SupportRequest.objects.create(
        organisation=world.org_a,
        person=world.employee,
        unit=world.unit1,
        topic="Outlook",
        question="Hur?",
        answer="Så här.",
        answered_at=timezone.now(),
    )
    page = home(world.employee.user)
    assert reverse("assessment:answer", args=[world.campaign.pk]) in card(page, "self-assessment")
    assert reverse("evaluation:mine", args=[request.pk]) in card(page, "evaluations")
    learning = card(page, "my-learning")
    assert "E-post grund" in learning  # the booked session
    assert "1 of your questions has been answered" in learning
    assert reverse("learning:me") in learning
    # An employee sees no other role's cards.
    for other in ("my-team", "training", "campaigns", "initiatives", "imports", "key-figures"):
        assert not card(page, other), other


def test_assigned_modules_to_do_count(world: Any) -> None:
    from kompetenslyft.learning.services import proposals_confirm

    # A proposal is a suggestion until the manager confirms it (as on the journey).
    assert "assigned module" not in card(home(world.employee.user), "my-learning")
    proposals_confirm(proposals=Proposal.objects.filter(initiative=world.initiative), actor=None)
    page = home(world.employee.user)
    assert "1 assigned module to do" in card(page, "my-learning")
    Attendance.objects.create(
        person=world.employee,
        module=world.module,
        unit=world.unit1,
        date=timezone.localdate(),
        hours=Decimal("1.5"),
        status=Attendance.Status.COMPLETED,
    )
    assert "assigned module" not in card(home(world.employee.user), "my-learning")


def test_the_to_do_count_and_list_are_the_same_modules(world: Any) -> None:
    """The reviewer's case: "2 assigned modules to do" over a list of one booked module that
    was done. The figure counts, and the card lists, the assigned modules not done — with the
    booked session's time or "not booked yet" — and a done module is in neither."""
    from kompetenslyft.learning.services import proposals_confirm

    other = Module.objects.create(
        organisation=world.org_a,
        code="M-TEAMS",
        name="Teams grund",
        category="Kommunikation",
        level="basic",
        format="elearning",
        hours=1,
    )
    Enrolment.objects.create(person=world.employee, module=other, kind=Enrolment.Kind.INTRODUCTION)
    proposals_confirm(proposals=Proposal.objects.filter(initiative=world.initiative), actor=None)
    booking_book(session=world.session, person=world.employee)
    learning = card(home(world.employee.user), "my-learning")
    assert "2 assigned modules to do" in learning
    assert "E-post grund" in learning and "Teams grund" in learning
    assert "not booked yet" in learning  # Teams: e-learning, no session
    Attendance.objects.create(
        person=world.employee,
        module=world.module,
        unit=world.unit1,
        date=timezone.localdate(),
        hours=Decimal("1.5"),
        status=Attendance.Status.COMPLETED,
    )
    learning = card(home(world.employee.user), "my-learning")
    assert "1 assigned module to do" in learning
    assert "Teams grund" in learning
    assert "E-post grund" not in learning  # done, though still booked on a coming session


def test_manager_sees_its_own_units_only(world: Any) -> None:
    SupportRequest.objects.create(
        organisation=world.org_a, person=world.employee, unit=world.unit1, topic="A", question="secret one"
    )
    SupportRequest.objects.create(
        organisation=world.org_a,
        person=world.other_employee,
        unit=world.unit3,
        topic="B",
        question="secret two",
    )
    page = home(world.manager.user)
    team = card(page, "my-team")
    own = Proposal.objects.filter(person__unit__path__startswith=world.dep1.path, status="proposed").count()
    everyone = Proposal.objects.filter(status="proposed").count()
    assert own < everyone  # other_employee (unit3) is not the manager's
    assert reverse("learning:proposals", args=[world.initiative.pk]) in team
    # The number is said once, in its sentence ("3 proposals to confirm"), not also as a count.
    assert (f"{own} proposal to confirm" if own == 1 else f"{own} proposals to confirm") in team
    assert reverse("learning:team") in team and reverse("assessment:team") in team
    # Questions from its people: counts only, never the text or the asker.
    assert "secret" not in page and world.other_employee.family_name not in page
    assert "Questions from your people" in team


def test_trainer_sees_sessions_registers_and_questions(world: Any) -> None:
    SupportRequest.objects.create(
        organisation=world.org_a, person=world.employee, unit=world.unit1, topic="A", question="?"
    )
    page = home(world.trainer.user)
    training = card(page, "training")
    assert reverse("learning:session", args=[world.session.pk]) in training
    assert (
        "Register to take" in training
        and reverse("learning:session", args=[world.past_session.pk]) in training
    )
    assert reverse("learning:support") in training
    assert '<a href="/learning/support/">1 question waiting for an answer</a>' in training


def test_lead_sees_campaigns_initiatives_imports_and_topics(world: Any) -> None:
    Participant.objects.filter(person=world.employee).update(completed_at=timezone.now())
    SupportRequest.objects.create(
        organisation=world.org_a, person=world.employee, unit=world.unit1, topic="Outlook", question="?"
    )
    batch = ImportBatch.objects.create(
        organisation=world.org_a, kind="people", filename="hr.csv", content=b"", uploaded_by=world.lead.user
    )
    page = home(world.lead.user)
    assert "50 % answered (1 of 2)" in card(page, "campaigns")
    assert reverse("learning:initiative", args=[world.initiative.pk]) in card(page, "initiatives")
    assert reverse("learning:funder") in card(page, "initiatives")
    assert reverse("org:import_preview", args=[batch.pk]) in card(page, "imports")
    assert "Outlook" in card(page, "questions")
    # Another organisation's lead sees none of it.
    other = home(world.lead_b.user)
    assert "Baslinje" not in other and "hr.csv" not in other and "Digitalt lyft" not in other


def test_top_management_key_figures_hide_small_groups(world: Any) -> None:
    """The key figures are the funder report's protected figures per running initiative over
    its whole period; no year-to-date total that would move by a small group from one day, or
    one attendance outside the initiative, to the next (the reviewer's differencing attack)."""
    world.org_a.anonymity_threshold = 5
    world.org_a.save()
    Initiative.objects.filter(pk=world.initiative.pk).update(status=Initiative.Status.RUNNING)
    Attendance.objects.create(
        person=world.employee,
        module=world.module,
        unit=world.unit1,
        date=timezone.localdate(),
        hours=Decimal("2"),
    )
    refresh_people(world.org_a.pk, [world.employee.pk])  # what the attendance services do
    page = home(world.top.user)
    figures = card(page, "key-figures")
    assert "this year" not in figures
    assert (
        "Digitalt lyft: participants" in figures and "hidden: fewer than the anonymity threshold" in figures
    )
    assert "Digitalt lyft: training hours" not in figures
    assert reverse("learning:funder") + "?initiative=lyft" in figures
    world.org_a.anonymity_threshold = 1
    world.org_a.save()
    figures = card(home(world.top.user), "key-figures")
    assert "hidden" not in figures and "Digitalt lyft: training hours" in figures


def test_key_figures_agree_with_the_funder_report_whatever_happens_outside_the_initiative(world: Any) -> None:
    """Attendance outside a running initiative (another module, or before it starts) does not
    move the key figures: they are the initiative's, as the funder report shows them."""
    world.org_a.anonymity_threshold = 1
    world.org_a.save()
    Initiative.objects.filter(pk=world.initiative.pk).update(status=Initiative.Status.RUNNING)
    before = card(home(world.top.user), "key-figures")
    other = Module.objects.create(
        organisation=world.org_a,
        code="M-OTHER",
        name="Annat",
        category="K",
        level="basic",
        format="onsite",
        hours=1,
    )
    Attendance.objects.create(
        person=world.colleague, module=other, unit=world.unit1, date=timezone.localdate(), hours=Decimal("3")
    )
    refresh_people(world.org_a.pk, [world.colleague.pk])
    assert card(home(world.top.user), "key-figures") == before


def test_project_leader_empty_state_and_first_initiative(world: Any) -> None:
    page = home(world.project_leader.user)
    mine = card(page, "my-initiatives")
    assert "An initiative begins with a measured gap" in mine
    assert reverse("learning:initiatives") in mine
    client = client_for(world.project_leader.user)
    listing = client.get(reverse("learning:initiatives"), HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200
    assert "How an initiative begins" in listing.content.decode()
    response = client.post(
        reverse("learning:initiatives"),
        {"code": "pl-1", "name": "Pias insats", "purpose": "Bättre dokumentation", "units": [world.unit1.pk]},
    )
    assert response.status_code == 302
    created = Initiative.objects.get(code="pl-1")
    assert created.organisation == world.org_a
    assert list(created.owners.all()) == [world.project_leader]
    assert "Pias insats" in card(home(world.project_leader.user), "my-initiatives")


def test_project_leader_of_another_organisation_cannot_create_here(world: Any) -> None:
    Grant.objects.create(user=world.lead_b.user, organisation=world.org_b, role=ProductRole.PROJECT_LEADER)
    Grant.objects.filter(user=world.lead_b.user, role=ProductRole.LEAD).delete()
    client = client_for(world.lead_b.user)
    # Units of organisation A are not choices for organisation B's project leader.
    response = client.post(
        reverse("learning:initiatives"), {"code": "steal", "name": "Intrång", "units": [world.unit1.pk]}
    )
    assert response.status_code == 400 and not Initiative.objects.filter(code="steal").exists()
    # What it may create lands in its own organisation, owned by itself.
    client.post(reverse("learning:initiatives"), {"code": "own", "name": "Egen", "units": [world.unit_b.pk]})
    own = Initiative.objects.get(code="own")
    assert own.organisation == world.org_b and list(own.owners.all()) == [world.lead_b]
    assert not Initiative.objects.filter(organisation=world.org_a, code="own").exists()


def test_owner_outside_the_organisation_is_refused(world: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        initiative_create(organisation=world.org_a, code="x", name="X", owners=[world.lead_b])


def test_employee_without_grant_cannot_create(world: Any) -> None:
    client = client_for(world.other_employee.user)
    assert client.get(reverse("learning:initiatives")).status_code == 404
    client.post(reverse("learning:initiatives"), {"code": "emp", "name": "Nej"})
    assert not Initiative.objects.filter(code="emp").exists()


# The manager's "not started" card counts through the team view's own filter (one more query
# than its former count, so that the card and the filter it links to agree), and its "not yet
# booked" card reads the modules with coming sessions to book (one more). The lead's retention
# card reads its leavers' retention time and counts those due (three more). Top management's
# head count reads the unit tree and the people per unit by two narrow queries (one more).
@pytest.mark.parametrize(
    ("who", "most"),
    # "My learning" reads the journey's own decisions (enrolments and completions due again
    # too), so that its figure and list agree with the journey: two queries more than a count.
    [("employee", 19), ("manager", 25), ("trainer", 25), ("lead", 28), ("project_leader", 20), ("top", 24)],
)
def test_home_query_counts(world: Any, who: str, most: int, django_assert_max_num_queries: Any) -> None:
    client = client_for(getattr(world, who).user)
    client.get(reverse("home"))  # session and caches warmed
    with django_assert_max_num_queries(most):
        assert client.get(reverse("home")).status_code == 200


def test_menu_groups_and_pages_each_role_reaches(world: Any) -> None:
    manager = home(world.manager.user)
    for url in (reverse("learning:team"), reverse("assessment:team"), reverse("learning:sessions")):
        assert f'href="{url}"' in manager
    trainer = home(world.trainer.user)
    assert f'href="{reverse("learning:support")}"' in trainer
    lead = home(world.lead.user)
    for url in (
        reverse("learning:funder"),
        reverse("org:people"),
        reverse("org:import"),
    ):
        assert f'href="{url}"' in lead
    assert "<summary>Menu</summary>" in lead and 'class="nav nav-wide"' in lead
    assert 'aria-current="page"' in lead
    employee = home(world.employee.user)
    assert (
        f'href="{reverse("org:people")}"' not in employee
        and f'href="{reverse("learning:funder")}"' not in employee
    )


def test_a_planned_initiative_whose_period_has_begun_counts_as_running(world: Any) -> None:
    today = timezone.localdate()
    Initiative.objects.filter(pk=world.initiative.pk).update(
        status=Initiative.Status.PLANNED,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
    )
    figures = card(home(world.top.user), "key-figures")
    assert '<span class="count">1</span> Alfa kommun: initiatives running' in figures
    assert "Digitalt lyft: participants" in figures
    Initiative.objects.filter(pk=world.initiative.pk).update(starts_on=today + dt.timedelta(days=1))
    figures = card(home(world.top.user), "key-figures")
    assert '<span class="count">0</span> Alfa kommun: initiatives running' in figures
