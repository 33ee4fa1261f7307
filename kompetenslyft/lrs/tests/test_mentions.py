"""The related_agents / related_activities filters search a side table (lrs.Mention): every agent
and activity a statement names beyond its actor, object and authority, written in the statement's
own transaction, backfilled by the migration and rewritten by an erasure (ADR 0008)."""

from __future__ import annotations

import importlib
from typing import Any

import orjson
import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kompetenslyft.lrs import keys
from kompetenslyft.lrs.models import Mention, Statement
from kompetenslyft.lrs.services import PSEUDONYM_HOME, authority_of, pseudonymise_actor

from .helpers import Xapi, body, statement

pytestmark = pytest.mark.django_db

ELIN = {"objectType": "Agent", "mbox": "mailto:elin@example.org"}
OLLE = {"objectType": "Agent", "account": {"homePage": "https://hr.example", "name": "E00042"}}
KARIN = {"objectType": "Agent", "mbox": "mailto:karin@example.org"}
COURSE = "https://x.org/course"


@pytest.fixture
def x(network: Any) -> Xapi:
    return Xapi(network.org_a)


def ids(x: Xapi, **params: str) -> set[str]:
    response = x.get(params)
    assert response.status_code == 200, response.content
    return {s["id"] for s in body(response)["statements"]}


def agent(value: dict) -> str:
    return orjson.dumps(value).decode()


def hashes_of(statement_id: str) -> set[int]:
    pk = Statement.objects.get(statement_id=statement_id).pk
    return set(Mention.objects.filter(statement_id=pk).values_list("key_hash", flat=True))


def test_a_statement_mentions_what_its_own_columns_do_not_hold(x: Xapi) -> None:
    plain, rich = body(
        x.post(
            [
                statement(actor=ELIN),
                statement(
                    actor={"objectType": "Group", "mbox": "mailto:team@x.org", "member": [ELIN, OLLE]},
                    context={
                        "instructor": KARIN,
                        "contextActivities": {
                            "parent": [{"id": COURSE}],
                            "grouping": {"id": "https://x.org/g"},
                        },
                    },
                ),
            ]
        )
    )
    assert hashes_of(plain) == set()  # actor, object and authority: their own columns
    expected = {keys.key_hash(k) for k in ("@mbox:mailto:elin@example.org", "@mbox:mailto:karin@example.org")}
    expected |= {keys.key_hash("@account:https://hr.example|E00042"), keys.key_hash(COURSE)}
    expected.add(keys.key_hash("https://x.org/g"))
    assert hashes_of(rich) == expected


def test_related_filters_find_every_place_an_agent_or_activity_is_named(x: Xapi) -> None:
    as_actor = body(x.post(statement(actor=ELIN)))[0]
    as_object = body(x.post(statement(actor=OLLE, object=ELIN)))[0]
    as_instructor = body(x.post(statement(actor=OLLE, context={"instructor": ELIN})))[0]
    as_member = body(x.post(statement(actor={"objectType": "Group", "member": [OLLE, ELIN]})))[0]
    as_team = body(
        x.post(statement(actor=OLLE, context={"team": {"objectType": "Group", "member": [ELIN]}}))
    )[0]
    in_sub = body(
        x.post(
            statement(
                actor=OLLE,
                object={
                    "objectType": "SubStatement",
                    "actor": KARIN,
                    "verb": {"id": "http://x.org/asked"},
                    "object": ELIN,
                    "context": {"contextActivities": {"parent": [{"id": COURSE}]}},
                },
            )
        )
    )[0]
    x2 = Xapi(x.client.organisation, version="2.0.0")
    as_context_agent = body(
        x2.post(
            statement(actor=OLLE, context={"contextAgents": [{"objectType": "contextAgent", "agent": ELIN}]})
        )
    )[0]
    unrelated = body(x.post(statement(actor=OLLE)))[0]

    found = ids(x, agent=agent(ELIN), related_agents="true")
    assert found == {as_actor, as_object, as_instructor, as_member, as_team, in_sub, as_context_agent}
    assert unrelated not in found
    assert ids(x, agent=agent(ELIN)) == {as_actor, as_object}
    assert ids(x, activity=COURSE, related_activities="true") == {in_sub}
    assert ids(x, agent=agent(KARIN), related_agents="true") == {in_sub}
    # Both related filters at once, and beside another filter.
    assert ids(x, agent=agent(KARIN), related_agents="true", activity=COURSE, related_activities="true") == {
        in_sub
    }
    assert ids(x, agent=agent(ELIN), related_agents="true", verb="http://x.org/none") == set()


def test_the_authority_is_a_related_agent(x: Xapi) -> None:
    mine = body(x.post([statement(actor=ELIN), statement(actor=OLLE)]))
    other = Xapi(x.client.organisation)
    body(other.post(statement(actor=ELIN)))
    authority = authority_of(x.client)
    assert ids(x, agent=agent(authority), related_agents="true") == set(mine)
    assert ids(x, agent=agent(authority)) == set()


def test_the_filters_search_the_mentions_and_check_the_match(x: Xapi) -> None:
    named = body(x.post(statement(actor=OLLE, context={"instructor": ELIN})))[0]
    other = body(x.post(statement(actor=OLLE, context={"instructor": KARIN})))[0]
    # Without its mention, the statement is not found: the filter searches the index, not the text.
    Mention.objects.filter(statement_id=Statement.objects.get(statement_id=named).pk).delete()
    assert ids(x, agent=agent(ELIN), related_agents="true") == set()
    # A mention whose hash names a key the statement does not (a collision) finds nothing.
    Mention.objects.create(
        organisation_id=x.client.organisation_id,
        key_hash=keys.key_hash("@mbox:mailto:elin@example.org"),
        statement_id=Statement.objects.get(statement_id=other).pk,
    )
    assert ids(x, agent=agent(ELIN), related_agents="true") == set()
    with CaptureQueriesContext(connection) as queries:
        x.get({"agent": agent(KARIN), "related_agents": "true"})
    text = " ".join(q["sql"] for q in queries.captured_queries)
    assert Mention._meta.db_table in text and "key_hash" in text


def test_the_migration_backfills_the_statements_stored_before(x: Xapi) -> None:
    stored = body(
        x.post(
            [
                statement(
                    actor=OLLE,
                    context={"instructor": ELIN, "contextActivities": {"parent": [{"id": COURSE}]}},
                ),
                statement(actor=ELIN),
            ]
        )
    )
    before = {ident: hashes_of(ident) for ident in stored}
    Mention.objects.all().delete()
    migration = importlib.import_module("kompetenslyft.lrs.migrations.0006_mentions")
    migration.backfill(django_apps, None)
    assert {ident: hashes_of(ident) for ident in stored} == before
    assert before[stored[0]] and not before[stored[1]]
    assert ids(x, activity=COURSE, related_activities="true") == {stored[0]}


def test_an_erasure_rewrites_the_persons_mentions(network: Any) -> None:
    person = network.employee
    mbox = f"mailto:{person.email}"
    x = Xapi(network.org_a)
    instructed, member = body(
        x.post(
            [
                statement(actor=OLLE, context={"instructor": {"mbox": mbox}}),
                statement(actor={"objectType": "Group", "member": [{"mbox": mbox}, OLLE]}),
            ]
        )
    )
    record = pseudonymise_actor(person)
    pseudonym = {"account": {"homePage": PSEUDONYM_HOME, "name": record.name}}
    gone = keys.key_hash(f"@mbox:{mbox}")
    assert not Mention.objects.filter(key_hash=gone).exists()
    for ident in (instructed, member):
        assert keys.key_hash(keys.agent_key(pseudonym)) in hashes_of(ident)
    assert ids(x, agent=agent({"mbox": mbox}), related_agents="true") == set()
    assert ids(x, agent=agent(pseudonym), related_agents="true") == {instructed, member}
    assert ids(x, agent=agent(OLLE), related_agents="true") == {instructed, member}


def test_a_key_many_statements_mention_is_found_in_stored_order(x: Xapi, monkeypatch: Any) -> None:
    monkeypatch.setattr("kompetenslyft.lrs.selectors.POPULAR", 2)
    context = {"contextActivities": {"parent": [{"id": COURSE}]}}
    sent = body(x.post([statement(actor=OLLE, context=context) for _ in range(3)] + [statement(actor=OLLE)]))
    with CaptureQueriesContext(connection) as queries:
        response = x.get({"activity": COURSE, "related_activities": "true", "limit": "2"})
    assert [s["id"] for s in body(response)["statements"]] == sent[:3][::-1][:2]
    page = [q["sql"] for q in queries.captured_queries if "data" in q["sql"]]
    assert page and "key_hash" not in page[-1]  # the page itself is read in stored order
    assert ids(x, activity=COURSE, related_activities="true") == set(sent[:3])
