"""The document resources (xAPI Communication 2.3–2.6 in 1.0.3; 4.1.6.2–4.1.6.5 in 2.0.0):
State (/activities/state), Activity Profile (/activities/profile), Agent Profile
(/agents/profile). Writes and reads of ``lrs.Document`` with ETag concurrency: If-Match /
If-None-Match answered with 412 when they fail; a PUT without either to an existing document
is 409 for the profiles, and in 2.0.0 for the state too (1.0.3 leaves the state without
concurrency); POST merges JSON objects (top-level properties), 400 when either is not one."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import orjson
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .launched import LAUNCH_DATA, launch_agent_key
from .models import SCOPE_READ_ALL, Client, Document


class Precondition(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Key:
    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()  # noqa: S324 - an entity tag, as the spec's examples


def _bound(client: Client, key: Key, document_id: str | None = None, *, writing: bool = False) -> None:
    """A cmi5 launch's client works on its person's documents only, and never rewrites the
    platform's launch data (ADR 0014)."""
    bound = launch_agent_key(client)
    if bound is None:
        return
    if key.agent_key == "" and not writing:
        return  # an activity's profile, which names nobody
    if key.agent_key != bound:
        raise Precondition(
            403, "a cmi5 unit reads and writes the documents of the person it was launched for only"
        )
    if writing and (document_id is None or document_id == LAUNCH_DATA):
        raise Precondition(403, "LMS.LaunchData is the platform's: a cmi5 unit may read it, not change it")


def _others(client: Client, current: Document | None) -> None:
    """A client that may read only its own documents (statements/read/mine, or none) changes
    only documents it wrote: another client's document is as good as absent to it."""
    if current is not None and current.client_id != client.pk and SCOPE_READ_ALL not in client.scope_set:
        raise Precondition(403, "the document was written by another client")


def _rows(client: Client, key: Key, *, mine: bool = False) -> QuerySet[Document]:
    if launch_agent_key(client) is not None:
        mine = False  # the launch's person's documents, the platform's launch data among them
    rows = Document.objects.filter(
        organisation_id=client.organisation_id,
        kind=key.kind,
        activity_id=key.activity_id,
        agent_key=key.agent_key,
        registration=key.registration,
    )
    return rows.filter(client_id=client.pk) if mine else rows


def _check(current: Document | None, if_match: str | None, if_none_match: str | None) -> None:
    if if_match is not None:
        tags = {tag.strip().strip('"') for tag in if_match.split(",")}
        if current is None or ("*" not in tags and current.etag not in tags):
            raise Precondition(412, "If-Match does not match the document's ETag")
    if if_none_match is not None:
        tags = {tag.strip().strip('"') for tag in if_none_match.split(",")}
        if current is not None and ("*" in tags or current.etag in tags):
            raise Precondition(412, "If-None-Match: the document exists")


def document_write(
    *,
    client: Client,
    key: Key,
    document_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
    if_match: str | None,
    if_none_match: str | None,
    version: str,
) -> str:
    """PUT (replace) or POST (``merge``) a document; returns its new ETag."""
    _bound(client, key, document_id, writing=True)
    with transaction.atomic():
        current = _rows(client, key).select_for_update().filter(document_id=document_id).first()
        if launch_agent_key(client) is None:
            _others(client, current)
        _check(current, if_match, if_none_match)
        concurrency = key.kind != Document.STATE or version.startswith("2.")
        if not merge and current is not None and concurrency and if_match is None and if_none_match is None:
            raise Precondition(409, "the document exists: send If-Match with its ETag (or If-None-Match: *)")
        if merge and current is not None:
            content, content_type = _merged(current, content, content_type)
        now = timezone.now()
        tag = etag_of(content)
        if current is None:
            Document.objects.create(
                organisation_id=client.organisation_id, kind=key.kind, activity_id=key.activity_id,
                agent_key=key.agent_key, registration=key.registration, document_id=document_id,
                content=content, content_type=content_type, etag=tag, updated=now, client_id=client.pk,
            )  # fmt: skip
        else:
            current.content, current.content_type, current.etag, current.updated = (
                content,
                content_type,
                tag,
                now,
            )
            current.client_id = client.pk
            current.save(update_fields=["content", "content_type", "etag", "updated", "client"])
    return tag


def _merged(current: Document, content: bytes, content_type: str) -> tuple[bytes, str]:
    if not (
        current.content_type.startswith("application/json") and content_type.startswith("application/json")
    ):
        raise Precondition(400, "POST merges JSON objects: the stored document or this one is not JSON")
    try:
        old, new = orjson.loads(bytes(current.content)), orjson.loads(content)
    except orjson.JSONDecodeError:
        raise Precondition(400, "POST merges JSON objects: a document is not valid JSON") from None
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise Precondition(400, "POST merges JSON objects: a document is not a JSON object")
    return orjson.dumps({**old, **new}), "application/json"


def document_get(client: Client, key: Key, document_id: str, *, mine: bool = False) -> Document | None:
    """One document; ``mine``: only if this client wrote it last (statements/read/mine)."""
    _bound(client, key)
    return _rows(client, key, mine=mine).filter(document_id=document_id).first()


def document_ids(client: Client, key: Key, since: dt.datetime | None, *, mine: bool = False) -> list[str]:
    _bound(client, key)
    rows = _rows(client, key, mine=mine)
    if since is not None:
        rows = rows.filter(updated__gt=since)
    return list(rows.order_by("document_id").values_list("document_id", flat=True))


def document_delete(
    *, client: Client, key: Key, document_id: str | None, if_match: str | None, if_none_match: str | None
) -> None:
    """DELETE one document, or (State, no stateId) every document of the key. A client that may
    read only its own documents deletes only those."""
    _bound(client, key, document_id, writing=True)
    own_only = SCOPE_READ_ALL not in client.scope_set
    with transaction.atomic():
        if document_id is None:
            _rows(client, key, mine=own_only).delete()
            return
        current = _rows(client, key).select_for_update().filter(document_id=document_id).first()
        _others(client, current)
        _check(current, if_match, if_none_match)
        if current is not None:
            current.delete()
