"""Many people's statements pseudonymised at once (``lrs.erasure``): the common case — the
person only as the actor — is rewritten by the database, byte for byte except the actor; every
other case by Python; no agent naming a person stays, nobody else's statement changes."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.lrs import erasure
from kompetenslyft.lrs.models import Pseudonym, Statement
from kompetenslyft.lrs.services import PSEUDONYM_HOME, statements_naming
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import Xapi, body, new_id, statement

pytestmark = pytest.mark.django_db

# A statement with the parts whose bytes must survive: unicode, escapes, numbers as sent
# (orjson's forms), extensions, a registration, a timestamp.
RICH = {
    "result": {
        "score": {"scaled": 0.85, "raw": 17, "min": 0, "max": 20},
        "success": True,
        "duration": "PT1H2M3.5S",
        "response": 'Svar med "citat", \\ och ÅÄÖ 😀',
        "extensions": {"https://x.example/e": {"n": 1e-7, "big": 12345678901234567, "s": "ü/\t"}},
    },
    "context": {
        "registration": "9d2c6a3e-3a0e-4c0a-9a3e-2f0d5b8e7a11",
        "language": "sv-SE",
        "contextActivities": {"parent": [{"id": "https://x.example/course/1"}]},
    },
    "timestamp": "2024-02-29T23:59:59.123+01:00",
}


def _row(organisation: Any, ident: str) -> Statement:
    return Statement.objects.get(organisation=organisation, statement_id=ident)


def test_the_actor_only_case_is_rewritten_in_the_database_byte_for_byte(network: Any) -> None:
    org = network.org_a
    anna = PersonFactory(unit=network.unit1, email="anna.berg@alfa.se", employee_id="E-1001")
    bo = PersonFactory(unit=network.unit1, email="bo@alfa.se", employee_id="E-1002")
    x = Xapi(org)
    mbox = {"objectType": "Agent", "name": "Anna Berg", "mbox": "mailto:anna.berg@alfa.se"}
    by_mail = body(x.post(statement(actor=mbox, **RICH)))[0]
    by_account = body(
        x.post(statement(actor={"account": {"homePage": "https://hr.alfa.se", "name": "E-1001"}}, **RICH))
    )[0]
    by_sha = body(
        x.post(
            statement(
                actor={"mbox_sha1sum": hashlib.sha1(b"mailto:bo@alfa.se").hexdigest().upper()}  # noqa: S324
            )
        )
    )[0]
    # Also the instructor: Python's work (the person twice in one statement).
    twice = body(x.post(statement(actor=mbox, context={"instructor": mbox})))[0]
    # Bo as the actor, Anna as the instructor: Bo in the database, Anna in Python.
    both = body(
        x.post(statement(actor={"mbox": "mailto:bo@alfa.se"}, context={"instructor": {"mbox": mbox["mbox"]}}))
    )[0]
    # A group naming Anna among its members: Python's.
    group = body(
        x.post(statement(actor={"objectType": "Group", "member": [mbox, {"mbox": "mailto:k@alfa.se"}]}))
    )[0]
    # Anna as the actor and again as an agent-like extension value: Python's (it replaces both).
    extension = body(
        x.post(
            statement(
                actor=mbox,
                result={"extensions": {"https://x.example/peer": {"mbox": "mailto:anna.berg@alfa.se"}}},
            )
        )
    )[0]
    other = body(x.post(statement(actor={"mbox": "mailto:annaberg@alfa.se"}, **RICH)))[0]
    # Voided: the flag stays.
    x.post(
        statement(
            actor={"mbox": "mailto:admin@alfa.se"},
            verb={"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            object={"objectType": "StatementRef", "id": by_account},
        )
    )
    before = {i: _row(org, i) for i in (by_mail, by_account, by_sha, twice, both, group, extension, other)}
    assert before[by_account].voided

    hits = statements_naming(org.pk, [anna, bo])
    records = {p.pk: Pseudonym(organisation=org, name=f"{n:032x}") for n, p in enumerate([anna, bo], 1)}
    Pseudonym.objects.bulk_create(records.values())
    done, signed = erasure._in_sql(org.pk, [anna, bo], records, hits)
    assert signed == set()
    # The database did the actor-only ones by e-mail or employee id, and Bo's part of the shared
    # one; an actor by SHA-1 (rare: any letter case) is Python's.
    assert done[anna.pk] == {before[by_mail].pk, before[by_account].pk}
    assert done[bo.pk] == {before[both].pk}

    for ident, pseudonym in ((by_mail, records[anna.pk].name), (by_account, records[anna.pk].name)):
        old, new = before[ident], _row(org, ident)
        old_actor = orjson.dumps(orjson.loads(old.data)["actor"]).decode()
        kind = {"objectType": "Agent"} if ident == by_mail else {}
        new_actor = orjson.dumps({**kind, **erasure.pseudonym_agent(pseudonym)}).decode()
        # Everything but the actor byte for byte: id, stored, timestamp, authority, result …
        assert new.data == old.data.replace(f'"actor":{old_actor}', f'"actor":{new_actor}', 1)
        assert new.data != old.data
        assert new.actor_key == f"@account:{PSEUDONYM_HOME}|{pseudonym}"
        assert set(new.related_agents.split()) == (set(old.related_agents.split()) - {old.actor_key}) | {
            new.actor_key
        }
        assert (new.statement_id, new.stored, new.voided, new.object_key, new.related_activities) == (
            old.statement_id,
            old.stored,
            old.voided,
            old.object_key,
            old.related_activities,
        )
    assert _row(org, by_account).voided
    assert _row(org, other).data == before[other].data


def test_many_people_leave_no_agent_naming_them(network: Any) -> None:
    org = network.org_a
    anna = PersonFactory(unit=network.unit1, email="anna.berg@alfa.se", employee_id="E-1001")
    bo = PersonFactory(unit=network.unit1, email="bo@alfa.se", employee_id="E-1002")
    x = Xapi(org)
    sent = [
        statement(actor={"objectType": "Agent", "name": "Anna Berg", "mbox": "mailto:anna.berg@alfa.se"}),
        statement(actor={"account": {"homePage": "https://hr.alfa.se", "name": "E-1002"}}),
        statement(actor={"mbox": "mailto:bo@alfa.se"}, context={"instructor": {"mbox": "mailto:bo@alfa.se"}}),
        statement(
            actor={"mbox": "mailto:bo@alfa.se"},
            object={"objectType": "Agent", "mbox": "mailto:anna.berg@alfa.se", "name": "Anna Berg"},
        ),
        statement(
            actor={"mbox": "mailto:c@alfa.se"},
            object={
                "objectType": "SubStatement",
                "actor": {"mbox": "mailto:anna.berg@alfa.se"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
                "object": {"id": "https://x.example/a"},
            },
        ),
    ]
    ids = [body(x.post(s))[0] for s in sent] + [body(x.post(statement(id=new_id(), **RICH)))[0]]
    untouched = _row(org, ids[-1]).data

    hits = statements_naming(org.pk, [anna, bo])
    records = erasure.pseudonymise_many(org.pk, [anna, bo], hits)
    assert records[anna.pk].statements == 3 and records[bo.pk].statements == 3
    assert Pseudonym.objects.get(pk=records[anna.pk].pk).statements == 3
    assert AuditEntry.objects.filter(action="lrs.pseudonymise").count() == 2
    for row in Statement.objects.filter(organisation=org, statement_id__in=ids[:-1]):
        for text in ("anna.berg@alfa.se", "bo@alfa.se", "E-1001", "E-1002", "Anna Berg"):
            assert text not in row.data and text not in row.related_agents
        for text in (records[anna.pk].name, records[bo.pk].name):
            # The related agents hold what the statement names.
            assert (text in row.data) == (text in row.related_agents)
    assert _row(org, ids[-1]).data == untouched
    # The pseudonyms are agents a client can filter by.
    pseudonym = erasure.pseudonym_agent(records[anna.pk].name)
    found = body(x.get({"agent": orjson.dumps(pseudonym).decode(), "related_agents": "true"}))["statements"]
    assert {s["id"] for s in found} == {ids[0], ids[3], ids[4]}
