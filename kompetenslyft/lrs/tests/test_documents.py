"""The document resources: State, Activity Profile and Agent Profile — ETag concurrency as the
request's version says, JSON merge on POST, id lists with since, DELETE, HEAD, the wall."""

from __future__ import annotations

import urllib.parse
from typing import Any

import orjson
import pytest

from .helpers import SCOPE_WRITE, Xapi, body

pytestmark = pytest.mark.django_db

AGENT = orjson.dumps({"mbox": "mailto:elin@example.org"}).decode()
ACTIVITY = "https://kompetenslyft.example/modules/M1"
STATE = {"activityId": ACTIVITY, "agent": AGENT}


def call(x: Xapi, method: str, path: str, params: dict[str, str], content: Any = None, **headers: str) -> Any:
    url = f"{path}?{urllib.parse.urlencode(params)}"
    data = orjson.dumps(content) if content is not None and not isinstance(content, bytes) else content
    kwargs: dict[str, Any] = {**x.headers(**headers)}
    if data is not None:
        kwargs["content_type"] = headers.pop("content_type", "application/json")
        return getattr(x.http, method)(url, data, **kwargs)
    return getattr(x.http, method)(url, **kwargs)


@pytest.mark.parametrize(
    ("path", "params", "id_name"),
    [
        ("/xapi/activities/state", STATE, "stateId"),
        ("/xapi/activities/profile", {"activityId": ACTIVITY}, "profileId"),
        ("/xapi/agents/profile", {"agent": AGENT}, "profileId"),
    ],
)
def test_put_get_merge_list_delete(network: Any, path: str, params: dict[str, str], id_name: str) -> None:
    x = Xapi(network.org_a, version="2.0.0")
    one = {**params, id_name: "bookmark"}
    created = call(x, "put", path, one, {"page": 1}, HTTP_IF_NONE_MATCH="*")
    assert created.status_code == 204, created.content
    tag = created["ETag"]
    got = call(x, "get", path, one)
    assert body(got) == {"page": 1} and got["ETag"] == tag
    head = call(x, "head", path, one)
    assert head.status_code == 200 and head.content == b"" and head["ETag"] == tag
    # PUT without a precondition to an existing document: 409; a stale ETag: 412.
    assert call(x, "put", path, one, {"page": 2}).status_code == 409
    assert call(x, "put", path, one, {"page": 2}, HTTP_IF_MATCH='"stale"').status_code == 412
    assert call(x, "put", path, one, {"page": 2}, HTTP_IF_NONE_MATCH="*").status_code == 412
    replaced = call(x, "put", path, one, {"page": 2, "done": False}, HTTP_IF_MATCH=tag)
    assert replaced.status_code == 204
    merged = call(x, "post", path, one, {"done": True, "score": 5}, HTTP_IF_MATCH=replaced["ETag"])
    assert merged.status_code == 204
    assert body(call(x, "get", path, one)) == {"page": 2, "done": True, "score": 5}
    assert call(x, "post", path, one, [1, 2]).status_code == 400
    call(
        x,
        "put",
        path,
        {**params, id_name: "other"},
        b"raw text",
        content_type="text/plain",
        HTTP_IF_NONE_MATCH="*",
    )
    assert call(x, "post", path, {**params, id_name: "other"}, {"a": 1}).status_code == 400
    assert body(call(x, "get", path, params)) == ["bookmark", "other"]
    assert body(call(x, "get", path, {**params, "since": "2999-01-01T00:00:00Z"})) == []
    assert call(x, "delete", path, one, HTTP_IF_MATCH='"stale"').status_code == 412
    assert call(x, "delete", path, one).status_code == 204
    assert call(x, "get", path, one).status_code == 404
    # Another organisation sees nothing.
    assert body(call(Xapi(network.org_b), "get", path, params)) == []


def test_state_concurrency_follows_the_version(network: Any) -> None:
    one = {**STATE, "stateId": "s"}
    old = Xapi(network.org_a, version="1.0.3")
    assert call(old, "put", "/xapi/activities/state", one, {"a": 1}).status_code == 204
    assert call(old, "put", "/xapi/activities/state", one, {"a": 2}).status_code == 204  # 1.0.3: none
    new = Xapi(network.org_a, version="2.0.0")
    assert call(new, "put", "/xapi/activities/state", one, {"a": 3}).status_code == 409
    # 1.0.3 profiles do have it.
    profile = {"activityId": ACTIVITY, "profileId": "p"}
    assert call(old, "put", "/xapi/activities/profile", profile, {"a": 1}).status_code == 204
    assert call(old, "put", "/xapi/activities/profile", profile, {"a": 2}).status_code == 409


def test_state_registration_and_delete_all(network: Any) -> None:
    x = Xapi(network.org_a)
    reg = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    call(x, "put", "/xapi/activities/state", {**STATE, "stateId": "a"}, {"x": 1})
    call(x, "put", "/xapi/activities/state", {**STATE, "stateId": "b", "registration": reg}, {"x": 2})
    assert body(call(x, "get", "/xapi/activities/state", STATE)) == ["a"]
    assert body(call(x, "get", "/xapi/activities/state", {**STATE, "registration": reg})) == ["b"]
    assert call(x, "delete", "/xapi/activities/state", STATE).status_code == 204
    assert body(call(x, "get", "/xapi/activities/state", STATE)) == []
    assert body(call(x, "get", "/xapi/activities/state", {**STATE, "registration": reg})) == ["b"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/xapi/activities/state", {"agent": AGENT, "stateId": "s"}),
        ("/xapi/activities/state", {"activityId": ACTIVITY, "stateId": "s"}),
        ("/xapi/activities/state", {**STATE, "stateId": "s", "registration": "nope"}),
        ("/xapi/activities/state", {**STATE, "stateId": "s", "colour": "red"}),
        ("/xapi/activities/profile", {"activityId": "not an iri", "profileId": "p"}),
        ("/xapi/agents/profile", {"agent": '{"name": "x"}', "profileId": "p"}),
        ("/xapi/agents/profile", {"profileId": "p"}),
    ],
)
def test_bad_parameters(network: Any, path: str, params: dict[str, str]) -> None:
    x = Xapi(network.org_a)
    assert call(x, "put", path, params, {"a": 1}).status_code == 400
    assert call(x, "get", path, params).status_code == 400


def test_scopes_on_documents(network: Any) -> None:
    writer = Xapi(network.org_a, scopes=(SCOPE_WRITE,))
    assert (
        call(writer, "put", "/xapi/agents/profile", {"agent": AGENT, "profileId": "p"}, {"a": 1}).status_code
        == 204
    )
    assert call(writer, "get", "/xapi/agents/profile", {"agent": AGENT, "profileId": "p"}).status_code == 403
    assert call(
        writer,
        "put",
        "/xapi/agents/profile",
        {"agent": AGENT, "profileId": "p"},
        b"{bad",
        HTTP_IF_NONE_MATCH="*",
    ).status_code in (400, 412)


def test_activities_and_agents_resources(network: Any) -> None:
    x = Xapi(network.org_a)
    x.post({"actor": {"mbox": "mailto:elin@example.org", "name": "Elin"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": ACTIVITY, "definition": {"name": {"sv-SE": "Modul ett"}}}})  # fmt: skip
    activity = body(call(x, "get", "/xapi/activities", {"activityId": ACTIVITY}))
    assert activity == {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"sv-SE": "Modul ett"}},
    }
    unknown = body(call(x, "get", "/xapi/activities", {"activityId": "https://x.org/none"}))
    assert unknown == {"objectType": "Activity", "id": "https://x.org/none"}
    person = body(call(x, "get", "/xapi/agents", {"agent": AGENT}))
    assert person == {"objectType": "Person", "name": ["Elin"], "mbox": ["mailto:elin@example.org"]}
    assert body(call(Xapi(network.org_b), "get", "/xapi/agents", {"agent": AGENT})) == {
        "objectType": "Person", "mbox": ["mailto:elin@example.org"]}  # fmt: skip
    assert call(x, "get", "/xapi/activities", {}).status_code == 400
    assert call(x, "get", "/xapi/agents", {"agent": "{}"}).status_code == 400
    assert call(x, "head", "/xapi/activities", {"activityId": ACTIVITY}).content == b""


def test_agents_resource_keeps_to_the_clients_statements(network: Any) -> None:
    from .helpers import SCOPE_READ_MINE

    Xapi(network.org_a).post(
        {"actor": {"mbox": "mailto:elin@example.org", "name": "Elin Ek"},
         "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"}, "object": {"id": ACTIVITY}}
    )  # fmt: skip
    mine = Xapi(network.org_a, scopes=(SCOPE_READ_MINE,))
    assert "name" not in body(call(mine, "get", "/xapi/agents", {"agent": AGENT}))


@pytest.mark.parametrize(
    ("path", "params", "id_name"),
    [
        ("/xapi/activities/state", STATE, "stateId"),
        ("/xapi/activities/profile", {"activityId": ACTIVITY}, "profileId"),
        ("/xapi/agents/profile", {"agent": AGENT}, "profileId"),
    ],
)
def test_read_mine_reads_only_the_documents_the_client_wrote(
    network: Any, path: str, params: dict[str, str], id_name: str
) -> None:
    from .helpers import SCOPE_READ_MINE

    other = Xapi(network.org_a)  # write and read all
    assert call(other, "put", path, {**params, id_name: "theirs"}, {"secret": 1}).status_code == 204
    mine = Xapi(network.org_a, scopes=(SCOPE_WRITE, SCOPE_READ_MINE))
    assert call(mine, "put", path, {**params, id_name: "mine"}, {"own": 2}).status_code == 204
    assert call(mine, "get", path, {**params, id_name: "theirs"}).status_code == 404
    found = call(mine, "get", path, {**params, id_name: "mine"})
    assert found.status_code == 200 and orjson.loads(found.content) == {"own": 2}
    assert orjson.loads(call(mine, "get", path, params).content) == ["mine"]
    # The client with statements/read/all reads both.
    assert orjson.loads(call(other, "get", path, params).content) == ["mine", "theirs"]
    assert orjson.loads(call(other, "get", path, {**params, id_name: "mine"}).content) == {"own": 2}


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
@pytest.mark.parametrize(
    ("path", "params", "id_name"),
    [
        ("/xapi/activities/state", STATE, "stateId"),
        ("/xapi/activities/profile", {"activityId": ACTIVITY}, "profileId"),
        ("/xapi/agents/profile", {"agent": AGENT}, "profileId"),
    ],
)
def test_post_of_json_that_is_not_an_object_is_refused_even_when_new(
    network: Any, version: str, path: str, params: dict[str, str], id_name: str
) -> None:
    x = Xapi(network.org_a, version=version)
    for content in ([1], "x", 3, None):
        raw = orjson.dumps(content)
        response = call(x, "post", path, {**params, id_name: "new"}, raw)
        assert response.status_code == 400, (content, response.content)
        assert b"not a JSON object" in response.content
    assert call(x, "get", path, {**params, id_name: "new"}).status_code == 404
    assert call(x, "post", path, {**params, id_name: "new"}, {"a": 1}).status_code == 204
    assert orjson.loads(call(x, "get", path, {**params, id_name: "new"}).content) == {"a": 1}
