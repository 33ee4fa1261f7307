from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import orjson
from django.test import Client as HttpClient

from kompetenslyft.lrs.models import SCOPE_READ_ALL, SCOPE_READ_MINE, SCOPE_WRITE
from kompetenslyft.lrs.services import client_create

ALL = (SCOPE_WRITE, SCOPE_READ_ALL)


class Xapi:
    """The Django test client speaking xAPI as one LRS client."""

    def __init__(self, organisation: Any, scopes: tuple[str, ...] = ALL, version: str = "1.0.3") -> None:
        self.client, secret = client_create(organisation=organisation, name="Tool", scopes=scopes)
        token = base64.b64encode(f"{self.client.key}:{secret}".encode()).decode()
        self.auth = f"Basic {token}"
        self.version = version
        self.http = HttpClient()

    def headers(self, **extra: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": self.auth, "HTTP_X_EXPERIENCE_API_VERSION": self.version, **extra}

    def post(self, body: Any, **extra: str) -> Any:
        return self.http.post(
            "/xapi/statements", orjson.dumps(body), content_type="application/json", **self.headers(**extra)
        )

    def put(self, body: Any, statement_id: str, **extra: str) -> Any:
        return self.http.put(
            f"/xapi/statements?statementId={statement_id}",
            orjson.dumps(body),
            content_type="application/json",
            **self.headers(**extra),
        )

    def multipart(
        self,
        statements: Any,
        parts: list[tuple[dict[str, str], bytes]],
        statement_id: str | None = None,
        **extra: str,
    ) -> Any:
        """PUT (with ``statement_id``) or POST ``statements`` as multipart/mixed with ``parts``
        (each its headers and data) after the statements' part."""
        body, content_type = multipart_body(statements, parts)
        if statement_id is not None:
            return self.http.put(
                f"/xapi/statements?statementId={statement_id}",
                body,
                content_type=content_type,
                **self.headers(**extra),
            )
        return self.http.post("/xapi/statements", body, content_type=content_type, **self.headers(**extra))

    def get(self, params: dict[str, str] | None = None, path: str = "/xapi/statements", **extra: str) -> Any:
        return self.http.get(path, params or {}, **self.headers(**extra))

    def head(self, params: dict[str, str] | None = None, **extra: str) -> Any:
        return self.http.head("/xapi/statements", params or {}, **self.headers(**extra))


BOUNDARY = "abcABC0123'()+_,-./:=?"


def multipart_body(
    statements: Any, parts: list[tuple[dict[str, str], bytes]], first_type: str = "application/json"
) -> tuple[bytes, str]:
    """A multipart/mixed body as xAPI Communication 1.5.2's example builds it (CRLF line ends)."""
    out = [f"--{BOUNDARY}\r\nContent-Type: {first_type}\r\n\r\n".encode(), orjson.dumps(statements)]
    for headers, data in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        out.append(f"\r\n--{BOUNDARY}\r\n{head}\r\n".encode())
        out.append(data)
    out.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(out), f'multipart/mixed; boundary="{BOUNDARY}"'


def attachment(
    data: bytes, content_type: str = "text/plain", **over: Any
) -> tuple[dict[str, Any], tuple[dict[str, str], bytes]]:
    """An attachment declaration and its part (headers, data)."""
    sha2 = hashlib.sha256(data).hexdigest()
    declared = {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": content_type,
        "length": len(data),
        "sha2": sha2,
        **over,
    }
    headers = {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": sha2,
    }
    return declared, (headers, data)


def parts_of(response: Any) -> list[tuple[dict[str, str], bytes]]:
    """A multipart/mixed answer's parts (headers in lower case, data)."""
    content_type = response["Content-Type"]
    boundary = content_type.split("boundary=")[1].strip('"')
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    pieces = (b"\r\n" + raw).split(b"\r\n--" + boundary.encode())
    assert pieces[-1].startswith(b"--"), "no close delimiter"
    out = []
    for piece in pieces[1:-1]:
        head, _, data = piece[2:].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        out.append((headers, data))
    return out


def statement(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "actor": {"objectType": "Agent", "name": "Elin", "mbox": "mailto:elin@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": "https://kompetenslyft.example/modules/M1",
            "definition": {"name": {"en-US": "Module one", "sv-SE": "Modul ett"}},
        },
    }
    base.update(over)
    return base


def new_id() -> str:
    return str(uuid.uuid4())


def body(response: Any) -> Any:
    return orjson.loads(response.content)


__all__ = [
    "ALL",
    "attachment",
    "multipart_body",
    "parts_of",
    "SCOPE_READ_ALL",
    "SCOPE_READ_MINE",
    "SCOPE_WRITE",
    "Xapi",
    "body",
    "new_id",
    "statement",
]
