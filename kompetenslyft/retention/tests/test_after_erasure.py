"""After a person is pseudonymised: its old name, e-mail and employee id are in no export (CSV
or Excel), and its account can neither sign in (password or provider) nor stay signed in."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.core.importing import import_file
from kompetenslyft.org.models import Person
from kompetenslyft.retention.models import Erasure
from kompetenslyft.retention.pseudonymise import pseudonymise_person
from kompetenslyft.signin.config import ProviderConfig
from kompetenslyft.signin.models import PersonClaim
from kompetenslyft.signin.services import SignInRefused, oidc_sign_in

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    """A response's content as text: CSV as it is, an Excel workbook cell by cell."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8-sig")


def _exports(client: Client) -> dict[str, Any]:
    return {
        "people CSV": client.get(reverse("org:people_export")),
        "people CSV, leavers": client.get(reverse("org:people_export"), {"status": "inactive"}),
        "gaps CSV": client.get(reverse("assessment:gaps_export", args=["csv"])),
        "gaps Excel": client.get(reverse("assessment:gaps_export", args=["xlsx"])),
        "funder Excel": client.get(reverse("learning:funder"), {"format": "xlsx"}),
    }


def test_the_old_identifiers_are_in_no_export(network: Any) -> None:
    org, employee = network.org_a, network.employee
    role = employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,Kommunikation\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n"),
        ("modules", "module_code,name,category,level,format,hours\nM1,E-post,K,basic,onsite,2\n"),
        (
            "assessments",
            f"employee_id,competence_code,level,measurement_point\n{employee.employee_id},MAIL,1,0\n",
        ),
        (
            "attendance",
            f"employee_id,module_code,date,hours,status\n{employee.employee_id},M1,2026-03-02,2,attended\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)
    old = [
        employee.full_name,
        employee.given_name + " " + employee.family_name,
        employee.email,
        employee.employee_id,
    ]
    client = Client()
    client.force_login(network.lead.user)
    before = {name: _text(response) for name, response in _exports(client).items()}
    for name, response in _exports(client).items():
        assert response.status_code == 200, name
    # The people export named the person before: the check below is not vacuous.
    assert employee.employee_id in before["people CSV"] and employee.email in before["people CSV"]

    pseudonymise_person(employee, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Begäran")

    employee.refresh_from_db()
    after = {name: _text(response) for name, response in _exports(client).items()}
    for name, text in after.items():
        for identifier in old:
            assert identifier not in text, (name, identifier)
    # The person is still counted (as its pseudonym) among the leavers.
    assert employee.employee_id in after["people CSV, leavers"]
    assert after["funder Excel"] == before["funder Excel"]


# --- the employee's own journey -----------------------------------------------------------------


def test_the_account_cannot_sign_in_and_its_session_ends(network: Any) -> None:
    employee = network.employee
    username, email = employee.user.username, employee.email
    signed_in = Client()
    page = signed_in.post(
        reverse("login"), {"username": username, "password": "correct-horse-battery"}, follow=True
    )
    assert page.status_code == 200 and page.context["user"].is_authenticated
    assert signed_in.get("/").status_code == 200

    pseudonymise_person(employee, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Begäran")

    # The session that was open ends: the next page asks to log in.
    home = signed_in.get("/")
    assert home.status_code == 302 and home["Location"].startswith(reverse("login"))
    assert signed_in.get(reverse("org:person", args=[employee.pk])).status_code == 302
    # Logging in again, by the old username or e-mail, is refused.
    for login in (username, email):
        fresh = Client()
        refused = fresh.post(reverse("login"), {"username": login, "password": "correct-horse-battery"})
        assert refused.status_code in (200, 403, 429), login
        assert "_auth_user_id" not in fresh.session
        assert fresh.get("/").status_code == 302


@pytest.mark.parametrize("claim", [PersonClaim.EMAIL, PersonClaim.EMPLOYEE_ID])
def test_the_provider_cannot_sign_the_person_in_either(network: Any, claim: str) -> None:
    employee = network.employee
    claims = {"sub": "s-1", "email": employee.email, "employee_id": employee.employee_id}
    config = ProviderConfig(
        organisation_id=network.org_a.pk,
        organisation_code="alpha",
        name="Alfa IdP",
        issuer="https://idp.example",
        client_id="kl",
        client_secret="s",
        person_claim=claim,
        claim_name="email" if claim == PersonClaim.EMAIL else "employee_id",
    )
    assert oidc_sign_in(config=config, claims=claims).person_id == employee.pk  # before: it could

    pseudonymise_person(employee, source=Erasure.Source.DECISION, reason="Begäran")

    with pytest.raises(SignInRefused) as refused:
        oidc_sign_in(config=config, claims=claims)
    assert refused.value.reason == "no_person"
    assert Person.objects.get(pk=employee.pk).user is None


# --- the lists that keep a pseudonymised person (ADR 0018: shown as its pseudonym) -----------------


def test_the_old_identifiers_are_on_no_register_follow_up_or_team_list(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The trainer's register of a session the person attended lists the person as "Pseudonym
    <8 hex>"; no page — register, the manager's follow-up talks, its team view — shows the old
    name, e-mail or employee id (ADR 0018's table)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from kompetenslyft.followup import services as followup_services
    from kompetenslyft.followup.tests.helpers import complete
    from kompetenslyft.followup.tests.helpers import module as followup_module
    from kompetenslyft.learning.models import Module, Session
    from kompetenslyft.learning.session_services import attendance_take, booking_book, session_create

    person = network.employee
    module = Module.objects.create(
        organisation=network.org_a, code="M-DOK", name="Dokumentation", category="K", level="basic",
        format="onsite", hours=Decimal("1.5"),
    )  # fmt: skip
    session = session_create(
        module=module, starts_at=timezone.now() + dt.timedelta(days=2), duration_minutes=60, capacity=5,
        place="Sal 1", trainers=[network.trainer],
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        booking_book(session=session, person=person)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    session.refresh_from_db()
    attendance_take(session=session, present={person.pk})
    complete(person, followup_module(network, code="M-FU"), days_ago=30)
    followup_services.followups_create_due()

    trainer, manager = Client(), Client()
    trainer.force_login(network.trainer.user)
    manager.force_login(network.manager.user)
    pages = {
        "register": (trainer, reverse("learning:session", args=[session.pk])),
        "follow-up talks": (manager, reverse("followup:list")),
        "team": (manager, reverse("learning:team")),
    }
    old = [person.full_name, person.family_name, person.email, person.employee_id]
    before = {name: client.get(url).content.decode() for name, (client, url) in pages.items()}
    for name, html in before.items():  # each list named the person: the check below is not vacuous
        assert person.family_name in html, name

    pseudonymise_person(person, source=Erasure.Source.DECISION, actor=network.lead.user, reason="Begäran")

    person.refresh_from_db()
    for name, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        for identifier in old:
            assert identifier not in html, (name, identifier)
    # On the register the person is its pseudonym (a past fact, naming no one); the manager's
    # talks and team list current staff, which a pseudonymised person (who has left) is not.
    assert person.full_name in trainer.get(pages["register"][1]).content.decode()
    for name in ("follow-up talks", "team"):
        assert person.full_name not in manager.get(pages[name][1]).content.decode(), name


def test_the_person_page_keeps_no_history_and_offers_nothing_more(network: Any) -> None:
    """Found by the new-user review: after pseudonymisation the person's page still listed its
    placements with their dates, its manager and the day it left (enough to recognise someone
    in a small unit), and offered to pseudonymise it again and to make an extract."""
    import datetime as dt

    person = network.employee
    person.is_active = False
    person.deactivated_on = dt.date(2023, 10, 15)
    person.save()
    lead = Client()
    lead.force_login(network.lead.user)
    url = reverse("org:person", args=[person.pk])
    before = lead.get(url).content.decode()
    assert reverse("retention:decide", args=[person.pk]) in before and "2023" in before
    pseudonymise_person(person, source=Erasure.Source.DECISION, actor=network.lead.user)
    after = lead.get(url).content.decode()
    assert reverse("retention:decide", args=[person.pk]) not in after
    assert reverse("dataprotection:extract_for", args=[person.pk]) not in after
    assert "2023" not in after and network.manager.family_name not in after
