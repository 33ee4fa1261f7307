"""The register extract reads as the person reads: found by a new user's review, which saw
English labels, raw codes ("woman", "onsite", "person.moved"), a proposal's items as raw JSON
and times in UTC ISO 8601. The extract is made in the person's language (else the asker's,
else Swedish); codes keep their code in the JSON with the label beside it; times are local."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.dataprotection import extract
from kompetenslyft.dataprotection.extract_pdf import _row
from kompetenslyft.dataprotection.extract_text import ACTIONS, Presenter
from kompetenslyft.dataprotection.models import RegisterExtract
from kompetenslyft.dataprotection.services import extract_content, extract_request
from kompetenslyft.learning.models import Initiative, Module, ParticipationFormat, Proposal

pytestmark = pytest.mark.django_db

# 2 May 2024 07:30 UTC is 09:30 in Stockholm (summer time)
AT = dt.datetime(2024, 5, 2, 7, 30, tzinfo=dt.UTC)


def pdf_text(pdf: bytes) -> str:
    """The text the PDF's pages write in the core fonts (each ``(…) Tj``), one line each."""
    lines = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        for found in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content):
            text = re.sub(rb"\\(.)", rb"\1", found)
            lines.append(text.decode("windows-1252"))
    return "\n".join(lines)


def _history(network: Any) -> Any:
    person = network.employee
    person.gender = "woman"
    person.save()
    module = Module.objects.create(
        organisation=network.org_a,
        code="DOK",
        name="Dokumentation",
        category="IT",
        level="basic",
        format="onsite",
        hours=Decimal("2"),
    )
    other = Module.objects.create(
        organisation=network.org_a,
        code="BRA",
        name="Brandskydd",
        category="IT",
        level="basic",
        format="onsite",
        hours=Decimal("2"),
    )
    initiative = Initiative.objects.create(organisation=network.org_a, code="lyft", name="Lyftet")
    Proposal.objects.create(
        initiative=initiative,
        person=person,
        unit=person.unit,
        items={"b": {str(module.pk): ["K1"]}, "x": [other.pk]},
        assigned=1,
        exempt=1,
        status="confirmed",
    )
    ParticipationFormat.objects.create(
        organisation=network.org_a,
        initiative=initiative,
        person=person,
        role=person.role,
        format="onsite",
        hours=Decimal("2.50"),
        rows=1,
    )
    entry = AuditEntry.objects.create(
        actor_label="import",
        organisation=network.org_a,
        action="person.moved",
        target_type="person",
        target_id=person.employee_id,
        target_label=person.full_name,
        changes={"unit": ["A", "B"]},
    )
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=AT)
    return person


def _rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return next(s["rows"] for s in data["sections"] if s["key"] == key)


def test_the_json_keeps_codes_and_adds_their_labels_in_the_language(network: Any) -> None:
    person = _history(network)
    with translation.override("sv"):
        data = extract.build(person)
    assert data["person"]["gender"] == "woman" and data["person"]["gender_label"] == "kvinna"
    assert _rows(data, "participations")[0]["format"] == "onsite"
    assert _rows(data, "participations")[0]["format_label"] == "på plats"
    items = _rows(data, "proposals")[0]["items"]
    assert [(i["module"], i["status"], i["status_label"]) for i in items] == [
        ("Brandskydd", "exempt", "undantag"),
        ("Dokumentation", "assigned", "tilldelad"),
    ]
    assert "K1" in items[1]["reason_label"]
    audit = _rows(data, "audit_about")[0]
    assert audit["action"] == "person.moved"
    with translation.override("sv"):
        assert audit["action_label"] == str(ACTIONS["person.moved"])
    # times in the installation's time zone, with its offset
    assert audit["created_at"] == "2024-05-02T09:30:00+02:00"
    made = dt.datetime.fromisoformat(data["made_at"])
    assert (
        made.utcoffset() == timezone.localtime(made).utcoffset() and settings.TIME_ZONE == "Europe/Stockholm"
    )
    json.dumps(data)


@pytest.mark.parametrize(
    ("language", "wanted", "unwanted"),
    [
        (
            "sv",
            ["Registerutdrag", "Kön: kvinna", "Förslag och tilldelningar", "2 maj 2024 09:30", "tilldelad"],
            ["woman", "Gender", "2024-05-02T", "person.moved", '"b"'],
        ),
        (
            "en",
            ["Register extract", "Gender: woman", "Proposals and assignments", "May 2, 2024, 9:30 a.m."],
            ["kvinna", "2024-05-02T", "person.moved", '"b"'],
        ),
    ],
)
def test_the_pdf_reads_in_the_extracts_language(
    network: Any, language: str, wanted: list[str], unwanted: list[str]
) -> None:
    person = _history(network)
    json_bytes, pdf = extract_content(person, language=language)
    text = pdf_text(pdf)
    for part in wanted:
        assert part in text, part
    for part in unwanted:
        assert part not in text, part
    assert json.loads(json_bytes)["language"] == language


def test_a_row_shows_each_code_by_its_label_under_a_translated_field_name(network: Any) -> None:
    person = _history(network)
    with translation.override("sv"):
        present = Presenter()
        data = extract.collect(person)
        proposal = _row(_rows(data, "proposals")[0], present)
        formats = _row(_rows(data, "participations")[0], present)
        audit = _row(_rows(data, "audit_about")[0], present)
    assert "Kompetensinsats: Lyftet" in proposal and "Status: bekräftat" in proposal
    assert "Moduler: Brandskydd (undantag" in proposal and "Dokumentation (tilldelad" in proposal
    assert "Format: på plats" in formats and "Timmar: 2,50" in formats and "onsite" not in formats
    assert "format" not in formats.split("Format:")[0]  # the per-format marker is not shown
    assert "2 maj 2024 09:30" in audit and "Enhet: A -> B" in audit and "person.moved" not in audit


def test_the_extract_is_in_the_persons_language_else_the_askers_else_swedish(network: Any) -> None:
    person = network.employee
    person.language = "en"
    person.save()
    assert extract_request(user=person.user, person=person, language="sv").language == "en"
    person.language = ""
    person.save()
    asked = extract_request(user=network.lead.user, person=person, reason="Begäran", language="nb")
    assert asked.language == "nb"
    assert extract_request(user=person.user, person=person, language=None).language == "sv"
    assert extract_request(user=person.user, person=person, language="xx").language == "sv"


def test_the_own_extract_page_follows_the_persons_language(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = network.employee
    person.language = "nb"
    person.save()
    client = Client()
    client.force_login(person.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dataprotection:extract_own"))
    found = RegisterExtract.objects.get(person=person)
    assert found.language == "nb" and found.status == "done"
    assert json.loads(bytes(found.json_content))["language"] == "nb"
