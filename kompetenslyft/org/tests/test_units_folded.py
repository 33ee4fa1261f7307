"""The units page of a large organisation is folded: the top levels that fit, a deeper branch
as its unit with "N units below" linking to that branch (?under=), which shows the units above
it as a trail. A branch outside what the viewer may see is a 404, as is a unit id that is not one."""

from __future__ import annotations

from typing import Any

from django.test import Client


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_folded_tree_opens_branch_by_branch(network: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("kompetenslyft.org.selectors.UNITS_SHOWN", 3)  # the top unit and two departments
    client = client_for(network.lead.user)
    body = client.get("/org/units/").content.decode()
    assert "(DEP1)" in body and "(DEP2)" in body and "(U1)" not in body
    assert f'href="/org/units/?under={network.dep1.pk}">2 units below' in body
    assert f'href="/org/units/?under={network.dep2.pk}">1 unit below' in body
    branch = client.get(f"/org/units/?under={network.dep1.pk}").content.decode()
    assert "(U1)" in branch and "(U2)" in branch and "(U3)" not in branch and "(DEP2)" not in branch
    assert f'href="/org/units/?under={network.admin_a.pk}">{network.admin_a.name}</a>' in branch  # trail


def test_a_branch_outside_the_viewers_units_is_not_there(network: Any) -> None:
    manager = client_for(network.manager.user)  # manages Hemtjänst (DEP1) only
    assert manager.get(f"/org/units/?under={network.dep1.pk}").status_code == 200
    assert manager.get(f"/org/units/?under={network.dep2.pk}").status_code == 404
    lead = client_for(network.lead.user)
    assert lead.get(f"/org/units/?under={network.unit_b.pk}").status_code == 404  # another organisation
    assert lead.get("/org/units/?under=x").status_code in (400, 404)


def test_unit_lists_offer_the_top_and_the_chosen_units_surroundings(network: Any) -> None:
    from kompetenslyft.org.models import Unit
    from kompetenslyft.org.selectors import units_near, units_near_in

    units = Unit.objects.filter(organisation=network.org_a)
    assert set(units_near(units, None)) == {network.admin_a}
    near_dep1 = {network.admin_a, network.dep1, network.unit1, network.unit2}
    assert set(units_near(units, network.dep1.pk)) == near_dep1  # not Särskilt boende's Solgården
    assert set(units_near_in(list(units), network.dep1)) == near_dep1
    lead = client_for(network.lead.user)
    page = lead.get("/evaluation/results/", {"unit": network.dep1.pk}).content.decode()
    assert f'<option value="{network.unit1.pk}"' in page and f'<option value="{network.unit3.pk}"' not in page
