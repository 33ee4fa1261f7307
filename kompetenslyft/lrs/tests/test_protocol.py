"""The endpoint's protocol: version header, HTTP Basic auth and scopes, CORS, HEAD, /about,
the alternate request syntax (1.0.x only), and the organisation wall."""

from __future__ import annotations

import base64
import io
import urllib.parse
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from kompetenslyft.lrs.models import Client

from .helpers import SCOPE_READ_MINE, SCOPE_WRITE, Xapi, body, statement

pytestmark = pytest.mark.django_db


def test_about_lists_versions_without_auth(db: Any) -> None:
    response = HttpClient().get("/xapi/about")
    assert response.status_code == 200
    assert body(response)["version"] == ["1.0.3", "2.0.0"]
    assert response["X-Experience-API-Version"] == "2.0.0"


@pytest.mark.parametrize(
    ("header", "status", "echo"),
    [
        ("1.0.3", 200, "1.0.3"),
        ("1.0", 200, "1.0.3"),
        ("1.0.1", 200, "1.0.3"),
        ("2.0.0", 200, "2.0.0"),
        ("0.95", 400, "2.0.0"),
        ("3.0.0", 400, "2.0.0"),
        ("", 400, "2.0.0"),
    ],
)
def test_version_header(network: Any, header: str, status: int, echo: str) -> None:
    x = Xapi(network.org_a)
    headers = x.headers()
    if header:
        headers["HTTP_X_EXPERIENCE_API_VERSION"] = header
    else:
        del headers["HTTP_X_EXPERIENCE_API_VERSION"]
    response = x.http.get("/xapi/statements", **headers)
    assert response.status_code == status
    assert response["X-Experience-API-Version"] == echo


@pytest.mark.parametrize(
    "auth", [None, "Basic !!!", "Bearer abc", "Basic " + base64.b64encode(b"k:s").decode()]
)
def test_401_with_www_authenticate(network: Any, auth: str | None) -> None:
    x = Xapi(network.org_a)
    headers = x.headers()
    if auth is None:
        del headers["HTTP_AUTHORIZATION"]
    else:
        headers["HTTP_AUTHORIZATION"] = auth
    response = x.http.get("/xapi/statements", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_wrong_secret_and_inactive_client(network: Any) -> None:
    x = Xapi(network.org_a)
    token = base64.b64encode(f"{x.client.key}:wrong".encode()).decode()
    assert x.http.get("/xapi/statements", **x.headers(HTTP_AUTHORIZATION=f"Basic {token}")).status_code == 401
    Client.objects.filter(pk=x.client.pk).update(is_active=False)
    assert x.get().status_code == 401


def test_scopes(network: Any) -> None:
    writer = Xapi(network.org_a, scopes=(SCOPE_WRITE,))
    assert writer.post(statement()).status_code == 200
    assert writer.get().status_code == 403
    reader = Xapi(network.org_a, scopes=(SCOPE_READ_MINE,))
    assert reader.post(statement()).status_code == 403
    assert reader.put(statement(), "fd41c918-b88b-4b20-a0a5-a4c32391aaa0").status_code == 403
    # read/mine: only what this client stored, by filter and by id
    own = Xapi(network.org_a, scopes=(SCOPE_WRITE, SCOPE_READ_MINE))
    mine = body(own.post(statement(actor={"mbox": "mailto:mine@x.org"})))[0]
    theirs = body(writer.post(statement(actor={"mbox": "mailto:theirs@x.org"})))[0]
    listed = [s["id"] for s in body(own.get())["statements"]]
    assert listed == [mine]
    assert own.get({"statementId": theirs}).status_code == 404
    assert own.get({"agent": '{"mbox": "mailto:theirs@x.org"}'}).json()["statements"] == []


def test_organisations_are_walled(network: Any) -> None:
    a = Xapi(network.org_a)
    b = Xapi(network.org_b)
    ident = body(a.post(statement()))[0]
    assert b.get({"statementId": ident}).status_code == 404
    assert body(b.get())["statements"] == []
    # The same id may be stored by each organisation: no conflict reveals the other's statement.
    assert b.put(statement(verb={"id": "http://x.org/other"}), ident).status_code == 204
    assert body(a.get({"statementId": ident}))["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    # A StatementRef to another organisation's statement voids nothing there.
    b.post(
        statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": ident},
        )
    )
    assert a.get({"statementId": ident}).status_code == 200


def test_cors_preflight_and_headers(network: Any) -> None:
    response = HttpClient().options(
        "/xapi/statements", HTTP_ORIGIN="https://tool.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    x = Xapi(network.org_a)
    got = x.get()
    assert "X-Experience-API-Consistent-Through" in got["Access-Control-Expose-Headers"]
    assert got["Access-Control-Allow-Origin"] == "*"


def test_head_has_headers_and_no_body(network: Any) -> None:
    x = Xapi(network.org_a)
    ident = body(x.post(statement()))[0]
    for params in ({}, {"statementId": ident}):
        got, head = x.get(params), x.head(params)
        assert head.status_code == 200 and head.content == b""
        assert head["Content-Length"] == str(len(got.content))
        assert head["X-Experience-API-Version"] == "1.0.3"
        assert head["X-Experience-API-Consistent-Through"]
    about = HttpClient().head("/xapi/about")
    assert about.status_code == 200 and about.content == b""


def _alternate(x: Xapi, method: str, form: dict[str, str]) -> Any:
    return x.http.post(
        f"/xapi/statements?method={method}",
        urllib.parse.urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )


def test_alternate_request_syntax_for_1_0(network: Any) -> None:
    x = Xapi(network.org_a)
    ident = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    form = {
        "Authorization": x.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "statementId": ident,
        "content": orjson.dumps(statement()).decode(),
    }
    assert _alternate(x, "PUT", form).status_code == 204
    got = _alternate(
        x, "GET", {"Authorization": x.auth, "X-Experience-API-Version": "1.0.3", "statementId": ident}
    )
    assert got.status_code == 200 and body(got)["id"] == ident
    # 2.0.0 dropped the alternate syntax.
    form["X-Experience-API-Version"] = "2.0.0"
    refused = _alternate(x, "PUT", form)
    assert (
        refused.status_code == 400
        and refused["X-Experience-API-Version"] == "2.0.0"
        or refused.status_code == 400
    )
    # Other query parameters beside method are refused.
    extra = x.http.post(
        f"/xapi/statements?method=GET&statementId={ident}",
        "",
        content_type="application/x-www-form-urlencoded",
    )
    assert extra.status_code == 400


def test_unknown_parameter_and_method(network: Any) -> None:
    x = Xapi(network.org_a)
    assert x.get({"colour": "red"}).status_code == 400
    assert x.http.delete("/xapi/statements", **x.headers()).status_code == 405


def test_cli_creates_a_client(network: Any) -> None:
    out = io.StringIO()
    call_command(
        "lrs-client",
        "create",
        "--organisation",
        "alpha",
        "--name",
        "Articulate",
        "--scope",
        "statements/write",
        "--scope",
        "all/read",
        stdout=out,
    )
    text = out.getvalue()
    key = text.split("key: ")[1].split()[0]
    secret = text.split("secret: ")[1].split()[0]
    client = Client.objects.get(key=key)
    assert client.organisation == network.org_a and client.scope_set == {"statements/write", "all/read"}
    assert secret not in client.secret_hash
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    response = HttpClient().get(
        "/xapi/statements", HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_EXPERIENCE_API_VERSION="1.0.3"
    )
    assert response.status_code == 200


def test_xapi_requests_skip_the_session_and_locale_middlewares(network: Any, monkeypatch: Any) -> None:
    """/xapi/ goes past the session, locale, CSRF, auth and lockout middlewares (the LRS
    authenticates by HTTP Basic per request); the security headers stay."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def no_session(self: Any, request: Any) -> None:
        raise AssertionError(f"the session middleware ran for {request.path}")

    monkeypatch.setattr(SessionMiddleware, "process_request", no_session)
    x = Xapi(network.org_a)
    posted = x.post(statement())
    assert posted.status_code == 200
    read = x.get()
    assert read.status_code == 200 and len(body(read)["statements"]) == 1
    for response in (posted, read, HttpClient().get("/xapi/nothing-here")):
        assert "Content-Language" not in response  # LocaleMiddleware did not run
        assert "Cookie" not in response.get("Vary", "")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert HttpClient().get("/xapi/nothing-here").status_code == 404
    with pytest.raises(AssertionError, match="session middleware ran for /accounts"):
        HttpClient().get("/accounts/login/")
