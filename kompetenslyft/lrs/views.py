"""The xAPI endpoint at /xapi/: version header, HTTP Basic auth with LRS clients, CORS, HEAD,
the alternate request syntax (1.0.x only), then the resources. Parses and checks; the writes
are ``services``, the reads ``selectors``."""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import attachments, documents, selectors, services, validation
from .keys import agent_key
from .models import SCOPE_READ_ALL, SCOPE_READ_MINE, SCOPE_WRITE, Client, Document
from .validation import Invalid

VERSIONS = ("1.0.3", "2.0.0")
VERSION_1 = re.compile(r"^1\.0(\.\d+)?$")
VERSION_2 = re.compile(r"^2\.0(\.\d+)?$")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version, "
        "Accept-Language"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, Cache-Control, Content-Type, Content-Length, WWW-Authenticate, "
        "X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
    "Access-Control-Max-Age": "86400",
}
ALTERNATE_HEADERS = (
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
    "accept-language",
)


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class XRequest:
    """One xAPI request, after the alternate syntax is unfolded."""

    method: str
    headers: dict[str, str]
    params: dict[str, str]
    body: bytes
    version: str = ""  # the LRS version that answers: "1.0.3" or "2.0.0"
    client: Client | None = None


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _json(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(payload), status=status, content_type="application/json")


def _single(params: QueryDict, name: str) -> dict[str, str]:
    out = {}
    for key, values in params.lists():
        if len(values) > 1:
            raise HttpError(400, f"the parameter {key} is given more than once")
        out[key] = values[0]
    return out


def _unfold(request: HttpRequest) -> XRequest:
    headers = {key.lower(): value for key, value in request.headers.items()}
    if request.method == "POST" and "method" in request.GET:
        # Alternate request syntax (xAPI 1.0.3 Communication 1.3): the method in the query, the
        # headers, parameters and content in a form body. Gone from 2.0.0.
        if set(request.GET) != {"method"}:
            raise HttpError(400, "with the alternate request syntax the query holds only method")
        method = request.GET["method"].upper()
        if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
            raise HttpError(400, f"method={method[:10]} is not an xAPI method")
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise HttpError(
                400, "the alternate request syntax needs an application/x-www-form-urlencoded body"
            )
        form = _single(QueryDict(request.body, encoding="utf-8"), "form")
        inner_headers = {}
        params = {}
        for key, value in form.items():
            lower = key.lower()
            if lower in ALTERNATE_HEADERS:
                inner_headers[lower] = value
            elif key != "content":
                params[key] = value
        version = inner_headers.get("x-experience-api-version", "")
        if not VERSION_1.match(version):
            raise HttpError(400, "the alternate request syntax is only for xAPI 1.0.x requests")
        inner_headers.setdefault("content-type", "application/json")
        return XRequest(method, inner_headers, params, form.get("content", "").encode())
    return XRequest(request.method or "GET", headers, _single(request.GET, "query"), request.body)


def _version(xreq: XRequest) -> None:
    given = xreq.headers.get("x-experience-api-version")
    if not given:
        raise HttpError(400, "the X-Experience-API-Version header is required")
    if VERSION_1.match(given):
        xreq.version = "1.0.3"
    elif VERSION_2.match(given):
        xreq.version = "2.0.0"
    else:
        raise HttpError(400, f"X-Experience-API-Version {given[:20]!r} is not supported (1.0.x, 2.0.x)")


def _authenticate(xreq: XRequest) -> Client:
    header = xreq.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "basic" and token:
        try:
            key, sep, secret = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key, sep, secret = "", "", ""
        if sep:
            client = services.client_authenticate(key, secret)
            if client is not None:
                return client
    raise HttpError(401, "authentication required: HTTP Basic with an LRS client's key and secret")


def _require(client: Client, *scopes: str) -> None:
    if not client.scope_set.intersection(scopes):
        raise HttpError(403, f"this client lacks the scope {' or '.join(scopes)}")


def _finish(response: HttpResponseBase, xreq: XRequest | None, head: bool) -> HttpResponseBase:
    for key, value in CORS_HEADERS.items():
        response[key] = value
    response["X-Experience-API-Version"] = xreq.version if xreq and xreq.version else VERSIONS[-1]
    if response.status_code == 401:
        response["WWW-Authenticate"] = 'Basic realm="xAPI"'
    if head:
        if isinstance(response, StreamingHttpResponse):
            # Headers only: the streamed parts are not read (their length is not known here).
            headless = HttpResponse(status=response.status_code)
            for key, value in response.items():
                headless[key] = value
            response.close()
            return headless
        if isinstance(response, HttpResponse):
            response["Content-Length"] = str(len(response.content))
            response.content = b""
    return response


def endpoint(
    handler: Callable[[XRequest], HttpResponseBase], *, public: bool = False, consistent: bool = False
) -> Callable[..., HttpResponseBase]:
    """A resource's view. ``consistent``: the statements resource, whose every response carries
    X-Experience-API-Consistent-Through (2.0.0 Communication 2.1.3: "The LRS MUST include the
    header … on all responses to Statements Resource requests"), taken before the request's
    read or write: everything stored before it is in a GET's snapshot."""

    @csrf_exempt
    def view(request: HttpRequest, **_path: str) -> HttpResponseBase:
        if request.method == "OPTIONS":
            return _finish(HttpResponse(status=200), None, False)
        through = services.format_time(selectors.consistent_through()) if consistent else ""
        xreq: XRequest | None = None
        head = False
        try:
            xreq = _unfold(request)
            head = xreq.method == "HEAD"
            if head:
                xreq.method = "GET"
            if not public or "x-experience-api-version" in xreq.headers:
                _version(xreq)
            if not public:
                xreq.client = _authenticate(xreq)
            response = handler(xreq)
        except HttpError as error:
            response = _text(error.status, str(error))
        except Invalid as error:
            response = _text(400, str(error))
        except services.Conflict as error:
            response = _text(409, str(error))
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            response = _text(413, f"the request is larger than this LRS accepts ({limit} octets)")
        except attachments.TooLarge as error:
            response = _text(413, str(error))
        if through:
            response["X-Experience-API-Consistent-Through"] = through
        return _finish(response, xreq, head)

    return view


def _only(params: dict[str, str], allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise HttpError(400, f"unknown parameter: {', '.join(unknown)}")


# --- about ------------------------------------------------------------------------------------


def _about(xreq: XRequest) -> HttpResponse:
    if xreq.method != "GET":
        raise HttpError(405, "the about resource answers GET")
    _only(xreq.params, set())
    return _json({"version": list(VERSIONS)})


about = endpoint(_about, public=True)


# --- statements -------------------------------------------------------------------------------

GET_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
}


def _body_json(xreq: XRequest) -> tuple[Any, attachments.Received | None]:
    """The statements sent, and the attachment parts when they came as multipart/mixed."""
    header = xreq.headers.get("content-type", "")
    content_type = attachments.media_type(header)
    received = None
    body = xreq.body
    if content_type == "multipart/mixed":
        try:
            received = attachments.parse(body, header)
        except attachments.TooLarge:
            raise
        except attachments.Malformed as error:
            raise HttpError(400, str(error)) from None
        body = received.statements
    elif content_type != "application/json":
        raise HttpError(400, "statements are sent as application/json or multipart/mixed")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise HttpError(400, f"the statements are not JSON: {error}") from None
    if _nesting(value) > MAX_NESTING:
        raise HttpError(400, f"the body nests objects and arrays deeper than {MAX_NESTING} levels")
    return value, received


# Deeper than any statement needs, and well within what the store can write back (orjson stops
# at 255 levels: such a body was a 500).
MAX_NESTING = 64


def _nesting(value: Any) -> int:
    """How deep objects and arrays nest in ``value`` (level by level, without recursion; only
    objects and arrays are visited: it runs on every statement of every batch)."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_NESTING:
            return depth
        deeper = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
    return depth


def _statements(xreq: XRequest) -> HttpResponseBase:
    client = xreq.client
    if client is None:  # endpoint() authenticates every non-public resource
        raise HttpError(401, "authentication required")
    if xreq.method == "PUT":
        _require(client, SCOPE_WRITE)
        _only(xreq.params, {"statementId"})
        if "statementId" not in xreq.params:
            raise HttpError(400, "PUT needs the statementId parameter")
        body, received = _body_json(xreq)
        if isinstance(body, list):
            raise HttpError(400, "PUT takes one statement, not an array")
        services.statements_store(
            client=client,
            statements=[body],
            version=xreq.version,
            statement_id=xreq.params["statementId"],
            received=received,
        )
        return HttpResponse(status=204)
    if xreq.method == "POST":
        _require(client, SCOPE_WRITE)
        _only(xreq.params, set())
        body, received = _body_json(xreq)
        many = body if isinstance(body, list) else [body]
        ids = services.statements_store(
            client=client, statements=many, version=xreq.version, received=received
        )
        return _json(ids)
    if xreq.method == "GET":
        _require(client, SCOPE_READ_ALL, SCOPE_READ_MINE)
        return _statements_get(xreq, client)
    raise HttpError(405, f"the statements resource does not answer {xreq.method}")


def _bool(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise HttpError(400, f"{name} must be true or false")
    return value == "true"


def _statements_get(xreq: XRequest, client: Client) -> HttpResponseBase:
    params = xreq.params
    _only(params, GET_PARAMS)
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise HttpError(400, "format must be ids, exact or canonical")
    with_data = _bool(params, "attachments")
    accepted = selectors.accepted_languages(xreq.headers.get("accept-language", ""))
    single = [name for name in ("statementId", "voidedStatementId") if name in params]
    if single:
        if len(single) > 1 or set(params) - {single[0], "format", "attachments"}:
            raise HttpError(400, f"{single[0]} is given with format and attachments only")
        ident = validation.uuid(params[single[0]], single[0])
        found = selectors.statement_one(client, ident, voided=single[0] == "voidedStatementId")
        if found is None:
            raise HttpError(404, "no such statement")
        data, stored = found
        response = _statement_response(
            client, selectors.shaped(data, fmt, accepted), [data] if with_data else None
        )
        response["Last-Modified"] = stored.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return response
    query = _query(params)
    rows, more = selectors.statements_page(client, query)
    body = ",".join(selectors.shaped(data, fmt, accepted) for data in rows)
    more_link = ""
    if more is not None:
        following = {k: v for k, v in params.items() if k != "cursor"}
        following["cursor"] = more
        more_link = "/xapi/statements?" + urllib.parse.urlencode(following)
    payload = '{"statements":[' + body + '],"more":' + orjson.dumps(more_link).decode() + "}"
    return _statement_response(client, payload, rows if with_data else None)


def _statement_response(client: Client, payload: str, with_data: list[str] | None) -> HttpResponseBase:
    """JSON, or with ``attachments=true`` (``with_data``: the stored statements) multipart/mixed:
    the statements, then the data of their attachments that the LRS holds, each once."""
    if with_data is None:
        return HttpResponse(payload, content_type="application/json")
    content_type, chunks = attachments.multipart(
        client.organisation_id, payload, attachments.sha2s_of(with_data)
    )
    return StreamingHttpResponse(chunks, content_type=content_type)


def _query(params: dict[str, str]) -> selectors.Query:
    query = selectors.Query()
    if "agent" in params:
        try:
            value = orjson.loads(params["agent"])
        except orjson.JSONDecodeError:
            raise HttpError(400, "agent must be an agent or group as JSON") from None
        validation.actor(value, "agent")
        query.agent = agent_key(value)
        if not query.agent:
            raise HttpError(400, "agent: an anonymous group cannot be a filter")
    if "verb" in params:
        query.verb = validation.iri(params["verb"], "verb")
    if "activity" in params:
        query.activity = validation.iri(params["activity"], "activity")
    if "registration" in params:
        query.registration = validation.uuid(params["registration"], "registration")
    query.related_agents = _bool(params, "related_agents")
    query.related_activities = _bool(params, "related_activities")
    if "since" in params:
        query.since = validation.timestamp(params["since"], "since")
    if "until" in params:
        query.until = validation.timestamp(params["until"], "until")
    if "limit" in params:
        if not params["limit"].isdigit() or len(params["limit"]) > 9:
            raise HttpError(400, "limit must be a whole number, 0 or more")
        query.limit = int(params["limit"])
    query.ascending = _bool(params, "ascending")
    if "cursor" in params:
        query.cursor = selectors.parse_cursor(params["cursor"])
        if query.cursor is None:
            raise HttpError(400, "cursor is not one this LRS gave")
    return query


statements = endpoint(_statements, consistent=True)


# --- documents: state, activity profile, agent profile ----------------------------------------


def _agent_param(params: dict[str, str]) -> str:
    if "agent" not in params:
        raise HttpError(400, "the agent parameter is required")
    try:
        value = orjson.loads(params["agent"])
    except orjson.JSONDecodeError:
        raise HttpError(400, "agent must be an agent as JSON") from None
    validation.agent(value, "agent")
    return agent_key(value)


def _documents(xreq: XRequest, kind: str) -> HttpResponse:
    client = xreq.client
    if client is None:
        raise HttpError(401, "authentication required")
    params = xreq.params
    id_name = "stateId" if kind == Document.STATE else "profileId"
    allowed = {id_name, "since"}
    if kind == Document.STATE:
        allowed |= {"activityId", "agent", "registration"}
        key = documents.Key(
            kind,
            activity_id=validation.iri(params.get("activityId"), "activityId")
            if "activityId" in params
            else "",
            agent_key=_agent_param(params),
            registration=validation.uuid(params["registration"], "registration").lower()
            if "registration" in params
            else "",
        )
        if not key.activity_id:
            raise HttpError(400, "the activityId parameter is required")
    elif kind == Document.ACTIVITY_PROFILE:
        allowed |= {"activityId"}
        if "activityId" not in params:
            raise HttpError(400, "the activityId parameter is required")
        key = documents.Key(kind, activity_id=validation.iri(params["activityId"], "activityId"))
    else:
        allowed |= {"agent"}
        key = documents.Key(kind, agent_key=_agent_param(params))
    _only(params, allowed)
    document_id = params.get(id_name)
    if_match = xreq.headers.get("if-match")
    if_none_match = xreq.headers.get("if-none-match")
    try:
        if xreq.method in ("PUT", "POST"):
            _require(client, SCOPE_WRITE)
            if document_id is None:
                raise HttpError(400, f"the {id_name} parameter is required")
            content_type = xreq.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
            if content_type == "application/json" and xreq.body:
                try:
                    parsed = orjson.loads(xreq.body)
                except orjson.JSONDecodeError:
                    raise HttpError(400, "the document says application/json but is not JSON") from None
                if xreq.method == "POST" and not isinstance(parsed, dict):
                    # POST merges JSON objects, whether or not the document exists yet.
                    raise HttpError(400, "POST merges JSON objects: the document sent is not a JSON object")
            tag = documents.document_write(
                client=client, key=key, document_id=document_id, content=xreq.body, content_type=content_type,
                merge=xreq.method == "POST", if_match=if_match, if_none_match=if_none_match, version=xreq.version,
            )  # fmt: skip
            response = HttpResponse(status=204)
            response["ETag"] = f'"{tag}"'
            return response
        if xreq.method == "DELETE":
            _require(client, SCOPE_WRITE)
            if document_id is None and kind != Document.STATE:
                raise HttpError(400, f"the {id_name} parameter is required")
            documents.document_delete(
                client=client,
                key=key,
                document_id=document_id,
                if_match=if_match,
                if_none_match=if_none_match,
            )
            return HttpResponse(status=204)
        if xreq.method == "GET":
            _require(client, SCOPE_READ_ALL, SCOPE_READ_MINE)
            # statements/read/mine reads what this client wrote: its documents only.
            mine = SCOPE_READ_ALL not in client.scope_set
            if document_id is None:
                since = validation.timestamp(params["since"], "since") if "since" in params else None
                return _json(documents.document_ids(client, key, since, mine=mine))
            if "since" in params:
                raise HttpError(400, f"since is for the list of ids, not with {id_name}")
            found = documents.document_get(client, key, document_id, mine=mine)
            if found is None:
                raise HttpError(404, "no such document")
            response = HttpResponse(bytes(found.content), content_type=found.content_type)
            response["ETag"] = f'"{found.etag}"'
            response["Last-Modified"] = found.updated.strftime("%a, %d %b %Y %H:%M:%S GMT")
            return response
    except documents.Precondition as error:
        raise HttpError(error.status, str(error)) from None
    raise HttpError(405, f"this resource does not answer {xreq.method}")


state = endpoint(lambda xreq: _documents(xreq, Document.STATE))
activity_profile = endpoint(lambda xreq: _documents(xreq, Document.ACTIVITY_PROFILE))
agent_profile = endpoint(lambda xreq: _documents(xreq, Document.AGENT_PROFILE))


# --- activities and agents --------------------------------------------------------------------


def _activities(xreq: XRequest) -> HttpResponse:
    client = xreq.client
    if client is None:
        raise HttpError(401, "authentication required")
    if xreq.method != "GET":
        raise HttpError(405, "the activities resource answers GET")
    _require(client, SCOPE_READ_ALL, SCOPE_READ_MINE)
    _only(xreq.params, {"activityId"})
    if "activityId" not in xreq.params:
        raise HttpError(400, "the activityId parameter is required")
    return _json(selectors.activity_object(client, validation.iri(xreq.params["activityId"], "activityId")))


def _agents(xreq: XRequest) -> HttpResponse:
    client = xreq.client
    if client is None:
        raise HttpError(401, "authentication required")
    if xreq.method != "GET":
        raise HttpError(405, "the agents resource answers GET")
    _require(client, SCOPE_READ_ALL, SCOPE_READ_MINE)
    _only(xreq.params, {"agent"})
    _agent_param(xreq.params)
    return _json(selectors.person_object(client, orjson.loads(xreq.params["agent"])))


activities = endpoint(_activities)
agents = endpoint(_agents)


def _unknown(xreq: XRequest) -> HttpResponseBase:
    raise HttpError(404, "no such xAPI resource")


# Every response carries the version header (Communication 1.2 / 6.2 in 1.0.3), an unknown path's too.
unknown = endpoint(_unknown, public=True)
