"""Exports neutralise spreadsheet formulas (CSV injection): people CSV, gap CSV/xlsx, funder xlsx."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kompetenslyft.assessment import gaps
from kompetenslyft.core.importing import import_file
from kompetenslyft.core.spreadsheet import csv_text, neutralise, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1)"
ATTACKS = (HYPERLINK, DDE, AT_SUM, "-2+3", "\t=1+1", "\r=1+1")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def assert_no_live_formula(values: list[str]) -> None:
    for value in values:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_neutralise_quotes_formula_text_and_leaves_numbers() -> None:
    for attack in ATTACKS:
        assert neutralise(attack) == "'" + attack
    assert neutralise("Hemtjänst Norra") == "Hemtjänst Norra"
    assert neutralise("") == ""
    assert (
        neutralise(-3) == -3 and neutralise(0.25) == 0.25 and neutralise(Decimal("-1.5")) == Decimal("-1.5")
    )
    assert neutralise(None) is None
    rows = csv_rows(csv_text([["name", "n"], [HYPERLINK, -1]]).encode())
    assert rows == [["name", "n"], ["'" + HYPERLINK, "-1"]]


def test_xlsx_stores_text_as_text_and_numbers_as_numbers() -> None:
    cells = xlsx_cells(xlsx_bytes("t", [[*ATTACKS, "#N/A", "bad\x01char", -2, 1.5]]))
    by_value = {cell.value: cell for cell in cells}
    for attack in ATTACKS[:4]:
        assert by_value["'" + attack].data_type == "s"
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert len([t for t in texts if t.startswith("'")]) == len(ATTACKS)  # the tab and CR ones too
    assert by_value["#N/A"].data_type == "s"  # not an error code either
    assert "badchar" in by_value  # a character xlsx cannot hold is dropped, not a failed export
    assert by_value[-2].data_type == "n" and by_value[1.5].data_type == "n"
    assert all(cell.data_type != "f" for cell in cells)


def test_people_csv_neutralises_formulas_in_names(network: Any) -> None:
    person = network.colleague
    person.given_name, person.family_name, person.email = HYPERLINK, DDE, AT_SUM
    person.save()
    unit = network.unit2
    unit.name = "=1+1"
    unit.save()
    response = client_for(network.lead.user).get(reverse("org:people_export"))
    assert response.status_code == 200
    rows = csv_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    row = next(r for r in rows if r[0] == person.employee_id)
    assert row[1:3] == ["'" + HYPERLINK, "'" + DDE]
    assert row[4] == "'=1+1" and row[6] == "'" + AT_SUM
    assert_no_live_formula([value for r in rows for value in r])


def _gap_world(network: Any) -> None:
    org = network.org_a
    role = network.employee.role.name

    def run(kind: str, text: str) -> None:
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)

    run("framework", 'competence_code,name,category\nMAIL,"@SUM(1)",Kommunikation\n')
    run("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n")
    run(
        "assessments",
        f"employee_id,competence_code,level,measurement_point\n{network.employee.employee_id},MAIL,1,0\n",
    )
    for unit, name in ((network.admin_a, HYPERLINK), (network.dep1, DDE)):
        unit.name = name
        unit.save()
    gaps.rebuild(org)


def test_gap_csv_and_xlsx_neutralise_formulas(network: Any) -> None:
    _gap_world(network)
    client = client_for(network.lead.user)
    query = {"unit": network.admin_a.pk}  # the administration and its departments
    csv_response = client.get(reverse("assessment:gaps_export", args=["csv"]), query)
    assert csv_response.status_code == 200
    rows = csv_rows(csv_response.content)
    values = [value for row in rows for value in row]
    assert "'" + HYPERLINK in values and "'" + DDE in values and "'" + AT_SUM in values
    assert_no_live_formula(values)

    xlsx_response = client.get(reverse("assessment:gaps_export", args=["xlsx"]), query)
    assert xlsx_response.status_code == 200
    cells = xlsx_cells(xlsx_response.content)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + HYPERLINK in texts and "'" + DDE in texts and "'" + AT_SUM in texts
    assert all(cell.data_type != "f" for cell in cells)
    assert_no_live_formula(texts)
    # the figures are still numbers
    assert any(cell.data_type == "n" for cell in cells)


def test_funder_xlsx_neutralises_formulas(network: Any) -> None:
    network.org_a.name = HYPERLINK
    network.org_a.save()
    network.admin_a.name = DDE
    network.admin_a.save()
    response = client_for(network.lead.user).get(
        reverse("learning:funder"), {"format": "xlsx", "unit": network.admin_a.unit_id}
    )
    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + HYPERLINK in texts and "'" + DDE in texts
    assert all(cell.data_type != "f" for cell in cells)
    assert_no_live_formula(texts)
    assert any(cell.data_type == "n" for cell in cells)
