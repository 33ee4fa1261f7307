"""Pseudonymising many people's statements at once (ADR 0008; the retention run, ADR 0018).

Most statements that name a person name them as the actor, an agent by ``mbox`` or by an
account whose name is the employee id, and nowhere else. Those are rewritten by one ``UPDATE``
per batch of people, in the database (:func:`_in_sql`): the actor's exact text is replaced in
the stored JSON by the pseudonymous account, ``actor_key`` and its line in ``related_agents``
likewise. Everything else in the statement stays byte for byte as it was: id, stored,
timestamp, authority, result, context, the voided flag — the row is not parsed and written
again by Python. A statement goes that way only when the database can tell that this is all
there is to do:

* the actor is an Agent (no ``member``) that names the person by ``mbox`` (their e-mail) or
  by an account whose name is their employee id;
* those two identifiers, each as a JSON string (``"mailto:…"``, ``"<employee id>"``), occur
  exactly once in the statement's text together, and the SHA-1 of the e-mail not at all (in
  either letter case, nor among ``related_agents``) — so the person is nowhere else in it: not
  as object, instructor, team member, context agent, inside a sub-statement or an extension;
* the actor's text as the database renders it (``json_extract`` / ``json ->``) is found in the
  stored text as it stands (both are compact JSON; a row written otherwise is left to Python).

Every other statement naming a person (found by ``statements_naming``'s one scan) goes through
:func:`rewrite_statements`, which parses it and replaces every agent that names the person,
wherever it is. Both paths run in the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.db import connection, transaction

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.bulk import bulk_insert

from . import keys
from .attachments import SIGNATURE, declared
from .models import Attachment, Mention, Pseudonym, Statement
from .services import PSEUDONYM_HOME, _replace, mention_hashes_of, person_identifiers
from .storage import MENTION_COLUMNS


def pseudonym_agent(name: str) -> dict[str, Any]:
    return {"account": {"homePage": PSEUDONYM_HOME, "name": name}}


def rewrite_statements(
    organisation_id: int,
    statement_ids: Iterable[int],
    person: Any,
    pseudonym: dict[str, Any],
    signed: set[int] | None = None,
) -> int:
    """Parse the statements ``statement_ids`` and replace every agent in them that names
    ``person`` (actor, object, context, members, sub-statements) by ``pseudonym``; returns how
    many changed. The filter columns are computed again from the new JSON. The rewritten ones
    that declare a signature are added to ``signed`` (:func:`drop_signatures`)."""
    identifiers = person_identifiers(person)
    employee_id = person.employee_id or ""
    ids = sorted(statement_ids)
    changed = 0
    table = connection.ops.quote_name(Statement._meta.db_table)
    sql = f"UPDATE {table} SET data = %s, actor_key = %s, object_key = %s, related_agents = %s WHERE id = %s"  # noqa: S608 - the table name is the model's own
    mention_table = connection.ops.quote_name(Mention._meta.db_table)
    unmention = (
        f"DELETE FROM {mention_table} WHERE organisation_id = %s AND key_hash = %s AND statement_id = %s"  # noqa: S608 - the model's own table
    )
    for start in range(0, len(ids), 1000):
        rows = Statement.objects.filter(
            organisation_id=organisation_id, pk__in=ids[start : start + 1000]
        ).values_list("pk", "data")
        updated = []
        unmentioned: list[tuple[int, int, int]] = []
        mentioned: list[tuple[int, int, int]] = []
        for pk, text in rows:
            before = orjson.loads(text)
            data, hit = _replace(before, identifiers, employee_id, pseudonym)
            if not hit:
                continue
            if signed is not None and SIGNATURE in text:
                signed.add(pk)
            # The related-agents side table (lrs.Mention) follows: the person's hashes leave
            # with its identifiers, the pseudonym's come (the actor, which it does not hold,
            # is the SQL path's and needs none).
            old, new = mention_hashes_of(before), mention_hashes_of(data)
            unmentioned.extend((organisation_id, hashed, pk) for hashed in old - new)
            mentioned.extend((organisation_id, hashed, pk) for hashed in new - old)
            agents, _activities = keys.related(data)
            updated.append(
                (
                    orjson.dumps(data).decode(),
                    keys.agent_key(data["actor"]),
                    keys.object_key(data["object"]),
                    keys.joined(agents),
                    pk,
                )
            )
        if updated:
            # One prepared statement for the lot (executemany): Django's bulk_update builds
            # a CASE per row and column, which costs more than the rewrite itself.
            with connection.cursor() as cursor:
                cursor.executemany(sql, updated)
                if unmentioned:
                    cursor.executemany(unmention, unmentioned)
            bulk_insert(Mention._meta.db_table, MENTION_COLUMNS, mentioned)
        changed += len(updated)
    return changed


def pseudonymise_many(
    organisation_id: int,
    people: list[Any],
    hits: dict[int, list[int]],
    *,
    actor: Any = None,
    shared: set[int] | None = None,
) -> dict[int, Pseudonym]:
    """One new random pseudonym per person of ``people`` (all of one organisation), every
    statement that names them rewritten to it — ``hits`` (person id → statement row ids, from
    ``services.statements_naming``) and any whose actor names them — recorded as
    :class:`Pseudonym` rows and audited. Runs in the caller's transaction. The statements that
    another transaction may be rewriting at the same time are locked first: ``shared`` (those
    that name people of other batches of the same run), or all of them when not given."""
    if not people:
        return {}
    with transaction.atomic():
        # The rows are written once the counts are known (their pks name them in the audit log).
        records = {
            person.pk: Pseudonym(organisation_id=organisation_id, name=secrets.token_hex(16))
            for person in people
        }
        done, signed = _in_sql(organisation_id, people, records, hits, shared)
        for person in people:
            record = records[person.pk]
            fast = done.get(person.pk, set())
            rest = [pk for pk in hits.get(person.pk, ()) if pk not in fast]
            slow = (
                rewrite_statements(organisation_id, rest, person, pseudonym_agent(record.name), signed)
                if rest
                else 0
            )
            record.statements = len(fast) + slow
        # Only the rewritten statements that declare a signature are read again (both paths
        # tell which): reading every rewritten row's JSON for it cost a fifth of the run.
        drop_signatures(organisation_id, signed)
        Pseudonym.objects.bulk_create(records.values())
        organisation = people[0].organisation
        audit_record_many(
            actor=actor,
            organisation=organisation,
            events=[
                AuditEvent(
                    "lrs.pseudonymise",
                    "lrs.Pseudonym",
                    str(record.pk),
                    record.name,
                    {"statements": record.statements, "key": keys.agent_key(pseudonym_agent(record.name))},
                )
                for record in records.values()
            ],
        )
    return records


def drop_signatures(organisation_id: int, statement_ids: Iterable[int]) -> int:
    """Delete the signature attachments (JWS) of the rewritten statements: a signature's payload
    is the statement as it was signed, the person's name and e-mail in it (ADR 0008), and it no
    longer matches the rewritten statement anyway. The statements keep their declaration; a
    GET with ``attachments=true`` sends the data the LRS still holds. Returns how many."""
    ids = sorted(statement_ids)
    sha2s: set[str] = set()
    for start in range(0, len(ids), 1000):
        for text in Statement.objects.filter(
            organisation_id=organisation_id, pk__in=ids[start : start + 1000], data__contains=SIGNATURE
        ).values_list("data", flat=True):
            for item in declared(orjson.loads(text)):
                if item.get("usageType") == SIGNATURE and item.get("sha2"):
                    sha2s.add(str(item["sha2"]).lower())
    if not sha2s:
        return 0
    deleted, _kinds = Attachment.objects.filter(
        organisation_id=organisation_id, sha2__in=sorted(sha2s)
    ).delete()
    return deleted


def _literal(value: str) -> str:
    """``value`` as a JSON string, the way the stored statements write it (orjson)."""
    return orjson.dumps(value).decode()


def _in_sql(
    organisation_id: int,
    people: list[Any],
    records: dict[int, Pseudonym],
    hits: dict[int, list[int]],
    shared: set[int] | None = None,
) -> tuple[dict[int, set[int]], set[int]]:
    """The common case, in one ``UPDATE`` (module docstring): person id → statement row ids
    done, and those of them that declare a signature (their text holds its usage type).
    The statements are those of ``hits`` and those whose actor key is the person's e-mail
    (found through the actor index: statements sent after the scan)."""
    by_key: dict[str, int] = {}
    people_rows = []
    for person in people:
        name = records[person.pk].name
        new_agent = pseudonym_agent(name)
        new_key = keys.agent_key(new_agent)
        by_key[new_key] = person.pk
        mbox = f"mailto:{person.email}" if person.email else None
        sha1 = next((k[6:] for k in person_identifiers(person) if k.startswith("@sha1:")), None)
        employee_id = person.employee_id or None
        people_rows.append(
            [
                person.pk,
                mbox,
                employee_id,
                _literal(mbox) if mbox else None,
                _literal(employee_id) if employee_id else None,
                f"\n@sha1:{sha1}\n" if sha1 else None,
                sha1,
                sha1.upper() if sha1 else None,
                new_key,
                orjson.dumps(new_agent).decode(),
                orjson.dumps({"objectType": "Agent", **new_agent}).decode(),
            ]
        )
    pairs = sorted({(pk, person_id) for person_id, pks in hits.items() for pk in pks if person_id in records})
    keys_of = {f"@mbox:mailto:{person.email}": person.pk for person in people if person.email}
    table = connection.ops.quote_name(Statement._meta.db_table)
    with connection.cursor() as cursor:
        # Statements whose actor is the person by e-mail, through the actor index.
        found: set[tuple[int, int]] = set()
        listed = list(keys_of)
        for start in range(0, len(listed), 500):
            part = listed[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT id, actor_key FROM {table} WHERE organisation_id = %s AND actor_key IN ({marks})",  # noqa: S608
                [organisation_id, *part],
            )
            found |= {(pk, keys_of[key]) for pk, key in cursor.fetchall()}
        pairs = sorted(set(pairs) | found)
        if not pairs:
            return {}, set()
        locked = sorted({pk for pk, _pid in pairs if shared is None or pk in shared})
        if locked and connection.features.has_select_for_update:
            # Locked in id order before they are read: another transaction (a batch beside
            # this one, ``retention.pseudonymise_people``; a lead's decision) may be rewriting
            # the same statement for a person of its own (an instructor, an object), and each
            # must see the other's rewrite, not write over it. The Python path's rows are
            # among these. A statement of one person only needs no lock: no one else's batch
            # touches it.
            cursor.execute(
                f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # noqa: S608
                [locked],
            )
        if connection.vendor == "postgresql":
            sql, params = _postgresql(table, organisation_id, pairs, people_rows)
        else:
            sql, params = _sqlite(table, organisation_id, pairs, people_rows)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    done: dict[int, set[int]] = {}
    signed: set[int] = set()
    for pk, new_key, is_signed in rows:
        done.setdefault(by_key[new_key], set()).add(pk)
        if is_signed:
            signed.add(pk)
    return done, signed


# The conditions of the module docstring, the same on both databases: ``actor(...)`` reads a
# JSON path of the statement's actor, ``find(haystack, needle)`` is where the needle is in the
# haystack (0: not there), ``length`` a text's length (in bytes on PostgreSQL: OCTET_LENGTH
# reads the header, LENGTH counts the characters of the whole statement).
def _conditions(
    actor: Callable[..., str],
    actor_text: str,
    find: Callable[[str, str], str],
    p: str = "p",
    length: str = "LENGTH",
) -> str:
    def count(literal: str) -> str:
        return f"COALESCE(({length}(s.data) - {length}(REPLACE(s.data, {literal}, ''))) / {length}({literal}), 0)"

    actor_here = find("s.data", "'\"actor\":' || " + actor_text)
    return f"""
        COALESCE({actor("objectType")}, 'Agent') = 'Agent'
        AND {actor("member")} IS NULL
        AND ({actor("mbox")} = {p}.mbox OR {actor("account", "name")} = {p}.employee_id)
        AND {count(f"{p}.mbox_literal")} + {count(f"{p}.employee_literal")} = 1
        AND COALESCE({find("s.related_agents", f"{p}.sha1_line")}, 0) = 0
        AND COALESCE({find("s.data", f"{p}.sha1_lower")}, 0) = 0
        AND COALESCE({find("s.data", f"{p}.sha1_upper")}, 0) = 0
        AND {actor_here} > 0
    """


PEOPLE_COLUMNS = (
    "pid, mbox, employee_id, mbox_literal, employee_literal, sha1_line, sha1_lower, sha1_upper, "
    "new_key, bare, typed"
)


def _sqlite(table: str, organisation_id: int, pairs: list, people_rows: list) -> tuple[str, list]:
    def actor(*path: str) -> str:
        return f"json_extract(s.data, '$.actor.{'.'.join(path)}')"

    conditions = _conditions(
        actor, "json_extract(s.data, '$.actor')", lambda haystack, needle: f"INSTR({haystack}, {needle})"
    )
    # json_extract rather than ->> (SQLite 3.38): UPDATE … FROM and RETURNING need 3.35.
    values = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(PEOPLE_COLUMNS.split(","))))
    sql = f"""
        WITH pairs(sid, pid) AS MATERIALIZED (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)),
             p({PEOPLE_COLUMNS}) AS MATERIALIZED (SELECT {values} FROM json_each(%s)),
             c(id, new_data, new_key, related) AS (
               SELECT s.id,
                      REPLACE(s.data, '"actor":' || json_extract(s.data, '$.actor'),
                              '"actor":' || CASE WHEN json_type(s.data, '$.actor.objectType') IS NULL
                                                 THEN p.bare ELSE p.typed END),
                      p.new_key,
                      REPLACE(s.related_agents, char(10) || s.actor_key || char(10),
                              char(10) || p.new_key || char(10))
               FROM pairs JOIN {table} s ON s.id = pairs.sid JOIN p ON p.pid = pairs.pid
               WHERE s.organisation_id = %s AND {conditions})
        UPDATE {table} SET data = c.new_data, actor_key = c.new_key, related_agents = c.related
        FROM c WHERE {table}.id = c.id
        RETURNING {table}.id, {table}.actor_key, INSTR({table}.data, %s) > 0
    """  # noqa: S608 - the table name is the model's own; values are parameters
    return sql, [
        orjson.dumps(pairs).decode(),
        orjson.dumps(people_rows).decode(),
        organisation_id,
        SIGNATURE,
    ]


def _postgresql(table: str, organisation_id: int, pairs: list, people_rows: list) -> tuple[str, list]:
    def actor(*path: str) -> str:
        *head, last = path
        return "s.a" + "".join(f" -> '{step}'" for step in head) + f" ->> '{last}'"

    conditions = _conditions(
        actor,
        "s.a::text",
        lambda haystack, needle: f"STRPOS({haystack}, {needle})",
        p="s",
        length="OCTET_LENGTH",
    )
    columns = list(zip(*people_rows, strict=True))
    arrays = ", ".join(["%s::bigint[]"] + ["%s::text[]"] * (len(columns) - 1))
    # The people's columns travel with each statement (a hash join of the two lists): joined
    # later, the planner's guess of one row made it loop over the people for every statement.
    # ``s`` is a subquery kept apart by OFFSET 0, so that each statement's JSON is parsed once
    # for its actor; a MATERIALIZED CTE did the same through a tuple store that spilled to disk.
    sql = f"""
        WITH pairs AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS t(sid, pid)),
             p AS (SELECT * FROM unnest({arrays}) AS t({PEOPLE_COLUMNS}))
        UPDATE {table} AS t SET data = c.new_data, actor_key = c.new_key, related_agents = c.related
        FROM (
          SELECT s.id,
                 REPLACE(s.data, '"actor":' || s.a::text,
                         '"actor":' || CASE WHEN s.a -> 'objectType' IS NULL
                                            THEN s.bare ELSE s.typed END) AS new_data,
                 s.new_key,
                 REPLACE(s.related_agents, E'\\n' || s.actor_key || E'\\n',
                         E'\\n' || s.new_key || E'\\n') AS related
          FROM (
            SELECT st.id, st.data, st.data::json -> 'actor' AS a, st.actor_key, st.related_agents, p.*
            FROM pairs JOIN p ON p.pid = pairs.pid JOIN {table} st ON st.id = pairs.sid
            WHERE st.organisation_id = %s
            OFFSET 0) AS s
          WHERE {conditions}) AS c
        WHERE t.id = c.id
        RETURNING t.id, t.actor_key, STRPOS(t.data, %s) > 0
    """  # noqa: S608 - the table name is the model's own; values are parameters
    params = [
        [pk for pk, _pid in pairs],
        [pid for _pk, pid in pairs],
        *[list(column) for column in columns],
        organisation_id,
        SIGNATURE,
    ]
    return sql, params
