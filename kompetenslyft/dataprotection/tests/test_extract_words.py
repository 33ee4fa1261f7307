"""The register extract names things, not ids or codes (a reader's review of the extract): a
knowledge test by its module and when it is taken, its questions and chosen options by their
texts; micro-learning by module and question; an audit entry's changes by field and value
labels; a learning record by when it happened; a reader of the person's data by name and role,
never by account name. Each checked in the JSON and in the PDF's text."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import orjson
import pytest
from django.utils import translation

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.dataprotection import extract
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.services import access_record, extract_content
from kompetenslyft.knowledge.models import Attempt, KnowledgeTest, Option, Question, QuestionBank
from kompetenslyft.learning.models import Module
from kompetenslyft.lrs.models import SCOPE_WRITE, Statement
from kompetenslyft.lrs.services import client_create
from kompetenslyft.microlearning.models import Item, QuestionSet

from .test_extract_readable import pdf_text

pytestmark = pytest.mark.django_db

AT = dt.datetime(2024, 5, 2, 7, 30, tzinfo=dt.UTC)


def _flat(pdf: bytes) -> str:
    """The PDF's text with its wrapped lines joined again (a line breaks at a space)."""
    return pdf_text(pdf).replace("\n", " ")


def _rows(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return next(s["rows"] for s in data["sections"] if s["key"] == key)


def _questions(network: Any) -> tuple[Module, list[Question], dict[str, Option]]:
    module = Module.objects.create(
        organisation=network.org_a,
        code="DOK",
        name="Dokumentation",
        category="IT",
        level="basic",
        format="elearning",
        hours=Decimal("2"),
    )
    bank = QuestionBank.objects.create(organisation=network.org_a, module=module, name="Frågor om journal")
    first = Question.objects.create(bank=bank, ident="q1", kind="single", text="Vem får läsa journalen?")
    second = Question.objects.create(
        bank=bank, ident="q2", kind="truefalse", title="Signera", text="Ska anteckningen signeras?"
    )
    options = {
        "right": Option.objects.create(question=first, text="Den som vårdar", weight=Decimal(100)),
        "wrong": Option.objects.create(question=first, text="Alla kollegor", weight=Decimal(0), position=1),
        "true": Option.objects.create(question=second, text="True", weight=Decimal(100)),
    }
    return module, [first, second], options


def test_a_knowledge_test_reads_by_its_module_questions_and_chosen_answers(network: Any) -> None:
    person = network.employee
    module, (first, second), options = _questions(network)
    test = KnowledgeTest.objects.create(organisation=network.org_a, module=module, kind="pre")
    Attempt.objects.create(
        test=test,
        person=person,
        unit=person.unit,
        drawn=[[second.pk, [options["true"].pk]], [first.pk, [options["right"].pk, options["wrong"].pk]]],
        answers={str(first.pk): [options["wrong"].pk], str(second.pk): [options["true"].pk]},
        started_at=AT,
        submitted_at=AT,
        score=Decimal("50.00"),
    )
    with translation.override("sv"):
        row = _rows(extract.build(person), "knowledge_tests")[0]
    assert row["test"] == "pre" and row["test_label"] == "Dokumentation, före modulen"
    assert row["questions_drawn"] == ["Signera", "Vem får läsa journalen?"]
    # in the order shown; a true/false option in the language
    assert row["answers"] == ["Signera: Sant", "Vem får läsa journalen?: Alla kollegor"]
    text = _flat(extract_content(person, language="sv")[1])
    assert "Dokumentation, före modulen" in text and "Vem får läsa journalen?: Alla kollegor" in text
    assert f"[[{second.pk}," not in text and f'"{first.pk}"' not in text


def test_micro_learning_reads_by_module_and_question(network: Any) -> None:
    person = network.employee
    module, (first, second), options = _questions(network)
    Item.objects.create(person=person, module=module, question=first, box=2)
    QuestionSet.objects.create(
        person=person,
        organisation=network.org_a,
        day=dt.date(2024, 5, 2),
        questions=[first.pk, second.pk],
        answers={str(first.pk): [options["right"].pk]},
        right=1,
        answered_on=dt.date(2024, 5, 2),
    )
    with translation.override("sv"):
        data = extract.build(person)
    item = _rows(data, "micro_items")[0]
    assert item["module"] == "Dokumentation" and item["question"] == "Vem får läsa journalen?"
    day = _rows(data, "micro_sets")[0]
    assert day["module"] == "Dokumentation"
    assert day["questions"] == ["Vem får läsa journalen?", "Signera"]
    assert day["answers"] == ["Vem får läsa journalen?: Den som vårdar"]
    text = _flat(extract_content(person, language="sv")[1])
    assert "Fråga: Vem får läsa journalen?" in text and "q1" not in text
    assert "Modul: Dokumentation" in text and "Den som vårdar" in text


def test_audit_changes_read_by_field_and_value_labels_in_the_language(network: Any) -> None:
    person = network.employee
    AuditEntry.objects.create(
        actor_label="import",
        organisation=network.org_a,
        action="person.changed",
        target_type="person",
        target_id=person.employee_id,
        target_label=person.full_name,
        changes={"gender": ["woman", "man"], "language": ["sv", "nb"], "unit": [network.unit1.pk, None]},
    )
    with translation.override("sv"):
        row = _rows(extract.build(person), "audit_about")[0]
    # the JSON keeps the codes and adds them in words
    assert row["changes"]["gender"] == ["woman", "man"]
    assert row["changes_label"] == {
        "Kön": ["kvinna", "man"],
        "Språk": ["Svenska", "Norska (bokmål)"],
        "Enhet": ["Hemtjänst Norra", None],
    }
    text = _flat(extract_content(person, language="sv")[1])
    assert "Kön: kvinna -> man" in text and "Enhet: Hemtjänst Norra -> –" in text
    assert "woman" not in text and "gender" not in text
    with translation.override("en"):
        assert _rows(extract.build(person), "audit_about")[0]["changes_label"]["Gender"] == ["woman", "man"]


def test_a_learning_record_reads_by_when_it_happened(network: Any) -> None:
    person = network.employee
    client, _secret = client_create(organisation=network.org_a, name="lms", scopes=[SCOPE_WRITE])
    stored = dt.datetime(2024, 5, 20, 12, 0, tzinfo=dt.UTC)

    def record(statement_id: str, timestamp: str) -> None:
        data = {
            "id": statement_id,
            "actor": {"mbox": f"mailto:{person.email}"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"sv-SE": "slutförde"}},
            "object": {"id": "https://kurs.example/dok"},
            "timestamp": timestamp,
            "stored": "2024-05-20T12:00:00.000Z",
        }
        Statement.objects.create(
            organisation=network.org_a,
            client=client,
            statement_id=statement_id,
            stored=stored,
            version="1.0.3",
            actor_key=f"@mbox:mailto:{person.email}",
            object_key="https://kurs.example/dok",
            verb_id=data["verb"]["id"],
            related_agents=f"\n@mbox:mailto:{person.email}\n",
            data=orjson.dumps(data).decode(),
        )

    # done on 2 May, sent to the LRS on 20 May; and one done the day it was stored
    record("0b9c1a56-0000-4000-8000-000000000001", "2024-05-02T07:30:00Z")
    record("0b9c1a56-0000-4000-8000-000000000002", "2024-05-20T09:15:00.000Z")
    data = json.loads(extract_content(person, language="sv")[0])
    rows = _rows(data, "statements")
    assert [r["timestamp"] for r in rows] == ["2024-05-02T09:30:00+02:00", "2024-05-20T11:15:00+02:00"]
    assert rows[0]["stored"] == "2024-05-20T14:00:00+02:00"
    text = _flat(extract_content(person, language="sv")[1])
    assert "2 maj 2024 09:30 (Lagrad: 20 maj 2024 14:00) · slutförde" in text
    # stored the same day: only when it happened
    assert "20 maj 2024 11:15 · slutförde" in text


def test_the_readers_of_the_persons_data_are_named_with_their_role_not_their_account(network: Any) -> None:
    person = network.employee
    for reader in (network.manager, network.lead, network.colleague_reader(network)):
        access_record(reader=reader.user, kind=AccessKind.PERSON_PAGE, people=[(person.pk, network.org_a.pk)])
    with translation.override("sv"):
        rows = _rows(extract.build(person), "reads")
    readers = [(r["reader"], r["reader_role"]) for r in rows]
    assert readers == [
        ("Maria Managersson", "chef"),
        ("Lena Leadsson", "kompetensutvecklare"),
        ("Karin Kollega", network.colleague.role.name),
    ]
    text = _flat(extract_content(person, language="sv")[1])
    # the new label "Reader's role" may not be in the catalogue yet: the row, not its wording
    assert "Läsare: Maria Managersson · " in text and ": chef · " in text
    for username in ("manager", "lead"):
        assert f": {username} " not in text and f"Läsare: {username}" not in text


@pytest.fixture
def network(network: Any) -> Any:
    """The network, with the colleague given an account of its own to read with."""
    from kompetenslyft.org.tests.factories import UserFactory

    def colleague_reader(net: Any) -> Any:
        colleague = net.colleague
        colleague.user = UserFactory(username="kkollega")
        colleague.save()
        return colleague

    network.colleague_reader = colleague_reader
    return network
