"""The register extract: every model about a person is in it (or excluded with a reason), its
structure, the PDF's letters, and who may ask for and download it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.dataprotection import extract
from kompetenslyft.dataprotection.models import AccessEntry, AccessPerson, RegisterExtract
from kompetenslyft.dataprotection.services import extract_content, extracts_purge
from kompetenslyft.learning.models import Attendance, Module, SupportRequest
from kompetenslyft.org.models import Placement


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any) -> Any:
    """A POST whose tasks run when its transaction commits (the immediate backend)."""

    def send(client: Client, url: str, data: dict[str, str] | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return send


def _relations_to_people() -> set[str]:
    person = apps.get_model("org.Person")
    user = get_user_model()
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in (person, user):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_model_about_a_person_is_in_the_extract_or_excluded_with_a_reason() -> None:
    covered = {name for section in extract.SECTIONS for name in section.covers}
    relations = _relations_to_people()
    missing = relations - covered - set(extract.EXCLUDED)
    assert not missing, (
        f"add these to a section of dataprotection.extract or to EXCLUDED with a reason: {missing}"
    )
    stale = (covered | set(extract.EXCLUDED)) - relations
    assert not stale, f"no such relation any more: {stale}"
    assert all(len(reason) > 20 for reason in extract.EXCLUDED.values())
    assert not covered & set(extract.EXCLUDED)


def _history(network: Any) -> Any:
    person = network.employee
    person.given_name = "Åsa-Øydis Ŋaare"
    person.save()
    module = Module.objects.create(
        organisation=network.org_a,
        code="DOK",
        name="Dokumentation i hemtjänst",
        category="IT",
        level="basic",
        format="onsite",
        hours=Decimal("2.5"),
    )
    Placement.objects.create(
        person=person, unit=network.unit2, role=person.role, valid_from=dt.date(2021, 1, 1)
    )
    Attendance.objects.create(
        person=person,
        module=module,
        unit=person.unit,
        role=person.role,
        date=dt.date(2024, 5, 2),
        hours=Decimal("2.5"),
    )
    SupportRequest.objects.create(
        organisation=network.org_a,
        person=person,
        unit=person.unit,
        topic="Lösenord",
        question="Hur byter jag?",
    )
    return person


def test_the_extract_has_its_documented_structure_and_the_person_data(network: Any) -> None:
    person = _history(network)
    data = extract.build(person)
    assert data["format"] == "kompetenslyft-register-extract" and data["version"] == 1
    assert data["person"]["given_name"] == "Åsa-Øydis Ŋaare"
    keys = [s["key"] for s in data["sections"]]
    assert keys == [s.key for s in extract.SECTIONS]
    rows = {s["key"]: s["rows"] for s in data["sections"]}
    assert rows["attendance"][0]["module"] == "Dokumentation i hemtjänst"
    assert rows["attendance"][0]["hours"] == "2.50"
    assert rows["support_asked"][0]["question"] == "Hur byter jag?"
    assert {
        "valid_from": "2021-01-01",
        "valid_to": None,
        "unit": network.unit2.name,
        "role": person.role.name,
    } in rows["placements"]
    assert rows["account"][0]["username"] == person.user.username
    assert any("anonymous" in sentence for sentence in data["not_included"])
    json.dumps(data)  # JSON as it stands


def test_the_extract_holds_nobody_else(network: Any) -> None:
    other = network.colleague
    SupportRequest.objects.create(
        organisation=network.org_a, person=other, unit=other.unit, topic="Annat", question="Kollegans fråga"
    )
    text = json.dumps(extract.build(network.employee), ensure_ascii=False)
    assert "Kollegans fråga" not in text and other.family_name not in text


def test_the_pdf_embeds_a_font_with_nordic_and_sami_letters(network: Any) -> None:
    person = _history(network)
    json_bytes, pdf = extract_content(person, language="sv")
    assert pdf.startswith(b"%PDF")
    assert b"DejaVu" in pdf  # the TrueType font is embedded (Debian's fonts-dejavu-core)
    assert "Åsa-Øydis Ŋaare" in json_bytes.decode()


def test_the_employee_makes_and_downloads_its_own_extract(network: Any, post: Any) -> None:
    _history(network)
    client = client_for(network.employee.user)
    page = client.get(reverse("home")).content.decode()
    assert reverse("dataprotection:my_data") in page
    response = post(client, reverse("dataprotection:extract_own"))
    found = RegisterExtract.objects.get(person=network.employee)
    assert response.url == reverse("dataprotection:extract", args=[found.pk])
    assert found.status == "done" and found.progress == 100 and found.reason == ""
    status = client.get(response.url).content.decode()
    assert reverse("dataprotection:extract_file", args=[found.pk, "pdf"]) in status
    data = client.get(reverse("dataprotection:extract_file", args=[found.pk, "json"]))
    assert data["Content-Type"] == "application/json"
    assert json.loads(data.content)["person"]["employee_id"] == network.employee.employee_id
    assert client.get(reverse("dataprotection:extract_file", args=[found.pk, "pdf"])).content.startswith(
        b"%PDF"
    )
    # Reading one's own data is not logged.
    assert not AccessEntry.objects.exists()


def test_no_one_else_downloads_an_extract(network: Any, post: Any) -> None:
    post(client_for(network.employee.user), reverse("dataprotection:extract_own"))
    found = RegisterExtract.objects.get()
    for user in (network.manager.user, network.lead.user, network.lead_b.user, network.other_employee.user):
        client = client_for(user)
        assert client.get(reverse("dataprotection:extract", args=[found.pk])).status_code == 404
        assert client.get(reverse("dataprotection:extract_file", args=[found.pk, "json"])).status_code == 404
    assert client_for(network.employee.user).get(
        reverse("dataprotection:extract_file", args=[found.pk, "xml"])
    ).status_code in (400, 404)


def test_a_lead_makes_an_extract_on_request_with_a_reason(network: Any, post: Any) -> None:
    lead = client_for(network.lead.user)
    person_page = lead.get(reverse("org:person", args=[network.employee.pk])).content.decode()
    url = reverse("dataprotection:extract_for", args=[network.employee.pk])
    assert url in person_page
    assert lead.get(url).status_code == 200
    assert lead.post(url, {"reason": ""}).status_code == 400
    assert lead.post(url, {"reason": "Bad\x00"}).status_code == 400
    response = post(lead, url, {"reason": "Begäran per e-post 3 mars"})
    found = RegisterExtract.objects.get()
    assert response.url == reverse("dataprotection:extract", args=[found.pk])
    assert found.requested_by == network.lead.user and found.reason == "Begäran per e-post 3 mars"
    assert AuditEntry.objects.filter(
        action="person.register_extract", target_id=network.employee.employee_id
    ).exists()
    logged = AccessPerson.objects.filter(person=network.employee, entry__kind="register_extract")
    assert logged.count() == 1
    # Each download by the lead is a read of the whole register, logged (twice: two reads).
    for fmt in ("pdf", "json"):
        assert lead.get(reverse("dataprotection:extract_file", args=[found.pk, fmt])).status_code == 200
    assert logged.count() == 3
    # The person itself may download it too (its own read: not logged), and sees who made it.
    employee = client_for(network.employee.user)
    assert employee.get(reverse("dataprotection:extract_file", args=[found.pk, "pdf"])).status_code == 200
    assert logged.count() == 3
    assert network.lead.full_name in employee.get(reverse("dataprotection:my_data")).content.decode()


def test_only_a_lead_of_the_persons_organisation_makes_its_extract(network: Any) -> None:
    url = reverse("dataprotection:extract_for", args=[network.employee.pk])
    for user in (
        network.manager.user,
        network.lead_b.user,
        network.top.user,
        network.trainer.user,
        network.evaluator,
    ):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert (
        client_for(network.lead.user).get(reverse("dataprotection:extract_for", args=[10**17])).status_code
        == 404
    )
    assert not RegisterExtract.objects.exists()
    # A manager does not see the link.
    page = (
        client_for(network.manager.user)
        .get(reverse("org:person", args=[network.employee.pk]))
        .content.decode()
    )
    assert url not in page


def test_extracts_expire_and_are_removed(network: Any, post: Any) -> None:
    client = client_for(network.employee.user)
    post(client, reverse("dataprotection:extract_own"))
    found = RegisterExtract.objects.get()
    later = found.expires_at + dt.timedelta(minutes=1)
    RegisterExtract.objects.filter(pk=found.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(reverse("dataprotection:extract_file", args=[found.pk, "json"])).status_code == 404
    assert extracts_purge(now=later) == 1
    assert not RegisterExtract.objects.exists()


def test_the_default_language_is_swedish(network: Any, post: Any) -> None:
    client = client_for(network.employee.user)
    post(client, reverse("dataprotection:extract_own"))
    found = RegisterExtract.objects.get()
    assert found.language == settings.LANGUAGE_CODE


def test_a_lead_who_loses_the_role_loses_the_extracts_it_asked_for(network: Any) -> None:
    """Found by the privacy review: access was by the asker alone."""
    from kompetenslyft.core.models import Grant, ProductRole
    from kompetenslyft.dataprotection.models import RegisterExtract
    from kompetenslyft.dataprotection.services import extract_request

    extract = extract_request(
        user=network.lead.user, person=network.employee, reason="Begäran", language="sv"
    )
    RegisterExtract.objects.filter(pk=extract.pk).update(
        status=RegisterExtract.Status.DONE, json_content=b"{}"
    )
    file_url = reverse("dataprotection:extract_file", args=[extract.pk, "json"])
    assert client_for(network.lead.user).get(file_url).status_code == 200
    Grant.objects.filter(user=network.lead.user, role=ProductRole.LEAD).delete()
    former = client_for(network.lead.user)
    assert former.get(reverse("dataprotection:extract", args=[extract.pk])).status_code == 404
    assert former.get(file_url).status_code == 404
    assert client_for(network.employee.user).get(file_url).status_code == 200  # the person itself
