"""The initiative's target units, roles and modules are picked with checkboxes, not a Ctrl-click
list: the units as the shared unit tree (as the self-assessment's target group), roles as a
list, modules grouped by category. Checked boxes stay checked when the form is refused."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.learning.services import initiative_create
from kompetenslyft.org.tests.factories import RoleFactory


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world(network: Any) -> Any:
    def module(code: str, name: str, category: str) -> Module:
        return Module.objects.create(
            organisation=network.org_a, code=code, name=name, category=category, level="basic",
            format="onsite", hours=Decimal("1"),
        )  # fmt: skip

    network.mail = module("M-MAIL", "E-post grund", "Kommunikation")
    network.teams = module("M-TEAMS", "Teams grund", "Kommunikation")
    network.gdpr = module("M-GDPR", "Dataskydd", "Juridik")
    network.role_nurse = RoleFactory(organisation=network.org_a, name="sjuksköterska")
    return network


def checkbox(html: str, name: str, value: int) -> str | None:
    found = re.search(rf'<input type="checkbox" name="{re.escape(name)}" value="{value}"[^>]*>', html)
    return found.group(0) if found else None


def test_the_new_initiative_form_has_a_unit_tree_and_checkbox_lists(world: Any) -> None:
    html = client_for(world.lead.user).get(reverse("learning:initiatives")).content.decode()
    form = html[html.index('id="new-initiative"') :]
    assert "<select" not in form.split("</form>")[0].split('name="budget"')[1]  # no Ctrl-click lists
    assert "multiple" not in form.split("</form>")[0]
    for unit in (world.admin_a, world.dep1, world.unit1, world.unit3):
        assert checkbox(form, "units", unit.pk)
    # A tree: Hemtjänst Norra is in a list nested inside Hemtjänst's item, inside the top unit's.
    dep1_item = form.index(f'name="units" value="{world.dep1.pk}"')
    nested = form.index('<ul class="tree">', dep1_item)
    assert (
        nested
        < form.index(f'name="units" value="{world.unit1.pk}"')
        < form.index(f'name="units" value="{world.dep2.pk}"')
    )
    assert checkbox(form, "roles", world.role_nurse.pk)
    # Modules grouped by category, each group a fieldset with its category as legend.
    juridik = form.index("<legend>Juridik</legend>")
    kommunikation = form.index("<legend>Kommunikation</legend>")
    assert juridik < form.index(f'name="modules" value="{world.gdpr.pk}"') < kommunikation
    assert kommunikation < form.index(f'name="modules" value="{world.mail.pk}"')
    assert checkbox(form, "modules", world.teams.pk)


def test_ticked_boxes_create_the_initiative_and_stay_ticked_when_refused(world: Any) -> None:
    client = client_for(world.lead.user)
    data = {
        "code": "lyft",
        "name": "Digitalt lyft",
        "units": [world.dep1.pk],
        "roles": [world.role_nurse.pk],
        "modules": [world.mail.pk, world.gdpr.pk],
    }
    refused = client.post(reverse("learning:initiatives"), {**data, "code": "inte en kod!"})
    assert refused.status_code == 400 and not Initiative.objects.exists()
    html = refused.content.decode()
    assert " checked" in checkbox(html, "units", world.dep1.pk)  # type: ignore[operator]
    assert " checked" not in checkbox(html, "units", world.unit1.pk)  # type: ignore[operator]
    assert " checked" in checkbox(html, "roles", world.role_nurse.pk)  # type: ignore[operator]
    assert " checked" in checkbox(html, "modules", world.gdpr.pk)  # type: ignore[operator]
    assert " checked" not in checkbox(html, "modules", world.teams.pk)  # type: ignore[operator]
    # A unit of another organisation is refused, not ignored.
    outside = client.post(reverse("learning:initiatives"), {**data, "units": [world.unit_b.pk]})
    assert outside.status_code == 400 and not Initiative.objects.exists()
    created = client.post(reverse("learning:initiatives"), data)
    initiative = Initiative.objects.get(code="lyft")
    assert created.status_code == 302 and created["Location"] == reverse(
        "learning:initiative", args=[initiative.pk]
    )
    assert list(initiative.units.all()) == [world.dep1]
    assert list(initiative.roles.all()) == [world.role_nurse]
    assert set(initiative.modules.all()) == {world.mail, world.gdpr}


def test_the_initiative_page_changes_its_targets_with_the_same_checkboxes(world: Any) -> None:
    initiative = initiative_create(
        organisation=world.org_a, code="lyft", name="Lyftet", units=[world.dep1], modules=[world.mail]
    )
    client = client_for(world.lead.user)
    page = client.get(reverse("learning:initiative", args=[initiative.pk])).content.decode()
    # The initiative's page links to the pages of its checkboxes (not the whole unit tree itself).
    assert 'type="checkbox"' not in page
    html = ""
    for kind in ("units", "roles", "modules"):
        url = reverse(f"learning:initiative_{kind}", args=[initiative.pk])
        assert f'href="{url}"' in page
        html += client.get(url).content.decode()
    assert " checked" in checkbox(html, "units-chosen", world.dep1.pk)  # type: ignore[operator]
    assert " checked" not in checkbox(html, "units-chosen", world.unit1.pk)  # type: ignore[operator]
    assert checkbox(html, "roles-chosen", world.role_nurse.pk)
    assert " checked" in checkbox(html, "modules-chosen", world.mail.pk)  # type: ignore[operator]
    assert "<legend>Juridik</legend>" in html
    url = reverse("learning:initiative_modules", args=[initiative.pk])
    assert client.post(url, {"modules-chosen": [world.gdpr.pk]}).status_code == 302
    assert list(initiative.modules.all()) == [world.gdpr]
    url = reverse("learning:initiative_roles", args=[initiative.pk])
    assert client.post(url, {"roles-chosen": [world.role_nurse.pk]}).status_code == 302
    assert list(initiative.roles.all()) == [world.role_nurse]
    url = reverse("learning:initiative_units", args=[initiative.pk])
    refused = client.post(url, {"units-chosen": [world.unit_b.pk]})  # another organisation's unit
    assert refused.status_code == 400 and list(initiative.units.all()) == [world.dep1]
    assert client.post(url, {"units-chosen": [world.unit3.pk]}).status_code == 302
    assert list(initiative.units.all()) == [world.unit3]


def test_a_folded_branch_opens_without_saving_and_keeps_the_ticks(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kompetenslyft.org.checkboxes.PICKER_LIMIT", 1)  # only the top level fits
    initiative = initiative_create(organisation=world.org_a, code="lyft", name="Lyftet", units=[world.dep1])
    client = client_for(world.lead.user)
    url = reverse("learning:initiative_units", args=[initiative.pk])
    html = client.get(url).content.decode()
    assert " checked" in checkbox(html, "units-chosen", world.dep1.pk)  # type: ignore[operator]
    assert not checkbox(html, "units-chosen", world.unit3.pk)  # another department: folded
    assert f'name="open" value="{world.dep2.pk}"' in html
    opened = client.post(url, {"units-chosen": [world.unit1.pk], "open": [world.dep2.pk]})
    html = opened.content.decode()
    assert opened.status_code == 200 and list(initiative.units.all()) == [world.dep1]  # nothing saved
    # Hemtjänst Norra, ticked before the other department was opened, is shown (and still ticked).
    assert " checked" in checkbox(html, "units-chosen", world.unit1.pk)  # type: ignore[operator]
    assert checkbox(html, "units-chosen", world.unit3.pk)
    assert f'<input type="hidden" name="open" value="{world.dep2.pk}">' in html
    saved = client.post(url, {"units-chosen": [world.unit3.pk], "open": []})
    assert saved.status_code == 302 and list(initiative.units.all()) == [world.unit3]


def test_the_campaign_form_opens_a_folded_branch_as_filled_in(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kompetenslyft.org.checkboxes.PICKER_LIMIT", 1)
    client = client_for(world.lead.user)
    html = client.get(reverse("assessment:campaigns")).content.decode()
    assert not checkbox(html, "units", world.unit1.pk)
    count_url = reverse("assessment:campaign_count")
    assert f'formaction="{count_url}?organisation={world.org_a.pk}#new-campaign"' in html
    opened = client.post(
        f"{count_url}?organisation={world.org_a.pk}",
        {"name": "Baslinje", "units": [world.dep2.pk], "open": [world.dep1.pk]},
    ).content.decode()
    assert checkbox(opened, "units", world.unit1.pk) and 'value="Baslinje"' in opened
    assert " checked" in checkbox(opened, "units", world.dep2.pk)  # type: ignore[operator]


def test_a_new_initiative_names_every_problem_at_once(world: Any) -> None:
    initiative_create(organisation=world.org_a, code="lyft", name="Lyftet", units=[world.dep1])
    refused = client_for(world.lead.user).post(
        reverse("learning:initiatives"),
        {"code": "lyft", "name": "", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "units": []},
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and Initiative.objects.count() == 1
    assert "already has an initiative with the code" in body  # the taken code,
    assert "ends before it starts" in body  # the period,
    assert body.count("This field is required.") == 2  # the name and the units: all in one round


def test_the_initiative_page_shows_a_limited_proposal_summary(world: Any, monkeypatch: Any) -> None:
    from kompetenslyft.learning import initiative_views

    monkeypatch.setattr(initiative_views, "SUMMARY_ROWS", 1)
    rows = [{"unit": world.dep1}, {"unit": world.dep2}, {"unit": world.unit1}]
    monkeypatch.setattr(
        initiative_views.selectors, "proposal_summary", lambda access, initiative, shown=None: rows
    )
    initiative = initiative_create(
        organisation=world.org_a, code="lyft", name="Lyftet", units=[world.admin_a]
    )
    response = client_for(world.lead.user).get(reverse("learning:initiative", args=[initiative.pk]))
    assert response.context["summary"] == rows[:1] and "And 2 more units." in response.content.decode()
