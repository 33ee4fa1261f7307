"""The costs pages: who reaches them (another organisation's initiative is a 404, employees and
managers see nothing, top management sees aggregates with small groups hidden), bad input
(400 naming the field, never 500), and the funder report's Costs sheet."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kompetenslyft.costs.models import CostEntry, CostSettings
from kompetenslyft.learning.models import Initiative

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, initiative: Any, *more: int) -> str:
    return reverse(f"costs:{name}", args=[initiative.pk, *more])


def test_lead_and_project_leader_see_and_enter(costed: Any) -> None:
    for user in (costed.lead.user, costed.project_leader.user):
        page = client_for(user).get(url("initiative", costed.initiative), **EN)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Add a cost" in html and "19\xa0700\xa0SEK" in html.replace(",", "\xa0")
    # the initiative's page links to the costs page for them
    page = client_for(costed.project_leader.user).get(
        reverse("learning:initiative", args=[costed.initiative.pk])
    )
    assert url("initiative", costed.initiative) in page.content.decode()


def test_others_get_404_and_change_nothing(costed: Any) -> None:
    other = Initiative.objects.create(organisation=costed.org_b, code="lyft", name="Beta")
    entry = CostEntry.objects.filter(initiative=costed.initiative).first()
    assert entry is not None
    # another organisation's lead: a 404 on every costs URL of this initiative, and its own
    # initiative's entry under this initiative's id is not found either
    for user in (costed.lead_b.user, costed.employee.user, costed.manager.user, costed.trainer.user):
        client = client_for(user)
        assert client.get(url("initiative", costed.initiative)).status_code == 404
        assert (
            client.post(
                url("entry_add", costed.initiative), {"entry-kind": "other", "entry-amount": "1"}
            ).status_code
            == 404
        )
        assert client.get(url("entry_edit", costed.initiative, entry.pk)).status_code == 404
        assert client.post(url("entry_remove", costed.initiative, entry.pk)).status_code == 404
        assert (
            client.post(url("settings", costed.initiative), {"settings-hourly_cost": "1"}).status_code == 404
        )
    lead_b = client_for(costed.lead_b.user)
    assert lead_b.get(url("initiative", other)).status_code == 200
    assert lead_b.get(url("entry_edit", other, entry.pk)).status_code == 404
    assert CostEntry.objects.filter(initiative=costed.initiative).count() == 5
    assert CostSettings.objects.get(initiative=costed.initiative).hourly_cost == Decimal(300)
    # the initiative's page shows the costs' panel to none of them
    page = client_for(costed.manager.user).get(reverse("learning:initiative", args=[costed.initiative.pk]))
    assert url("initiative", costed.initiative) not in page.content.decode()


def test_top_management_sees_aggregates_only(costed: Any) -> None:
    for user in (costed.top.user, costed.evaluator):
        client = client_for(user)
        page = client.get(url("initiative", costed.initiative), **EN)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Add a cost" not in html and "HYPERLINK" not in html  # no entries, no forms
        assert "hidden*" in html  # live remote and e-learning could be worked out
        assert client.post(url("entry_add", costed.initiative), {"entry-kind": "other"}).status_code == 404
        assert client.post(url("settings", costed.initiative), {}).status_code == 404


def test_top_management_does_not_see_cost_per_participant_under_k(costed: Any) -> None:
    small = Initiative.objects.create(organisation=costed.org_a, code="liten", name="Liten")
    small.modules.add(costed.m3)  # 4 people, k = 5
    costed.org_a.anonymity_threshold = 5
    costed.org_a.save()
    CostSettings.objects.create(initiative=small, hourly_cost=Decimal(100))
    CostEntry.objects.create(organisation=costed.org_a, initiative=small, kind="other", amount=Decimal(1000))
    top = client_for(costed.top.user).get(url("initiative", small), **EN).content.decode()
    lead = client_for(costed.lead.user).get(url("initiative", small), **EN).content.decode()
    assert 'data-figure="per-participant">hidden*' in top
    assert "300\xa0SEK" in lead and "300\xa0SEK" not in top


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"entry-kind": "other", "entry-amount": "-5"}, "Amount (SEK)"),
        ({"entry-kind": "other", "entry-amount": "many"}, "Amount (SEK)"),
        ({"entry-kind": "other", "entry-amount": "NaN"}, "Amount (SEK)"),
        ({"entry-kind": "other", "entry-amount": "1e400"}, "Amount (SEK)"),
        ({"entry-kind": "other", "entry-amount": "1e5"}, "Amount (SEK): Write a plain number"),
        ({"entry-kind": "other", "entry-amount": "1E2"}, "Amount (SEK): Write a plain number"),
        ({"entry-kind": "other", "entry-amount": "Infinity"}, "Amount (SEK): Write a plain number"),
        ({"entry-kind": "other", "entry-amount": "-inf"}, "Amount (SEK)"),
        ({"entry-kind": "other", "entry-amount": "sNaN"}, "Amount (SEK)"),
        ({"entry-kind": "trainer", "entry-hours": "2e1", "entry-rate": "100"}, "Trainers&#x27; hours"),
        ({"entry-kind": "trainer", "entry-hours": "2", "entry-rate": "1e2"}, "Hourly rate (SEK)"),
        ({"entry-kind": "other"}, "Amount (SEK)"),
        ({"entry-kind": "trainer", "entry-hours": "2", "entry-rate": "abc"}, "Hourly rate (SEK)"),
        ({"entry-kind": "trainer", "entry-hours": "-2", "entry-rate": "100"}, "Trainers&#x27; hours"),
        ({"entry-kind": "other", "entry-amount": "5", "entry-module": "x"}, "Module (optional)"),
        ({"entry-kind": "other", "entry-amount": "5", "entry-module": "99999999999999999999"}, "Module"),
        ({"entry-kind": "other", "entry-amount": "5", "entry-session": "12"}, "Session (optional)"),
        ({"entry-kind": "salary", "entry-amount": "5"}, "Kind of cost"),
    ],
)
def test_bad_entry_input_is_400_naming_the_field(costed: Any, data: dict[str, str], named: str) -> None:
    response = client_for(costed.lead.user).post(url("entry_add", costed.initiative), data, **EN)
    assert response.status_code == 400
    assert f"<li>{named}" in response.content.decode()
    assert CostEntry.objects.filter(initiative=costed.initiative).count() == 5


def test_bad_settings_input_is_400(costed: Any) -> None:
    client = client_for(costed.lead.user)
    for data in (
        {"settings-hourly_cost": "-1"},
        {"settings-travel_minutes": "ten"},
        {"settings-travel_cost": "x"},
    ):
        response = client.post(url("settings", costed.initiative), data, **EN)
        assert response.status_code == 400
    assert CostSettings.objects.get(initiative=costed.initiative).hourly_cost == Decimal(300)
    assert client.get(f"/costs/initiatives/{costed.initiative.pk}/entries/abc/").status_code == 404
    assert client.get("/costs/initiatives/99999999999999999999999/").status_code == 404


def test_add_change_remove_and_settings(costed: Any) -> None:
    client = client_for(costed.project_leader.user)
    response = client.post(
        url("entry_add", costed.initiative),
        {"entry-kind": "other", "entry-description": "Lokal", "entry-amount": "1 250,50"},
    )
    assert response.status_code == 302
    entry = CostEntry.objects.get(description="Lokal")
    assert entry.amount == Decimal("1250.50") and entry.created_by == costed.project_leader.user
    assert client.get(url("entry_edit", costed.initiative, entry.pk)).status_code == 200
    response = client.post(
        url("entry_edit", costed.initiative, entry.pk),
        {"kind": "trainer", "session": str(costed.session.pk), "rate": "1000"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.kind, entry.amount, entry.rate, entry.session_id) == (
        "trainer",
        None,
        1000,
        costed.session.pk,
    )
    assert client.post(url("entry_remove", costed.initiative, entry.pk)).status_code == 302
    assert not CostEntry.objects.filter(pk=entry.pk).exists()
    response = client.post(
        url("settings", costed.initiative),
        {"settings-hourly_cost": "350", "settings-travel_cost": "", "settings-travel_minutes": "30"},
    )
    assert response.status_code == 302
    found = CostSettings.objects.get(initiative=costed.initiative)
    assert (found.hourly_cost, found.travel_cost, found.travel_minutes) == (350, None, 30)


def test_funder_excel_has_the_costs_sheet_with_formulas_neutralised(costed: Any) -> None:
    response = client_for(costed.lead.user).get(
        reverse("learning:funder"), {"initiative": "lyft", "format": "xlsx"}, **EN
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert "Costs" in book.sheetnames
    rows = [[c for c in row] for row in book["Costs"].iter_rows(values_only=True)]
    values = {row[0]: row[1] for row in rows if row and row[0]}
    assert values["Total cost"] == 19700 and values["Cost per participant"] == 1970
    assert values["Cost per training hour"] == 985 and values["Travel saved (money)"] == 1500
    assert values["Unique participants"] == 10
    assert ["live remote", 6, 6, 3000, 500, 500, 900] in [list(r[:7]) for r in rows]
    descriptions = [row[1] for row in rows if row and row[0] == "Licences" and isinstance(row[1], str)]
    assert '\'=HYPERLINK("x")' in descriptions
    # top management: the sheet with the protected figures, no entries
    top = client_for(costed.top.user).get(
        reverse("learning:funder"), {"initiative": "lyft", "format": "xlsx"}, **EN
    )
    sheet = load_workbook(io.BytesIO(top.content))["Costs"]
    texts = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert not any("HYPERLINK" in t for t in texts)
    assert any(t.startswith("hidden (fewer than 3") for t in texts)
    # employees never reach the funder report at all
    assert client_for(costed.employee.user).get(reverse("learning:funder")).status_code == 404


def test_funder_pdf_has_the_costs_section(costed: Any) -> None:
    response = client_for(costed.lead.user).get(
        reverse("learning:funder"), {"initiative": "lyft", "format": "pdf"}, **EN
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_project_leader_sets_a_roles_hourly_cost_and_others_cannot(costed: Any) -> None:
    from kompetenslyft.costs.models import RoleHourlyCost
    from kompetenslyft.org.models import Role

    role = costed.people[0].role
    foreign = Role.objects.create(organisation=costed.org_b, name="sykepleier")
    client = client_for(costed.project_leader.user)
    page = client.get(url("initiative", costed.initiative), **EN).content.decode()
    assert "Hourly cost per role" in page and url("role_cost", costed.initiative) in page
    response = client.post(
        url("role_cost", costed.initiative), {"role-role": role.pk, "role-hourly_cost": "412,50"}
    )
    assert response.status_code == 302
    assert RoleHourlyCost.objects.get(initiative=costed.initiative, role=role).hourly_cost == Decimal(
        "412.50"
    )
    for data in (
        {"role-role": foreign.pk, "role-hourly_cost": "1"},  # another organisation's role
        {"role-role": "x", "role-hourly_cost": "1"},
        {"role-role": role.pk, "role-hourly_cost": "-5"},
    ):
        assert client.post(url("role_cost", costed.initiative), data, **EN).status_code == 400
    for user in (costed.employee.user, costed.manager.user, costed.lead_b.user):
        data = {"role-role": role.pk, "role-hourly_cost": "1"}
        assert client_for(user).post(url("role_cost", costed.initiative), data).status_code == 404
    assert RoleHourlyCost.objects.get(role=role).hourly_cost == Decimal("412.50")


def test_the_funder_page_on_screen_shows_the_costs_as_the_export_does(costed: Any) -> None:
    page = client_for(costed.lead.user).get(reverse("learning:funder"), {"initiative": "lyft"}, **EN)
    html = page.content.decode()
    assert page.status_code == 200 and "<h2>Costs</h2>" in html
    assert 'aria-label="Costs"' in html and "Total cost" in html and "Cost per participant" in html
    assert "Amounts in SEK." in html and "HYPERLINK" in html  # the lead sees the entries (escaped)
    top = client_for(costed.top.user).get(reverse("learning:funder"), {"initiative": "lyft"}, **EN)
    text = top.content.decode()
    assert "<h2>Costs</h2>" in text and "hidden (fewer than 3" in text and "HYPERLINK" not in text
    # an initiative without costs shows no section
    Initiative.objects.create(organisation=costed.org_a, code="tom", name="Tom")
    empty = client_for(costed.lead.user).get(reverse("learning:funder"), {"initiative": "tom"}, **EN)
    assert "<h2>Costs</h2>" not in empty.content.decode()


def test_the_funder_report_for_all_initiatives_shows_the_costs_per_initiative_and_summed(
    costed: Any,
) -> None:
    """With "all initiatives" the costs table vanished: now a row per initiative and the sum."""
    lead = client_for(costed.lead.user)
    page = lead.get(reverse("learning:funder"), **EN)
    html = page.content.decode()
    assert page.status_code == 200 and "<h2>Costs</h2>" in html
    assert costed.initiative.name in html and "All initiatives (SEK)" in html
    book = load_workbook(io.BytesIO(lead.get(reverse("learning:funder"), {"format": "xlsx"}, **EN).content))
    rows = [list(r) for r in book["Costs"].iter_rows(values_only=True)]
    one = next(r for r in rows if r[0] == costed.initiative.name)
    summed = next(r for r in rows if r[0] == "All initiatives (SEK)")
    assert one[3] == 19700 == summed[3]  # the initiative's own report's total


def test_amounts_are_shown_in_the_languages_format(costed: Any) -> None:
    """A stored 310.00 read "310.00" in the Swedish form: now "310", and "310,50"."""
    from django.utils import translation

    from kompetenslyft.costs.forms import Amount

    field = Amount(max_digits=10)
    with translation.override("sv"):
        assert field.prepare_value(Decimal("310.00")) == "310"
        assert field.prepare_value(Decimal("310.50")) == "310,50"
        assert field.clean("310,50") == Decimal("310.50")
    with translation.override("en"):
        assert field.prepare_value(Decimal("310.50")) == "310.50"


def test_the_funder_pages_cost_cells_hold_numbers_the_headings_the_currency(costed: Any) -> None:
    """The reviewer saw "SEK" in every cell of the costs table on the funder report: the
    currency is in the headings once, the cells hold the numbers with thousands separators."""
    import re

    page = client_for(costed.lead.user).get(
        reverse("learning:funder"), {"initiative": "lyft"}, HTTP_ACCEPT_LANGUAGE="sv"
    )
    html = page.content.decode()
    costs = html[html.index("<h2>Kostnader</h2>") :]
    costs = costs[: costs.index("</table>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", costs)
    assert cells and not [c for c in cells if re.search(r"\d[\s\u00a0]*SEK", c)]
    assert "Total kostnad (SEK)" in costs and "Kostnad per deltagare (SEK)" in costs
    assert "19\u00a0700" in cells  # the total, with the thousands separator
