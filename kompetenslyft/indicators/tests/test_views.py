"""The pages: only the organisation's lead writes; another organisation's indicator is a
404; a manager reads its own units' values; the grid names bad values and saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.indicators.models import Indicator, IndicatorValue

from .data import indicator_data

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_lead_creates_changes_and_archives(network: Any) -> None:
    lead = _client(network.lead.user)
    response = lead.post(
        reverse("indicators:create"),
        {
            "code": "DOK",
            "name": "Dokumentationstid",
            "measure": "minutes",
            "better": "lower",
            "target": "6,5",
        },
        **EN,
    )
    indicator = Indicator.objects.get(code="DOK")
    assert response.status_code == 302 and response["Location"] == reverse(
        "indicators:detail", args=[indicator.pk]
    )
    assert (indicator.organisation, indicator.target) == (network.org_a, Decimal("6.5"))
    page = lead.get(reverse("indicators:detail", args=[indicator.pk]), **EN)
    assert b"Dokumentationstid" in page.content and b"Enter values" in page.content
    response = lead.post(
        reverse("indicators:update", args=[indicator.pk]),
        {"code": "DOK", "name": "Tid per besök", "measure": "minutes", "better": "lower", "target": ""},
    )
    assert response.status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).name == "Tid per besök"
    same = lead.post(
        reverse("indicators:create"),
        {"code": "DOK", "name": "Again", "measure": "count", "better": "higher"},
        **EN,
    )
    assert b"Another indicator of the organisation has this code." in same.content
    lead.post(reverse("indicators:archive", args=[indicator.pk]))
    assert Indicator.objects.get(pk=indicator.pk).archived
    assert "Tid per besök" not in lead.get(reverse("indicators:list")).content.decode()
    assert "Tid per besök" in lead.get(reverse("indicators:list"), {"archived": "1"}).content.decode()


def test_others_cannot_write_and_another_organisation_is_404(network: Any) -> None:
    n = indicator_data(network)
    pk = n.indicator.pk
    writes = [
        (
            reverse("indicators:update", args=[pk]),
            {"code": "X", "name": "X", "measure": "count", "better": "higher"},
        ),
        (reverse("indicators:archive", args=[pk]), {}),
        (reverse("indicators:values_save", args=[pk]), {f"v-{n.unit1.pk}-2026-03": "1"}),
        (reverse("indicators:link", args=[pk]), {"initiative": n.initiative.pk}),
        (reverse("indicators:unlink", args=[pk, n.initiative.pk]), {}),
        (reverse("indicators:initiative_link", args=[n.initiative.pk]), {"indicator": pk}),
        (reverse("indicators:initiative_unlink", args=[n.initiative.pk, pk]), {}),
    ]
    for user in (
        network.lead_b.user,
        network.manager.user,
        network.top.user,
        network.evaluator,
        network.employee.user,
    ):
        client = _client(user)
        for url, data in writes:
            assert client.post(url, data).status_code == 404, (user, url)
    assert Indicator.objects.get(pk=pk).name == "Avvikelser hanterade inom 14 dagar"
    other = _client(network.lead_b.user)
    for name in ("detail", "values", "update"):
        assert other.get(reverse(f"indicators:{name}", args=[pk])).status_code == 404
    assert b"Avvikelser" not in other.get(reverse("indicators:list")).content
    for user in (network.employee.user, network.evaluator, network.top.user):
        assert _client(user).get(reverse("indicators:list")).status_code == 404
        assert _client(user).get(reverse("indicators:detail", args=[pk])).status_code == 404


def test_the_manager_reads_its_units_only(network: Any) -> None:
    n = indicator_data(network)
    manager = _client(network.manager.user)
    listing = manager.get(reverse("indicators:list"), **EN)
    assert (
        b"Avvikelser hanterade inom 14 dagar" in listing.content and b"New indicator" not in listing.content
    )
    grid = manager.get(reverse("indicators:values", args=[n.indicator.pk]), {"to": "2026-04"}, **EN)
    text = grid.content.decode()
    assert "Hemtjänst Norra" in text and "Hemtjänst Södra" in text
    assert "Solgården" not in text  # not below the manager's unit
    assert '<input type="text"' not in text and "Save the values" not in text
    detail = manager.get(reverse("indicators:detail", args=[n.indicator.pk]), **EN).content.decode()
    assert "Enter values" not in detail and "Archive" not in detail
    assert "2 units trained, 0 other units with values did not train" in detail  # its subtree only


def test_the_grid_saves_and_names_bad_values(network: Any) -> None:
    n = indicator_data(network)
    lead = _client(network.lead.user)
    url = reverse("indicators:values", args=[n.indicator.pk])
    page = lead.get(url, {"to": "2026-04"}, **EN).content.decode()
    assert f'name="v-{n.unit1.pk}-2026-04" value="70"' in page
    assert 'aria-label="Hemtjänst Norra, 2026-04"' in page
    save = reverse("indicators:values_save", args=[n.indicator.pk])
    bad = lead.post(
        save,
        {"to": "2026-04", f"v-{n.unit1.pk}-2026-04": "71", f"v-{n.unit2.pk}-2026-03": "abc"},
        **EN,
    )
    assert bad.status_code == 400
    assert "Hemtjänst Södra, 2026-03: &#x27;abc&#x27; is not a number" in bad.content.decode()
    assert IndicatorValue.objects.get(unit=n.unit1, month=dt.date(2026, 4, 1)).value == 70
    out_of_range = lead.post(save, {"to": "2026-04", f"v-{n.unit2.pk}-2026-03": "-4"}, **EN)
    assert out_of_range.status_code == 400
    assert "Hemtjänst Södra, 2026-03: &#x27;-4&#x27; " in out_of_range.content.decode()
    good = lead.post(
        save, {"to": "2026-04", f"v-{n.unit1.pk}-2026-04": "71,5", f"v-{n.unit2.pk}-2026-03": ""}
    )
    assert good.status_code == 302
    assert IndicatorValue.objects.get(unit=n.unit1, month=dt.date(2026, 4, 1)).value == Decimal("71.5")
    assert not IndicatorValue.objects.filter(unit=n.unit2, month=dt.date(2026, 3, 1)).exists()
    foreign = lead.post(save, {"to": "2026-04", f"v-{n.unit_b.pk}-2026-04": "1"})
    assert foreign.status_code == 400
    outside = lead.post(save, {"to": "2026-04", f"v-{n.unit1.pk}-2025-01": "1"})
    assert outside.status_code == 400
    assert lead.get(url, {"to": "2026-13"}).status_code == 400
    assert lead.get(url, {"page": "x"}).status_code == 400


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf", "1e5", "1E5", "2,12345", "0.00001", "1.5.1"])
def test_the_grid_refuses_what_is_not_a_plain_number_with_400(network: Any, text: str) -> None:
    n = indicator_data(network)
    lead = _client(network.lead.user)
    save = reverse("indicators:values_save", args=[n.indicator.pk])
    cell = f"v-{n.unit1.pk}-2026-04"
    bad = lead.post(save, {"to": "2026-04", cell: text}, **EN)
    assert bad.status_code == 400, text
    assert "Hemtjänst Norra, 2026-04: &#x27;" in bad.content.decode()
    assert IndicatorValue.objects.get(unit=n.unit1, month=dt.date(2026, 4, 1)).value == 70


def test_the_list_and_grid_refuse_bad_paging_and_flags(network: Any) -> None:
    n = indicator_data(network)
    lead = _client(network.lead.user)
    url = reverse("indicators:values", args=[n.indicator.pk])
    for value in ("abc", "-1", "1.5", "99999999999"):
        response = lead.get(url, {"page": value}, **EN)
        assert response.status_code == 400 and "page:" in response.content.decode(), value
    # Past the end: the last page, as every paged list of the product does.
    assert lead.get(url, {"page": "99999"}).context["page"].number == 1
    for value in ("abc", "true", "2"):
        response = lead.get(reverse("indicators:list"), {"archived": value}, **EN)
        assert response.status_code == 400 and "archived:" in response.content.decode(), value
    assert lead.get(reverse("indicators:list"), {"archived": "0"}).status_code == 200


def test_the_grid_is_paged(network: Any, settings: Any) -> None:
    from kompetenslyft.org.tests.factories import UnitFactory

    n = indicator_data(network)
    for i in range(30):
        UnitFactory(
            organisation=network.org_a, unit_id=f"X{i:02d}", name=f"Extra {i:02d}", parent=network.dep2
        )
    lead = _client(network.lead.user)
    url = reverse("indicators:values", args=[n.indicator.pk])
    first = lead.get(url, **EN).content.decode()
    second = lead.get(url, {"page": "2"}, **EN).content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('<th scope="row">') == 25


def test_linking_from_the_initiative_page(network: Any) -> None:
    n = indicator_data(network)
    n.indicator.initiatives.clear()
    lead = _client(network.lead.user)
    page = lead.get(reverse("learning:initiative", args=[n.initiative.pk]), **EN).content.decode()
    assert "No indicator linked yet." in page and "Link indicators" in page
    response = lead.post(
        reverse("indicators:initiative_link", args=[n.initiative.pk]), {"indicator": n.indicator.pk}
    )
    assert response.status_code == 302
    assert list(n.indicator.initiatives.all()) == [n.initiative]
    page = lead.get(reverse("learning:initiative", args=[n.initiative.pk]), **EN).content.decode()
    assert reverse("indicators:detail", args=[n.indicator.pk]) in page
    # Another organisation's indicator cannot be linked (404), nor a bad id (400).
    from kompetenslyft.indicators.models import Indicator as Model

    theirs = Model.objects.create(
        organisation=network.org_b, code="N", name="N", measure="count", better="higher"
    )
    assert (
        lead.post(
            reverse("indicators:initiative_link", args=[n.initiative.pk]), {"indicator": theirs.pk}
        ).status_code
        == 404
    )
    assert (
        lead.post(
            reverse("indicators:initiative_link", args=[n.initiative.pk]), {"indicator": "x"}
        ).status_code
        == 400
    )
    lead.post(reverse("indicators:initiative_unlink", args=[n.initiative.pk, n.indicator.pk]))
    assert not n.indicator.initiatives.exists()


def test_the_indicator_page_shows_the_chart_and_table(network: Any) -> None:
    n = indicator_data(network)
    page = (
        _client(network.lead.user)
        .get(reverse("indicators:detail", args=[n.indicator.pk]), **EN)
        .content.decode()
    )
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 2
    assert "Training period" in page and "<caption>" in page
    assert "2 units trained, 1 other units with values did not train" in page


def test_menu_and_home_reach_the_indicators(network: Any) -> None:
    indicator_data(network)
    lead = _client(network.lead.user)
    home = lead.get(reverse("home"), **EN).content.decode()
    assert reverse("indicators:list") in home and "Avvikelser hanterade inom 14 dagar" in home
    manager_home = _client(network.manager.user).get(reverse("home"), **EN).content.decode()
    assert reverse("indicators:list") in manager_home  # the menu's Reports group
    employee_home = _client(network.employee.user).get(reverse("home"), **EN).content.decode()
    assert reverse("indicators:list") not in employee_home
