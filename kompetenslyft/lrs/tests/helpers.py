from __future__ import annotations

import base64
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

    def get(self, params: dict[str, str] | None = None, path: str = "/xapi/statements", **extra: str) -> Any:
        return self.http.get(path, params or {}, **self.headers(**extra))

    def head(self, params: dict[str, str] | None = None, **extra: str) -> Any:
        return self.http.head("/xapi/statements", params or {}, **self.headers(**extra))


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


__all__ = ["ALL", "SCOPE_READ_ALL", "SCOPE_READ_MINE", "SCOPE_WRITE", "Xapi", "body", "new_id", "statement"]
