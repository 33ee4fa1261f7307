"""The manager's workday by clicking only, from its home page: the team, the proposals of an
initiative (confirm one person, exempt one with a reason, confirm all), booking its assigned
people onto a session, and following its team with a filter; then on a phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Booking, Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_generate, session_create

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

# The main menu's item to the team's training (Training: "Team progress").
TEAM_LINK = re.compile(r"^Teamets framsteg$")


@pytest.fixture
def workday(network: Any) -> Any:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\nTEAMS,Teams,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n{role},TEAMS,2\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,K,basic,onsite,1.5,MAIL\n"
            "M-TEAMS,Teams grund,K,basic,onsite,1,TEAMS\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    network.mail = Module.objects.get(code="M-MAIL")
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[network.mail, Module.objects.get(code="M-TEAMS")],
    )
    proposals_generate(initiative_id=network.initiative.pk)
    network.session = session_create(
        module=network.mail,
        starts_at=timezone.now() + dt.timedelta(days=7),
        duration_minutes=90,
        capacity=1,
        place="Stadshuset, sal 3",
        trainers=[network.trainer],
    )
    return network


def _fits(page: Any) -> None:
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_manager_confirms_exempts_books_and_follows_its_team(
    page: Any, phone: Any, axe: Any, workday: Any
) -> None:
    n = workday
    log_in(page, "manager")
    menu_link(page, TEAM_LINK).click()
    expect(page.get_by_role("cell", name=re.compile(n.colleague.family_name)).first).to_be_visible()
    assert n.other_employee.family_name not in page.locator("table").inner_text()  # another unit's
    assert_accessible(axe, page)

    page.get_by_role("link", name="Förslag: Digitalt lyft").click()
    assert_accessible(axe, page)
    rows = page.locator("table").inner_text()
    assert n.employee.full_name in rows and n.other_employee.full_name not in rows
    confirm = page.get_by_role(
        "button", name=re.compile(rf"(Bekräfta för|Confirm for) {n.employee.full_name}")
    )
    confirm.click()
    expect(confirm).to_have_count(0)
    assert Proposal.objects.get(person=n.employee).status == "confirmed"

    page.get_by_role("link", name=re.compile(rf"(Ändra för|Change for) {n.colleague.full_name}")).click()
    page.get_by_label(re.compile(r"Undanta från|Exempt from")).select_option(label="M-MAIL E-post grund")
    page.get_by_label(re.compile(r"Skäl|Reason")).fill("Har redan körkort i e-post")
    assert_accessible(axe, page)
    page.get_by_role("button", name=re.compile(r"Ge undantag|Grant the exemption")).click()
    expect(page.get_by_text("M-MAIL E-post grund (Har redan körkort i e-post)")).to_be_visible()
    mail = Proposal.objects.get(person=n.colleague).decisions()[n.mail.pk]
    assert mail == {"s": "exempt", "r": "manager", "c": [], "t": "Har redan körkort i e-post"}

    page.get_by_role("link", name="Förslag: Digitalt lyft").click()
    page.get_by_role("button", name="Bekräfta förslagen som visas").click()
    expect(page.get_by_text(re.compile(r"\d+ förslag bekräftades"))).to_be_visible()
    mine = Proposal.objects.filter(person__unit__path__startswith=n.dep1.path)
    assert set(mine.values_list("status", flat=True)) == {"confirmed"}
    assert Proposal.objects.get(person=n.other_employee).status == "proposed"

    page.get_by_role(
        "link", name=re.compile(r"Boka mina tilldelade medarbetare|Book my assigned people")
    ).click()
    assert_accessible(axe, page)
    page.get_by_role("link", name=re.compile("E-post grund")).click()
    # The colleague is exempt from the module; the employee and the manager are assigned it.
    expect(page.get_by_role("checkbox", name=n.colleague.full_name)).to_have_count(0)
    page.get_by_role("checkbox", name=n.employee.full_name).check()
    page.get_by_role("checkbox", name=n.manager.full_name).check()
    assert_accessible(axe, page)
    page.get_by_role("button", name=re.compile(r"Boka de markerade|Book the people ticked")).click()
    # Two ticked for one place: refused, saying why; nobody is booked.
    expect(page.locator(".messages, [role=alert], [role=status]").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"(bara 1 plats är ledig|only 1 place is free)"))).to_be_visible()
    assert not Booking.objects.filter(session=n.session).exists()
    page.get_by_role("checkbox", name=n.employee.full_name).check()
    page.get_by_role("button", name=re.compile(r"Boka de markerade|Book the people ticked")).click()
    expect(page.get_by_text(re.compile(n.employee.full_name)).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^(Fullt|Full)$"))).to_be_visible()
    page.get_by_role("checkbox", name=n.manager.full_name).check()
    page.get_by_role(
        "button", name=re.compile(r"(väntelista|Put the people ticked on the waiting list)")
    ).click()
    statuses = dict(Booking.objects.filter(session=n.session).values_list("person_id", "status"))
    assert statuses == {n.employee.pk: "booked", n.manager.pk: "waiting"}  # one place

    page.get_by_role("link", name=re.compile(r"Andra tillfällen|Other sessions")).click()
    page.get_by_role("link", name=TEAM_LINK).first.click()
    page.locator("select[name=status]").select_option("in_progress")
    page.get_by_role("button", name="Visa").click()
    table = page.locator("table").inner_text()
    assert n.employee.family_name in table and n.colleague.family_name not in table
    assert_accessible(axe, page)

    log_in(phone, "manager")
    with phone.expect_navigation():
        menu_link(phone, TEAM_LINK).click()
    _fits(phone)
    assert_accessible(axe, phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="Förslag: Digitalt lyft").click()
    _fits(phone)
    assert_accessible(axe, phone)
