"""Reads of the learning record store: one statement, a filtered page of statements (with the
statements that refer to a match through a StatementRef), and the ``format`` shapes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import keys
from .models import SCOPE_READ_ALL, Client, Mention, Statement

MAX_PAGE = 500


def visible(client: Client) -> QuerySet[Statement]:
    """The statements ``client`` may read: its organisation's; only its own without all/read."""
    rows = Statement.objects.filter(organisation_id=client.organisation_id)
    if SCOPE_READ_ALL not in client.scope_set:
        rows = rows.filter(client_id=client.pk)
    return rows


def statement_one(client: Client, statement_id: str, *, voided: bool) -> tuple[str, dt.datetime] | None:
    """The stored JSON and stored time of one statement: ``statementId`` finds it unless it is
    voided, ``voidedStatementId`` only when it is."""
    found = (
        visible(client)
        .filter(statement_id=statement_id.lower(), voided=voided)
        .values_list("data", "stored")
        .first()
    )
    return found


@dataclass
class Query:
    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 0
    ascending: bool = False
    cursor: tuple[dt.datetime, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def statements_page(client: Client, query: Query) -> tuple[list[str], str | None]:
    """A page of stored statements (JSON strings) in stored order and the cursor of the next
    page (the last row's place in the stored order, (stored, id): later arrivals do not shift
    it, and the (organisation, stored, id) index serves both the order and since/until)."""
    rows = visible(client)
    common = Q()
    if query.verb:
        common &= Q(verb_id=query.verb)
    if query.registration:
        common &= Q(registration=query.registration.lower())
    # Each filter is a few index searches (its alternatives); the matches are their UNION (an
    # OR beside the organisation's equality makes SQLite scan the organisation).
    choices: list[list[Q]] = []
    if query.activity:
        choices.append(
            _related(client, query.activity, "related_activities")
            if query.related_activities
            else [Q(object_key=query.activity)]
        )
    if query.agent:
        choices.append(
            _related(client, query.agent, "related_agents")
            if query.related_agents
            else [Q(actor_key=query.agent), Q(object_key=query.agent)]
        )
    alternatives = [common]
    for choice in choices:
        alternatives = [base & q for base in alternatives for q in choice]
    if choices or common:
        matches = [visible(client).filter(q) for q in alternatives]
        if _has_references(client):
            rows = rows.filter(pk__in=_with_references(matches, client))
        elif len(matches) == 1:  # no statement of the organisation refers to another
            rows = matches[0]
        else:
            rows = rows.filter(pk__in=_union(matches))
    rows = rows.filter(voided=False)
    if query.since:
        rows = rows.filter(stored__gt=query.since)
    if query.until:
        rows = rows.filter(stored__lte=query.until)
    if query.cursor is not None:
        at, pk = query.cursor
        if query.ascending:
            rows = rows.filter(Q(stored__gt=at) | Q(stored=at, pk__gt=pk))
        else:
            rows = rows.filter(Q(stored__lt=at) | Q(stored=at, pk__lt=pk))
    size = min(query.limit or MAX_PAGE, MAX_PAGE)
    order = ("stored", "pk") if query.ascending else ("-stored", "-pk")
    found = list(rows.order_by(*order).values_list("pk", "stored", "data")[: size + 1])
    more = None
    if len(found) > size:
        pk, at, _data = found[size - 1]
        more = f"{int(at.timestamp() * 1_000_000)}.{pk}"
    return [data for _pk, _at, data in found[:size]], more


# Statements naming one key beyond which the related filters walk the statements in stored order
# (the page is found within a few hundred rows) rather than sort every match.
POPULAR = 5_000


def _related(client: Client, key: str, column: str) -> list[Q]:
    """The index searches of a ``related_agents`` / ``related_activities`` filter: the key as
    the actor or the object (their own columns), as the authority (always the client that
    stored the statement) and anywhere else (a :class:`Mention` of its hash). What is not
    the statement's own column is checked against the statement's list: a hash may collide."""
    named = {f"{column}__contains": f"\n{key}\n"}
    mentioned = Mention.objects.filter(organisation_id=client.organisation_id, key_hash=keys.key_hash(key))
    if _popular(client.organisation_id, key, mentioned, column):
        # Named by many statements (a module, an initiative every module's statements have as
        # parent): the statements in stored order, each checked, give a page sooner than every
        # match sorted.
        return [Q(**named)]
    searches = [Q(object_key=key), Q(pk__in=mentioned.values("statement_id"), **named)]
    if column == "related_agents":
        searches.insert(0, Q(actor_key=key))
        authorities = _authority_clients(client.organisation_id, key)
        if authorities:
            searches.append(Q(client_id__in=authorities, **named))
    return searches


def _popular(organisation_id: int, key: str, mentioned: QuerySet[Mention], column: str) -> bool:
    """Whether POPULAR statements or more name ``key`` (counted in its indexes, up to that)."""
    columns = ("actor_key", "object_key") if column == "related_agents" else ("object_key",)
    left = POPULAR - mentioned[:POPULAR].count()
    for name in columns:
        if left <= 0:
            break
        left -= Statement.objects.filter(organisation_id=organisation_id, **{name: key})[:left].count()
    return left <= 0


def _authority_clients(organisation_id: int, key: str) -> list[int]:
    """The organisation's clients whose authority (``services.authority_of``: an account on
    the LRS's ``…/xapi/clients`` named by the client's key) ``key`` may be; the base URL of
    statements stored long ago may differ from today's."""
    if not key.startswith("@account:"):
        return []
    home, _, name = key.removeprefix("@account:").rpartition("|")
    if not home.endswith("/xapi/clients") or not name:
        return []
    return list(Client.objects.filter(organisation_id=organisation_id, key=name).values_list("pk", flat=True))


def parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    """A ``more`` link's cursor: the last row's place in the stored order (stored, id)."""
    micro, dot, pk = value.partition(".")
    if not dot or not micro.isdigit() or not pk.isdigit() or len(micro) > 18 or len(pk) > 18:
        return None
    try:
        at = dt.datetime.fromtimestamp(int(micro) / 1_000_000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return at, int(pk)


def _has_references(client: Client) -> bool:
    """Whether any statement of the organisation has a StatementRef object (the partial index
    on ref_id answers it at once); most organisations' statements have none."""
    return Statement.objects.filter(organisation_id=client.organisation_id, ref_id__isnull=False).exists()


def _union(matches: list[QuerySet[Statement]]) -> RawSQL:
    """The matches' ids as one UNION of index searches (an OR of two indexed columns beside the
    organisation's equality makes SQLite scan the organisation's rows)."""
    parts: list[str] = []
    params: list[Any] = []
    for matched in matches:
        sql, part_params = matched.values("pk").query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    return RawSQL(" UNION ".join(parts), tuple(params))  # noqa: S611 - Django's SQL, values as parameters


def _with_references(matches: list[QuerySet[Statement]], client: Client) -> RawSQL:
    """The matches and, recursively, the statements whose object is a StatementRef to one
    (xAPI: the filters apply to the statement a StatementRef targets)."""
    parts: list[str] = []
    params: list[Any] = []
    for matched in matches:
        sql, part_params = matched.values("pk", "statement_id").query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    table = Statement._meta.db_table
    scope = "s.organisation_id = %s"
    params.append(client.organisation_id)
    if SCOPE_READ_ALL not in client.scope_set:
        scope += " AND s.client_id = %s"
        params.append(client.pk)
    # Django's SQL for the matches and fixed text; every value is a parameter.
    seed = " UNION ".join(parts)
    recursive = (
        f"WITH RECURSIVE seed(pk, sid) AS ({seed}), m(pk, sid) AS (SELECT pk, sid FROM seed"  # noqa: S608
        f" UNION SELECT s.id, s.statement_id FROM {table} s JOIN m ON s.ref_id = m.sid"  # noqa: S608
        f" WHERE {scope}) SELECT pk FROM m"
    )
    return RawSQL(recursive, tuple(params))  # noqa: S611


def consistent_through() -> dt.datetime:
    """SQLite serialises writers and ``stored`` is taken inside the write transaction: every
    statement stored before now is visible. PostgreSQL's writers overlap: a second's margin."""
    now = timezone.now()
    return now if connection.vendor == "sqlite" else now - dt.timedelta(seconds=1)


# --- format -----------------------------------------------------------------------------------


def _agent_ids(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = {
        key: value[key] for key in ("objectType", "mbox", "mbox_sha1sum", "openid", "account") if key in value
    }
    if value.get("objectType") == "Group" and not keys.agent_key(value) and "member" in value:
        out["member"] = [_agent_ids(member) for member in value["member"]]
    return out


def _activity_ids(value: dict) -> dict:
    return {"objectType": "Activity", "id": value["id"]}


def _object_ids(value: dict) -> dict:
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return _activity_ids(value)
    if kind in ("Agent", "Group"):
        return _agent_ids(value)
    if kind == "SubStatement":
        return _statement_ids(value)
    return value


def _statement_ids(data: dict) -> dict:
    out = dict(data)
    out["actor"] = _agent_ids(data["actor"])
    out["verb"] = {"id": data["verb"]["id"]}
    out["object"] = _object_ids(data["object"])
    if "authority" in data:
        out["authority"] = _agent_ids(data["authority"])
    if "context" in data:
        context = dict(data["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [_activity_ids(a) for a in ([items] if isinstance(items, dict) else items)]
                for key, items in context["contextActivities"].items()
            }
        for key, part in (("contextAgents", "agent"), ("contextGroups", "group")):
            if key in context:
                context[key] = [{**item, part: _agent_ids(item[part])} for item in context[key]]
        out["context"] = context
    return out


LANGUAGE_MAPS = ("display", "name", "description")


def _pick(language_map: dict, accepted: list[str]) -> dict:
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in accepted:
        if wanted == "*":
            break
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for tag_lower, tag in lowered.items():
            if tag_lower.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical(value: Any, accepted: list[str], parent: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if (
                key in LANGUAGE_MAPS
                and isinstance(item, dict)
                and parent in ("verb", "definition", "component", "attachment")
            ):
                out[key] = _pick(item, accepted)
            else:
                child = key
                if key in ("choices", "scale", "source", "target", "steps"):
                    child = "components"
                elif key == "attachments":
                    child = "attachments"
                out[key] = _canonical(item, accepted, child)
        return out
    if isinstance(value, list):
        kind = {"components": "component", "attachments": "attachment"}.get(parent, parent)
        return [_canonical(item, accepted, kind) for item in value]
    return value


def accepted_languages(header: str) -> list[str]:
    ranked = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, n, tag.strip().lower()))
    return [tag for _q, _n, tag in sorted(ranked)]


def shaped(data: str, fmt: str, accepted: list[str]) -> str:
    """A stored statement in the asked ``format``: ``exact`` as stored, ``ids`` with agents,
    activities and verbs reduced to what identifies them, ``canonical`` with one language per
    language map (the best for Accept-Language)."""
    if fmt == "exact":
        return data
    parsed = orjson.loads(data)
    if fmt == "ids":
        return orjson.dumps(_statement_ids(parsed)).decode()
    return orjson.dumps(_canonical(parsed, accepted)).decode()


# --- activities and agents resources ----------------------------------------------------------


def activity_object(client: Client, activity_id: str) -> dict[str, Any]:
    """The Activity as the LRS knows it: the definition of the latest statement the client may
    read whose object it is (the spec: an Activity object even when none is known)."""
    for data in (
        visible(client)
        .filter(object_key=activity_id)
        .order_by("-stored", "-pk")
        .values_list("data", flat=True)[:20]
    ):
        definition = orjson.loads(data)["object"].get("definition")
        if definition:
            return {"objectType": "Activity", "id": activity_id, "definition": definition}
    return {"objectType": "Activity", "id": activity_id}


def person_object(client: Client, agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object of an agent: its identifier and the names that statements the client
    may read gave it (a read/mine client learns no name from another client's statements)."""
    person: dict[str, Any] = {"objectType": "Person"}
    key = keys.agent_key(agent)
    names: list[str] = []
    for data in (
        visible(client).filter(actor_key=key).order_by("-stored", "-pk").values_list("data", flat=True)[:20]
    ):
        name = orjson.loads(data)["actor"].get("name")
        if isinstance(name, str) and name not in names:
            names.append(name)
    if isinstance(agent.get("name"), str) and agent["name"] not in names:
        names.append(agent["name"])
    if names:
        person["name"] = names
    for ifi in ("mbox", "mbox_sha1sum", "openid", "account"):
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return person


# --- the lead's page of LRS clients -----------------------------------------------------------


def clients_of(organisation_id: int) -> QuerySet[Client]:
    """The organisation's own LRS clients (not the platform's, not cmi5 launch sessions'), the
    active first, newest first."""
    return Client.objects.filter(
        organisation_id=organisation_id, is_platform=False, expires_at__isnull=True
    ).order_by("-is_active", "-created_at", "-pk")
