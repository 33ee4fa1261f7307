"""Writes of the learning record store: clients, statements (all or nothing), voiding, and a
person's erasure reaching the statements (ADR 0008)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid as uuidlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.queue import can_defer, enqueue, queue_row, task_named
from kompetenslyft.org.models import Organisation

from . import attachments, keys, launched, signatures, storage, validation
from .models import SCOPES, Client, Pseudonym, Statement
from .storage import COLUMNS
from .validation import VOIDED, Invalid
from .verbs import COUNTING


class Conflict(Exception):
    """A statement id the LRS holds with other content (409)."""


# --- clients ----------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    # The secret is 32 random bytes (256 bits): a fast hash is enough, and the ingest path
    # checks it on every request (a slow password hash would cost more than the statements).
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def client_create(
    *, organisation: Organisation, name: str, scopes: Iterable[str], actor: Any = None
) -> tuple[Client, str]:
    """A new client; returns it with its secret, which is shown once and kept only hashed."""
    chosen = sorted(set(scopes))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown or not chosen:
        raise ValueError(
            f"unknown scope: {', '.join(unknown)}" if unknown else "at least one scope is required"
        )
    if not name.strip():
        raise ValueError("a client needs a name")
    secret = secrets.token_urlsafe(32)
    client = Client.objects.create(
        organisation=organisation,
        name=name.strip()[:200],
        key=secrets.token_hex(16),
        secret_hash=secret_hash(secret),
        scopes=" ".join(chosen),
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("lrs.client_create", "lrs.Client", str(client.pk), client.name, {"scopes": chosen}),
    )
    return client, secret


@transaction.atomic
def client_revoke(*, client: Client, actor: Any = None) -> None:
    """Revoke a client: its key and secret stop authenticating at once (kept, not deleted: its
    statements name it as their authority and refer to it)."""
    if not client.is_active:
        return
    Client.objects.filter(pk=client.pk).update(is_active=False)
    client.is_active = False
    audit_record(
        actor=actor,
        organisation=client.organisation,
        event=AuditEvent("lrs.client_revoke", "lrs.Client", str(client.pk), client.name, {"key": client.key}),
    )


CLIENT_FIELDS = (
    "id", "organisation_id", "name", "key", "secret_hash", "scopes", "is_active", "is_platform", "expires_at",
)  # fmt: skip


def client_authenticate(key: str, secret: str) -> Client | None:
    """The active client with this key and secret. One plain query: it runs on every request
    of the ingest path, where building it through the ORM cost more than storing a statement."""
    names = ", ".join(connection.ops.quote_name(name) for name in CLIENT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {connection.ops.quote_name(Client._meta.db_table)} WHERE key = %s",  # noqa: S608
            [key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    client = Client(**dict(zip(CLIENT_FIELDS, row, strict=True)))
    if client.expires_at is not None:
        client.expires_at = _aware(client.expires_at)
        if client.expires_at <= timezone.now():
            return None
    if (
        not client.is_active
        or client.is_platform
        or not hmac.compare_digest(client.secret_hash, secret_hash(secret))
    ):
        return None
    return client


def _aware(value: Any) -> dt.datetime:
    """A datetime column read by plain SQL (SQLite gives text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def authority_of(client: Client) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": f"{settings.KOMPETENSLYFT_BASE_URL}/xapi/clients", "name": client.key},
    }


# --- statements -------------------------------------------------------------------------------


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


LRS_SET = ("stored", "authority", "version")


def same_statement(stored: dict, received: dict) -> bool:
    """The LRS's own properties (stored, authority, version; the timestamp when the new one
    has none) aside, the same statement."""
    old = {k: v for k, v in stored.items() if k not in LRS_SET}
    new = {k: v for k, v in received.items() if k not in LRS_SET}
    if "timestamp" not in new:
        old.pop("timestamp", None)
    else:
        try:
            same_time = validation.timestamp(new["timestamp"], "$") == validation.timestamp(
                old.get("timestamp"), "$"
            )
        except Invalid:
            same_time = False
        if same_time:
            new["timestamp"] = old.get("timestamp")
    old["id"] = str(old.get("id", "")).lower()
    new["id"] = str(new.get("id", "")).lower()
    return old == new


def statements_store(
    *,
    client: Client,
    statements: list[Any],
    version: str,
    statement_id: str | None = None,
    received: attachments.Received | None = None,
) -> list[str]:
    """Validate and store ``statements`` for ``client`` as one transaction (all or none) and
    return their ids. ``statement_id`` is PUT's parameter (one statement); ``received`` the
    attachment parts of a multipart/mixed request. Raises :class:`validation.Invalid` (400) or
    :class:`Conflict` (409)."""
    if not statements:
        raise Invalid("$", "no statements were sent")
    if statement_id is not None:
        validation.uuid(statement_id, "statementId")
        body = statements[0]
        if isinstance(body, dict) and "id" in body and str(body["id"]).lower() != statement_id.lower():
            raise Invalid("$.id", "differs from the statementId parameter")
    batch = len(statements) > 1 or statement_id is None
    ids: list[str] = []
    given: list[str] = []
    prepared: list[dict[str, Any]] = []
    for n, statement in enumerate(statements):
        path = f"$[{n}]" if batch and len(statements) > 1 else "$"
        validation.statement(statement, version, path)
        if not launched.statement_actor_allowed(client, statement):
            raise Invalid(
                f"{path}.actor", "a cmi5 unit records statements about the person it was launched for only"
            )
        if statement_id is not None:
            statement = {**statement, "id": statement_id}
        if "id" in statement:
            ident = statement["id"].lower()
            given.append(ident)
        else:
            ident = str(uuidlib.uuid4())
        if ident in ids:
            raise Invalid(f"{path}.id", f"the id {ident} is sent twice in one request")
        ids.append(ident)
        prepared.append(statement)
    parts = attachments.match(prepared, received, batch=batch and len(statements) > 1)
    signatures.verify_all(prepared, parts, batch=batch and len(statements) > 1)
    return _store(client=client, prepared=prepared, ids=ids, given=given, version=version, parts=parts)


VOIDED_AT = COLUMNS.index("voided")


@dataclass
class _Rows:
    """A request's statements in database form (``storage.COLUMNS``), with what each names
    beyond its own columns (``Mention`` hashes) and the targets of the voiding ones."""

    rows: list[list[Any]]
    mentions: dict[str, set[int]]
    voids: dict[str, tuple[str, str]]  # voiding statement id → (target id, JSON path)


def _rows_of(
    client: Client, prepared: list[dict], ids: list[str], stored_at: dt.datetime, version: str
) -> _Rows:
    organisation_id = client.organisation_id
    authority = authority_of(client)
    authority_key = keys.agent_key(authority)
    default_version = "2.0.0" if version.startswith("2.") else "1.0.0"
    stored = format_time(stored_at)
    stored_db = connection.ops.adapt_datetimefield_value(stored_at)
    out = _Rows([], {}, {})
    for n, (received, ident) in enumerate(zip(prepared, ids, strict=True)):
        data = dict(received)
        data["id"] = ident
        data["stored"] = stored
        data["authority"] = authority
        data.setdefault("timestamp", stored)
        data.setdefault("version", default_version)
        obj = data["object"]
        verb_id = data["verb"]["id"]
        if verb_id == VOIDED:
            path = f"$[{n}].object.id" if len(prepared) > 1 else "$.object.id"
            out.voids[ident] = (obj["id"].lower(), path)
        agents, activities = keys.related(data)
        registration = (data.get("context") or {}).get("registration")
        actor_key, object_key = keys.agent_key(data["actor"]), keys.object_key(obj)
        hashes = keys.mention_hashes(agents, activities, actor_key, object_key, authority_key)
        if hashes:
            out.mentions[ident] = hashes
        out.rows.append(
            [
                organisation_id, client.pk, ident, stored_db, data["version"], actor_key,
                object_key, verb_id, registration.lower() if registration else None, False,
                keys.joined(agents), keys.joined(activities), orjson.dumps(data).decode(),
                obj["id"].lower() if obj.get("objectType") == "StatementRef" else None,
            ]
        )  # fmt: skip
    return out


def _store(
    *,
    client: Client,
    prepared: list[dict],
    ids: list[str],
    given: list[str],
    version: str,
    parts: dict[str, attachments.Part] | None = None,
) -> list[str]:
    organisation_id = client.organisation_id
    count = not client.is_platform
    if connection.vendor == "postgresql" and not parts:
        # PostgreSQL's writers overlap (consistent_through keeps a margin): stored is taken here.
        stored_at = timezone.now()
        made = _rows_of(client, prepared, ids, stored_at, version)
        counting = [row[2] for row in made.rows if row[7] in COUNTING] if count else []
        queued = queue_row("lrs.count_task", organisation_id, counting) if counting else None
        if not made.voids and storage.insert_at_once(
            organisation_id=organisation_id,
            client_id=client.pk,
            stored=made.rows[0][3],
            rows=made.rows,
            mentions=made.mentions,
            queued=queued,
        ):
            if counting and queued is None:
                _count_later(organisation_id, counting)
            return ids
        # Voiding statements, or ids the organisation holds: the general path below decides.
    with storage.write_transaction():
        # Inside the write transaction (SQLite: BEGIN IMMEDIATE), so stored follows the row order.
        made = _rows_of(client, prepared, ids, timezone.now(), version)
        existing, early = storage.lookup(organisation_id, given)
        rows: list[list[Any]] = []
        for received, row in zip(prepared, made.rows, strict=True):
            ident = row[2]
            if ident in existing:
                if not same_statement(orjson.loads(existing[ident]), received):
                    raise Conflict(f"the statement {ident} is stored already with other content")
                continue
            if ident in early:
                row[VOIDED_AT] = True
            rows.append(row)
        voids = {target: path for ident, (target, path) in made.voids.items() if ident not in existing}
        if voids:
            if client.expires_at is not None:
                # cmi5 6.3: an AU's credentials never void.
                raise Invalid(next(iter(voids.values())), "a launched unit may not void statements")
            _void(organisation_id, voids, rows)
        storage.insert(
            organisation_id,
            rows,
            {ident: made.mentions[ident] for ident in made.mentions if ident not in existing},
        )
        if parts:
            attachments.store(organisation_id, prepared, parts)
        counting = [row[2] for row in rows if row[7] in COUNTING]
        if counting and count:
            _count_later(organisation_id, counting)
    return ids


def mention_hashes_of(data: dict[str, Any]) -> set[int]:
    """The :class:`Mention` hashes of a stored statement (its JSON as the LRS keeps it)."""
    agents, activities = keys.related(data)
    return keys.mention_hashes(
        agents,
        activities,
        keys.agent_key(data["actor"]),
        keys.object_key(data["object"]),
        keys.agent_key(data.get("authority")),
    )


def _count_later(organisation_id: int, statement_ids: list[str]) -> None:
    """Records that count (ADR 0014), off the request's path. A queue in the database takes the
    task in the statements' own transaction (one commit; stored and queued together, or
    neither): its row written by one INSERT (``queue_row``); another queue that can defer takes
    it through its backend; a queue that runs tasks at once runs it after the commit."""
    queued = queue_row("lrs.count_task", organisation_id, statement_ids)
    if queued is not None:
        queued.insert()
    elif can_defer("lrs.count_task"):
        task_named("lrs.count_task").enqueue(organisation_id, statement_ids)
    else:
        enqueue("lrs.count_task", organisation_id, statement_ids)


def _void(organisation_id: int, voids: dict[str, str], rows: list[list[Any]]) -> None:
    """Mark the targets of voiding statements voided; a voiding statement cannot be voided."""
    in_batch = {row[2]: row for row in rows}
    for target, path in voids.items():
        row = in_batch.get(target)
        if row is not None:
            if row[7] == VOIDED:
                raise Invalid(path, "a voiding statement cannot be voided")
            row[VOIDED_AT] = True
    outside = [target for target in voids if target not in in_batch]
    if not outside:
        return
    targets = Statement.objects.filter(organisation_id=organisation_id, statement_id__in=outside)
    for target, verb_id in targets.values_list("statement_id", "verb_id"):
        if verb_id == VOIDED:
            raise Invalid(voids[target], "a voiding statement cannot be voided")
    targets.update(voided=True)


# --- erasure ----------------------------------------------------------------------------------


PSEUDONYM_HOME = "https://kompetenslyft.invalid/pseudonym"


def person_identifiers(person: Any) -> set[str]:
    """The agent keys that name ``person`` (formats.md: an ``mbox`` that is their e-mail, an
    ``account`` whose name is their employee id — on any home page — and the e-mail's SHA-1)."""
    found: set[str] = set()
    if person.email:
        mbox = f"mailto:{person.email}"
        found.add(f"@mbox:{mbox}")
        found.add(f"@sha1:{hashlib.sha1(mbox.encode()).hexdigest()}")  # noqa: S324 - the spec's own hash
    return found


def _names_person(agent: dict, identifiers: set[str], employee_id: str) -> bool:
    if keys.agent_key(agent) in identifiers:
        return True
    account = agent.get("account")
    return bool(employee_id) and isinstance(account, dict) and account.get("name") == employee_id


def _replace(value: Any, identifiers: set[str], employee_id: str, pseudonym: dict) -> tuple[Any, bool]:
    if isinstance(value, dict):
        if any(key in value for key in validation.IFIS) and value.get("objectType", "Agent") in (
            "Agent",
            "Group",
        ):
            if _names_person(value, identifiers, employee_id):
                kind = value.get("objectType")
                replaced = {**({"objectType": kind} if kind else {}), **pseudonym}
                if "member" in value:
                    replaced["member"], _ = _replace(value["member"], identifiers, employee_id, pseudonym)
                return replaced, True
        changed = False
        out = {}
        for key, item in value.items():
            out[key], hit = _replace(item, identifiers, employee_id, pseudonym)
            changed = changed or hit
        return out, changed
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, hit = _replace(item, identifiers, employee_id, pseudonym)
            items.append(new)
            changed = changed or hit
        return items, changed
    return value, False


def pseudonymise_actor(person: Any, *, actor: Any = None) -> Pseudonym:
    """Replace every agent that names ``person`` in their organisation's statements (actor,
    object, context, members, sub-statements) by one pseudonymous account, in the stored JSON
    and the filter columns; recorded as a :class:`Pseudonym` and in the audit log (ADR 0008)."""
    with transaction.atomic():
        hits = statements_naming(person.organisation_id, [person])
        return pseudonymise_statements(person, hits.get(person.pk, []), actor=actor)


def statements_naming(organisation_id: int, people: Iterable[Any]) -> dict[int, list[int]]:
    """The ids of the organisation's statements that name each of ``people`` (person id → row
    ids), found in one scan of ``related_agents`` however many people are asked for: the
    multi-person erasure (``retention``) reads a million statements once, not once a person."""
    by_key: dict[str, int] = {}
    by_employee_id: dict[str, int] = {}
    for person in people:
        for key in person_identifiers(person):
            by_key[key] = person.pk
        if person.employee_id:
            by_employee_id[person.employee_id] = person.pk
    found: dict[int, list[int]] = {}
    if not by_key and not by_employee_id:
        return found
    rows = Statement.objects.filter(organisation_id=organisation_id).values_list("pk", "related_agents")
    for pk, related in rows.iterator(chunk_size=5000):
        named: set[int] = set()
        for line in related.split("\n"):
            if not line:
                continue
            person_id = by_key.get(line)
            if person_id is None and line.startswith("@account:"):
                person_id = by_employee_id.get(line.rpartition("|")[2])
            if person_id is not None:
                named.add(person_id)
        for person_id in named:
            found.setdefault(person_id, []).append(pk)
    return found


def pseudonymise_statements(person: Any, statement_ids: Iterable[int], *, actor: Any = None) -> Pseudonym:
    """Rewrite the statements ``statement_ids`` (from :func:`statements_naming`) so that no
    agent in them names ``person``; one new pseudonym, recorded and audited (ADR 0008). The
    work is :func:`.erasure.pseudonymise_many`'s, for one person."""
    from .erasure import pseudonymise_many

    return pseudonymise_many(person.organisation_id, [person], {person.pk: list(statement_ids)}, actor=actor)[
        person.pk
    ]
