"""Downloads from pages speak the person's language: readable headers and words, and file
names in that language (the CLI's JSON and the import formats are a contract and stay)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from kompetenslyft.core.spreadsheet import download_name

from .test_spreadsheet import _gap_world, client_for, csv_rows

TODAY = dt.date(2026, 11, 22)


def _filename(response: Any) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    return disposition.split('filename="', 1)[1].rstrip('"')


def test_download_name_is_an_ascii_slug_with_the_day(monkeypatch: Any) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    assert download_name("Gap-analys", "solvik", extension="xlsx") == "gap-analys-solvik-2026-11-22.xlsx"
    assert download_name("Rapport til finansiør", "fjellvik", extension="xlsx") == (
        "rapport-til-finansior-fjellvik-2026-11-22.xlsx"
    )
    assert download_name("Översikt", "", extension="pdf") == "oversikt-2026-11-22.pdf"
    assert (
        download_name('"; rm -rf /', extension="csv") == "rm-rf-2026-11-22.csv"
    )  # nothing to break the header


def test_gap_export_headers_and_file_name_in_english(network: Any) -> None:
    _gap_world(network)
    client = client_for(network.lead.user)
    response = client.get(
        reverse("assessment:gaps_export", args=["csv"]),
        {"unit": network.admin_a.pk},  # the administration and its departments
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = csv_rows(response.content)
    assert rows[0] == [
        "Unit id",
        "Unit",
        "Counts",
        "Competence code",
        "Competence",
        "People with the requirement",
        "Answered",
        "Below the goal",
        "Share below the goal (%)",
    ]
    scopes = {row[2] for row in rows[1:]}
    assert scopes <= {"the unit itself", "the unit and the units below"} and len(scopes) == 2
    share = [row[8] for row in rows[1:] if row[8]]
    assert share and all(0 <= float(value) <= 100 for value in share)
    assert "100.0" in share  # the one answer is below the goal: 100 %, not 1.0
    assert _filename(response) == f"gap-analysis-{network.org_a.code}-{timezone.localdate().isoformat()}.csv"


def test_gap_export_speaks_swedish_by_default_and_excel_has_percentages(network: Any) -> None:
    _gap_world(network)
    client = client_for(network.lead.user)
    header = csv_rows(client.get(reverse("assessment:gaps_export", args=["csv"])).content)[0]
    with translation.override("sv"):
        assert header[1] == translation.gettext("Unit") == "Enhet"
        assert header[4] == "Kompetens" and header[6] == translation.gettext("Answered")
    assert "share_below" not in header and "scope" not in header
    response = client.get(reverse("assessment:gaps_export", args=["xlsx"]), HTTP_ACCEPT_LANGUAGE="en")
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Gap analysis"
    assert [c.value for c in sheet[1]][-1] == "Share below the goal"
    shares = [row[-1] for row in sheet.iter_rows(min_row=2) if row[-1].value not in (None, "")]
    assert shares and all(cell.number_format == "0.0%" and 0 <= cell.value <= 1 for cell in shares)
    assert _filename(response).startswith(f"gap-analysis-{network.org_a.code}-")


def test_people_export_headers_and_words_follow_the_language(network: Any) -> None:
    client = client_for(network.lead.user)
    response = client.get(reverse("org:people_export"), HTTP_ACCEPT_LANGUAGE="en")
    rows = csv_rows(b"".join(response.streaming_content))
    assert rows[0] == [
        "Employee id",
        "Given name",
        "Family name",
        "Unit id",
        "Unit",
        "Role",
        "E-mail",
        "Gender",
        "Language",
        "Start date",
        "Active",
    ]
    person = next(row for row in rows if row[0] == network.employee.employee_id)
    assert person[10] == "yes" and person[7] in ("woman", "man", "other", "unspecified")
    assert _filename(response) == f"people-{timezone.localdate().isoformat()}.csv"
    swedish = csv_rows(b"".join(client.get(reverse("org:people_export")).streaming_content))
    assert swedish[0][0] == "Anställnings-id" and swedish[0][6] == "E-post" and swedish[0][7] == "Kön"
    person = next(row for row in swedish if row[0] == network.employee.employee_id)
    assert person[10] == "ja"


def test_funder_export_file_name_follows_the_language(network: Any) -> None:
    client = client_for(network.lead.user)
    response = client.get(reverse("learning:funder"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert (
        _filename(response) == f"funder-report-{network.org_a.code}-{timezone.localdate().isoformat()}.xlsx"
    )
