"""Changing an initiative after creation: each change through its service (audited), through its
own URL, and refused (404, nothing changed) to anyone who may not change the initiative."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kompetenslyft.core.importing import import_file
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.learning import initiative_services as changes
from kompetenslyft.learning import selectors
from kompetenslyft.learning.models import Initiative, InitiativeGoal, Module, PlanEntry, Proposal
from kompetenslyft.learning.services import (
    booking_book,
    initiative_create,
    proposals_confirm,
    proposals_generate,
    session_create,
)
from kompetenslyft.org.models import Role
from kompetenslyft.org.services import organisation_create


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(network: Any) -> Any:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,Kommunikation,basic,onsite,1.5,MAIL\n"
            "M-TEAMS,Teams grund,Kommunikation,basic,onsite,1,MAIL\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    network.mail = Module.objects.get(code="M-MAIL")
    network.teams = Module.objects.get(code="M-TEAMS")
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[network.mail, network.teams],
        budget=Decimal("1250000"),
    )
    proposals_generate(initiative_id=network.initiative.pk)
    network.initiative.owners.add(network.project_leader)
    network.initiative.steering_group.add(network.top)
    return network


def outsiders(world: Any) -> list[Any]:
    """Those who may not change the initiative: a manager who sees it through its people's
    proposals, the steering group, an employee, another organisation's lead."""
    return [world.manager.user, world.top.user, world.employee.user, world.lead_b.user]


def audited(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- services -------------------------------------------------------------------------------


def test_default_checklist_follows_the_organisations_language(network: Any) -> None:
    fjellvik = organisation_create(code="fjellvik", name="Fjellvik kommune", language="nb")
    assert (fjellvik.language, fjellvik.currency) == ("nb", "NOK")
    solvik = organisation_create(code="solvik", name="Solvik kommun")
    assert (solvik.language, solvik.currency) == ("sv", "SEK")
    with translation.override("en"):  # the actor's language does not matter
        norwegian = initiative_create(organisation=fjellvik, code="lyft", name="Digitalt løft")
        swedish = initiative_create(organisation=solvik, code="lyft", name="Digitalt lyft")
    first = PlanEntry.Kind.CHECKLIST, PlanEntry.Phase.BEFORE, 0
    assert norwegian.entries.get(kind=first[0], phase=first[1], position=first[2]).text == (
        "Formål og målbare mål er satt og forankret i ledelsen"
    )
    assert swedish.entries.get(kind=first[0], phase=first[1], position=first[2]).text.startswith("Syfte och")


def test_checklist_runs_before_during_after(world: Any) -> None:
    initiative = world.initiative
    added = changes.plan_entry_create(
        initiative=initiative, data={"kind": "checklist", "phase": "before", "text": "Boka lokaler"}
    )
    phases = [e.phase for e in selectors.plan(initiative)["checklist"]]
    assert phases == sorted(phases, key=["before", "during", "after"].index)
    befores = [e for e in selectors.plan(initiative)["checklist"] if e.phase == "before"]
    assert befores[-1].pk == added.pk  # a new item goes last in its phase


def test_initiative_update_changes_details_and_is_audited(world: Any) -> None:
    initiative = changes.initiative_update(
        initiative=world.initiative,
        name="Digitalt lyft 2",
        purpose="Alla ska kunna e-post",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        budget=Decimal("900000"),
        actor=world.lead.user,
    )
    initiative.refresh_from_db()
    assert (initiative.name, initiative.budget, initiative.ends_on) == (
        "Digitalt lyft 2",
        Decimal("900000"),
        dt.date(2026, 12, 31),
    )
    entry = AuditEntry.objects.get(action="initiative.updated")
    assert entry.changes["name"] == ["Digitalt lyft", "Digitalt lyft 2"]
    with pytest.raises(ValidationError):
        changes.initiative_update(
            initiative=initiative, name="x", starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2026, 1, 1)
        )


def test_removing_a_unit_removes_unconfirmed_proposals_and_refuses_confirmed_ones(world: Any) -> None:
    initiative = world.initiative
    in_dep2 = Proposal.objects.filter(initiative=initiative, unit__path__startswith=world.dep2.path)
    in_dep1 = Proposal.objects.filter(initiative=initiative, unit__path__startswith=world.dep1.path)
    assert in_dep1.exists()
    proposals_confirm(proposals=in_dep1, actor=world.lead.user)
    with pytest.raises(ValidationError, match="confirmed"):
        changes.initiative_units_set(initiative=initiative, units=[world.dep2], actor=world.lead.user)
    assert list(initiative.units.all()) == [world.admin_a]  # nothing changed
    outside_dep1 = Proposal.objects.filter(initiative=initiative).exclude(
        unit__path__startswith=world.dep1.path
    )
    leaving = outside_dep1.count()
    assert in_dep2.exists()
    change = changes.initiative_units_set(initiative=initiative, units=[world.dep1], actor=world.lead.user)
    assert list(initiative.units.all()) == [world.dep1]
    assert change.proposals_removed == leaving and not outside_dep1.exists() and in_dep1.exists()
    assert audited("initiative.units_changed") == 1
    with pytest.raises(ValidationError):
        changes.initiative_units_set(initiative=initiative, units=[world.unit_b])  # another organisation's


def test_roles_narrow_the_target_group(world: Any) -> None:
    other_role = Role.objects.create(organisation=world.org_a, name="sjuksköterska")
    before = Proposal.objects.filter(initiative=world.initiative).count()
    change = changes.initiative_roles_set(initiative=world.initiative, roles=[other_role])
    assert change.proposals_removed == before
    assert list(world.initiative.roles.all()) == [other_role]
    changes.initiative_roles_set(initiative=world.initiative, roles=[])  # every role again
    assert not world.initiative.roles.exists()


def test_a_module_people_are_booked_on_is_not_removed(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    initiative = world.initiative
    session = session_create(
        module=world.teams,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
        capacity=5,
        place="Sal 2",
        initiative=initiative,
    )
    booking_book(session=session, person=world.employee)
    with pytest.raises(ValidationError, match="M-TEAMS"):
        changes.initiative_modules_set(initiative=initiative, modules=[world.mail])
    assert set(initiative.modules.all()) == {world.mail, world.teams}
    session.bookings.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        change = changes.initiative_modules_set(
            initiative=initiative, modules=[world.mail], actor=world.lead.user
        )
    assert change.proposals_renewed  # proposals are made again without it
    assert set(initiative.modules.all()) == {world.mail}
    assert audited("proposals.requested") == 1 and audited("initiative.modules_changed") == 1
    assert all(
        str(world.teams.pk) not in p.items.get("b", {})
        for p in Proposal.objects.filter(initiative=initiative)
    )


def test_a_module_confirmed_proposals_assign_is_not_removed(world: Any) -> None:
    proposals_confirm(proposals=Proposal.objects.filter(initiative=world.initiative), actor=world.lead.user)
    with pytest.raises(ValidationError, match="confirmed"):
        changes.initiative_modules_set(initiative=world.initiative, modules=[world.teams])
    assert set(world.initiative.modules.all()) == {world.mail, world.teams}


def test_goals_and_plan_entries_are_changed_and_removed_through_services(world: Any) -> None:
    goal = changes.goal_create(
        initiative=world.initiative,
        data={"kind": "reach", "target_share": Decimal("0.8")},
        actor=world.lead.user,
    )
    changes.goal_update(
        goal=goal, data={"kind": "reach", "target_share": Decimal("0.9"), "description": "E-post"}
    )
    goal.refresh_from_db()
    assert (goal.target_share, goal.description) == (Decimal("0.9"), "E-post")
    with pytest.raises(ValidationError):
        changes.goal_update(goal=goal, data={"kind": "reach", "target_share": Decimal("80")})
    changes.goal_delete(goal=goal)
    assert not InitiativeGoal.objects.exists()
    entry = changes.plan_entry_create(initiative=world.initiative, data={"kind": "risk", "text": "Tidsbrist"})
    changes.plan_entry_update(
        entry=entry, data={"kind": "risk", "text": "Ingen tid", "likelihood": 4, "impact": 3}
    )
    entry.refresh_from_db()
    assert (entry.text, entry.risk_score) == ("Ingen tid", 12)
    assert changes.plan_entry_toggle(entry=entry).done
    changes.plan_entry_delete(entry=entry)
    assert not PlanEntry.objects.filter(pk=entry.pk).exists()
    for action in (
        "goal_added",
        "goal_changed",
        "goal_removed",
        "entry_added",
        "entry_changed",
        "entry_done",
        "entry_removed",
    ):
        assert audited(f"initiative.{action}") == 1, action


# --- views ----------------------------------------------------------------------------------


def _url(name: str, world: Any, *ids: int) -> str:
    return reverse(f"learning:initiative_{name}", args=[world.initiative.pk, *ids])


def test_goal_is_entered_and_shown_in_percent(world: Any) -> None:
    lead = client_for(world.lead.user)
    response = lead.post(
        _url("goal_add", world),
        {
            "goal-kind": "reach",
            "goal-target_share": "80",
            "goal-women_share": "",
            "goal-description": "E-post",
        },
    )
    assert response.status_code == 302
    goal = InitiativeGoal.objects.get()
    assert goal.target_share == Decimal("0.8")
    page = lead.get(reverse("learning:initiative", args=[world.initiative.pk])).content.decode()
    assert "(mål 80\u00a0%)" in page or "80\u00a0%" in page
    assert f'name="goal-{goal.pk}-target_share" value="80"' in page  # the edit form shows 80, not 0.8
    assert "1\u00a0250\u00a0000\u00a0SEK" in page  # the budget with its currency and thousands separators
    response = lead.post(
        _url("goal_edit", world, goal.pk),
        {f"goal-{goal.pk}-kind": "reach", f"goal-{goal.pk}-target_share": "82,5"},
    )
    goal.refresh_from_db()
    assert response.status_code == 302 and goal.target_share == Decimal("0.825")
    bad = lead.post(
        _url("goal_edit", world, goal.pk),
        {f"goal-{goal.pk}-kind": "reach", f"goal-{goal.pk}-target_share": "180"},
    )
    assert bad.status_code == 400
    goal.refresh_from_db()
    assert goal.target_share == Decimal("0.825")


def test_norwegian_organisation_shows_nok(world: Any) -> None:
    world.org_a.currency = "NOK"
    world.org_a.save(update_fields=["currency"])
    page = client_for(world.lead.user).get(reverse("learning:initiative", args=[world.initiative.pk]))
    assert "1\u00a0250\u00a0000\u00a0NOK" in page.content.decode()


def test_every_change_is_refused_to_those_who_may_not_change_the_initiative(world: Any) -> None:
    goal = changes.goal_create(
        initiative=world.initiative, data={"kind": "reach", "target_share": Decimal("0.8")}
    )
    entry = world.initiative.entries.first()
    attempts = [
        (_url("details", world), {"details-name": "Kapat", "details-budget": "1"}),
        (
            _url("settings", world),
            {"settings-status": "closed", "settings-owners": world.employee.employee_id},
        ),
        (_url("units", world), {"units-chosen": [world.unit3.pk]}),
        (_url("roles", world), {"roles-chosen": [world.employee.role_id]}),
        (_url("modules", world), {"modules-chosen": [world.mail.pk]}),
        (_url("propose", world), {}),
        (_url("goal_add", world), {"goal-kind": "reach", "goal-target_share": "50"}),
        (
            _url("goal_edit", world, goal.pk),
            {f"goal-{goal.pk}-kind": "reach", f"goal-{goal.pk}-target_share": "5"},
        ),
        (_url("goal_remove", world, goal.pk), {}),
        (_url("entry_add", world), {"entry-kind": "risk", "entry-text": "Smyg"}),
        (
            _url("entry_edit", world, entry.pk),
            {f"entry-{entry.pk}-kind": "risk", f"entry-{entry.pk}-text": "Smyg"},
        ),
        (_url("entry_remove", world, entry.pk), {}),
        (_url("entry_done", world, entry.pk), {}),
    ]
    audit_before = AuditEntry.objects.count()
    plan_before = list(world.initiative.entries.values_list("pk", "text", "done", "kind"))
    for user in outsiders(world):
        client = client_for(user)
        for url, data in attempts:
            assert client.post(url, data).status_code == 404, (user.username, url)
    initiative = Initiative.objects.get(pk=world.initiative.pk)
    assert (initiative.name, initiative.status, initiative.budget) == (
        "Digitalt lyft",
        "planned",
        Decimal("1250000"),
    )
    assert list(initiative.units.all()) == [world.admin_a] and not initiative.roles.exists()
    assert set(initiative.modules.all()) == {world.mail, world.teams}
    assert list(initiative.owners.all()) == [world.project_leader]
    assert InitiativeGoal.objects.get().target_share == Decimal("0.8")
    assert list(initiative.entries.values_list("pk", "text", "done", "kind")) == plan_before
    assert AuditEntry.objects.count() == audit_before
    # Another initiative's goal or entry through this initiative's URL: 404 to its own lead too.
    other = initiative_create(organisation=world.org_b, code="annan", name="Annan", units=[world.unit_b])
    foreign = other.entries.first()
    lead = client_for(world.lead.user)
    assert lead.post(_url("entry_remove", world, foreign.pk)).status_code == 404
    assert PlanEntry.objects.filter(pk=foreign.pk).exists()


def test_the_owner_changes_everything_through_its_own_url(world: Any) -> None:
    owner = client_for(world.project_leader.user)
    entry = world.initiative.entries.first()
    assert owner.post(_url("entry_done", world, entry.pk)).status_code == 302
    entry.refresh_from_db()
    assert entry.done
    assert (
        owner.post(
            _url("entry_edit", world, entry.pk),
            {
                f"entry-{entry.pk}-kind": "checklist",
                f"entry-{entry.pk}-phase": "after",
                f"entry-{entry.pk}-text": "Ändrad",
            },
        ).status_code
        == 302
    )
    entry.refresh_from_db()
    assert (entry.text, entry.phase) == ("Ändrad", "after")
    assert (
        owner.post(
            _url("entry_add", world), {"entry-kind": "lesson", "entry-text": "Kortare pass"}
        ).status_code
        == 302
    )
    assert owner.post(_url("entry_add", world), {"entry-kind": "lesson", "entry-text": ""}).status_code == 400
    # Removing asks first: the link opens a confirm page; only its button removes.
    confirm = owner.get(_url("entry_remove", world, entry.pk))
    assert confirm.status_code == 200 and "Ändrad" in confirm.content.decode()
    assert PlanEntry.objects.filter(pk=entry.pk).exists()
    assert owner.post(_url("entry_remove", world, entry.pk)).status_code == 302
    assert not PlanEntry.objects.filter(pk=entry.pk).exists()
    response = owner.post(
        _url("details", world),
        {"details-name": "Lyftet", "details-starts_on": "2026-03-01", "details-ends_on": "2026-02-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert (
        owner.post(_url("details", world), {"details-name": "Lyftet", "details-budget": "5000"}).status_code
        == 302
    )
    world.initiative.refresh_from_db()
    assert (world.initiative.name, world.initiative.budget) == ("Lyftet", Decimal("5000"))
    assert (
        owner.post(_url("units", world), {"units-chosen": [world.dep1.pk, world.dep2.pk]}).status_code == 302
    )
    assert set(world.initiative.units.all()) == {world.dep1, world.dep2}
    assert owner.post(_url("units", world), {}).status_code == 400  # a target group needs a unit
    assert owner.post(_url("modules", world), {"modules-chosen": [world.mail.pk]}).status_code == 302
    assert set(world.initiative.modules.all()) == {world.mail}
    assert (
        client_for(world.top.user).get(reverse("learning:initiative", args=[world.initiative.pk])).status_code
        == 200
    )


def test_removing_a_booked_module_says_what_depends_on_it(world: Any) -> None:
    session = session_create(
        module=world.teams,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
        capacity=5,
        place="Sal 2",
        initiative=world.initiative,
    )
    booking_book(session=session, person=world.employee)
    response = client_for(world.lead.user).post(
        _url("modules", world), {"modules-chosen": [world.mail.pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "M-TEAMS Teams grund cannot be removed" in text and "1 person(s) are booked" in text
    assert set(world.initiative.modules.all()) == {world.mail, world.teams}


def test_the_proposal_summary_links_to_the_proposals_page_only_for_who_may_open_it(world: Any) -> None:
    """A project leader sees its initiative's proposal summary, but the proposals page is a
    manager's or a lead's: no link that would answer 404 (found by the bench's crawl)."""
    proposals_url = reverse("learning:proposals", args=[world.initiative.pk])
    detail = reverse("learning:initiative", args=[world.initiative.pk])
    leader = client_for(world.project_leader.user)
    page = leader.get(detail)
    assert page.status_code == 200
    assert proposals_url not in page.content.decode()
    assert leader.get(proposals_url).status_code == 404
    lead = client_for(world.lead.user)
    page = lead.get(detail)
    assert proposals_url in page.content.decode()
    assert lead.get(proposals_url).status_code == 200
