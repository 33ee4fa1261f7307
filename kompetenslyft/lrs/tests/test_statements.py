"""The statements resource: PUT/POST (ids, conflicts, all or nothing), the properties the LRS
sets, voiding, statement references, every GET filter, paging and formats."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

import orjson
import pytest

from kompetenslyft.lrs.models import Statement
from kompetenslyft.lrs.validation import VOIDED

from .helpers import Xapi, body, new_id, statement

pytestmark = pytest.mark.django_db

ELIN = {"objectType": "Agent", "mbox": "mailto:elin@example.org"}
OLLE = {"objectType": "Agent", "account": {"homePage": "https://hr.example", "name": "E00042"}}


@pytest.fixture
def x(network: Any) -> Xapi:
    return Xapi(network.org_a)


def ids_of(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in body(response)["statements"]]


def test_put_then_same_then_different(x: Xapi) -> None:
    ident = new_id()
    assert x.put(statement(), ident).status_code == 204
    assert x.put(statement(), ident).status_code == 204
    assert x.put(statement(id=ident), ident).status_code == 204
    different = x.put(statement(verb={"id": "http://x.org/other"}), ident)
    assert different.status_code == 409
    assert x.put(statement(id=new_id()), ident).status_code == 400
    assert x.put(statement(), "not-a-uuid").status_code == 400
    assert Statement.objects.count() == 1


def test_post_one_and_many(x: Xapi) -> None:
    one = x.post(statement())
    assert one.status_code == 200 and len(body(one)) == 1
    given = new_id()
    many = body(x.post([statement(id=given), statement(), statement()]))
    assert many[0] == given and len(set(many)) == 3
    # The same statement again is accepted (idempotent); with other content it is a conflict.
    assert body(x.post(statement(id=given))) == [given]
    assert x.post(statement(id=given, verb={"id": "http://x.org/v"})).status_code == 409


def test_batch_is_all_or_nothing(x: Xapi) -> None:
    bad = x.post([statement(), statement(), statement(actor={"name": "nobody"})])
    assert bad.status_code == 400
    assert b"$[2].actor" in bad.content
    ident = new_id()
    assert x.post([statement(id=ident), statement(id=ident)]).status_code == 400
    existing = body(x.post(statement()))[0]
    conflict = x.post([statement(), statement(id=existing, verb={"id": "http://x.org/v"})])
    assert conflict.status_code == 409
    assert Statement.objects.count() == 1


def test_bad_bodies(x: Xapi) -> None:
    assert (
        x.http.post(
            "/xapi/statements", b"{not json", content_type="application/json", **x.headers()
        ).status_code
        == 400
    )
    assert x.post([]).status_code == 400
    assert x.post("text").status_code == 400
    assert (
        x.http.post(
            "/xapi/statements", b"--b--", content_type="multipart/mixed; boundary=b", **x.headers()
        ).status_code
        == 400
    )
    assert x.put([statement()], new_id()).status_code == 400
    # Nesting the store could not write back (orjson stops at 255 levels) was a 500.
    for depth in (65, 300):
        deep: object = 1
        for _ in range(depth):
            deep = {"a": deep}
        raw = json.dumps(statement(result={"extensions": {"http://x.org/e": deep}}))
        response = x.http.post("/xapi/statements", raw, content_type="application/json", **x.headers())
        assert response.status_code == 400 and b"64 levels" in response.content
    assert not Statement.objects.exists()


def test_properties_the_lrs_sets(x: Xapi) -> None:
    ident = body(x.post(statement(authority={"mbox": "mailto:forged@x.org"}, stored="2020-01-01T00:00:00Z")))[
        0
    ]
    got = x.get({"statementId": ident})
    data = body(got)
    assert data["id"] == ident
    assert data["authority"]["account"]["name"] == x.client.key
    stored = dt.datetime.fromisoformat(data["stored"].replace("Z", "+00:00"))
    assert abs((stored - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    assert data["timestamp"] == data["stored"]
    assert data["version"] == "1.0.0"
    assert got["Last-Modified"]
    x2 = Xapi(x.client.organisation, version="2.0.0")
    ident2 = body(x2.post(statement(timestamp="2026-01-01T10:00:00+01:00")))[0]
    data2 = body(x2.get({"statementId": ident2}))
    assert data2["version"] == "2.0.0" and data2["timestamp"] == "2026-01-01T10:00:00+01:00"


def test_version_decides_context_agents(network: Any) -> None:
    context = {"contextAgents": [{"objectType": "contextAgent", "agent": ELIN}]}
    old = Xapi(network.org_a, version="1.0.3").post(statement(context=context))
    assert old.status_code == 400 and b"$.context.contextAgents" in old.content
    assert Xapi(network.org_a, version="2.0.0").post(statement(context=context)).status_code == 200


def test_voiding(x: Xapi) -> None:
    target = body(x.post(statement()))[0]
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    voider = body(x.post(voiding))[0]
    assert x.get({"statementId": target}).status_code == 404
    assert body(x.get({"voidedStatementId": target}))["id"] == target
    assert x.get({"voidedStatementId": voider}).status_code == 404
    assert target not in ids_of(x.get())
    assert voider in ids_of(x.get())
    # Voiding a voiding statement is refused and nothing changes.
    again = x.post(statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider}))
    assert again.status_code == 400 and b"voiding statement" in again.content
    assert x.get({"statementId": voider}).status_code == 200


def test_voiding_before_the_target_and_in_one_batch(x: Xapi) -> None:
    early, late = new_id(), new_id()
    x.post(statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": early}))
    x.put(statement(), early)
    assert x.get({"statementId": early}).status_code == 404
    both = x.post(
        [
            statement(id=late),
            statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": late}),
        ]
    )
    assert both.status_code == 200
    assert x.get({"voidedStatementId": late}).status_code == 200
    first = new_id()
    chain = x.post(
        [
            statement(id=first, verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": new_id()}),
            statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": first}),
        ]
    )
    assert chain.status_code == 400


def test_single_get_params(x: Xapi) -> None:
    ident = body(x.post(statement()))[0]
    assert x.get({"statementId": ident, "verb": "http://x.org/v"}).status_code == 400
    assert x.get({"statementId": ident, "voidedStatementId": ident}).status_code == 400
    assert x.get({"statementId": "nope"}).status_code == 400
    assert x.get({"statementId": new_id()}).status_code == 404
    assert x.get({"statementId": ident.upper()}).status_code == 200


def test_filters(x: Xapi) -> None:
    reg = new_id()
    a = body(x.post(statement(actor=ELIN)))[0]
    b = body(
        x.post(
            statement(
                actor=OLLE,
                verb={"id": "http://adlnet.gov/expapi/verbs/passed"},
                context={
                    "registration": reg,
                    "instructor": ELIN,
                    "contextActivities": {"parent": [{"id": "https://x.org/course"}]},
                },
            )
        )
    )[0]
    c = body(x.post(statement(actor=OLLE, object={**ELIN})))[0]
    d = body(
        x.post(
            statement(
                actor={"objectType": "Group", "member": [ELIN, OLLE]}, object={"id": "https://x.org/other"}
            )
        )
    )[0]
    agent = orjson.dumps(ELIN).decode()
    assert set(ids_of(x.get({"agent": agent}))) == {a, c}
    assert set(ids_of(x.get({"agent": agent, "related_agents": "true"}))) == {a, b, c, d}
    assert ids_of(x.get({"verb": "http://adlnet.gov/expapi/verbs/passed"})) == [b]
    assert set(ids_of(x.get({"activity": "https://kompetenslyft.example/modules/M1"}))) == {a, b}
    assert ids_of(x.get({"activity": "https://x.org/course"})) == []
    assert ids_of(x.get({"activity": "https://x.org/course", "related_activities": "true"})) == [b]
    assert ids_of(x.get({"registration": reg})) == [b]
    assert ids_of(
        x.get({"agent": orjson.dumps(OLLE).decode(), "verb": "http://adlnet.gov/expapi/verbs/completed"})
    ) == [c]
    assert x.get({"agent": "{bad"}).status_code == 400
    assert x.get({"agent": '{"name": "x"}'}).status_code == 400
    assert x.get({"verb": "not an iri"}).status_code == 400
    assert x.get({"registration": "x"}).status_code == 400
    assert x.get({"related_agents": "yes"}).status_code == 400


def test_since_until_ascending_and_consistent_through(x: Xapi) -> None:
    first = body(x.post(statement()))[0]
    Statement.objects.filter(statement_id=first).update(stored=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    second = body(x.post(statement()))[0]
    response = x.get({"since": "2026-06-01T00:00:00Z"})
    assert ids_of(response) == [second]
    consistent = response["X-Experience-API-Consistent-Through"]
    assert dt.datetime.fromisoformat(consistent.replace("Z", "+00:00")) <= dt.datetime.now(dt.UTC)
    assert ids_of(x.get({"until": "2026-06-01T00:00:00Z"})) == [first]
    assert ids_of(x.get()) == [second, first]
    assert ids_of(x.get({"ascending": "true"})) == [first, second]
    assert x.get({"since": "yesterday"}).status_code == 400
    assert x.get({"limit": "-1"}).status_code == 400


def test_more_is_stable_while_statements_arrive(x: Xapi) -> None:
    sent = body(x.post([statement() for _ in range(5)]))
    page = body(x.get({"limit": "2"}))
    assert [s["id"] for s in page["statements"]] == sent[::-1][:2]
    body(x.post([statement() for _ in range(3)]))  # newer arrivals do not shift the pages
    seen = [s["id"] for s in page["statements"]]
    while page["more"]:
        url = urllib.parse.urlsplit(page["more"])
        assert url.path == "/xapi/statements"
        page = body(x.get(dict(urllib.parse.parse_qsl(url.query))))
        seen += [s["id"] for s in page["statements"]]
    assert seen == sent[::-1]
    assert x.get({"cursor": "abc"}).status_code == 400


def test_statement_references_follow_a_match(x: Xapi) -> None:
    target = body(x.post(statement(actor=ELIN)))[0]
    ref = body(
        x.post(
            statement(
                actor=OLLE,
                verb={"id": "http://x.org/liked"},
                object={"objectType": "StatementRef", "id": target},
            )
        )
    )[0]
    ref2 = body(
        x.post(
            statement(
                actor=OLLE,
                verb={"id": "http://x.org/shared"},
                object={"objectType": "StatementRef", "id": ref},
            )
        )
    )[0]
    assert set(ids_of(x.get({"agent": orjson.dumps(ELIN).decode()}))) == {target, ref, ref2}
    # since/until/limit apply to the statements themselves
    assert len(ids_of(x.get({"agent": orjson.dumps(ELIN).decode(), "limit": "1"}))) == 1


def test_formats(x: Xapi) -> None:
    ident = body(x.post(statement(actor={**ELIN, "name": "Elin"})))[0]
    exact = body(x.get({"statementId": ident}))
    assert exact["object"]["definition"]["name"] == {"en-US": "Module one", "sv-SE": "Modul ett"}
    ids = body(x.get({"statementId": ident, "format": "ids"}))
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:elin@example.org"}
    assert ids["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert ids["object"] == {"objectType": "Activity", "id": "https://kompetenslyft.example/modules/M1"}
    canonical = body(
        x.get({"statementId": ident, "format": "canonical"}, HTTP_ACCEPT_LANGUAGE="sv-SE, en;q=0.5")
    )
    assert canonical["object"]["definition"]["name"] == {"sv-SE": "Modul ett"}
    assert canonical["verb"]["display"] == {"en-US": "completed"}
    assert canonical["actor"]["name"] == "Elin"
    listed = body(x.get({"format": "ids"}))["statements"][0]
    assert listed["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed"}
    assert x.get({"format": "full"}).status_code == 400


def test_attachments_true_answers_multipart(x: Xapi) -> None:
    ident = body(x.post(statement()))[0]
    response = x.get({"statementId": ident, "attachments": "true"})
    assert response["Content-Type"].startswith("multipart/mixed")
    assert ident.encode() in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        (
            {"actor": {"objectType": "Agent", "name": "El\x00in", "mbox": "mailto:elin@example.org"}},
            "$.actor.name",
        ),
        ({"actor": {"name": "Elin\n", "mbox": "mailto:elin@example.org"}}, "$.actor.name"),
        (
            {"verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "do\x1bne"}}},
            "$.verb.display.en-US",
        ),
        ({"result": {"response": "ja\x7f"}}, "$.result.response"),
        (
            {
                "object": {
                    "id": "https://kompetenslyft.example/modules/M1",
                    "definition": {"name": {"sv-SE": "\tModul"}},
                }
            },
            "$.object.definition.name.sv-SE",
        ),
    ],
)
def test_control_characters_in_free_text_are_refused_naming_the_field(
    network: Any, over: dict[str, Any], field: str
) -> None:
    x = Xapi(network.org_a)
    response = x.post(statement(**over))
    assert response.status_code == 400
    assert field in response.content.decode() and "control character" in response.content.decode()
    assert not Statement.objects.exists()
    assert (
        x.post(statement(actor={"name": "Elin Åström – ok", "mbox": "mailto:elin@example.org"})).status_code
        == 200
    )


def test_a_statement_id_of_another_organisation_cannot_be_probed(network: Any) -> None:
    """PUT answers 409 for an id the LRS holds with other content — but only within the
    client's own organisation: another organisation's ids are not seen (ADR 0008)."""
    from .helpers import SCOPE_WRITE

    ident = new_id()
    theirs = Xapi(network.org_b)
    assert theirs.put(statement(), ident).status_code == 204
    prober = Xapi(network.org_a, scopes=(SCOPE_WRITE,))
    different = statement(verb={"id": "http://x.org/probe"})
    assert prober.put(different, ident).status_code == 204  # as for any new id
    assert prober.post(different | {"id": new_id()}).status_code == 200
    assert Statement.objects.filter(statement_id=ident).count() == 2
    assert set(Statement.objects.filter(statement_id=ident).values_list("organisation_id", flat=True)) == {
        network.org_a.pk,
        network.org_b.pk,
    }
