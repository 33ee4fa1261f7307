"""A person pseudonymised everywhere (ADR 0018): gone from every page, export and statement,
while the funder report's JSON stays byte for byte the same."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from kompetenslyft.core.importing import import_file
from kompetenslyft.core.models import AuditEntry, Grant
from kompetenslyft.followup.models import FollowUp
from kompetenslyft.learning.models import Module, SupportContact, SupportRequest
from kompetenslyft.lrs.models import Statement
from kompetenslyft.lrs.tests.helpers import Xapi, body, statement
from kompetenslyft.org.models import Person
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.retention import pseudonymise
from kompetenslyft.retention.models import Erasure, RetentionRun
from kompetenslyft.retention.pseudonymise import pseudonymise_people, pseudonymise_person

pytestmark = pytest.mark.django_db


def test_every_field_that_points_at_a_person_or_an_account_has_a_decision() -> None:
    # A new model with a foreign key to org.Person or the user model fails here until its field
    # is in pseudonymise.DECISIONS (pseudonymise.decide) and in the module's table / ADR 0018.
    assert pseudonymise.undecided_fields() == []
    assert all(
        d.action in ("keep", "pseudonymise", "delete", "unlink") for d in pseudonymise.DECISIONS.values()
    )


def test_an_undecided_field_is_reported(monkeypatch: Any) -> None:
    monkeypatch.delitem(pseudonymise.DECISIONS, "learning.Attendance.person")
    assert pseudonymise.undecided_fields() == ["learning.Attendance.person"]


def _funder_json() -> bytes:
    out = io.StringIO()
    call_command("report", "funder", "--format", "json", stdout=out)
    return out.getvalue().encode()


@pytest.fixture
def world(network: Any) -> Any:
    org = network.org_a
    import_file(
        kind="modules",
        content=b"module_code,name,category,level,format,hours\nM1,E-post,K,basic,onsite,2\n",
        filename="m.csv",
        organisation=org,
    )
    others = [PersonFactory(unit=network.unit1, gender=g) for g in ("woman", "man", "woman", "man", "")]
    lines = ["employee_id,module_code,date,hours,status"]
    for i, person in enumerate([network.employee, network.colleague, *others]):
        lines.append(f"{person.employee_id},M1,2026-03-{1 + i:02d},2,attended")
    import_file(
        kind="attendance", content=("\n".join(lines) + "\n").encode(), filename="a.csv", organisation=org
    )
    network.module = Module.objects.get(code="M1")
    return network


def _identifiers(person: Person) -> list[str]:
    return [person.full_name, person.email, person.employee_id, person.family_name]


def test_a_person_is_gone_everywhere_and_the_funder_report_is_unchanged(world: Any) -> None:
    employee, lead = world.employee, world.lead
    old = _identifiers(employee)
    username = employee.user.username
    mbox = f"mailto:{employee.email}"
    x = Xapi(world.org_a)
    body(x.post(statement(actor={"mbox": mbox, "name": employee.full_name})))
    body(x.post(statement(actor={"account": {"homePage": "https://hr.x", "name": employee.employee_id}})))
    body(x.post(statement(actor={"mbox": "mailto:someone@x.org"})))
    SupportRequest.objects.create(
        organisation=world.org_a,
        person=employee,
        unit=world.unit1,
        topic="Lösenord",
        question="Jag glömde mitt",
    )
    SupportRequest.objects.create(
        organisation=world.org_a,
        person=world.colleague,
        unit=world.unit2,
        topic="Schema",
        question=f"Kan {employee.full_name} hjälpa mig?",
    )
    SupportContact.objects.create(person=employee, unit=world.unit1)
    FollowUp.objects.create(
        organisation=world.org_a,
        person=world.colleague,
        module=world.module,
        completed_on=dt.date(2026, 3, 2),
        kind=30,
        due_on=dt.date(2026, 4, 1),
        unit=world.unit2,
        hindrance_other=f"Saknar stöd av {employee.full_name} ({employee.email})",
    )
    Grant.objects.create(user=employee.user, organisation=world.org_a, role="trainer")
    client = Client()
    client.force_login(lead.user)
    team = Client()
    team.force_login(world.manager.user)
    assert employee.family_name in team.get(reverse("learning:team")).content.decode()
    before = _funder_json()

    erasure = pseudonymise_person(employee, source=Erasure.Source.DECISION, actor=lead.user, reason="Begäran")

    assert _funder_json() == before
    assert erasure.statements == 2
    employee.refresh_from_db()
    assert employee.given_name == "Pseudonym" and employee.email == "" and not employee.is_active
    assert employee.user is None
    pages = [
        client.get(reverse("org:people")),
        client.get(reverse("org:people") + "?active=0"),
        client.get(reverse("org:people_export")),
        client.get(reverse("org:person", args=[employee.pk])),
        client.get(reverse("learning:support_overview")),
        team.get(reverse("learning:team")),
        team.get(reverse("followup:list")),
    ]
    for response in pages:
        assert response.status_code == 200, response
        text = (
            response.content.decode()
            if not response.streaming
            else b"".join(response.streaming_content).decode()
        )
        for identifier in old:
            assert identifier not in text
    # Search echoes the words asked for; it must find nothing that leads to the person.
    found = client.get(reverse("search:search") + f"?q={employee.family_name}").content.decode()
    assert reverse("org:person", args=[employee.pk]) not in found
    for row in Statement.objects.filter(organisation=world.org_a):
        for identifier in (employee.pk and old[1], old[2], old[0]):
            assert identifier not in row.data and identifier not in row.related_agents
    assert body(x.get({"agent": orjson.dumps({"mbox": mbox}).decode()}))["statements"] == []
    account = {"account": {"homePage": "https://hr.x", "name": old[2]}}
    assert body(x.get({"agent": orjson.dumps(account).decode()}))["statements"] == []
    assert SupportRequest.objects.get(person=employee).question == ""
    assert old[0] not in SupportRequest.objects.get(person=world.colleague).question
    note = FollowUp.objects.get(person=world.colleague).hindrance_other
    assert old[0] not in note and old[1] not in note and "Pseudonym" in note
    assert not SupportContact.objects.filter(person=employee).exists()
    assert not Grant.objects.filter(user__username=username).exists()
    for entry in AuditEntry.objects.all():
        for identifier in old:
            assert identifier not in entry.target_label and identifier not in str(entry.changes)
    # The account can no longer sign in.
    account_row = (
        type(lead.user).objects.get(pk=lead.user.pk).__class__.objects.get(username__startswith="pseudonym-")
    )
    assert not account_row.is_active and not account_row.has_usable_password() and account_row.email == ""
    # Done once: asking again returns the same erasure.
    assert pseudonymise_person(employee, source=Erasure.Source.RULE).pk == erasure.pk


def test_many_people_in_short_transactions(world: Any) -> None:
    leavers = [
        PersonFactory(unit=world.unit3, is_active=False, deactivated_on=dt.date(2020, 1, 1)) for _ in range(7)
    ]
    x = Xapi(world.org_a)
    for person in leavers:
        body(x.post(statement(actor={"mbox": f"mailto:{person.email}"})))
    seen: list[int] = []
    done = pseudonymise_people(
        [p.pk for p in leavers], source=Erasure.Source.RULE, batch=3, progress=seen.append
    )
    assert done == 7 and seen == [3, 6, 7]
    assert Erasure.objects.count() == 7
    assert Statement.objects.filter(organisation=world.org_a, actor_key__startswith="@mbox:").count() == 0
    assert not Person.objects.filter(pk__in=[p.pk for p in leavers], email__contains="@").exists()
    assert RetentionRun.objects.count() == 0


def test_a_published_question_naming_the_person_is_found_no_more(network: Any) -> None:
    """Found by the privacy review: the FAQ's texts were cleaned but its search entry kept them."""
    from django.utils import timezone

    from kompetenslyft.core.access import access_for
    from kompetenslyft.learning.faq_services import support_request_publish
    from kompetenslyft.learning.models import SupportRequest
    from kompetenslyft.retention.models import Erasure
    from kompetenslyft.retention.pseudonymise import pseudonymise_person
    from kompetenslyft.search.selectors import search

    person = network.employee
    text = f"Hur hjälper jag {person.given_name} {person.family_name} med lösenordet?"
    question = SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.other_employee,
        unit=network.other_employee.unit,
        topic="Inloggning",
        question=text,
        answer="Ring IT-support.",
        answered_at=timezone.now(),
    )
    support_request_publish(support_request=question, question=text, answer="Ring IT-support.")
    reader = access_for(network.lead.user)
    assert search(reader, person.family_name).total == 1
    pseudonymise_person(person, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Begäran")
    assert search(reader, person.family_name).total == 0
    assert search(reader, "lösenordet").total == 1  # the question itself is still found


def test_audit_entries_about_the_person_keep_no_identifier(network: Any) -> None:
    """Found by the privacy review: entries by employee id ("person") and a proposal's
    "code: name" label kept the old name and employee id."""
    from kompetenslyft.core.audit import AuditEvent, audit_record_many
    from kompetenslyft.core.models import AuditEntry
    from kompetenslyft.org.services import person_deactivate
    from kompetenslyft.retention.models import Erasure
    from kompetenslyft.retention.pseudonymise import pseudonymise_person

    person = network.employee
    old = [person.full_name, person.email, person.employee_id]
    person_deactivate(person=person, actor=network.lead.user)
    audit_record_many(
        actor=network.lead.user,
        organisation=network.org_a,
        events=[
            AuditEvent(
                "proposal.confirm",
                "proposal",
                "77",
                f"INS1: {person.full_name}",
                {"person": person.employee_id},
            )
        ],
    )
    pseudonymise_person(person, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Begäran")
    leaks = [
        (e.action, e.target_id, e.target_label, e.changes)
        for e in AuditEntry.objects.all()
        if any(o and (o in e.target_label or o == e.target_id or o in str(e.changes)) for o in old)
    ]
    assert leaks == []


def test_a_reason_that_names_the_person_keeps_no_name(
    network: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Found by the attacker: the lead's reason ("Begäran från Zyxwvutsson, e-post") stayed in
    the decision's and the pseudonymisation's audit entries, and a family name alone was not
    scrubbed. The reason is not in the task's arguments either (the task table keeps them)."""
    from kompetenslyft.core.models import AuditEntry
    from kompetenslyft.org.tests.factories import PersonFactory
    from kompetenslyft.retention import services
    from kompetenslyft.retention.models import Erasure
    from kompetenslyft.retention.pseudonymise import pseudonymise_person

    queued: list[tuple[Any, ...]] = []
    real = services.enqueue

    def enqueue(name: str, *args: Any) -> Any:
        queued.append(args)
        return real(name, *args)

    monkeypatch.setattr(services, "enqueue", enqueue)
    person = network.employee
    person.family_name = "Zyxwvutsson"
    person.email = "elin.zyx@alfa.example"
    person.save()
    colleague = network.manager
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_request(
            person=person,
            actor=network.lead.user,
            reason=f"Begäran från {person.family_name}, {person.email}; handläggare {colleague.given_name}",
            exception=True,
        )
    assert Erasure.objects.filter(person=person).exists()
    text = " ".join(f"{e.target_label} {e.changes}" for e in AuditEntry.objects.all())
    assert "Zyxwvutsson" not in text and "elin.zyx" not in text
    assert colleague.given_name in text  # a colleague named in the reason stays
    assert queued and not any("Zyxwvutsson" in str(args) for args in queued)
    # A direct call with a reason: the pseudonymisation's own entry is scrubbed as well.
    other = PersonFactory(unit=network.unit1, given_name="Qwertina", family_name="Asdfgsson")
    pseudonymise_person(
        other, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Qwertina Asdfgsson bad"
    )
    entry = AuditEntry.objects.filter(action="retention.pseudonymise", target_id=str(other.pk)).get()
    assert "Asdfgsson" not in str(entry.changes) and "Qwertina" not in str(entry.changes)
