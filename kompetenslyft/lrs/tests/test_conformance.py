"""Conformance with the xAPI communication part, requirement by requirement (section numbers of
2.0.0 Communication; the 1.0.3 section where it differs). Each test is named after the
requirement it checks and cites it in its docstring; both versions are run where both apply.

Requirements the other test modules already check (not repeated here):

* Communication 1.1 HEAD (statements, about, documents): test_protocol.test_head_has_headers_and_no_body,
  test_documents.test_put_get_merge_list_delete.
* 1.3 Alternate request syntax for statements, other query parameters refused:
  test_protocol.test_alternate_request_syntax_for_1_0.
* 1.5.2 Attachments (parts, hashes, mismatches, dedup, attachments=true, size): test_attachments.
* 2.1.1–2.1.2 PUT/POST statements, ids, 409 conflicts, duplicate ids in a batch, all or nothing:
  test_statements.test_put_then_same_then_different, test_post_one_and_many,
  test_batch_is_all_or_nothing, test_bad_bodies.
* 2.1.3 GET statements — single statement parameters, every filter, since/until/ascending,
  more, StatementRef targets, formats, Accept-Language: test_statements (test_single_get_params,
  test_filters, test_since_until_ascending_and_consistent_through, test_more_is_stable_while_statements_arrive,
  test_statement_references_follow_a_match, test_formats).
* 2.1.4 Voided statements: test_statements.test_voiding, test_voiding_before_the_target_and_in_one_batch.
* 2.2–2.7 Document resources (state, activity and agent profiles: PUT/POST merge/GET/ids with
  since/DELETE, registration, bad parameters), activities and agents resources:
  test_documents.
* 2.8 About: test_protocol.test_about_lists_versions_without_auth.
* 3.1 Concurrency (ETag, If-Match, If-None-Match, 409 by version): test_documents
  (test_put_get_merge_list_delete, test_state_concurrency_follows_the_version).
* 3.2 Errors 400 (unknown parameter), 401, 403, 405: test_protocol (test_unknown_parameter_and_method,
  test_401_with_www_authenticate, test_scopes).
* 3.3 Versioning (1.0, 1.0.x, 2.0.0, refused versions): test_protocol.test_version_header.
* 4 Security (HTTP Basic, scopes, inactive clients, organisations): test_protocol.
* Data 2.6 Signed statements: test_signatures.
* Statement validation (Data part): test_validation.
"""

from __future__ import annotations

import hashlib
import urllib.parse
from typing import Any

import orjson
import pytest
from django.test import Client as HttpClient

from kompetenslyft.lrs.attachments import SIGNATURE
from kompetenslyft.lrs.validation import VOIDED

from .helpers import Xapi, attachment, body, new_id, parts_of, statement

pytestmark = pytest.mark.django_db

ELIN = {"objectType": "Agent", "mbox": "mailto:elin@example.org"}
OLLE = {"objectType": "Agent", "mbox": "mailto:olle@example.org"}
ACTIVITY = "https://kompetenslyft.example/modules/M1"
STATE = {"activityId": ACTIVITY, "agent": orjson.dumps(ELIN).decode()}


@pytest.fixture(params=["1.0.3", "2.0.0"])
def x(network: Any, request: Any) -> Xapi:
    return Xapi(network.org_a, version=request.param)


def ids_of(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in body(response)["statements"]]


def alternate(x: Xapi, path: str, method: str, form: dict[str, str]) -> Any:
    return x.http.post(
        f"{path}?method={method}",
        urllib.parse.urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )


# --- 1.1 HEAD ----------------------------------------------------------------------------------


def test_head_answers_as_get_would_without_body_on_every_resource(x: Xapi) -> None:
    """Communication 1.1: "The LRS shall respond to any HEAD request as it would have responded to
    an otherwise identical GET request except … shall not return any content in the response
    body" — the activities, agents and document-list resources, and a 404."""
    x.post(statement(actor=ELIN))
    for path, params in (
        ("/xapi/activities", {"activityId": ACTIVITY}),
        ("/xapi/agents", {"agent": orjson.dumps(ELIN).decode()}),
        ("/xapi/activities/state", STATE),
        ("/xapi/statements", {"statementId": new_id()}),
    ):
        got = x.http.get(path, params, **x.headers())
        head = x.http.head(path, params, **x.headers())
        assert head.status_code == got.status_code and head.content == b""
        assert head["X-Experience-API-Version"] == got["X-Experience-API-Version"]


# --- 1.3 Alternate request syntax (1.0.3 only) -------------------------------------------------


def test_alternate_syntax_reaches_documents_with_their_headers(network: Any) -> None:
    """1.0.3 Communication 1.3 (Cross Origin Requests): the method in the query, every header,
    parameter and the content as form fields — documents too, with their ETag headers."""
    x = Xapi(network.org_a, version="1.0.3")
    common = {"Authorization": x.auth, "X-Experience-API-Version": "1.0.3"}
    params = {**STATE, "stateId": "bookmark"}
    put = alternate(
        x,
        "/xapi/activities/state",
        "PUT",
        {**common, **params, "Content-Type": "application/json", "content": '{"page": 4}'},
    )
    assert put.status_code == 204
    tag = put["ETag"]
    got = alternate(x, "/xapi/activities/state", "GET", {**common, **params})
    assert body(got) == {"page": 4} and got["ETag"] == tag
    stale = alternate(x, "/xapi/activities/state", "DELETE", {**common, **params, "If-Match": '"stale"'})
    assert stale.status_code == 412
    head = alternate(x, "/xapi/activities/state", "HEAD", {**common, **params})
    assert head.status_code == 200 and head.content == b""
    assert (
        alternate(x, "/xapi/activities/state", "DELETE", {**common, **params, "If-Match": tag}).status_code
        == 204
    )


def test_alternate_syntax_get_with_filters(network: Any) -> None:
    """1.0.3 Communication 1.3: query parameters of the emulated request are form fields."""
    x = Xapi(network.org_a, version="1.0.3")
    mine = body(x.post(statement(actor=ELIN)))[0]
    x.post(statement(actor=OLLE))
    got = alternate(
        x,
        "/xapi/statements",
        "GET",
        {"Authorization": x.auth, "X-Experience-API-Version": "1.0.3", "agent": orjson.dumps(ELIN).decode()},
    )
    assert ids_of(got) == [mine]


def test_alternate_syntax_is_refused_in_2_0_0(network: Any) -> None:
    """2.0.0 dropped the Alternate Request Syntax (Communication 1.3 of 1.0.3 is gone): a 2.0.0
    request that uses it is a 400 and stores nothing."""
    x = Xapi(network.org_a, version="2.0.0")
    refused = alternate(
        x,
        "/xapi/statements",
        "POST",
        {
            "Authorization": x.auth,
            "X-Experience-API-Version": "2.0.0",
            "content": orjson.dumps(statement()).decode(),
        },
    )
    assert refused.status_code == 400 and b"1.0.x" in refused.content
    assert ids_of(x.get()) == []


def test_alternate_syntax_needs_a_form_body(network: Any) -> None:
    """1.0.3 Communication 1.3: the emulated request's content is form encoded."""
    x = Xapi(network.org_a, version="1.0.3")
    answer = x.http.post("/xapi/statements?method=GET", b"{}", content_type="application/json")
    assert answer.status_code == 400


# --- 1.4 Encoding / 1.5.1 application/json -----------------------------------------------------


def test_strings_are_utf8_and_json_charset_is_accepted(x: Xapi) -> None:
    """Communication 1.4: "All strings MUST be encoded and interpreted as UTF-8"; 1.5.1: a
    Content-Type of application/json with a charset parameter is application/json."""
    name = {"sv-SE": "Ärendehantering för äldreomsorg", "nb-NO": "Saksbehandling i hjemmetjenesten — øving"}
    sent = statement(object={"id": ACTIVITY, "definition": {"name": name}})
    answer = x.http.post(
        "/xapi/statements", orjson.dumps(sent), content_type="application/json; charset=UTF-8", **x.headers()
    )
    assert answer.status_code == 200
    got = x.get({"statementId": body(answer)[0]})
    assert body(got)["object"]["definition"]["name"] == name


# --- 1.5.2 Attachments (what test_attachments leaves) -------------------------------------------


def test_a_batch_mixing_parts_file_urls_and_no_attachments_is_accepted(x: Xapi) -> None:
    """Communication 1.5.2: the LRS "MUST accept batches of Statements … that contain Attachments
    in the Transmission Format", where some statements have parts, some fileUrls, some none."""
    declared, part = attachment(b"report")
    linked, _unused = attachment(b"elsewhere", fileUrl="https://files.example/r.pdf")
    ids = body(
        x.multipart([statement(attachments=[declared]), statement(attachments=[linked]), statement()], [part])
    )
    assert len(ids) == 3
    listed = parts_of(x.get({"attachments": "true", "ascending": "true"}))
    assert len(listed) == 2 and listed[1][1] == b"report"


def test_a_signed_statement_comes_back_with_its_signature_part(x: Xapi) -> None:
    """Data 2.6 with Communication 2.1.3: a signed statement read with attachments=true carries
    the JWS part, so that a third party can check it later."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    original = statement()
    token = jwt.api_jws.encode(orjson.dumps(original), key, algorithm="RS256").encode()
    declared, part = attachment(token, "application/octet-stream", usageType=SIGNATURE)
    ident = body(x.multipart({**original, "attachments": [declared]}, [part]))[0]
    [(_h, _s), (headers, data)] = parts_of(x.get({"statementId": ident, "attachments": "true"}))
    assert data == token and headers["x-experience-api-hash"] == hashlib.sha256(token).hexdigest()


# --- 2.1 Statement resource ----------------------------------------------------------------


def test_consistent_through_is_on_every_statements_response(x: Xapi) -> None:
    """Communication 2.1.3 (2.0.0): "The LRS MUST include the header
    X-Experience-API-Consistent-Through, in ISO 8601 combined date and time format, on all
    responses to Statements Resource requests" — PUT, POST, GET and their errors."""
    responses = [
        x.put(statement(), new_id()),
        x.post(statement()),
        x.get(),
        x.get({"statementId": new_id()}),
        x.get({"colour": "red"}),
        x.post({"actor": {}}),
    ]
    assert [r.status_code for r in responses] == [204, 200, 200, 404, 400, 400]
    for response in responses:
        assert response["X-Experience-API-Consistent-Through"].endswith("Z")


def test_post_answers_the_ids_in_the_order_sent(x: Xapi) -> None:
    """Communication 2.1.2: POST returns "Array of Statement id(s) (UUID) in the same order as the
    corresponding stored Statements"."""
    given = [new_id(), None, new_id()]
    sent = [statement(id=ident) if ident else statement() for ident in given]
    ids = body(x.post(sent))
    assert ids[0] == given[0] and ids[2] == given[2] and ids[1] not in given
    assert x.get({"statementId": ids[1]}).status_code == 200


def test_an_empty_result_has_an_empty_more(x: Xapi) -> None:
    """Communication 2.1.3 / Data 2.5 (StatementResult): "more" is an "Empty string if there are
    no more results to fetch"; statements is an empty array when nothing matches."""
    answer = x.get({"verb": "http://x.org/none"})
    assert answer["Content-Type"] == "application/json"
    assert body(answer) == {"statements": [], "more": ""}


def test_a_voiding_statement_is_returned_for_a_filter_its_voided_target_matches(x: Xapi) -> None:
    """Communication 2.1.4: the LRS "MUST still return any Statements targeting the voided
    Statement, following the process and conditions described in the section on filter conditions
    for StatementRefs" — the voided statement itself is not returned."""
    target = body(x.post(statement(actor=ELIN)))[0]
    voider = body(
        x.post(
            statement(actor=OLLE, verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
        )
    )[0]
    assert ids_of(x.get({"agent": orjson.dumps(ELIN).decode()})) == [voider]


def test_parameter_names_are_case_sensitive(x: Xapi) -> None:
    """Communication 3.2 (Errors): the LRS "MUST reject with 400 Bad Request any request … that
    uses any parameters which the LRS does not recognize in their intended context" —
    ``StatementId`` is not ``statementId``."""
    ident = body(x.post(statement()))[0]
    assert x.get({"StatementId": ident}).status_code == 400
    assert x.get({"statementid": ident}).status_code == 400


def test_limit_above_the_server_maximum_is_the_maximum(x: Xapi) -> None:
    """Communication 2.1.3: limit is "Maximum number of Statements to return. 0 indicates return
    the maximum the server will allow" — a larger limit is honoured up to that maximum."""
    x.post([statement() for _ in range(3)])
    assert len(ids_of(x.get({"limit": "100000"}))) == 3
    assert len(ids_of(x.get({"limit": "0"}))) == 3


def test_last_modified_is_the_stored_time(x: Xapi) -> None:
    """Communication 2.1.3: "The LRS SHOULD* include a "Last-Modified" header which matches the
    "stored" Timestamp of the Statement" (a single statement)."""
    import email.utils

    ident = body(x.post(statement()))[0]
    got = x.get({"statementId": ident})
    stored = body(got)["stored"]
    modified = email.utils.parsedate_to_datetime(got["Last-Modified"])
    assert modified.strftime("%Y-%m-%dT%H:%M:%S") == stored[:19]


# --- 2.2–2.7 Documents, activities, agents --------------------------------------------------


def test_etag_is_the_quoted_sha1_of_the_document(x: Xapi) -> None:
    """Communication 3.1 (Concurrency): "the LRS … MUST return an ETag header … of the SHA1 of the
    document" in quotes (1.0.3 6.3: "calculated as a SHA1 hash of the resource representation")."""
    content = b'{"page": 9}'
    params = urllib.parse.urlencode({**STATE, "stateId": "etag"})
    put = x.http.put(
        f"/xapi/activities/state?{params}",
        content,
        content_type="application/json",
        **x.headers(HTTP_IF_NONE_MATCH="*"),
    )
    assert put["ETag"] == '"' + hashlib.sha1(content).hexdigest() + '"'  # noqa: S324 - as the spec says
    got = x.http.get(f"/xapi/activities/state?{params}", **x.headers())
    assert got["ETag"] == put["ETag"] and got["Last-Modified"]


def test_if_match_star_needs_an_existing_document(x: Xapi) -> None:
    """Communication 3.1: If-Match: * matches any existing document and none that is absent
    (RFC 7232 3.1): 412 before it exists, 204 once it does."""
    params = urllib.parse.urlencode({"activityId": ACTIVITY, "profileId": "star"})
    url = f"/xapi/activities/profile?{params}"
    absent = x.http.put(url, b'{"a": 1}', content_type="application/json", **x.headers(HTTP_IF_MATCH="*"))
    assert absent.status_code == 412
    x.http.put(url, b'{"a": 1}', content_type="application/json", **x.headers(HTTP_IF_NONE_MATCH="*"))
    present = x.http.put(url, b'{"a": 2}', content_type="application/json", **x.headers(HTTP_IF_MATCH="*"))
    assert present.status_code == 204


def test_a_document_keeps_its_content_type(x: Xapi) -> None:
    """Communication 2.2 (Documents): a document is opaque content with its Content-Type; GET
    returns it as it was stored."""
    params = urllib.parse.urlencode({"agent": STATE["agent"], "profileId": "photo"})
    png = b"\x89PNG\r\n\x1a\n\x00\x00binary"
    x.http.put(
        f"/xapi/agents/profile?{params}", png, content_type="image/png", **x.headers(HTTP_IF_NONE_MATCH="*")
    )
    got = x.http.get(f"/xapi/agents/profile?{params}", **x.headers())
    assert got["Content-Type"] == "image/png" and got.content == png


def test_activities_and_agents_need_their_parameter_and_answer_get_only(x: Xapi) -> None:
    """Communication 2.4 (Agents) and 2.5 (Activities): ``agent`` / ``activityId`` are required;
    the resources answer GET (and HEAD)."""
    assert x.get(path="/xapi/activities").status_code == 400
    assert x.get(path="/xapi/agents").status_code == 400
    assert x.get({"activityId": ACTIVITY}, path="/xapi/activities").status_code == 200
    person = body(x.get({"agent": STATE["agent"]}, path="/xapi/agents"))
    assert person["objectType"] == "Person" and person["mbox"] == [ELIN["mbox"]]
    put = x.http.put(
        f"/xapi/activities?activityId={ACTIVITY}", b"{}", content_type="application/json", **x.headers()
    )
    assert put.status_code == 405


def test_a_state_since_lists_only_later_documents(x: Xapi) -> None:
    """Communication 2.3 (State, multiple documents): "since … Only ids of States stored since the
    specified Timestamp (exclusive) are returned"."""
    params = {**STATE, "stateId": "early"}
    x.http.put(
        f"/xapi/activities/state?{urllib.parse.urlencode(params)}",
        b"{}",
        content_type="application/json",
        **x.headers(HTTP_IF_NONE_MATCH="*"),
    )
    listed = x.http.get(f"/xapi/activities/state?{urllib.parse.urlencode(STATE)}", **x.headers())
    assert body(listed) == ["early"]
    later = x.http.get(
        f"/xapi/activities/state?{urllib.parse.urlencode({**STATE, 'since': '2999-01-01T00:00:00Z'})}",
        **x.headers(),
    )
    assert body(later) == []
    assert (
        x.http.get(
            f"/xapi/activities/state?{urllib.parse.urlencode({**STATE, 'since': 'yesterday'})}", **x.headers()
        ).status_code
        == 400
    )


# --- 2.8 About -------------------------------------------------------------------------------


def test_about_answers_get_only_and_with_credentials_too(x: Xapi) -> None:
    """Communication 2.8: the About resource returns the versions the LRS supports (an array);
    its response to other methods is no xAPI data."""
    assert body(x.get(path="/xapi/about"))["version"] == ["1.0.3", "2.0.0"]
    assert (
        x.http.post("/xapi/about", b"{}", content_type="application/json", **x.headers()).status_code == 405
    )


# --- 3.2 Errors --------------------------------------------------------------------------------


def test_an_unknown_resource_is_404_with_the_version_header(db: Any) -> None:
    """Communication 3.3 (Versioning) with 3.2: "The LRS MUST include the
    X-Experience-API-Version header in every response" — a path the LRS does not know too."""
    answer = HttpClient().get("/xapi/statement", HTTP_X_EXPERIENCE_API_VERSION="2.0.0")
    assert answer.status_code == 404 and answer["X-Experience-API-Version"] == "2.0.0"


# --- 3.3 Versioning ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "status", "echo"), [("2.0", 200, "2.0.0"), ("1.1.0", 400, "2.0.0"), ("2.1.0", 400, "2.0.0")]
)
def test_version_2_0_is_2_0_0_and_later_minors_are_refused(
    network: Any, header: str, status: int, echo: str
) -> None:
    """Communication 3.3: the LRS "MUST accept requests with a version header of "2.0" as if the
    version header was "2.0.0"" and "MUST reject requests with version header prior to "1.0.0" …
    or of a version it does not support (a later minor version) with 400"."""
    x = Xapi(network.org_a)
    answer = x.http.get("/xapi/statements", **x.headers(HTTP_X_EXPERIENCE_API_VERSION=header))
    assert answer.status_code == status and answer["X-Experience-API-Version"] == echo


def test_error_responses_carry_the_version_header(network: Any) -> None:
    """Communication 3.3: every response, 401 and 403 included, names the version."""
    x = Xapi(network.org_a, version="1.0.3")
    headers = x.headers()
    del headers["HTTP_AUTHORIZATION"]
    assert x.http.get("/xapi/statements", **headers)["X-Experience-API-Version"] == "1.0.3"
    writer = Xapi(network.org_a, scopes=("statements/write",), version="2.0.0")
    forbidden = writer.get()
    assert forbidden.status_code == 403 and forbidden["X-Experience-API-Version"] == "2.0.0"
