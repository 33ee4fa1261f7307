"""Every part of a statement, valid and not: each refusal names the JSON path of the fault."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.lrs import validation
from kompetenslyft.lrs.validation import Invalid

from .helpers import statement

AGENT = {"objectType": "Agent", "mbox": "mailto:a@example.org"}
ACTIVITY = {"objectType": "Activity", "id": "https://example.org/a"}
UUID = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"


def with_context(**context: Any) -> dict[str, Any]:
    return statement(context=context)


VALID: list[tuple[str, dict[str, Any], str]] = [
    ("minimal", statement(), "1.0.3"),
    (
        "account actor",
        statement(actor={"account": {"homePage": "https://hr.example", "name": "E00001"}}),
        "1.0.3",
    ),
    ("sha1 actor", statement(actor={"mbox_sha1sum": "a" * 40}), "1.0.3"),
    ("openid actor", statement(actor={"openid": "https://id.example/elin"}), "1.0.3"),
    ("anonymous group", statement(actor={"objectType": "Group", "member": [AGENT]}), "1.0.3"),
    (
        "identified group no members",
        statement(actor={"objectType": "Group", "mbox": "mailto:g@x.org"}),
        "1.0.3",
    ),
    ("agent object", statement(object={**AGENT}), "1.0.3"),
    ("statement ref", statement(object={"objectType": "StatementRef", "id": UUID}), "1.0.3"),
    (
        "sub-statement",
        statement(
            object={
                "objectType": "SubStatement",
                "actor": AGENT,
                "verb": {"id": "http://x.org/v"},
                "object": ACTIVITY,
            }
        ),
        "1.0.3",
    ),
    (
        "score",
        statement(
            result={
                "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
                "success": True,
                "completion": True,
                "duration": "PT1H30M",
                "response": "x",
            }
        ),
        "1.0.3",
    ),
    (
        "context",
        with_context(
            registration=UUID,
            instructor=AGENT,
            team={"objectType": "Group", "member": [AGENT]},
            contextActivities={"parent": [ACTIVITY], "grouping": ACTIVITY},
            revision="1",
            platform="p",
            language="sv-SE",
            statement={"objectType": "StatementRef", "id": UUID},
            extensions={"https://x.org/e": {"any": 1}},
        ),
        "1.0.3",
    ),
    (
        "context agents in 2.0",
        with_context(
            contextAgents=[
                {"objectType": "contextAgent", "agent": AGENT, "relevantTypes": ["https://x.org/t"]}
            ]
        ),
        "2.0.0",
    ),
    (
        "context groups in 2.0",
        with_context(
            contextGroups=[
                {"objectType": "contextGroup", "group": {"objectType": "Group", "member": [AGENT]}}
            ]
        ),
        "2.0.0",
    ),
    ("timestamp with offset", statement(timestamp="2026-11-22T10:00:00.123+01:00"), "1.0.3"),
    (
        "interaction",
        statement(
            object={
                "id": "https://x.org/q",
                "definition": {
                    "interactionType": "choice",
                    "correctResponsesPattern": ["a"],
                    "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
                },
            }
        ),
        "1.0.3",
    ),
    ("version stated", statement(version="1.0.0"), "1.0.3"),
    (
        "attachment with fileUrl",
        statement(
            attachments=[
                {
                    "usageType": "https://x.org/u",
                    "display": {"en": "cert"},
                    "contentType": "application/pdf",
                    "length": 10,
                    "sha2": "a" * 64,
                    "fileUrl": "https://x.org/f.pdf",
                }
            ]
        ),
        "1.0.3",
    ),
]


@pytest.mark.parametrize(("name", "value", "version"), VALID, ids=[v[0] for v in VALID])
def test_valid(name: str, value: dict[str, Any], version: str) -> None:
    validation.statement(value, version)


INVALID: list[tuple[str, Any, str, str]] = [
    ("not an object", [], "1.0.3", "$"),
    ("no actor", {k: v for k, v in statement().items() if k != "actor"}, "1.0.3", "$.actor"),
    ("unknown property", statement(foo=1), "1.0.3", "$.foo"),
    (
        "two IFIs",
        statement(actor={"mbox": "mailto:a@b.org", "openid": "https://x.org/o"}),
        "1.0.3",
        "$.actor",
    ),
    ("no IFI", statement(actor={"name": "Elin"}), "1.0.3", "$.actor"),
    ("bad mbox", statement(actor={"mbox": "a@b.org"}), "1.0.3", "$.actor.mbox"),
    ("bad sha1", statement(actor={"mbox_sha1sum": "xyz"}), "1.0.3", "$.actor.mbox_sha1sum"),
    ("bad openid", statement(actor={"openid": "not an iri"}), "1.0.3", "$.actor.openid"),
    (
        "account without name",
        statement(actor={"account": {"homePage": "https://x.org"}}),
        "1.0.3",
        "$.actor.account.name",
    ),
    (
        "account bad homePage",
        statement(actor={"account": {"homePage": "x", "name": "n"}}),
        "1.0.3",
        "$.actor.account.homePage",
    ),
    ("agent name not string", statement(actor={**AGENT, "name": 5}), "1.0.3", "$.actor.name"),
    ("anonymous group without members", statement(actor={"objectType": "Group"}), "1.0.3", "$.actor.member"),
    (
        "group in group",
        statement(actor={"objectType": "Group", "member": [{"objectType": "Group", "member": [AGENT]}]}),
        "1.0.3",
        "$.actor.member[0]",
    ),
    (
        "actor objectType wrong",
        statement(actor={**AGENT, "objectType": "Person"}),
        "1.0.3",
        "$.actor.objectType",
    ),
    ("verb without id", statement(verb={"display": {"en": "x"}}), "1.0.3", "$.verb.id"),
    ("verb id not IRI", statement(verb={"id": "completed"}), "1.0.3", "$.verb.id"),
    (
        "verb display not map",
        statement(verb={"id": "http://x.org/v", "display": "done"}),
        "1.0.3",
        "$.verb.display",
    ),
    (
        "bad language tag",
        statement(verb={"id": "http://x.org/v", "display": {"not a tag": "x"}}),
        "1.0.3",
        "$.verb.display.not a tag",
    ),
    ("activity without id", statement(object={"objectType": "Activity"}), "1.0.3", "$.object.id"),
    ("activity id not IRI", statement(object={"id": "module 1"}), "1.0.3", "$.object.id"),
    (
        "unknown object type",
        statement(object={"objectType": "Thing", "id": "x:y"}),
        "1.0.3",
        "$.object.objectType",
    ),
    (
        "agent object without objectType",
        statement(object={"mbox": "mailto:a@b.org"}),
        "1.0.3",
        "$.object.mbox",
    ),
    (
        "statement ref bad id",
        statement(object={"objectType": "StatementRef", "id": "1"}),
        "1.0.3",
        "$.object.id",
    ),
    (
        "sub-statement with id",
        statement(
            object={
                "objectType": "SubStatement",
                "id": UUID,
                "actor": AGENT,
                "verb": {"id": "http://x.org/v"},
                "object": ACTIVITY,
            }
        ),
        "1.0.3",
        "$.object.id",
    ),
    (
        "nested sub-statement",
        statement(
            object={
                "objectType": "SubStatement",
                "actor": AGENT,
                "verb": {"id": "http://x.org/v"},
                "object": {"objectType": "SubStatement"},
            }
        ),
        "1.0.3",
        "$.object.object.objectType",
    ),
    (
        "definition unknown key",
        statement(object={"id": "x:y", "definition": {"title": "x"}}),
        "1.0.3",
        "$.object.definition.title",
    ),
    (
        "choices without interactionType",
        statement(object={"id": "x:y", "definition": {"choices": []}}),
        "1.0.3",
        "$.object.definition.choices",
    ),
    (
        "scale on choice",
        statement(object={"id": "x:y", "definition": {"interactionType": "choice", "scale": []}}),
        "1.0.3",
        "$.object.definition.scale",
    ),
    (
        "duplicate component id",
        statement(
            object={
                "id": "x:y",
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "1.0.3",
        "$.object.definition.choices[1].id",
    ),
    (
        "bad interactionType",
        statement(object={"id": "x:y", "definition": {"interactionType": "essay"}}),
        "1.0.3",
        "$.object.definition.interactionType",
    ),
    ("scaled above 1", statement(result={"score": {"scaled": 1.5}}), "1.0.3", "$.result.score.scaled"),
    (
        "raw above max",
        statement(result={"score": {"raw": 11, "min": 0, "max": 10}}),
        "1.0.3",
        "$.result.score.raw",
    ),
    ("raw below min", statement(result={"score": {"raw": -1, "min": 0}}), "1.0.3", "$.result.score.raw"),
    ("min not below max", statement(result={"score": {"min": 5, "max": 5}}), "1.0.3", "$.result.score.min"),
    ("score a string", statement(result={"score": {"raw": "5"}}), "1.0.3", "$.result.score.raw"),
    ("success not bool", statement(result={"success": "true"}), "1.0.3", "$.result.success"),
    ("bad duration", statement(result={"duration": "1 hour"}), "1.0.3", "$.result.duration"),
    ("bad duration P", statement(result={"duration": "PT"}), "1.0.3", "$.result.duration"),
    ("result unknown key", statement(result={"grade": "A"}), "1.0.3", "$.result.grade"),
    ("registration not uuid", with_context(registration="abc"), "1.0.3", "$.context.registration"),
    (
        "revision with agent object",
        statement(object=AGENT, context={"revision": "1"}),
        "1.0.3",
        "$.context.revision",
    ),
    (
        "platform with statement ref",
        statement(object={"objectType": "StatementRef", "id": UUID}, context={"platform": "x"}),
        "1.0.3",
        "$.context.platform",
    ),
    ("team not group", with_context(team=AGENT), "1.0.3", "$.context.team"),
    (
        "contextActivities unknown",
        with_context(contextActivities={"sibling": [ACTIVITY]}),
        "1.0.3",
        "$.context.contextActivities.sibling",
    ),
    ("contextAgents in 1.0.3", with_context(contextAgents=[]), "1.0.3", "$.context.contextAgents"),
    (
        "contextAgent wrong objectType",
        with_context(contextAgents=[{"objectType": "Agent", "agent": AGENT}]),
        "2.0.0",
        "$.context.contextAgents[0].objectType",
    ),
    (
        "contextAgent empty relevantTypes",
        with_context(contextAgents=[{"objectType": "contextAgent", "agent": AGENT, "relevantTypes": []}]),
        "2.0.0",
        "$.context.contextAgents[0].relevantTypes",
    ),
    (
        "contextGroup with agent",
        with_context(contextGroups=[{"objectType": "contextGroup", "group": AGENT}]),
        "2.0.0",
        "$.context.contextGroups[0].group",
    ),
    ("context language bad", with_context(language="english please"), "1.0.3", "$.context.language"),
    (
        "extension key not IRI",
        with_context(extensions={"color": "red"}),
        "1.0.3",
        "$.context.extensions['color']",
    ),
    ("timestamp without zone", statement(timestamp="2026-11-22T10:00:00"), "1.0.3", "$.timestamp"),
    ("timestamp -00:00", statement(timestamp="2026-11-22T10:00:00-00:00"), "1.0.3", "$.timestamp"),
    ("timestamp not a date", statement(timestamp="2026-13-45T10:00:00Z"), "1.0.3", "$.timestamp"),
    ("id not uuid", statement(id="123"), "1.0.3", "$.id"),
    ("version 2 in 1.0.3", statement(version="2.0.0"), "1.0.3", "$.version"),
    ("version garbage", statement(version="abc"), "2.0.0", "$.version"),
    ("voiding non-ref", statement(verb={"id": validation.VOIDED}), "1.0.3", "$.object"),
    (
        "attachment negative length",
        statement(
            attachments=[
                {
                    "usageType": "https://x.org/u",
                    "display": {"en": "c"},
                    "contentType": "text/plain",
                    "length": -1,
                    "sha2": "a" * 64,
                }
            ]
        ),
        "1.0.3",
        "$.attachments[0].length",
    ),
    (
        "attachment bad sha2",
        statement(
            attachments=[
                {
                    "usageType": "https://x.org/u",
                    "display": {"en": "c"},
                    "contentType": "text/plain",
                    "length": 1,
                    "sha2": "zz",
                    "fileUrl": "https://x.org/f",
                }
            ]
        ),
        "1.0.3",
        "$.attachments[0].sha2",
    ),
    ("authority bad", statement(authority={"name": "x"}), "1.0.3", "$.authority"),
]


@pytest.mark.parametrize(("name", "value", "version", "path"), INVALID, ids=[v[0] for v in INVALID])
def test_invalid_names_the_path(name: str, value: Any, version: str, path: str) -> None:
    with pytest.raises(Invalid) as caught:
        validation.statement(value, version)
    assert caught.value.path == path, str(caught.value)
